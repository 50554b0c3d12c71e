//! Source text → AST. The only module that names LALRPOP types. Parsing is total:
//! it never panics, and every error carries a span.

pub mod ast;
pub mod lexer;
pub mod pretty;
pub mod token;

use crate::error::{Error, ErrorKind};
pub use ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, Error> {
    let _ = src;
    Err(Error::new(ErrorKind::Internal, "parser not written yet"))
}

/// Checks that `name` can be used as a variable: an identifier, not a keyword, not a
/// function name.
pub fn check_var_name(name: &str) -> Result<(), Error> {
    let _ = name;
    Ok(())
}
