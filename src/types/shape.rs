//! Broadcasting by NumPy's rules.
