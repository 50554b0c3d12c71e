//! `numjit` with no arguments: the REPL. At a terminal it is interactive (rustyline:
//! line editing, persistent history, completion, multi-line paste); otherwise it reads
//! statements from stdin line by line, prints results without prompts or colours, and
//! stops at the first error with exit status 2 (1 for file errors) so it can be
//! scripted. What statements mean is `session.rs`'s job.

mod complete;
mod ctor;
mod session;
mod store;
mod text;

use numjit::error::Error;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use session::{Outcome, Session};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the REPL until `:quit`, end of input, or (in script mode) the first error.
pub fn run() -> ExitCode {
    if io::stdin().is_terminal() {
        match interactive() {
            Ok(code) => code,
            Err(e) => {
                let _ = writeln!(io::stderr(), "numjit: cannot read the terminal: {e}");
                ExitCode::from(1)
            }
        }
    } else {
        script(io::stdin().lock())
    }
}

/// The error as codespan renders it, with `stmt` shown as lines `first_line + 1…` of
/// `name`. Errors without a span print their message and help only.
fn render(e: &Error, stmt: &str, name: &str, first_line: usize) -> String {
    if e.labels.is_empty() {
        let mut s = format!("{e}\n");
        if let Some(h) = &e.help {
            s.push_str(&format!("  = help: {h}\n"));
        }
        return s;
    }
    // Pad with empty lines so codespan numbers the lines as the user sees them.
    let src = format!("{}{stmt}", "\n".repeat(first_line));
    session::shift(e.clone(), first_line).render_named(name, &src)
}

/// Exit status for a failed script: 1 for file errors, 2 for everything else (as `numjit eval`).
fn exit_code(e: &Error) -> ExitCode {
    ExitCode::from(if e.kind.is_usage() { 2 } else { 1 })
}

/// Script mode: statements from `input` (a statement continues while a parenthesis is
/// open), results on stdout, the first error on stderr and then exit.
fn script(mut input: impl BufRead) -> ExitCode {
    let mut session = Session::new();
    let mut stdout = io::stdout().lock();
    let mut pending = String::new();
    let mut first = 0;
    let mut line_no = 0;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let eof = match input.read_until(b'\n', &mut raw) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => {
                let _ = writeln!(io::stderr(), "numjit: cannot read stdin: {e}");
                return ExitCode::from(1);
            }
        };
        if !eof {
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            if pending.is_empty() {
                first = line_no;
            } else {
                pending.push('\n');
            }
            pending.push_str(line);
            line_no += 1;
            if text::continues(&pending) {
                continue;
            }
        }
        if !pending.is_empty() || !eof {
            let stmt = std::mem::take(&mut pending);
            match session.run(&stmt) {
                Ok(Outcome::Print(s)) => {
                    if let Err(e) = stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
                        if e.kind() == io::ErrorKind::BrokenPipe {
                            return ExitCode::SUCCESS;
                        }
                        let _ = writeln!(io::stderr(), "numjit: cannot write to stdout: {e}");
                        return ExitCode::from(1);
                    }
                }
                Ok(Outcome::Quit) => return ExitCode::SUCCESS,
                Err(e) => {
                    let _ = stdout.flush();
                    let _ = io::stderr().write_all(render(&e, &stmt, "<stdin>", first).as_bytes());
                    return exit_code(&e);
                }
            }
        }
        if eof {
            return ExitCode::SUCCESS;
        }
    }
}

/// Where history is kept: `$NUMJIT_HISTORY` (empty: none), else
/// `$XDG_DATA_HOME/numjit/history`, else `~/.local/share/numjit/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NUMJIT_HISTORY") {
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|h| h.join(".local").join("share")))?;
    Some(data.join("numjit").join("history"))
}

fn interactive() -> rustyline::Result<ExitCode> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<complete::ReplHelper, FileHistory> = Editor::with_config(config)?;
    rl.set_helper(Some(complete::ReplHelper::default()));
    let history = history_path();
    if let Some(path) = &history {
        // A missing or unreadable history file just means no history.
        let _ = rl.load_history(path);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    println!(
        "numjit {} — NumPy-style array expressions, compiled. `:help` for help, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    let mut session = Session::new();
    loop {
        if let Some(h) = rl.helper_mut() {
            h.names = session.names();
        }
        let buf = match rl.readline(">>> ") {
            Ok(buf) => buf,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        };
        if !buf.trim().is_empty() {
            let _ = rl.add_history_entry(buf.as_str());
            if let Some(path) = &history {
                // History is a convenience: failing to write it is not an error.
                let _ = rl.append_history(path);
            }
        }
        let lines: Vec<&str> = buf.lines().collect();
        let stmts = text::statements(&lines);
        for (i, (first, stmt)) in stmts.iter().enumerate() {
            let (first, stmt) = (*first, stmt.as_str());
            match session.run(stmt) {
                Ok(Outcome::Print(s)) => {
                    let mut out = io::stdout().lock();
                    let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
                }
                Ok(Outcome::Quit) => return Ok(ExitCode::SUCCESS),
                Err(e) => {
                    let mut report = render(&e, stmt, "<repl>", first);
                    // The rest of a pasted block likely depends on the failed line.
                    let skipped = stmts[i + 1..]
                        .iter()
                        .filter(|(_, s)| !s.trim().is_empty())
                        .count();
                    if skipped > 0 {
                        report.push_str(&format!(
                            "(the {skipped} statement{} after it did not run)\n",
                            if skipped == 1 { "" } else { "s" }
                        ));
                    }
                    let _ = io::stderr().write_all(report.as_bytes());
                    break;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
