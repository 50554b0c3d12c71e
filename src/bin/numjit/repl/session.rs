//! One REPL session: its variables and what each statement does — `:commands`,
//! `name = …` assignments, constructor calls and bare expressions. Returns text or a
//! coded error whose spans point into the statement; printing and line editing are
//! `mod.rs`'s job.

use super::ctor::{self, Made};
use super::store::{human_bytes, Store, Value};
use super::text;
use numjit::error::{Error, ErrorKind};
use numjit::format::{describe, format_array};
use numjit::{Array, Signature, Span};
use std::time::{Duration, Instant};

/// The `:commands`, with a one-line description each (for `:help` and completion).
pub const COMMANDS: &[(&str, &str)] = &[
    (
        ":time",
        ":time EXPR     median time of the fused (JIT) and naive evaluators",
    ),
    (":ast", ":ast EXPR      the parsed syntax tree"),
    (":ir", ":ir EXPR       the typed IR"),
    (
        ":clif",
        ":clif EXPR     the Cranelift IR of the compiled kernel",
    ),
    (
        ":vars",
        ":vars          the variables: dtype, shape, size, memory-mapped or not",
    ),
    (
        ":threads",
        ":threads [N]   show or set the number of threads",
    ),
    (":help", ":help          this help"),
    (":quit", ":quit          leave (or Ctrl-D)"),
];

/// What a statement asks the caller to do.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Print this (may be empty).
    Print(String),
    Quit,
}

#[derive(Default)]
pub struct Session {
    store: Store,
    seeds: u64,
}

