//! AST → source text with the fewest parentheses that parse back to the same tree, and
//! a span-free S-expression dump for tests and the REPL's `:ast`. Never reads spans.
//!
//! Both recurse once per tree level; parsed trees are at most `MAX_DEPTH` deep.

use super::ast::{BinaryOp, Expr, ExprKind};
use std::fmt::Write;

/// Binding power of a unary operator (between `*` and `**`, as in Python).
const UNARY: u8 = 8;
/// Binding power of literals, names, calls and parenthesised expressions.
const ATOM: u8 = 10;

/// Prints `e` so that `parse(pretty(e))` gives the same tree (spans aside).
pub fn pretty(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, &mut out);
    out
}

/// How tightly `e` binds when printed bare.
fn binding(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => op.precedence(),
        ExprKind::Unary(..) => UNARY,
        // A negative literal (only from constant folding, never from the parser) prints
        // with a leading `-`, so it binds like a unary minus.
        ExprKind::Int(v) if *v < 0 => UNARY,
        ExprKind::Float(v) | ExprKind::Imag(v) if v.is_sign_negative() => UNARY,
        _ => ATOM,
    }
}

fn write_operand(e: &Expr, parens: bool, out: &mut String) {
    if parens {
        out.push('(');
        write_expr(e, out);
        out.push(')');
    } else {
        write_expr(e, out);
    }
}

/// Literals and names print the same in both forms.
fn write_leaf(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Int(v) => {
            let _ = write!(out, "{v}");
        }
        ExprKind::Float(v) => out.push_str(&float_text(*v)),
        ExprKind::Imag(v) => {
            out.push_str(&float_text(*v));
            out.push('j');
        }
        ExprKind::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        ExprKind::Name(n) => out.push_str(n),
        _ => {}
    }
}

fn write_expr(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => write_leaf(e, out),
        ExprKind::Unary(op, a) => {
            out.push_str(op.symbol());
            // The operand of a unary operator is itself a unary-level expression.
            write_operand(a, binding(a) < UNARY, out);
        }
        ExprKind::Binary(BinaryOp::Pow, l, r) => {
            // The base must be an atom (`(-2)**2`, `(a**b)**c`); the exponent may be any
            // unary-level expression (`2**-1`, and `**` is right-associative).
            write_operand(l, binding(l) < ATOM, out);
            out.push_str("**");
            write_operand(r, binding(r) < UNARY, out);
        }
        ExprKind::Binary(op, l, r) => {
            let p = op.precedence();
            // Left-associative: an equal-precedence left operand needs no parentheses,
            // except comparisons, where it would form a chain.
            let left_parens = if op.is_comparison() {
                binding(l) <= p
            } else {
                binding(l) < p
            };
            write_operand(l, left_parens, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_operand(r, binding(r) <= p, out);
        }
        ExprKind::Call {
            func, args, kwargs, ..
        } => {
            out.push_str(func);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out);
            }
            for (i, k) in kwargs.iter().enumerate() {
                if i > 0 || !args.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&k.name);
                out.push('=');
                write_expr(&k.value, out);
            }
            out.push(')');
        }
        ExprKind::Tuple(items) => {
            out.push('(');
            for (i, a) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out);
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
    }
}

/// The shortest text that reads back as the same `f64`, always with a `.` or an
/// exponent so it lexes as a float rather than an int.
fn float_text(v: f64) -> String {
    if !v.is_finite() {
        // The lexer never produces these; print what NumPy would call them.
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{v:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// A span-free S-expression: `(+ x (* 2 y))`, `(call where c a b)`, `(- x)` for negation,
/// `(call sum x (= axis 1))` for a keyword argument.
pub fn sexp(e: &Expr) -> String {
    let mut out = String::new();
    write_sexp(e, &mut out);
    out
}

fn write_sexp(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_) => write_leaf(e, out),
        ExprKind::Unary(op, a) => {
            let _ = write!(out, "({} ", op.symbol());
            write_sexp(a, out);
            out.push(')');
        }
        ExprKind::Binary(op, l, r) => {
            let _ = write!(out, "({} ", op.symbol());
            write_sexp(l, out);
            out.push(' ');
            write_sexp(r, out);
            out.push(')');
        }
        ExprKind::Call {
            func, args, kwargs, ..
        } => {
            let _ = write!(out, "(call {func}");
            for a in args {
                out.push(' ');
                write_sexp(a, out);
            }
            for k in kwargs {
                let _ = write!(out, " (= {} ", k.name);
                write_sexp(&k.value, out);
                out.push(')');
            }
            out.push(')');
        }
        ExprKind::Tuple(items) => {
            out.push_str("(tuple");
            for a in items {
                out.push(' ');
                write_sexp(a, out);
            }
            out.push(')');
        }
    }
}
