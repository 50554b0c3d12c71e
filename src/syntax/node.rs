//! Builds AST nodes for the grammar's actions: spans, the depth limit, and the
//! chained-comparison error. Knows nothing about parsing tables or token streams
//! (the grammar wraps these errors into LALRPOP's type).

use super::ast::{BinaryOp, Expr, ExprKind, Keyword, UnaryOp};
use crate::error::{Error, ErrorKind};
use crate::limits::MAX_DEPTH;
use crate::span::Span;

/// An expression under construction, with its depth cached so the limit check is O(1)
/// per node (recomputing [`Expr::depth`] at each node would be quadratic).
pub struct Node {
    pub expr: Expr,
    pub depth: usize,
}

/// What a fallible grammar action returns.
pub type Built = Result<Node, Error>;

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
fn checked(kind: ExprKind, depth: usize, span: Span) -> Built {
    if depth > MAX_DEPTH {
        return Err(
            Error::new(ErrorKind::TooDeep, "expression nests too deeply")
                .at(
                    span,
                    format!("more than {MAX_DEPTH} levels of operators and calls"),
                )
                .help(
                    "each operator or call adds a level (a long sum `a + b + ...` too); \
                     split the expression into smaller ones",
                ),
        );
    }
    Ok(Node {
        expr: Expr::new(kind, span),
        depth,
    })
}

pub fn unary(op: UnaryOp, e: Node, lo: usize, hi: usize) -> Built {
    let depth = e.depth + 1;
    checked(
        ExprKind::Unary(op, Box::new(e.expr)),
        depth,
        Span::new(lo, hi),
    )
}

pub fn binary(op: BinaryOp, l: Node, r: Node, lo: usize, hi: usize) -> Built {
    let depth = l.depth.max(r.depth) + 1;
    checked(
        ExprKind::Binary(op, Box::new(l.expr), Box::new(r.expr)),
        depth,
        Span::new(lo, hi),
    )
}

/// `(first, rest…)`, a keyword argument's tuple value.
pub fn tuple(first: Node, rest: Vec<Node>, lo: usize, hi: usize) -> Built {
    let mut depth = first.depth;
    let mut items = vec![first.expr];
    for n in rest {
        depth = depth.max(n.depth);
        items.push(n.expr);
    }
    checked(ExprKind::Tuple(items), depth + 1, Span::new(lo, hi))
}

/// One argument of a call as the grammar reads it.
pub enum Arg {
    Positional(Node),
    /// `name=value`: the name, its span, the value, and the span of the whole argument.
    Keyword(String, Span, Node, Span),
}

pub fn keyword(name: &str, value: Node, lo: usize, name_hi: usize, hi: usize) -> Arg {
    Arg::Keyword(
        name.to_string(),
        Span::new(lo, name_hi),
        value,
        Span::new(lo, hi),
    )
}

/// The attributes an expression may name: `x.real` is `real(x)`, `x.imag` is `imag(x)`.
pub const ATTRIBUTES: [&str; 2] = ["real", "imag"];

/// `object.name`: becomes the call `name(object)` (spanning `object.name`, its name
/// span on `name`), or an error naming the valid attributes.
pub fn attribute(object: Node, name: &str, lo: usize, name_lo: usize, hi: usize) -> Built {
    let name_span = Span::new(name_lo, hi);
    if !ATTRIBUTES.contains(&name) {
        let mut err = Error::new(
            ErrorKind::UnknownAttribute,
            format!("unknown attribute `.{name}`"),
        )
        .at(name_span, "not an attribute numjit knows");
        err = match crate::suggest::closest(name, ATTRIBUTES) {
            Some(s) => err.help(format!(
                "did you mean `.{s}`? the attributes are `.real` and `.imag`"
            )),
            None => err.help(
                "the attributes are `.real` and `.imag`; everything else is a function call, \
                 e.g. `conj(z)` or `abs(z)`",
            ),
        };
        return Err(err);
    }
    checked(
        ExprKind::Call {
            func: name.to_string(),
            name_span,
            args: vec![object.expr],
            kwargs: Vec::new(),
        },
        object.depth + 1,
        Span::new(lo, hi),
    )
}

