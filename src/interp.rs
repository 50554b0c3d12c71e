//! The naive evaluator.
