//! The untyped syntax tree. Knows nothing about dtypes, shapes or arrays.

use crate::span::Span;

/// A parsed expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal (Python int; numjit's literals fit in 64 bits, so
    /// `-9223372036854775808` works through unary minus).
    Int(i128),
    /// A float literal (`1.`, `.25`, `1e-3`).
    Float(f64),
    /// An imaginary literal (`3j` is `Imag(3.0)`).
    Imag(f64),
    /// `True` / `False`.
    Bool(bool),
    /// A variable name.
    Name(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `f(a, b, key=value)`; `name_span` covers just the function name. Keyword
    /// arguments follow the positional ones (the parser enforces Python's order).
    Call {
        func: String,
        name_span: Span,
        args: Vec<Expr>,
        kwargs: Vec<Keyword>,
    },
    /// `(a, b, …)` (at least one comma): read only as a keyword argument's value, for
    /// `axis=(0, 2)`.
    Tuple(Vec<Expr>),
}

/// A keyword argument `name=value` in a call.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    pub name: String,
    /// Covers just the name.
    pub name_span: Span,
    pub value: Expr,
    /// Covers `name=value`.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x`
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Invert => "~",
        }
    }
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            FloorDiv => "//",
            Mod => "%",
            Pow => "**",
            Shl => "<<",
            Shr => ">>",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    /// Python's binding power, higher binds tighter (used by the pretty-printer).
    pub fn precedence(self) -> u8 {
        use BinaryOp::*;
        match self {
            Eq | Ne | Lt | Le | Gt | Ge => 1,
            BitOr => 2,
            BitXor => 3,
            BitAnd => 4,
            Shl | Shr => 5,
            Add | Sub => 6,
            Mul | Div | FloorDiv | Mod => 7,
            // unary ops are 8
            Pow => 9,
        }
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Nesting depth of the tree (a leaf has depth 1). Iterative, so it is safe on any tree.
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            max = max.max(d);
            match &e.kind {
                ExprKind::Unary(_, a) => stack.push((a, d + 1)),
                ExprKind::Binary(_, a, b) => {
                    stack.push((a, d + 1));
                    stack.push((b, d + 1));
                }
                ExprKind::Call { args, kwargs, .. } => {
                    stack.extend(args.iter().map(|a| (a, d + 1)));
                    stack.extend(kwargs.iter().map(|k| (&k.value, d + 1)));
                }
                ExprKind::Tuple(items) => stack.extend(items.iter().map(|a| (a, d + 1))),
                _ => {}
            }
        }
        max
    }
}
