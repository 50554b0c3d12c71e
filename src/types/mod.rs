//! Types: dtypes and promotion, weak literals with Python arithmetic, broadcasting,
//! and `check`, which turns an AST into a typed `ir::Program`.

pub mod check;
pub mod dtype;
pub mod literal;
pub mod shape;

pub use check::{check, Signature};
pub use dtype::{DType, Kind};
pub use literal::Literal;
