//! Line-editor support for the REPL (rustyline's `Helper`): tab completion of variable
//! names, numjit's functions (read from `numjit::ops::FUNCTIONS`), constructors and
//! `:commands`, file names inside quotes, and "continue on the next line while a
//! parenthesis is open". No highlighting or hints.

use super::ctor::CONSTRUCTORS;
use super::session::COMMANDS;
use super::text::continues;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

#[derive(Default)]
pub struct ReplHelper {
    /// The session's variable names, refreshed before each prompt.
    pub names: Vec<String>,
    files: FilenameCompleter,
}

/// Completions for the word ending at `pos`: `(start of the word, candidates)`, each
/// candidate `(shown, inserted)`.
pub fn candidates(line: &str, pos: usize, names: &[String]) -> (usize, Vec<(String, String)>) {
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &before[start..];
    // `:ti` at the start of a statement (of a line) is a command.
    if start > 0 && before[..start].ends_with(':') {
        let colon = start - 1;
        let line_start = before[..colon].rfind('\n').map_or(0, |i| i + 1);
        if before[line_start..colon].trim().is_empty() {
            let found = COMMANDS
                .iter()
                .filter(|(c, _)| c[1..].starts_with(word))
                .map(|(c, _)| (c.to_string(), format!("{c} ")))
                .collect();
            return (colon, found);
        }
    }
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return (pos, Vec::new());
    }
    let mut found: Vec<(String, String)> = Vec::new();
    let mut add = |shown: String, inserted: String| {
        if shown.starts_with(word) && !found.iter().any(|(s, _)| *s == shown) {
            found.push((shown, inserted));
        }
    };
    for n in names {
        add(n.clone(), n.clone());
    }
    for (f, _, _) in numjit::ops::FUNCTIONS {
        add(format!("{f}("), format!("{f}("));
    }
    for (c, _) in CONSTRUCTORS {
        add(format!("{c}("), format!("{c}("));
    }
    for k in ["True", "False"] {
        add(k.to_string(), k.to_string());
    }
    found.sort();
    (start, found)
}

/// True if `before` ends inside a `'…'` or `"…"` string.
fn in_string(before: &str) -> bool {
    let mut quote: Option<char> = None;
    for c in before.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        if in_string(&line[..pos]) {
            return self.files.complete_path(line, pos);
        }
        let (start, found) = candidates(line, pos, &self.names);
        let pairs = found
            .into_iter()
            .map(|(display, replacement)| Pair {
                display,
                replacement,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        if continues(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, names: &[&str]) -> (usize, Vec<String>) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let (start, c) = candidates(line, line.len(), &names);
        (start, c.into_iter().map(|(s, _)| s).collect())
    }

    #[test]
    fn completes_variables_functions_constructors_and_commands() {
        assert_eq!(shown("y = 2*xv", &["xval", "y"]), (6, vec!["xval".into()]));
        assert_eq!(shown("sq", &[]), (0, vec!["sqrt(".into()]));
        assert_eq!(shown("x = lin", &[]), (4, vec!["linspace(".into()]));
        assert_eq!(shown(":ti", &[]), (0, vec![":time".into()]));
        assert_eq!(shown("  :v", &[]).1, vec![":vars".to_string()]);
        assert_eq!(shown("a:v", &["v"]).1, vec!["v".to_string()]);
        assert!(shown("x = 1", &[]).1.is_empty());
        // every function of the table is offered, so new ones complete too
        for (f, _, _) in numjit::ops::FUNCTIONS {
            let (_, c) = shown(&f[..1], &[]);
            assert!(c.contains(&format!("{f}(")), "{f}");
        }
    }

    #[test]
    fn strings_are_detected() {
        assert!(in_string("x = load(\"da"));
        assert!(!in_string("x = load(\"a.npy\")"));
        assert!(in_string("save(x, 'o"));
    }
}
