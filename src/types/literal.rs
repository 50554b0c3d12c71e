//! Weak literals (NEP 50) and Python's arithmetic on them.
use num_complex::Complex64;

/// A literal written in the expression (or given as `NAME=VALUE` on the command line):
/// a Python bool, int, float or complex. Weak: it adopts the dtype of the array it meets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i128),
    Float(f64),
    Complex(Complex64),
}
