//! Prints a Program.