/// Builds a call, enforcing Python's argument rules: keyword arguments come after the
/// positional ones, and no keyword is given twice.
pub fn call(name: &str, args: Vec<Arg>, lo: usize, name_hi: usize, hi: usize) -> Built {
    let mut depth = 1;
    let mut positional = Vec::new();
    let mut kwargs: Vec<Keyword> = Vec::new();
    for arg in args {
        match arg {
            Arg::Positional(n) => {
                if let Some(k) = kwargs.last() {
                    return Err(Error::new(
                        ErrorKind::KeywordSyntax,
                        "positional argument follows keyword argument",
                    )
                    .at(n.expr.span, "positional argument")
                    .also(k.span, "after this keyword argument")
                    .help("put the positional arguments first, e.g. `sum(x, axis=0)`"));
                }
                depth = depth.max(n.depth + 1);
                positional.push(n.expr);
            }
            Arg::Keyword(key, name_span, value, span) => {
                if let Some(prev) = kwargs.iter().find(|k| k.name == key) {
                    return Err(Error::new(
                        ErrorKind::KeywordSyntax,
                        format!("keyword argument `{key}` repeated"),
                    )
                    .at(name_span, "given again here")
                    .also(prev.name_span, "first given here")
                    .help(format!("give `{key}=` once")));
                }
                depth = depth.max(value.depth + 1);
                kwargs.push(Keyword {
                    name: key,
                    name_span,
                    value: value.expr,
                    span,
                });
            }
        }
    }
    let kind = ExprKind::Call {
        func: name.to_string(),
        name_span: Span::new(lo, name_hi),
        args: positional,
        kwargs,
    };
    checked(kind, depth, Span::new(lo, hi))
}

/// `first op1 x1 op2 x2 ...`: one comparison is a binary node; more is an error,
/// because Python would evaluate `a < b < c` as `a < b and b < c`, which needs a
/// single truth value and fails on arrays.
pub fn compare(src: &str, first: Node, rest: Vec<(BinaryOp, Node)>, lo: usize, hi: usize) -> Built {
    let rest = match <[_; 1]>::try_from(rest) {
        Ok([(op, r)]) => return binary(op, first, r, lo, hi),
        Err(rest) => rest,
    };
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
    // tighter than comparisons. Rebuild what was meant from the source text: the
    // comparisons take the outermost operands of the bitwise expression in the middle.
    if let [left, mid, right] = operands[..] {
        if let Some(b) = bare_bitop(mid) {
            let (ml, mr) = (outer_operand(mid, true), outer_operand(mid, false));
            let between = src.get(ml.span.end..mr.span.start).unwrap_or(" … ");
            let (op1, op2) = (ops[0].symbol(), ops[1].symbol());
            let (l, m, r) = (text(left), text(mid), text(right));
            let simple = matches!(&mid.kind, ExprKind::Binary(_, a, z) if std::ptr::eq(&**a, ml) && std::ptr::eq(&**z, mr));
            let binds = if simple {
                format!("`{b}` binds")
            } else {
                "bitwise operators bind".to_string()
            };
            let error = err
                .at(span, format!("this is read as `{l} {op1} ({m}) {op2} {r}`"))
                .help(format!(
                    "{binds} tighter than comparisons; parenthesise each comparison: \
                     `({l} {op1} {}){between}({} {op2} {r})`",
                    text(ml),
                    text(mr),
                ));
            return Err(error);
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
    Err(error)
}

/// The symbol of `e`'s operator if `e` is an unparenthesised `&`, `|` or `^`.
fn bare_bitop(e: &Expr) -> Option<&'static str> {
    match &e.kind {
        ExprKind::Binary(op @ (BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor), l, r)
            if e.span.start == l.span.start && e.span.end == r.span.end =>
        {
            Some(op.symbol())
        }
        _ => None,
    }
}

/// The leftmost (or rightmost) operand of a bare bitwise expression: `1` in `1 & b | c`.
fn outer_operand(mut e: &Expr, leftmost: bool) -> &Expr {
    while bare_bitop(e).is_some() {
        match &e.kind {
            ExprKind::Binary(_, l, r) => e = if leftmost { l } else { r },
            _ => break,
        }
    }
    e
}
