//! Splits a program with reductions into elementwise stages: one per reduction (the
//! elementwise body it folds) and a last one (the expression around the reductions),
//! where every reduction's result is an input. Pure IR rewriting; knows nothing of
//! arrays or engines.

use super::{InputDecl, Node, NodeId, NodeKind, Program, Reduction};
use crate::span::Span;
use std::collections::HashMap;

/// Where a stage's input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Input `k` of the original program.
    Input(u32),
    /// The (reduced) result of stage `s`.
    Stage(usize),
}

/// One elementwise program and how to feed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Elementwise only (no `Reduce` node).
    pub program: Program,
    /// One source per input of `program`.
    pub sources: Vec<Source>,
    /// `Some`: this stage's result is reduced (the reduction node's span alongside);
    /// `None`: the last stage, whose result is the program's.
    pub reduce: Option<(Reduction, Span)>,
}

/// The stages of `p` in evaluation order; the last one has `reduce == None`.
pub fn split(p: &Program) -> Vec<Stage> {
    let mut stage_of: HashMap<NodeId, usize> = HashMap::new();
    let mut stages = Vec::new();
    for (id, node) in p.nodes.iter().enumerate() {
        if let (NodeKind::Reduce(r), Some(&arg)) = (&node.kind, node.args.first()) {
            let (program, sources) = extract(p, arg, &stage_of);
            stage_of.insert(id as NodeId, stages.len());
            stages.push(Stage {
                program,
                sources,
                reduce: Some((*r, node.span)),
            });
        }
    }
    let (program, sources) = extract(p, p.root, &stage_of);
    stages.push(Stage {
        program,
        sources,
        reduce: None,
    });
    stages
}

/// The elementwise program computing node `target` of `p`, where inputs and earlier
/// reductions (`stage_of`) become inputs.
fn extract(
    p: &Program,
    target: NodeId,
    stage_of: &HashMap<NodeId, usize>,
) -> (Program, Vec<Source>) {
    let mut needed = vec![false; p.nodes.len()];
    let mut stack = vec![target];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut needed[id as usize], true) {
            continue;
        }
        let node = p.node(id);
        if !matches!(node.kind, NodeKind::Reduce(_)) {
            stack.extend(node.args.iter().copied());
        }
    }
    let mut new_id: HashMap<NodeId, NodeId> = HashMap::new();
    let mut nodes = Vec::new();
    let mut inputs = Vec::new();
    let mut sources = Vec::new();
    for (id, node) in p.nodes.iter().enumerate() {
        if !needed[id] {
            continue;
        }
        let (kind, args) = match &node.kind {
            NodeKind::Input(k) => {
                let decl = &p.inputs[*k as usize];
                inputs.push(decl.clone());
                sources.push(Source::Input(*k));
                (NodeKind::Input(inputs.len() as u32 - 1), Vec::new())
            }
            NodeKind::Reduce(r) => {
                let s = stage_of.get(&(id as NodeId)).copied().unwrap_or(0);
                inputs.push(InputDecl {
                    name: format!("{}#{s}", r.op.name()),
                    dtype: node.dtype,
                    span: node.span,
                });
                sources.push(Source::Stage(s));
                (NodeKind::Input(inputs.len() as u32 - 1), Vec::new())
            }
            other => (
                other.clone(),
                node.args
                    .iter()
                    .map(|a| new_id.get(a).copied().unwrap_or(0))
                    .collect(),
            ),
        };
        new_id.insert(id as NodeId, nodes.len() as NodeId);
        nodes.push(Node {
            kind,
            args,
            dtype: node.dtype,
            span: node.span,
        });
    }
    let root = new_id.get(&target).copied().unwrap_or(0);
    (
        Program {
            nodes,
            root,
            inputs,
        },
        sources,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{check, DType, Signature};

    #[test]
    fn splits_around_reductions() {
        let ast = crate::syntax::parse("x - sum(x**2, axis=0) / max(y)").unwrap();
        let sig = Signature::new()
            .with("x", DType::Float64)
            .with("y", DType::Float64);
        let p = check(&ast, &sig).unwrap();
        let st = split(&p);
        assert_eq!(st.len(), 3);
        assert_eq!(st[0].sources, vec![Source::Input(0)]);
        assert_eq!(st[1].sources, vec![Source::Input(1)]);
        assert_eq!(
            st[2].sources,
            vec![Source::Input(0), Source::Stage(0), Source::Stage(1)]
        );
        assert!(st.iter().all(|s| !s.program.has_reductions()));
        assert_eq!(st[2].reduce, None);
    }
}