/// Moves every label of `e` right by `by` bytes (for text cut out of a statement).
pub fn shift(mut e: Error, by: usize) -> Error {
    for l in &mut e.labels {
        l.span = Span::new(l.span.start + by, l.span.end + by);
    }
    e
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// The variable names (for completion).
    pub fn names(&self) -> Vec<String> {
        self.store.names().map(str::to_string).collect()
    }

    /// A seed for `random`/`normal` without `seed=`: differs per call and per run.
    pub fn fresh_seed(&mut self) -> u64 {
        self.seeds += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nanos ^ self.seeds.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// Runs one statement (possibly several lines joined by `\n`).
    pub fn run(&mut self, stmt: &str) -> Result<Outcome, Error> {
        let (t, span) = text::trim_span(stmt, Span::new(0, stmt.len()));
        if t.is_empty() || t.starts_with('#') {
            return Ok(Outcome::Print(String::new()));
        }
        if t.starts_with(':') {
            return self.command(stmt, span);
        }
        match text::assignment(stmt) {
            Some(eq) => self.assign(stmt, eq),
            None => {
                if let Some(call) = self.constructor_call(stmt, span)? {
                    return match ctor::construct(self, stmt, &call)? {
                        Made::Value(v) => Ok(Outcome::Print(show_value(&v))),
                        Made::Saved(msg) => Ok(Outcome::Print(format!("{msg}\n"))),
                    };
                }
                let a = self.eval_span(stmt, span)?;
                Ok(Outcome::Print(show(&a)))
            }
        }
    }

    /// `stmt[span]` as a constructor call, if it starts with a constructor's name and `(`.
    /// A call followed by more text (`linspace(0, 1, 5) * 2`) is an error.
    fn constructor_call<'s>(
        &self,
        stmt: &'s str,
        span: Span,
    ) -> Result<Option<text::Call<'s>>, Error> {
        let Some(call) = text::call(stmt, span) else {
            return Ok(None);
        };
        if !ctor::is_constructor(call.name) {
            return Ok(None);
        }
        let rest = &stmt[call.end..span.end];
        if !rest.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::BadArgument,
                format!("`{}(…)` cannot be part of an expression", call.name),
            )
            .at(Span::new(call.end, span.end), "more after the call")
            .also(call.name_span, "makes data")
            .help(format!(
                "assign it first, then use the name: `t = {}`",
                &stmt[call.name_span.start..call.end]
            )));
        }
        Ok(Some(call))
    }

    /// `name = rhs`.
    fn assign(&mut self, stmt: &str, eq: usize) -> Result<Outcome, Error> {
        let (name, name_span) = text::trim_span(stmt, Span::new(0, eq));
        let invalid = |e: Error| {
            let label = if name.is_empty() {
                "nothing to assign to"
            } else {
                "not a variable name"
            };
            let at = if name.is_empty() {
                Span::new(eq, eq + 1)
            } else {
                name_span
            };
            e.at(at, label)
        };
        if name.is_empty() {
            return Err(invalid(
                Error::new(ErrorKind::InvalidName, "nothing to assign to")
                    .help("write a name before `=`, e.g. `x = linspace(0, 1, 100)`"),
            ));
        }
        numjit::syntax::check_var_name(name).map_err(invalid)?;
        if ctor::is_constructor(name) {
            return Err(invalid(
                Error::new(
                    ErrorKind::InvalidName,
                    format!("`{name}` is a constructor name and cannot name a variable"),
                )
                .help(format!("rename the variable, e.g. `{name}_`")),
            ));
        }
        let (rhs, rhs_span) = text::trim_span(stmt, Span::new(eq + 1, stmt.len()));
        if rhs.is_empty() {
            return Err(Error::new(ErrorKind::Empty, "nothing to assign")
                .at(Span::new(eq, eq + 1), "no value after `=`")
                .help(format!("give a value, e.g. `{name} = linspace(0, 1, 100)`")));
        }
        let value = match self.constructor_call(stmt, rhs_span)? {
            Some(call) => match ctor::construct(self, stmt, &call)? {
                Made::Value(v) => v,
                Made::Saved(_) => {
                    return Err(Error::new(
                        ErrorKind::BadArgument,
                        "`save(…)` gives no value to assign",
                    )
                    .at(call.name_span, "returns nothing")
                    .help(format!("call it on its own: `{rhs}`")))
                }
            },
            None => {
                // A literal stays weak, like a Python number: `s = 2.5; x*s` keeps x's dtype.
                let folded = numjit::syntax::parse(rhs)
                    .ok()
                    .and_then(|ast| numjit::types::check::fold_literal(&ast).ok());
                match folded {
                    Some(l) => Value::Literal(l),
                    None => Value::Owned(self.eval_span(stmt, rhs_span)?),
                }
            }
        };
        let line = format!("{name}: {}\n", describe_value(&value));
        self.store.set(name, value);
        Ok(Outcome::Print(line))
    }

    /// Evaluates `stmt[span]` as a numjit expression over the session's variables.
    pub fn eval_span(&self, stmt: &str, span: Span) -> Result<Array, Error> {
        let src = &stmt[span.range()];
        let vars = self.store.vars();
        numjit::evaluate(src, &vars).map_err(|e| match nested_constructor(stmt, span) {
            Some(name_span) => {
                let name = &stmt[name_span.range()];
                Error::new(
                    ErrorKind::BadArgument,
                    format!("`{name}(…)` cannot be part of an expression"),
                )
                .at(name_span, "makes data")
                .help(format!(
                    "assign it first (`t = {name}(…)`), then use `t` in the expression"
                ))
            }
            None => self.explain(e, src, span.start),
        })
    }

    /// `stmt[span]` as a value: a constructor call (`save(random(3, seed=1), …)`) or a
    /// numjit expression.
    pub fn value_span(&mut self, stmt: &str, span: Span) -> Result<Array, Error> {
        if let Some(call) = self.constructor_call(stmt, span)? {
            if let Made::Value(v) = ctor::construct(self, stmt, &call)? {
                return Ok(match v {
                    Value::Owned(a) => a,
                    other => match other.view() {
                        Some(view) => view.to_owned(),
                        None => self.eval_span(stmt, span)?,
                    },
                });
            }
            return Err(
                Error::new(ErrorKind::BadArgument, "`save(…)` gives no value")
                    .at(call.name_span, "returns nothing")
                    .help("save the value first, then save it again under another name"),
            );
        }
        self.eval_span(stmt, span)
    }

    /// Shifts `e` into the statement and rewrites help that speaks of API inputs.
    fn explain(&self, e: Error, src: &str, offset: usize) -> Error {
        let spanned = |e: &Error| {
            e.span()
                .and_then(|s| src.get(s.range()))
                .map(str::to_string)
        };
        let mut e = e;
        match e.kind {
            ErrorKind::UnknownFunction => {
                if let Some(name) = spanned(&e).filter(|n| ctor::is_constructor(n)) {
                    e.help = Some(format!(
                        "`{name}(…)` makes data and cannot be part of an expression; \
                         assign it first (`t = {name}(…)`), then use `t`"
                    ));
                }
            }
            ErrorKind::UnknownName => {
                let helpful = e
                    .help
                    .as_deref()
                    .is_some_and(|h| h.starts_with("did you mean") || h.starts_with("call it"));
                if let (false, Some(name)) = (helpful, spanned(&e)) {
                    e.help = Some(format!(
                        "define it first, e.g. `{name} = linspace(0, 1, 100)`; `:vars` lists the variables"
                    ));
                }
            }
            _ => {}
        }
        shift(e, offset)
    }

    fn command(&mut self, stmt: &str, span: Span) -> Result<Outcome, Error> {
        let t = &stmt[span.range()];
        let name_len = t
            .char_indices()
            .skip(1)
            .find(|(_, c)| !c.is_ascii_alphanumeric())
            .map_or(t.len(), |(i, _)| i);
        let name = &t[..name_len];
        let name_span = Span::new(span.start, span.start + name_len);
        let (arg, arg_span) = text::trim_span(stmt, Span::new(name_span.end, span.end));
        let needs_expr = |what: &str| -> Result<(), Error> {
            if arg.is_empty() {
                Err(Error::new(
                    ErrorKind::BadArgument,
                    format!("`{name}` needs an expression"),
                )
                .at(name_span, "no expression after this")
                .help(format!("e.g. `{name} {what}`")))
            } else {
                Ok(())
            }
        };
        match name {
            ":time" => {
                needs_expr("((.25*x + .75)*x - 1.5)*x - 2")?;
                self.time(stmt, arg_span).map(Outcome::Print)
            }
            ":ast" | ":ir" | ":clif" => {
                needs_expr("2*x + 1")?;
                let vars = self.store.vars();
                let c = numjit::compile(arg, &Signature::of(&vars))
                    .map_err(|e| self.explain(e, arg, arg_span.start))?;
                let text = match name {
                    ":ast" => numjit::syntax::pretty::sexp(c.ast()),
                    ":ir" => c.program().to_string(),
                    _ => {
                        let all = c.explain();
                        match all.split_once("\nclif:\n") {
                            Some((_, clif)) => clif.to_string(),
                            None => all,
                        }
                    }
                };
                Ok(Outcome::Print(format!("{}\n", text.trim_end())))
            }
            ":vars" | ":help" | ":quit" | ":q" | ":exit" if !arg.is_empty() => Err(Error::new(
                ErrorKind::BadArgument,
                format!("`{name}` takes no argument"),
            )
            .at(arg_span, "unexpected")
            .help(format!("type `{name}` alone"))),
            ":vars" => Ok(Outcome::Print(self.store.table())),
            ":help" => Ok(Outcome::Print(help_text())),
            ":quit" | ":q" | ":exit" => Ok(Outcome::Quit),
            ":threads" => {
                if arg.is_empty() {
                    return Ok(Outcome::Print(format!(
                        "threads: {}\n",
                        numjit::num_threads()
                    )));
                }
                let max = numjit_runtime::threads::MAX_THREADS;
                match arg.replace('_', "").parse::<usize>() {
                    Ok(n) if (1..=max).contains(&n) => {
                        numjit::set_num_threads(n);
                        Ok(Outcome::Print(format!(
                            "threads: {}\n",
                            numjit::num_threads()
                        )))
                    }
                    _ => Err(Error::new(
                        ErrorKind::BadArgument,
                        format!("`{arg}` is not a thread count"),
                    )
                    .at(arg_span, format!("expected an integer from 1 to {max}"))
                    .help(format!(
                        "give a number of threads from 1 to {max}, e.g. `:threads 2`"
                    ))),
                }
            }
            _ => {
                let names = COMMANDS.iter().map(|(c, _)| *c);
                let help = match numjit::suggest::closest(name, names) {
                    Some(s) => format!("did you mean `{s}`? `:help` lists the commands"),
                    None => "`:help` lists the commands".to_string(),
                };
                Err(
                    Error::new(ErrorKind::BadArgument, format!("unknown command `{name}`"))
                        .at(name_span, "unknown command")
                        .help(help),
                )
            }
        }
    }

    /// `:time EXPR`: the fused (JIT) and naive evaluators side by side, each the median
    /// of as many runs as fit in about 0.4 s (at least one, after one warm-up run).
    fn time(&self, stmt: &str, span: Span) -> Result<String, Error> {
        let src = &stmt[span.range()];
        let vars = self.store.vars();
        let c = numjit::compile(src, &Signature::of(&vars))
            .map_err(|e| self.explain(e, src, span.start))?;
        let first = c.run(&vars).map_err(|e| self.explain(e, src, span.start))?;
        let mut out = first.clone();
        let elems = first.len();
        let in_bytes: usize = c
            .program()
            .inputs
            .iter()
            .filter_map(|d| vars.get(&d.name).and_then(|v| v.view()))
            .map(|v| v.shape().iter().product::<usize>() * v.dtype().size())
            .sum();
        let bytes = in_bytes + elems * first.dtype().size();
        let fused = measure(|| c.run_into(&vars, &mut out))
            .map_err(|e| self.explain(e, src, span.start))?;
        let naive = measure(|| c.run_into_naive(&vars, &mut out))
            .map_err(|e| self.explain(e, src, span.start))?;
        let row = |name: &str, (t, runs): (Duration, usize)| {
            let secs = t.as_secs_f64();
            let per = if elems > 0 {
                secs * 1e9 / elems as f64
            } else {
                f64::NAN
            };
            let gbs = if secs > 0.0 {
                bytes as f64 / secs / 1e9
            } else {
                f64::NAN
            };
            format!(
                "{name:<7}{:>12}{per:>12.3}{gbs:>10.2}{runs:>8}\n",
                human_time(secs)
            )
        };
        let mut s = format!(
            "{:<7}{:>12}{:>12}{:>10}{:>8}\n",
            "", "median", "ns/elem", "GB/s", "runs"
        );
        s.push_str(&row("fused", fused));
        s.push_str(&row("naive", naive));
        let speedup = naive.0.as_secs_f64() / fused.0.as_secs_f64().max(1e-12);
        s.push_str(&format!(
            "speed-up {speedup:.1}x · {elems} element{}, {} moved per run, {} thread{}\n",
            if elems == 1 { "" } else { "s" },
            human_bytes(bytes as f64),
            numjit::num_threads(),
            if numjit::num_threads() == 1 { "" } else { "s" }
        ));
        Ok(s)
    }
}

