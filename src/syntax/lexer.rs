//! Lexer adapter for LALRPOP.
