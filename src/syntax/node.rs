//! Builds AST nodes for the grammar's actions: spans, the depth limit, and the
//! chained-comparison error. Knows nothing about parsing tables or token streams.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::token::Token;
use crate::error::{Error, ErrorKind};
use crate::limits::MAX_DEPTH;
use crate::span::Span;
use lalrpop_util::ParseError;

/// An expression under construction, with its depth cached so the limit check is O(1)
/// per node (recomputing [`Expr::depth`] at each node would be quadratic).
pub struct Node {
    pub expr: Expr,
    pub depth: usize,
}

/// What a fallible grammar action returns.
pub type Built<'s> = Result<Node, ParseError<usize, Token<'s>, Error>>;

pub fn leaf(kind: ExprKind, lo: usize, hi: usize) -> Node {
    Node {
        expr: Expr::new(kind, Span::new(lo, hi)),
        depth: 1,
    }
}

/// Parentheses build no node; the inner node's span widens to cover them, so slicing
/// the source at any node's span gives text that parses back to that node.
pub fn paren(mut inner: Node, lo: usize, hi: usize) -> Node {
    inner.expr.span = Span::new(lo, hi);
    inner
}

/// Fails before building a node deeper than the limit, so no tree ever exceeds it
/// (which also keeps the recursive `Drop` of a tree shallow).
fn checked<'s>(kind: ExprKind, depth: usize, span: Span) -> Built<'s> {
    if depth > MAX_DEPTH {
        return Err(ParseError::User {
            error: Error::new(ErrorKind::TooDeep, "expression nests too deeply")
                .at(
                    span,
                    format!("more than {MAX_DEPTH} levels of operators and calls"),
                )
                .help(
                    "each operator or call adds a level (a long sum `a + b + ...` too); \
                     split the expression into smaller ones",
                ),
        });
    }
    Ok(Node {
        expr: Expr::new(kind, span),
        depth,
    })
}

pub fn unary<'s>(op: UnaryOp, e: Node, lo: usize, hi: usize) -> Built<'s> {
    let depth = e.depth + 1;
    checked(
        ExprKind::Unary(op, Box::new(e.expr)),
        depth,
        Span::new(lo, hi),
    )
}

pub fn binary<'s>(op: BinaryOp, l: Node, r: Node, lo: usize, hi: usize) -> Built<'s> {
    let depth = l.depth.max(r.depth) + 1;
    checked(
        ExprKind::Binary(op, Box::new(l.expr), Box::new(r.expr)),
        depth,
        Span::new(lo, hi),
    )
}

pub fn call<'s>(name: &str, args: Vec<Node>, lo: usize, name_hi: usize, hi: usize) -> Built<'s> {
    let depth = args.iter().map(|a| a.depth).max().unwrap_or(0) + 1;
    let kind = ExprKind::Call {
        func: name.to_string(),
        name_span: Span::new(lo, name_hi),
        args: args.into_iter().map(|a| a.expr).collect(),
    };
    checked(kind, depth, Span::new(lo, hi))
}

/// `first op1 x1 op2 x2 ...`: one comparison is a binary node; more is an error,
/// because Python would evaluate `a < b < c` as `a < b and b < c`, which needs a
/// single truth value and fails on arrays.
pub fn compare<'s>(
    src: &str,
    first: Node,
    mut rest: Vec<(BinaryOp, Node)>,
    lo: usize,
    hi: usize,
) -> Built<'s> {
    if rest.len() == 1 {
        let (op, r) = rest.pop().expect("one element");
        return binary(op, first, r, lo, hi);
    }
    let text = |e: &Expr| src.get(e.span.range()).unwrap_or("…").to_string();
    let mut operands = vec![&first.expr];
    operands.extend(rest.iter().map(|(_, n)| &n.expr));
    let ops: Vec<BinaryOp> = rest.iter().map(|(op, _)| *op).collect();
    let span = Span::new(lo, hi);
    let err = Error::new(
        ErrorKind::ChainedComparison,
        "comparisons cannot be chained on arrays",
    );

    // The common mistake: `a > 1 & b < 2` is `a > (1 & b) < 2`, because `&` binds
    // tighter than comparisons. Rebuild what was meant from the source text.
    if let [left, mid, right] = operands[..] {
        if let ExprKind::Binary(bitop, ml, mr) = &mid.kind {
            let bare = mid.span.start == ml.span.start && mid.span.end == mr.span.end;
            if bare && matches!(bitop, BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor) {
                let (op1, op2, b) = (ops[0].symbol(), ops[1].symbol(), bitop.symbol());
                let (l, ml, mr, r) = (text(left), text(ml), text(mr), text(right));
                let error = err
                    .at(
                        span,
                        format!("this is read as `{l} {op1} ({ml} {b} {mr}) {op2} {r}`"),
                    )
                    .help(format!(
                        "`{b}` binds tighter than comparisons; parenthesise each comparison: \
                         `({l} {op1} {ml}) {b} ({mr} {op2} {r})`"
                    ));
                return Err(ParseError::User { error });
            }
        }
    }

    let pairs: Vec<String> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            format!(
                "({} {} {})",
                text(operands[i]),
                op.symbol(),
                text(operands[i + 1])
            )
        })
        .collect();
    let error = err
        .at(span, "a chain of comparisons needs a single truth value")
        .help(format!(
            "compare pairwise and combine with `&`: `{}`",
            pairs.join(" & ")
        ));
    Err(ParseError::User { error })
}
