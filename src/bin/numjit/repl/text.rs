//! Reading REPL input as text: where statements end (open parentheses continue a
//! statement), `name = …` assignments, constructor calls and their arguments. Byte
//! offsets are kept throughout so errors point into what the user typed. Evaluates
//! nothing.

use numjit::Span;

/// True if `text` leaves a bracket open, so the statement goes on at the next line.
/// Brackets inside `'…'` / `"…"` strings do not count; a string left open at the end of
/// a line ends the statement (it is an error to report, not a reason to wait).
pub fn continues(text: &str) -> bool {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(_) if c == '\n' => return false,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    quote.is_none() && depth > 0 && text.len() <= numjit::limits::MAX_EXPR_LEN
}

/// How deeply `text` leaves brackets open (negative if it closes more than it opens).
/// Brackets inside `'…'` / `"…"` strings do not count.
#[cfg(test)]
fn open_depth(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    depth
}

/// Groups lines into statements: a statement continues onto the next line while it
/// leaves a bracket open. Returns `(first line index, statement text)`; lines are
/// joined with `\n` so spans stay byte offsets into the text.
pub fn statements(lines: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in lines.iter().enumerate() {
        let (start, mut text) = current.take().unwrap_or((i, String::new()));
        if !text.is_empty() || start != i {
            text.push('\n');
        }
        text.push_str(line);
        if continues(&text) {
            current = Some((start, text));
        } else {
            out.push((start, text));
        }
    }
    out.extend(current);
    out
}

/// The byte offset of a top-level `=` that makes `stmt` an assignment: not part of
/// `==`, `<=`, `>=`, `!=`, and not inside brackets (`random(3, seed=1)` is a call).
pub fn assignment(stmt: &str) -> Option<usize> {
    let b = stmt.as_bytes();
    let mut depth = 0i64;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'=' if depth == 0 => {
                    if b.get(i + 1) == Some(&b'=') {
                        i += 2;
                        continue;
                    }
                    let prev = if i > 0 { b[i - 1] } else { 0 };
                    if !matches!(prev, b'<' | b'>' | b'!' | b'=') {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// `text[span]` with surrounding whitespace removed, and the span of what is left.
pub fn trim_span(text: &str, span: Span) -> (&str, Span) {
    let s = &text[span.range()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    (t, Span::new(span.start + lead, span.start + lead + t.len()))
}

/// The identifier `text` starts with (after `start`), if any.
pub fn leading_ident(text: &str) -> Option<&str> {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(text.len(), |(i, _)| i);
    (end > 0).then(|| &text[..end])
}

/// A call `name(args)` spanning exactly `span` of `text`: the name, the span of the
/// text between the parentheses, and whether the closing parenthesis was found.
/// `None` if `text[span]` is not `IDENT (` … .
pub struct Call<'t> {
    pub name: &'t str,
    pub name_span: Span,
    /// Between the parentheses.
    pub inner: Span,
    /// Where the call ends (just after `)`), or the end of the text if unclosed.
    pub end: usize,
    pub closed: bool,
}

pub fn call(text: &str, span: Span) -> Option<Call<'_>> {
    let s = &text[span.range()];
    let name = leading_ident(s)?;
    let rest = &s[name.len()..];
    let ws = rest.len() - rest.trim_start().len();
    if !rest[ws..].starts_with('(') {
        return None;
    }
    let open = span.start + name.len() + ws;
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for (i, c) in text[open..span.end].char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        let close = open + i;
                        return Some(Call {
                            name,
                            name_span: Span::new(span.start, span.start + name.len()),
                            inner: Span::new(open + 1, close),
                            end: close + 1,
                            closed: true,
                        });
                    }
                }
                _ => {}
            },
        }
    }
    Some(Call {
        name,
        name_span: Span::new(span.start, span.start + name.len()),
        inner: Span::new(open + 1, span.end),
        end: span.end,
        closed: false,
    })
}

/// One argument of a constructor call: `keyword=value` or a positional value.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub key: Option<(String, Span)>,
    /// The value's span in the statement (trimmed).
    pub span: Span,
}

