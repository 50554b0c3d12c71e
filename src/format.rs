//! NumPy-style printing of arrays.
