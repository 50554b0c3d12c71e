//! The checked program: a typed SSA arena. Produced only by `types::check`; every
//! node has one dtype, and every operand already has the dtype its op computes in.

pub mod display;

use crate::array::Scalar;
use crate::ops::Op;
use crate::span::Span;
use crate::types::DType;

/// Index of a node in [`Program::nodes`]. Operands always have smaller ids than their users.
pub type NodeId = u32;

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Input number `i` of [`Program::inputs`].
    Input(u32),
    /// A constant of the node's dtype.
    Const(Scalar),
    /// An elementwise op over `args`.
    Op(Op),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub args: Vec<NodeId>,
    pub dtype: DType,
    /// Where in the source this node came from (for run-time errors).
    pub span: Span,
}

/// An input the program reads: its name and dtype. Shapes are bound at run time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InputDecl {
    pub name: String,
    pub dtype: DType,
    /// Where the name first appears in the source.
    pub span: Span,
}

/// A checked elementwise program.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// In topological order: every operand precedes its user.
    pub nodes: Vec<Node>,
    pub root: NodeId,
    pub inputs: Vec<InputDecl>,
}

impl Program {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn dtype(&self) -> DType {
        self.node(self.root).dtype
    }

    /// True when the result does not depend on any input (it was folded).
    pub fn is_constant(&self) -> Option<Scalar> {
        match self.node(self.root).kind {
            NodeKind::Const(s) => Some(s),
            _ => None,
        }
    }
}
