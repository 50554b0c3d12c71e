//! The checked program: a typed SSA arena. Produced only by `types::check`; every
//! node has one dtype, and every operand already has the dtype its op computes in.

pub mod display;
pub mod stage;

use crate::array::Scalar;
use crate::ops::{Op, ReduceOp};
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
    /// A reduction of its one operand (which has the node's dtype). Changes the shape:
    /// engines evaluate it before the elementwise nodes that use it.
    Reduce(Reduction),
}

/// Which axes a reduction folds, as written; checked against the operand's
/// dimensions when shapes are bound (`types::shape::reduced_axes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Axes {
    /// No `axis=`, or `axis=None`: every axis.
    All,
    /// `axis=k` (negative counts from the end).
    One(i64),
    /// `axis=(k, …)` with distinct entries: entries `0..64` as bits of `pos`,
    /// entries `-64..=-1` as bits `-k - 1` of `neg`; `far` an entry outside
    /// `-64..64` (out of range for every array, numjit has at most 64 dimensions).
    Tuple {
        pos: u64,
        neg: u64,
        far: Option<i64>,
    },
}

impl Axes {
    /// The entries, non-negative ones first (ascending), then negative ones.
    pub fn entries(self) -> Vec<i64> {
        match self {
            Axes::All => Vec::new(),
            Axes::One(k) => vec![k],
            Axes::Tuple { pos, neg, far } => (0..64)
                .filter(|b| pos >> b & 1 == 1)
                .chain((0..64).rev().filter(|b| neg >> b & 1 == 1).map(|b| -b - 1))
                .chain(far)
                .collect(),
        }
    }
}

/// What a [`NodeKind::Reduce`] node does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reduction {
    pub op: ReduceOp,
    /// The axes folded.
    pub axis: Axes,
    /// Where `axis=` was given (the call's span when it was not).
    pub axis_span: Span,
    /// `keepdims=True`: the reduced axes stay, with length 1 (NumPy's `keepdims`).
    pub keepdims: bool,
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

    /// True when some node is a reduction (the program then runs in stages).
    pub fn has_reductions(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Reduce(_)))
    }

    /// True when the result does not depend on any input (it was folded).
    pub fn is_constant(&self) -> Option<Scalar> {
        match self.node(self.root).kind {
            NodeKind::Const(s) => Some(s),
            _ => None,
        }
    }
}
