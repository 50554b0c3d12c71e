//! Integration tests: jit.
