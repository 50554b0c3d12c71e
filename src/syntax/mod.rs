//! Source text → AST. The only module that names LALRPOP types. Parsing is total:
//! it never panics, and every error carries a code (E01xx) and, where there is one, a span.

pub mod ast;
pub mod lexer;
mod node;
pub mod pretty;
pub mod token;

use crate::error::{Error, ErrorKind};
use crate::limits::MAX_EXPR_LEN;
use crate::span::Span;
use lalrpop_util::ParseError;
use token::Token;

pub use ast::{BinaryOp, Expr, ExprKind, Keyword, UnaryOp};
pub use pretty::{pretty, sexp};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications)]
    grammar,
    "/expr.rs"
);

/// The characters the lexer skips between tokens.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0C')
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, Error> {
    // Checked before lexing so the cost of rejecting a huge input is O(1).
    if src.len() > MAX_EXPR_LEN {
        return Err(Error::new(
            ErrorKind::TooLong,
            format!(
                "expression is too long ({} bytes; the limit is {MAX_EXPR_LEN})",
                src.len()
            ),
        )
        .help("split the computation into several shorter expressions"));
    }
    if src.chars().all(is_blank) {
        return Err(Error::new(ErrorKind::Empty, "the expression is empty")
            .at(Span::new(0, 0), "expected an expression")
            .help("write an expression such as `2*x + 1`"));
    }
    grammar::ExprParser::new()
        .parse(src, lexer::Lexer::new(src))
        .map(|node| node.expr)
        .map_err(|e| convert(src, e))
}

/// Turns LALRPOP's error into numjit's, with readable expectations.
fn convert(src: &str, e: ParseError<usize, Token<'_>, Error>) -> Error {
    match e {
        ParseError::User { error } => error,
        ParseError::UnrecognizedEof { location, expected } => {
            let at = Span::new(location, location);
            let mut err = Error::new(ErrorKind::UnexpectedEnd, "unexpected end of expression")
                .at(at, format!("expected {}", describe_expected(&expected)));
            if let Some(open) = unclosed_paren(src) {
                err = err
                    .also(open, "this `(` is never closed")
                    .help("add the missing `)`");
            } else {
                err = err.help(end_help(src));
            }
            err
        }
        ParseError::UnrecognizedToken {
            token: (lo, tok, hi),
            expected,
        } => unexpected_token(src, &tok, Span::new(lo, hi), &expected),
        ParseError::ExtraToken {
            token: (lo, tok, hi),
        } => unexpected_token(src, &tok, Span::new(lo, hi), &[]),
        // Only LALRPOP's built-in lexer produces this; ours reports its own errors.
        ParseError::InvalidToken { location } => {
            Error::new(ErrorKind::UnexpectedChar, "unexpected character")
                .at(Span::new(location, location), "not part of an expression")
        }
    }
}

/// The help line of an expression that stops too early, from what it ends with.
fn end_help(src: &str) -> String {
    let trimmed = src.trim_end();
    match trimmed.chars().last() {
        None => "write an expression such as `2*x + 1`".to_string(),
        Some(',') => "remove the trailing `,` or add the missing argument".to_string(),
        Some(_) => {
            let tail: String = trimmed
                .chars()
                .rev()
                .take_while(|c| !c.is_alphanumeric() && !c.is_whitespace() && *c != ')')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if tail.is_empty() {
                "complete the expression".to_string()
            } else {
                format!("add an operand after `{tail}`, or remove the `{tail}`")
            }
        }
    }
}

