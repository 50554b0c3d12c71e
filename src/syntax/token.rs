//! Tokens (logos): what the characters of an expression mean, including number values.
//! Knows nothing about grammar; turning lex errors into [`crate::Error`]s is `lexer.rs`'s job.

use logos::Logos;
use std::fmt;

/// Why a piece of text is not a token. Spans are attached by the lexer adapter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexError {
    /// No token starts with this character.
    #[default]
    UnexpectedChar,
    /// An integer literal beyond 2**63 (the largest magnitude `-` can turn into an int64).
    IntTooLarge,
    /// `007`: Python rejects leading zeros in decimal integers (they meant octal in Python 2).
    LeadingZeros,
    /// A float or imaginary literal that overflows float64 to infinity.
    FloatOverflow,
}

/// One token. Numbers carry their parsed value so the parser never re-reads text.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\x0C]+")]
#[logos(subpattern digits = r"[0-9](_?[0-9])*")]
#[logos(subpattern exponent = r"[eE][+-]?(?&digits)")]
#[logos(subpattern float = r"(?&digits)\.(?&digits)?(?&exponent)?|\.(?&digits)(?&exponent)?|(?&digits)(?&exponent)")]
pub enum Token<'s> {
    #[regex(r"(?&digits)", parse_int)]
    Int(i128),
    #[regex(r"(?&float)", parse_float)]
    Float(f64),
    #[regex(r"((?&digits)|(?&float))[jJ]", parse_imag)]
    Imag(f64),
    #[token("True")]
    True,
    #[token("False")]
    False,
    // Python's boolean keywords get their own tokens so the parser can explain that
    // arrays need `&`, `|` and `~` instead.
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Name(&'s str),

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token(">=")]
    Ge,
    #[token(">")]
    Gt,
    #[token(",")]
    Comma,
    /// `=`: only names a keyword argument in a call (`sum(x, axis=0)`).
    #[token("=")]
    Assign,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    /// `.` of an attribute (`z.real`); a `.` inside a number is part of the number.
    #[token(".")]
    Dot,
}

/// Largest integer literal: `-9223372036854775808` is `-(2**63)`, so 2**63 itself must lex.
const MAX_INT_LITERAL: i128 = 1 << 63;

fn parse_int<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<i128, LexError> {
    int_value(lex.slice())
}

/// The value of a decimal integer literal (underscores allowed between digits).
fn int_value(text: &str) -> Result<i128, LexError> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    if significant.len() != digits.len() {
        return Err(LexError::LeadingZeros);
    }
    // 39 digits could overflow i128 itself; anything over 19 digits is too large anyway.
    if significant.len() > 19 {
        return Err(LexError::IntTooLarge);
    }
    let v: i128 = significant.parse().map_err(|_| LexError::IntTooLarge)?;
    if v > MAX_INT_LITERAL {
        return Err(LexError::IntTooLarge);
    }
    Ok(v)
}

fn parse_float<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<f64, LexError> {
    float_value(lex.slice())
}

fn parse_imag<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<f64, LexError> {
    let text = lex.slice();
    float_value(&text[..text.len() - 1])
}

/// The value of a float literal, rounded to nearest like Python's `float()`.
fn float_value(text: &str) -> Result<f64, LexError> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    // The regexes only admit text Rust's float parser accepts, so a parse failure would
    // be a lexer bug; report it as an overflow rather than panicking.
    let v: f64 = cleaned.parse().map_err(|_| LexError::FloatOverflow)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(LexError::FloatOverflow)
    }
}

impl Token<'_> {
    /// How the token is shown in messages, e.g. "`+`" or "number `3`".
    pub fn describe(&self, text: &str) -> String {
        match self {
            Token::Int(_) | Token::Float(_) | Token::Imag(_) => format!("number `{text}`"),
            Token::Name(_) => format!("name `{text}`"),
            _ => format!("`{text}`"),
        }
    }
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Int(v) => write!(f, "{v}"),
            Token::Float(v) | Token::Imag(v) => {
                write!(f, "{v:?}")?;
                if matches!(self, Token::Imag(_)) {
                    f.write_str("j")?;
                }
                Ok(())
            }
            Token::True => f.write_str("True"),
            Token::False => f.write_str("False"),
            Token::And => f.write_str("and"),
            Token::Or => f.write_str("or"),
            Token::Not => f.write_str("not"),
            Token::Name(n) => f.write_str(n),
            Token::Plus => f.write_str("+"),
            Token::Minus => f.write_str("-"),
            Token::Star => f.write_str("*"),
            Token::Slash => f.write_str("/"),
            Token::SlashSlash => f.write_str("//"),
            Token::Percent => f.write_str("%"),
            Token::StarStar => f.write_str("**"),
            Token::Shl => f.write_str("<<"),
            Token::Shr => f.write_str(">>"),
            Token::Amp => f.write_str("&"),
            Token::Pipe => f.write_str("|"),
            Token::Caret => f.write_str("^"),
            Token::Tilde => f.write_str("~"),
            Token::Lt => f.write_str("<"),
            Token::Le => f.write_str("<="),
            Token::EqEq => f.write_str("=="),
            Token::Ne => f.write_str("!="),
            Token::Ge => f.write_str(">="),
            Token::Gt => f.write_str(">"),
            Token::Comma => f.write_str(","),
            Token::Assign => f.write_str("="),
            Token::LParen => f.write_str("("),
            Token::RParen => f.write_str(")"),
            Token::Dot => f.write_str("."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> Vec<Result<Token<'_>, LexError>> {
        Token::lexer(src).collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(lex("1_000"), vec![Ok(Token::Int(1000))]);
        assert_eq!(lex("1."), vec![Ok(Token::Float(1.0))]);
        assert_eq!(lex(".25"), vec![Ok(Token::Float(0.25))]);
        assert_eq!(lex("1e-3"), vec![Ok(Token::Float(1e-3))]);
        assert_eq!(lex("2.5E+10"), vec![Ok(Token::Float(2.5e10))]);
        assert_eq!(lex("1e3J"), vec![Ok(Token::Imag(1e3))]);
        assert_eq!(lex("3j"), vec![Ok(Token::Imag(3.0))]);
        assert_eq!(lex("9223372036854775808"), vec![Ok(Token::Int(1 << 63))]);
        assert_eq!(lex("9223372036854775809"), vec![Err(LexError::IntTooLarge)]);
        assert_eq!(lex("1e999"), vec![Err(LexError::FloatOverflow)]);
        assert_eq!(lex("007"), vec![Err(LexError::LeadingZeros)]);
        assert_eq!(lex("000"), vec![Ok(Token::Int(0))]);
        assert_eq!(lex("1.j"), vec![Ok(Token::Imag(1.0))]);
        // An incomplete exponent is a number followed by a name, not an error.
        assert_eq!(lex("1e"), vec![Ok(Token::Int(1)), Ok(Token::Name("e"))]);
        assert_eq!(
            lex("1e+"),
            vec![Ok(Token::Int(1)), Ok(Token::Name("e")), Ok(Token::Plus)]
        );
        assert_eq!(
            lex("1.5e-x"),
            vec![
                Ok(Token::Float(1.5)),
                Ok(Token::Name("e")),
                Ok(Token::Minus),
                Ok(Token::Name("x"))
            ]
        );
    }
}
