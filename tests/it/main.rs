//! numjit's integration tests: one binary, one module per area.

mod api;
mod bench;
mod cli;
mod complex;
mod corpus;
mod jit;
mod math;
mod mmap;
mod reduce;
mod repl;
mod syntax;
