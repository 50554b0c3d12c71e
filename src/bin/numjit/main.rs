//! The `numjit` command line: parses arguments, dispatches to one module per subcommand
//! (`eval.rs`, …; no subcommand opens the REPL, `repl/`) and maps errors to exit codes
//! (2: usage or expression error, 1: I/O error). Never panics on any input.

mod eval;
mod repl;

use clap::{Parser, Subcommand};
use eval::{run_eval, EvalArgs};
use numjit::error::Error;
use std::io::{self, Write};
use std::process::ExitCode;

const EXAMPLES: &str = "\
examples:
  numjit eval \"a*b + c\" a=a.npy b=b.npy c=c.npy
  numjit eval \"((.25*x + .75)*x - 1.5)*x - 2\" x=x.npy --out y.npy
  numjit eval \"where(x > t, x, 0)\" x=x.npy t=0.5
  numjit eval \"2**10\"";

#[derive(Parser, Debug)]
#[command(
    name = "numjit",
    version,
    about = "Compile NumPy-style array expressions and evaluate them over .npy files",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate an expression over .npy files and literals; print the result or save it
    #[command(after_help = EXAMPLES)]
    Eval(EvalArgs),
}

/// How a run failed: the error and the text its spans point into.
pub struct Failure {
    error: Error,
    /// `(name, source)` to render against; `None` prints the message and help only.
    source: Option<(&'static str, String)>,
}

impl Failure {
    pub fn plain(error: Error) -> Failure {
        Failure {
            error,
            source: None,
        }
    }

    pub fn in_expr(error: Error, expr: &str) -> Failure {
        Failure {
            error,
            source: Some(("expr", expr.to_string())),
        }
    }

    pub fn in_arg(error: Error, arg: &str) -> Failure {
        Failure {
            error,
            source: Some(("argument", arg.to_string())),
        }
    }

    fn render(&self) -> String {
        match &self.source {
            Some((name, src)) if !self.error.labels.is_empty() => {
                self.error.render_named(name, src)
            }
            _ => {
                let mut s = format!("{}\n", self.error);
                if let Some(h) = &self.error.help {
                    s.push_str(&format!("  = help: {h}\n"));
                }
                s
            }
        }
    }

    fn exit_code(&self) -> ExitCode {
        if self.error.kind.is_usage() {
            ExitCode::from(2)
        } else {
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    // Exceeding `ulimit -f` must be an error (EFBIG), not death by SIGXFSZ; a mapped
    // file truncated under us is reported, and a killed run removes its partial output.
    numjit_runtime::mmap::install_signal_guard(eval::BUS_MESSAGE);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors; everything else is a usage error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Some(Command::Eval(args)) => run_eval(&args),
        None => return repl::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = io::stderr().write_all(failure.render().as_bytes());
            failure.exit_code()
        }
    }
}