/// The first constructor call (`name(`) inside `stmt[span]`, outside strings.
fn nested_constructor(stmt: &str, span: Span) -> Option<Span> {
    let src = &stmt[span.range()];
    let bytes = src.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let name = &src[start..i];
                if ctor::is_constructor(name) && src[i..].trim_start().starts_with('(') {
                    return Some(Span::new(span.start + start, span.start + i));
                }
                continue;
            }
            None if c.is_ascii_digit() => {
                // skip numbers such as 1e5 so their letters are not names
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
                {
                    i += 1;
                }
                continue;
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// Runs `f` once to warm up, then again until ~0.4 s have passed (at least once, at
/// most 100 000 times); the median time and the number of timed runs.
fn measure(mut f: impl FnMut() -> Result<(), Error>) -> Result<(Duration, usize), Error> {
    const BUDGET: Duration = Duration::from_millis(400);
    const MAX_RUNS: usize = 100_000;
    f()?;
    let start = Instant::now();
    let mut times = Vec::new();
    while times.is_empty() || (start.elapsed() < BUDGET && times.len() < MAX_RUNS) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], times.len()))
}

fn human_time(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.3} s")
    } else if secs >= 1e-3 {
        format!("{:.3} ms", secs * 1e3)
    } else if secs >= 1e-6 {
        format!("{:.3} µs", secs * 1e6)
    } else {
        format!("{:.0} ns", secs * 1e9)
    }
}

