//! Scalar reference semantics of every op and dtype.
