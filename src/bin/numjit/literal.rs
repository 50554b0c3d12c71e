//! The `VALUE` of a command-line `NAME=VALUE` that is a number or a bool: the same Python
//! literal syntax the expression language has (`2.5`, `-4`, `1_000`, `1e-3`, `True`,
//! `2j`, `1+2j`, `(1-0.5j)`), folded to a weak `Literal`. Knows nothing about files.
//!
//! This is a stand-in until `numjit::syntax::parse` + `types::check::fold_literal` can
//! fold a literal sub-expression; it accepts exactly the literal forms listed above.

use num_complex::Complex64;
use numjit::Literal;

/// Why a value is not a literal; the caller turns this into a coded error.
#[derive(Debug, PartialEq)]
pub enum LiteralError {
    /// Not literal syntax at all (maybe a path to a file that does not exist).
    NotALiteral,
    /// An integer whose magnitude exceeds 2**63 (numjit's integers are 64-bit).
    IntTooLarge,
}

/// Parses `text` as a weak literal.
pub fn parse_literal(text: &str) -> Result<Literal, LiteralError> {
    let mut s = text.trim();
    if let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        s = inner.trim();
    }
    match s {
        "True" => return Ok(Literal::Bool(true)),
        "False" => return Ok(Literal::Bool(false)),
        _ => {}
    }
    // `a+bj` / `a-bj`: split at a sign that is not the leading one and not an exponent's.
    let bytes = s.as_bytes();
    let split = (1..bytes.len()).rev().find(|&i| {
        matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E')
    });
    if let Some(i) = split {
        let (re, im) = (&s[..i], &s[i..]);
        let re_value = match signed_number(re)? {
            Number::Int(v) => v as f64,
            Number::Float(v) => v,
            Number::Imag(_) => return Err(LiteralError::NotALiteral),
        };
        // Python: `a + bj` is complex(a, 0) + complex(0, b); `-` subtracts.
        return Ok(Literal::Complex(Complex64::new(re_value + 0.0, im_value_signed(im)?)));
    }
    Ok(match signed_number(s)? {
        Number::Int(v) => Literal::Int(v),
        Number::Float(v) => Literal::Float(v),
        Number::Imag(v) => Literal::Complex(Complex64::new(0.0, v)),
    })
}

/// The imaginary part of `+bj` / `-bj` as Python computes `0 + bj` / `0 - bj`.
fn im_value_signed(im: &str) -> Result<f64, LiteralError> {
    let (neg, body) = strip_sign(im);
    let v = match unsigned_number(body)? {
        Number::Imag(v) => v,
        _ => return Err(LiteralError::NotALiteral),
    };
    Ok(if neg { 0.0 - v } else { 0.0 + v })
}

enum Number {
    Int(i128),
    Float(f64),
    Imag(f64),
}

fn strip_sign(s: &str) -> (bool, &str) {
    let mut neg = false;
    let mut rest = s.trim();
    loop {
        if let Some(r) = rest.strip_prefix('-') {
            neg = !neg;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('+') {
            rest = r.trim_start();
        } else {
            return (neg, rest);
        }
    }
}

/// `[+-]*number`, negation applied as Python's unary minus.
fn signed_number(s: &str) -> Result<Number, LiteralError> {
    let (neg, body) = strip_sign(s);
    let n = unsigned_number(body)?;
    Ok(match (n, neg) {
        (n, false) => n,
        (Number::Int(v), true) => Number::Int(-v),
        (Number::Float(v), true) => Number::Float(-v),
        (Number::Imag(v), true) => Number::Imag(-v),
    })
}

/// A decimal integer, float or imaginary literal in Python syntax (underscores allowed
/// between digits).
fn unsigned_number(s: &str) -> Result<Number, LiteralError> {
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() && !s.starts_with('.') {
        return Err(LiteralError::NotALiteral);
    }
    let (body, imag) = match s.strip_suffix(['j', 'J']) {
        Some(b) => (b, true),
        None => (s, false),
    };
    if !valid_underscores(body) {
        return Err(LiteralError::NotALiteral);
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let is_int = clean.bytes().all(|b| b.is_ascii_digit());
    if is_int && !imag {
        // Python forbids leading zeros in non-zero decimal integers (`007`).
        if clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0') {
            return Err(LiteralError::NotALiteral);
        }
        return match clean.parse::<i128>() {
            Ok(v) if v <= 1i128 << 63 => Ok(Number::Int(v)),
            _ => Err(LiteralError::IntTooLarge),
        };
    }
    if !float_syntax(&clean) {
        return Err(LiteralError::NotALiteral);
    }
    let v: f64 = clean.parse().map_err(|_| LiteralError::NotALiteral)?;
    Ok(if imag { Number::Imag(v) } else { Number::Float(v) })
}

/// Underscores only between two digits.
fn valid_underscores(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_' || (i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
    })
}

/// `digits [. digits?] [e[+-]digits]` or `. digits [e...]` — Rust's `parse::<f64>` also
/// takes `inf`/`nan`, which Python literals do not.
fn float_syntax(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Literal {
        Literal::Complex(Complex64::new(re, im))
    }

    #[test]
    fn python_literals() {
        assert_eq!(parse_literal("3"), Ok(Literal::Int(3)));
        assert_eq!(parse_literal("-4"), Ok(Literal::Int(-4)));
        assert_eq!(parse_literal("+4"), Ok(Literal::Int(4)));
        assert_eq!(parse_literal("1_000"), Ok(Literal::Int(1000)));
        assert_eq!(parse_literal("3000000000"), Ok(Literal::Int(3_000_000_000)));
        assert_eq!(parse_literal("-9223372036854775808"), Ok(Literal::Int(i64::MIN.into())));
        assert_eq!(parse_literal("2.5"), Ok(Literal::Float(2.5)));
        assert_eq!(parse_literal(".25"), Ok(Literal::Float(0.25)));
        assert_eq!(parse_literal("1."), Ok(Literal::Float(1.0)));
        assert_eq!(parse_literal("1e-3"), Ok(Literal::Float(1e-3)));
        assert_eq!(parse_literal("-1E+3"), Ok(Literal::Float(-1e3)));
        assert_eq!(parse_literal("True"), Ok(Literal::Bool(true)));
        assert_eq!(parse_literal("False"), Ok(Literal::Bool(false)));
        assert_eq!(parse_literal("2j"), Ok(c(0.0, 2.0)));
        assert_eq!(parse_literal("1+2j"), Ok(c(1.0, 2.0)));
        assert_eq!(parse_literal("(1-0.5j)"), Ok(c(1.0, -0.5)));
        assert_eq!(parse_literal("-1.5e-3-2e+2J"), Ok(c(-1.5e-3, -200.0)));
    }

    #[test]
    fn non_literals() {
        for s in ["", "x", "true", "inf", "nan", "1__0", "_1", "1_", "007", "1e", "1+2", "2j+1", ".", "1.2.3", "data.bin", "0x10"] {
            assert_eq!(parse_literal(s), Err(LiteralError::NotALiteral), "{s}");
        }
        assert_eq!(parse_literal("9223372036854775809"), Err(LiteralError::IntTooLarge));
        assert_eq!(parse_literal("99999999999999999999999999999999999999999"), Err(LiteralError::IntTooLarge));
    }
}
