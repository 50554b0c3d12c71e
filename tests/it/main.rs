//! numjit's integration tests: one binary, one module per area.

mod api;
mod cli;
mod corpus;
mod jit;
mod mmap;
mod repl;
mod syntax;