/// A result as the REPL prints it: NumPy's `str(a)`, then `shape (…) dtype`.
fn show(a: &Array) -> String {
    format!("{}\n{}\n", format_array(a), describe(a))
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Owned(a) => show(a),
        other => match other.view() {
            Some(view) => show(&view.to_owned()),
            None => format!("{}\n", describe_value(other)),
        },
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Literal(l) => format!("{} (weak literal, {})", literal_text(*l), l.py_type()),
        other => match other.view() {
            Some(view) => format!(
                "shape {} {}{}",
                numjit::format::shape_tuple(view.shape()),
                view.dtype().name(),
                if other.is_mapped() {
                    " (memory-mapped)"
                } else {
                    ""
                }
            ),
            None => String::new(),
        },
    }
}

fn literal_text(l: numjit::Literal) -> String {
    match l.to_default_scalar() {
        Ok(s) => numjit::format::format_scalar(s),
        Err(_) => l.to_string(),
    }
}

pub fn help_text() -> String {
    let mut s = String::from(
        "Type a numjit expression to evaluate it, or assign it: `y = 2*x + 1`.\n\
         Expressions use NumPy's operators and these functions: ",
    );
    let funcs: Vec<&str> = numjit::ops::FUNCTIONS.iter().map(|(n, _, _)| *n).collect();
    s.push_str(&funcs.join(", "));
    s.push_str(".\n\nMake data (assign it: `x = linspace(0, 1, 1_000_000)`):\n");
    for (_, sig) in ctor::CONSTRUCTORS {
        s.push_str(&format!("  {sig}\n"));
    }
    s.push_str("\nCommands:\n");
    for (_, line) in COMMANDS {
        s.push_str(&format!("  {line}\n"));
    }
    s.push_str(
        "\nTab completes names, functions and commands; a line that leaves a\n\
         parenthesis open continues on the next line. History is kept across sessions.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The REPL's own vocabulary (no `:time`, which runs for most of a second).
    const WORDS: &[&str] = &[
        "x",
        "y",
        "s",
        "=",
        "==",
        "(",
        ")",
        ",",
        "1",
        "-3",
        "2.5",
        "1e308",
        "2**70",
        "0",
        "7",
        "linspace",
        "arange",
        "zeros",
        "ones",
        "full",
        "random",
        "normal",
        "load",
        "save",
        "seed=",
        "dtype=",
        "loc=",
        "scale=",
        "num=",
        "endpoint=",
        "float32",
        "int32",
        "bool",
        "\"a.npy\"",
        "'",
        "\"",
        "+",
        "-",
        "*",
        "/",
        "//",
        "**",
        "<",
        ">=",
        "&",
        "~",
        "where",
        "sqrt",
        "abs",
        ":ast",
        ":ir",
        ":vars",
        ":threads",
        ":help",
        ":",
        "#",
        "\u{e9}",
        "\0",
        "[",
        "]",
        "{",
        "True",
        "False",
        "_",
        " ",
        "\n",
        "1j",
        "nan",
    ];

    fn session() -> Session {
        let mut s = Session::new();
        for line in ["x = linspace(0, 1, 5)", "y = arange(5)", "s = 2"] {
            s.run(line).expect("setup runs");
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("NUMJIT_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
        ))]

        /// Any line gives text or a coded error whose labels lie inside the line.
        #[test]
        fn any_line_gives_a_result_or_a_coded_error(
            words in proptest::collection::vec(proptest::sample::select(WORDS), 1..14)
        ) {
            let line: String = words.concat();
            let dir = tempfile::tempdir().unwrap();
            let line = line.replace("a.npy", &dir.path().join("a.npy").display().to_string());
            let mut s = session();
            if let Err(e) = s.run(&line) {
                prop_assert!(e.code().starts_with("E0"));
                prop_assert!(e.kind != ErrorKind::Internal, "{line:?}: {e:?}");
                for l in &e.labels {
                    prop_assert!(l.span.start <= l.span.end && l.span.end <= line.len(), "{line:?}: {e:?}");
                }
                let _ = e.render_named("<repl>", &line);
            }
        }
    }

    #[test]
    fn literals_stay_weak_and_arrays_strong() {
        let mut s = session();
        s.run("f = linspace(0, 1, 3, dtype=float32)").unwrap();
        s.run("k = 2.5").unwrap();
        let Outcome::Print(out) = s.run("f * k").unwrap() else {
            panic!("no output")
        };
        assert!(out.ends_with("shape (3,) float32\n"), "{out}");
        assert_eq!(s.run(":quit").unwrap(), Outcome::Quit);
    }

    #[test]
    fn comparisons_are_not_assignments() {
        let mut s = session();
        let Outcome::Print(out) = s.run("x == y").unwrap() else {
            panic!("no output")
        };
        assert!(out.ends_with("shape (5,) bool\n"), "{out}");
        assert_eq!(s.names(), ["x", "y", "s"]);
    }
}