fn unexpected_token(src: &str, tok: &Token<'_>, span: Span, expected: &[String]) -> Error {
    let text = src.get(span.range()).unwrap_or("");
    let (word, sym) = match tok {
        Token::And => ("and", "&"),
        Token::Or => ("or", "|"),
        Token::Not => ("not", "~"),
        _ => ("", ""),
    };
    if *tok == Token::Assign {
        return Error::new(ErrorKind::UnexpectedChar, "unexpected character `=`")
            .at(span, "not part of an expression")
            .help(
                "to compare for equality, write `==`; numjit expressions cannot assign \
                 (`=` only names a keyword argument, as in `sum(x, axis=0)`)",
            );
    }
    if !word.is_empty() {
        return Error::new(
            ErrorKind::BooleanKeyword,
            format!("`{word}` does not work on arrays"),
        )
        .at(span, format!("use `{sym}` instead"))
        .help(
            "use `&` for and, `|` for or, `~` for not, and parenthesise comparisons, \
             e.g. `(a > 1) & (b < 2)`",
        );
    }
    let wants = |t: &str| expected.iter().any(|e| e.trim_matches('"') == t);
    // A stray `)` after a complete operand: say so, rather than listing operators.
    if *tok == Token::RParen && !wants("name") && unclosed_paren(&src[..span.start]).is_none() {
        return Error::new(ErrorKind::UnexpectedToken, "unmatched `)`").at(span, "no `(` to close");
    }
    let mut err = Error::new(
        ErrorKind::UnexpectedToken,
        format!("unexpected {}", tok.describe(text)),
    );
    err = if expected.is_empty() {
        err.at(span, "expected the end of the expression")
    } else {
        err.at(span, format!("expected {}", describe_expected(expected)))
    };
    let operand = matches!(
        tok,
        Token::Int(_)
            | Token::Float(_)
            | Token::Imag(_)
            | Token::Name(_)
            | Token::True
            | Token::False
            | Token::LParen
    );
    if operand && wants("*") {
        err = err.help("two operands need an operator between them, e.g. `2 * x`");
    } else if *tok == Token::Comma && !wants("name") {
        err = err
            .help("tuples are not supported; only function calls take comma-separated arguments");
    }
    err
}

/// The last `(` in `src` that no `)` closes, if any.
fn unclosed_paren(src: &str) -> Option<Span> {
    let mut open = Vec::new();
    for item in lexer::Lexer::new(src) {
        match item {
            Ok((lo, Token::LParen, hi)) => open.push(Span::new(lo, hi)),
            Ok((_, Token::RParen, _)) => {
                open.pop();
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    open.pop()
}

const BINARY_OPS: [&str; 18] = [
    "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", "==", "!=", ">=",
    ">",
];
const OPERAND_STARTS: [&str; 10] = [
    "int", "float", "imag", "True", "False", "name", "(", "-", "+", "~",
];

/// "an expression", "an operator, `,` or `)`": LALRPOP's terminal list, summarised.
fn describe_expected(expected: &[String]) -> String {
    let names: Vec<&str> = expected.iter().map(|s| s.trim_matches('"')).collect();
    let mut parts = Vec::new();
    let has_operators = names.iter().filter(|n| BINARY_OPS.contains(n)).count() > 10;
    let has_operands = names.contains(&"name") && names.contains(&"int");
    if has_operands {
        parts.push("an expression".to_string());
    }
    if has_operators {
        parts.push("an operator".to_string());
    }
    for n in &names {
        let covered = (has_operands && OPERAND_STARTS.contains(n))
            || (has_operators && (BINARY_OPS.contains(n) || *n == "("));
        if !covered {
            let part = match *n {
                "int" | "float" | "imag" => "a number".to_string(),
                "name" => "a name".to_string(),
                other => format!("`{other}`"),
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
    }
    match parts.len() {
        0 => "the end of the expression".to_string(),
        1 => parts.remove(0),
        n => format!("{} or {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// Python's keywords (and numjit's boolean keywords): never valid variable names.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Checks that `name` can be used as a variable: an identifier, not a keyword, not a
/// function name.
pub fn check_var_name(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_well || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("`{name}` is not a valid variable name"),
        )
        .help(
            "a name starts with an ASCII letter or `_` and continues with letters, digits or `_`",
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("`{name}` is a keyword and cannot name a variable"),
        )
        .help(format!("rename the variable, e.g. `{name}_`")));
    }
    if crate::ops::function_names().any(|f| f == name) {
        return Err(Error::new(
            ErrorKind::InvalidName,
            format!("`{name}` is a function name and cannot name a variable"),
        )
        .help(format!("rename the variable, e.g. `{name}_`")));
    }
    Ok(())
}
