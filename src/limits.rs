//! Documented limits on what numjit accepts. Past them you get a coded error, never a crash.

/// Longest expression text, in bytes.
pub const MAX_EXPR_LEN: usize = 64 * 1024;
/// Deepest nesting of operators and calls (parentheses alone do not count).
pub const MAX_DEPTH: usize = 1000;
/// Most distinct input variables one expression may use.
pub const MAX_INPUTS: usize = 128;
/// Most dimensions an array may have (NumPy's own limit).
pub const MAX_NDIM: usize = 64;
