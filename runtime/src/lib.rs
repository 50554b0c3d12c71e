//! numjit runtime
