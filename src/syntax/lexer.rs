//! Lexer adapter: turns logos tokens into the `(start, token, end)` triples LALRPOP
//! consumes, and lex failures into coded [`Error`]s with spans. Knows no grammar.

use super::token::{LexError, Token};
use crate::error::{Error, ErrorKind};
use crate::span::Span;
use logos::Logos;

/// A token with its byte offsets, as LALRPOP's external-lexer interface wants it.
pub type Spanned<'s> = (usize, Token<'s>, usize);

/// Iterator of spanned tokens over an expression.
pub struct Lexer<'s> {
    src: &'s str,
    inner: logos::SpannedIter<'s, Token<'s>>,
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str) -> Lexer<'s> {
        Lexer {
            src,
            inner: Token::lexer(src).spanned(),
        }
    }
}

impl<'s> Iterator for Lexer<'s> {
    type Item = Result<Spanned<'s>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let (tok, range) = self.inner.next()?;
        Some(match tok {
            Ok(tok) => Ok((range.start, tok, range.end)),
            Err(e) => Err(lex_error(self.src, e, Span::new(range.start, range.end))),
        })
    }
}

/// Widens `span` to whole characters so a label never splits a UTF-8 sequence.
fn char_span(src: &str, span: Span) -> Span {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        // Cover the character we stopped at, so the label is visible.
        end = src[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    Span::new(start, end)
}

fn lex_error(src: &str, e: LexError, span: Span) -> Error {
    let span = char_span(src, span);
    let text = &src[span.range()];
    match e {
        LexError::UnexpectedChar => unexpected_char(text, span),
        LexError::IntTooLarge => Error::new(
            ErrorKind::BadLiteral,
            format!("integer literal `{text}` is too large"),
        )
        .at(span, "does not fit in 64 bits")
        .help("numjit's integer literals must fit in 64 bits; write a float such as `1e20` for larger values"),
        LexError::LeadingZeros => Error::new(
            ErrorKind::BadLiteral,
            format!("integer literal `{text}` has leading zeros"),
        )
        .at(span, "leading zeros are not allowed")
        .help(format!(
            "write `{}`; leading zeros are ambiguous (Python 2 read them as octal)",
            text.trim_start_matches(['0', '_'])
        )),
        LexError::FloatOverflow => Error::new(
            ErrorKind::BadLiteral,
            format!("float literal `{text}` is too large"),
        )
        .at(span, "overflows to infinity")
        .help("this literal overflows float64 (largest is about `1.8e308`)"),
    }
}

fn unexpected_char(text: &str, span: Span) -> Error {
    let c = text.chars().next().unwrap_or('\0');
    let shown = if c.is_control() || c.is_whitespace() {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    };
    let err = Error::new(
        ErrorKind::UnexpectedChar,
        format!("unexpected character `{shown}`"),
    )
    .at(span, "not part of an expression");
    match c {
        '=' => err.help("to compare for equality, write `==`; numjit expressions cannot assign"),
        '!' => err.help("to negate, write `~` (e.g. `~(a > 1)`); `!` is only part of `!=`"),
        '\'' | '"' => err.help("strings are not supported; expressions work on numbers and arrays"),
        '\0' => err.help("the expression contains a NUL byte"),
        '@' => err.help("matrix multiplication is not supported; numjit is elementwise only"),
        '[' | ']' => err.help("indexing is not supported; slice the array before passing it in"),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_chars_get_whole_spans() {
        let src = "a + é";
        let err = Lexer::new(src).find_map(Result::err).unwrap();
        assert_eq!(err.kind, ErrorKind::UnexpectedChar);
        assert_eq!(err.span(), Some(Span::new(4, 6)));
    }
}
