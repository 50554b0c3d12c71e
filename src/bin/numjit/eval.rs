//! `numjit eval "EXPR" NAME=VALUE... [--out PATH.npy]`: loads inputs, evaluates, prints
//! or saves the result. Errors come back as [`Failure`]s; `main` renders them.

use crate::Failure;
use clap::Args;
use numjit::error::{Error, ErrorKind};
use numjit::format::{describe, format_array};
use numjit::npy::{read_npy, write_npy};
use numjit::{Array, Span, Vars};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The expression, e.g. "a*b + c" (quote it for the shell)
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,
    /// Inputs: NAME=path.npy loads a .npy file; NAME=2.5, NAME=-4, NAME=True or
    /// NAME=1+2j binds a literal that behaves exactly like the same literal written in
    /// the expression (it adopts the dtype of the arrays it meets)
    #[arg(value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Save the result to this .npy file instead of printing it (written to a
    /// temporary file first, so a failed run never leaves a partial file)
    #[arg(short, long, value_name = "PATH.npy")]
    pub out: Option<PathBuf>,
}

pub fn run_eval(args: &EvalArgs) -> Result<(), Failure> {
    if let Some(out) = &args.out {
        check_out_path(out).map_err(Failure::plain)?;
    }
    let inputs = load_inputs(&args.inputs)?;
    let mut vars = Vars::new();
    for (name, value, arg) in inputs {
        match value {
            Value::Array(a) => vars.try_insert(&name, a),
            Value::Literal(l) => vars.try_insert(&name, l),
        }
        .map_err(|e| Failure::in_arg(relabel_name(e, &name), &arg))?;
    }
    let result =
        numjit::evaluate(&args.expr, &vars).map_err(|e| Failure::in_expr(e, &args.expr))?;
    match &args.out {
        Some(path) => {
            write_npy(path, &result).map_err(Failure::plain)?;
            let _ = writeln!(
                io::stderr(),
                "wrote {} to {}",
                describe(&result),
                path.display()
            );
            Ok(())
        }
        None => print_result(&result),
    }
}

/// Fails fast, before any work, when `--out` cannot possibly be written: its directory
/// is missing or it names a directory. (`write_npy` still reports any later failure.)
fn check_out_path(out: &Path) -> Result<(), Error> {
    let (message, help) = if out.is_dir() {
        (
            format!("cannot write `{}`: it is a directory", out.display()),
            "give a file path, e.g. `--out result.npy`",
        )
    } else {
        match out.parent() {
            Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => (
                format!(
                    "cannot write `{}`: directory `{}` does not exist",
                    out.display(),
                    dir.display()
                ),
                "create the directory first, or choose another --out path",
            ),
            _ => return Ok(()),
        }
    };
    Err(Error::new(ErrorKind::Io, message).help(help))
}

enum Value {
    Array(Array),
    Literal(numjit::Literal),
}

/// Splits and loads every `NAME=VALUE`, in order, rejecting duplicates.
fn load_inputs(args: &[String]) -> Result<Vec<(String, Value, String)>, Failure> {
    let mut out: Vec<(String, Value, String)> = Vec::new();
    for arg in args {
        let Some((name, text)) = arg.split_once('=') else {
            let err = Error::new(ErrorKind::BadArgument, format!("input `{arg}` is not of the form NAME=VALUE"))
                .at(Span::new(0, arg.len()), "expected NAME=VALUE")
                .help(format!(
                    "bind each input as NAME=path.npy or NAME=number, e.g. `x=x.npy` or `s=2.5` (got `{arg}`)"
                ));
            return Err(Failure::in_arg(err, arg));
        };
        if out.iter().any(|(n, _, _)| n == name) {
            let err = Error::new(
                ErrorKind::BadArgument,
                format!("input `{name}` is given twice"),
            )
            .at(Span::new(0, name.len()), "second binding")
            .help(format!("give `{name}` once, or rename one of the inputs"));
            return Err(Failure::in_arg(err, arg));
        }
        let value = load_value(name, text, arg)?;
        out.push((name.to_string(), value, arg.clone()));
    }
    Ok(out)
}

/// `VALUE` is a file if it ends in `.npy` or names an existing file; otherwise it must be
/// a literal expression (`2.5`, `-4`, `True`, `1+2j`, `2**10`), folded exactly as the same
/// text inside the expression would be.
fn load_value(name: &str, text: &str, arg: &str) -> Result<Value, Failure> {
    let path = Path::new(text);
    if text.ends_with(".npy") || path.is_file() {
        return read_npy(path).map(Value::Array).map_err(Failure::plain);
    }
    let shift = name.len() + 1;
    let not_a_value = || {
        let err = Error::new(
            ErrorKind::BadArgument,
            format!("the value of `{name}` is neither a .npy file nor a literal"),
        )
        .at(
            Span::new(shift, arg.len().max(shift + 1)),
            "no such file, and not a number or bool",
        )
        .help(
            "give the path of an existing .npy file, or a literal such as 2.5, 3, -4, 1+2j or True",
        );
        Failure::in_arg(err, arg)
    };
    // Errors about the literal itself (too large, division by zero, …) are reported as
    // such, underlined inside the argument; anything else means "not a literal at all".
    let in_value = |mut e: Error| {
        for label in &mut e.labels {
            label.span = Span::new(label.span.start + shift, label.span.end + shift);
        }
        Failure::in_arg(e, arg)
    };
    let ast = match numjit::syntax::parse(text) {
        Ok(ast) => ast,
        Err(e) if e.kind == ErrorKind::BadLiteral => return Err(in_value(e)),
        Err(_) => return Err(not_a_value()),
    };
    match numjit::types::check::fold_literal(&ast) {
        Ok(l) => Ok(Value::Literal(l)),
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::UnknownName
                    | ErrorKind::UnknownFunction
                    | ErrorKind::WrongArity
                    | ErrorKind::BadArgument
            ) =>
        {
            Err(not_a_value())
        }
        Err(e) => Err(in_value(e)),
    }
}

/// `Vars::try_insert` labels the name as if it were the whole source; in `NAME=VALUE`
/// the name starts at 0 as well, so spans carry over. Errors without a label get one.
fn relabel_name(e: Error, name: &str) -> Error {
    if e.labels.is_empty() {
        e.at(Span::new(0, name.len()), "not a valid input name")
    } else {
        e
    }
}

/// Prints the `shape (…) dtype` line and the values, NumPy style. A closed pipe
/// (`numjit eval … | head`) ends the output quietly.
pub fn print_result(result: &Array) -> Result<(), Failure> {
    let text = format!("{}\n{}\n", describe(result), format_array(result));
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::plain(
            Error::new(ErrorKind::Io, format!("cannot write to stdout: {e}"))
                .help("check where the output is redirected"),
        )),
    }
}