/// Splits the text between a call's parentheses at top-level commas. A trailing comma
/// is allowed (as in Python); an empty argument between commas is reported by span.
pub fn split_args(text: &str, inner: Span) -> Result<Vec<Arg>, Span> {
    let mut pieces = Vec::new();
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    let mut start = inner.start;
    for (i, c) in text[inner.range()].char_indices() {
        let at = inner.start + i;
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    pieces.push(Span::new(start, at));
                    start = at + 1;
                }
                _ => {}
            },
        }
    }
    pieces.push(Span::new(start, inner.end));
    // A trailing comma (or no arguments at all) leaves one empty last piece.
    if pieces
        .last()
        .is_some_and(|p| text[p.range()].trim().is_empty())
    {
        let last = pieces.pop().unwrap_or_default();
        if !pieces.is_empty() && text[last.range()].contains(',') {
            return Err(last);
        }
    }
    let mut args = Vec::new();
    for piece in pieces {
        let (t, span) = trim_span(text, piece);
        if t.is_empty() {
            return Err(Span::new(piece.start, piece.start.max(piece.end)));
        }
        let key = match (leading_ident(t), assignment(t)) {
            (Some(name), Some(eq)) if t[name.len()..eq].trim().is_empty() => Some(eq),
            _ => None,
        };
        match key {
            Some(eq) => {
                let name = leading_ident(t).unwrap_or_default();
                let (_, vspan) = trim_span(text, Span::new(span.start + eq + 1, span.end));
                args.push(Arg {
                    key: Some((
                        name.to_string(),
                        Span::new(span.start, span.start + name.len()),
                    )),
                    span: vspan,
                });
            }
            None => args.push(Arg { key: None, span }),
        }
    }
    Ok(args)
}

/// The contents of a `'…'` or `"…"` string literal, if `s` is exactly one.
pub fn string_literal(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = s.strip_prefix(q)?.strip_suffix(q)?;
    (!inner.contains(q)).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_continue_while_brackets_are_open() {
        let lines = ["x = linspace(0,", "  1, 5)", "y = x*2", "", "(1 +"];
        let got = statements(&lines);
        assert_eq!(
            got,
            vec![
                (0, "x = linspace(0,\n  1, 5)".to_string()),
                (2, "y = x*2".to_string()),
                (3, String::new()),
                (4, "(1 +".to_string()),
            ]
        );
        assert_eq!(open_depth("f(\"(\")"), 0);
        assert_eq!(open_depth("a)"), -1);
        assert!(continues("f(1,"));
        assert!(!continues("load(\"a.npy)"));
        assert!(!continues("f(\"a\nb\""));
        assert!(!continues("f(1))"));
    }

    #[test]
    fn assignments_are_not_comparisons_or_keywords() {
        assert_eq!(assignment("y = x*2"), Some(2));
        assert_eq!(assignment("x == 1"), None);
        assert_eq!(assignment("x <= 1"), None);
        assert_eq!(assignment("x != 1"), None);
        assert_eq!(assignment("x >= 1"), None);
        assert_eq!(assignment("random(3, seed=1)"), None);
        assert_eq!(assignment("a = b == c"), Some(2));
        assert_eq!(assignment("save(x, \"a=b.npy\")"), None);
        assert_eq!(assignment("= 3"), Some(0));
    }

    #[test]
    fn calls_and_arguments() {
        let s = "y = random(3, 4, seed = 7, dtype=float32,)";
        let c = call(s, Span::new(4, s.len())).unwrap();
        assert_eq!(c.name, "random");
        assert!(c.closed);
        assert_eq!(c.end, s.len());
        let args = split_args(s, c.inner).unwrap();
        let texts: Vec<(Option<&str>, &str)> = args
            .iter()
            .map(|a| (a.key.as_ref().map(|k| k.0.as_str()), &s[a.span.range()]))
            .collect();
        assert_eq!(
            texts,
            vec![
                (None, "3"),
                (None, "4"),
                (Some("seed"), "7"),
                (Some("dtype"), "float32")
            ]
        );
        let s = "zeros((2, 3))";
        let c = call(s, Span::new(0, s.len())).unwrap();
        assert_eq!(split_args(s, c.inner).unwrap().len(), 1);
        let s = "f()";
        let c = call(s, Span::new(0, s.len())).unwrap();
        assert!(split_args(s, c.inner).unwrap().is_empty());
        let s = "f(1,,2)";
        let c = call(s, Span::new(0, s.len())).unwrap();
        assert_eq!(split_args(s, c.inner), Err(Span::new(4, 4)));
        let s = "f(1, x == 2)";
        let c = call(s, Span::new(0, s.len())).unwrap();
        assert!(split_args(s, c.inner).unwrap()[1].key.is_none());
        assert!(call("x * 2", Span::new(0, 5)).is_none());
        let s = "load(\"a.npy\"";
        assert!(!call(s, Span::new(0, s.len())).unwrap().closed);
    }

    #[test]
    fn strings() {
        assert_eq!(string_literal("\"a.npy\""), Some("a.npy"));
        assert_eq!(string_literal("'a.npy'"), Some("a.npy"));
        assert_eq!(string_literal("\"a"), None);
        assert_eq!(string_literal("a"), None);
        assert_eq!(string_literal("'"), None);
    }
}
