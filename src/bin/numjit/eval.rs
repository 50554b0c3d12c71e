//! `numjit eval "EXPR" NAME=VALUE... [--out PATH.npy]`: memory-maps the inputs,
//! evaluates, prints the result or streams it slab by slab into a memory-mapped output
//! (or into an input, `--in-place`), with a progress bar. Errors come back as
//! [`Failure`]s; `main` renders them. The mapping itself is `numjit::npy`'s.

use crate::Failure;
use clap::Args;
use numjit::error::{Error, ErrorKind};
use numjit::format::{describe, format_array};
use numjit::npy::{InPlaceNpy, MappedNpy, NpyOut};
use numjit::{AnyView, AnyViewMut, Array, Span, Var, Vars};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The expression, e.g. "a*b + c" (quote it for the shell)
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,
    /// Inputs: NAME=path.npy memory-maps a .npy file; NAME=2.5, NAME=-4, NAME=True or
    /// NAME=1+2j binds a literal that behaves exactly like the same literal written in
    /// the expression (it adopts the dtype of the arrays it meets)
    #[arg(value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Save the result to this .npy file instead of printing it: it is computed
    /// straight into a memory-mapped file under a temporary name in the same directory
    /// and renamed when complete, so a failed run never leaves a partial file
    #[arg(short, long, value_name = "PATH.npy")]
    pub out: Option<PathBuf>,
    /// Write the result into input NAME's file, which must have exactly the result's
    /// shape and dtype (then --out may be left out, or name the same file)
    #[arg(long, value_name = "NAME")]
    pub in_place: Option<String>,
    /// Worker threads (default: NUMJIT_NUM_THREADS or the number of cores)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Print what would be done (inputs and how they are read, the result, every
    /// compiler stage) and stop: nothing is computed or written
    #[arg(long)]
    pub explain: bool,
    /// No progress bar and no "wrote …" line (errors are still reported)
    #[arg(short, long)]
    pub quiet: bool,
}

/// What a `SIGBUS` during a run means: a mapped file was truncated under numjit.
pub const BUS_MESSAGE: &str = "error[E0601]: an input or output file was truncated or \
became unreadable while numjit was using it\n  = help: don't modify or truncate the \
files of a running numjit; the partial output was removed\n";

/// Output bytes per slab: the unit of progress, paging hints and in-place copies.
const SLAB_BYTES: usize = 32 << 20;

/// [`SLAB_BYTES`], or `NUMJIT_SLAB_BYTES` (tests use tiny slabs to exercise slicing).
fn slab_bytes() -> usize {
    std::env::var("NUMJIT_SLAB_BYTES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(SLAB_BYTES)
}

pub fn run_eval(args: &EvalArgs) -> Result<(), Failure> {
    if let Some(n) = args.threads {
        numjit::set_num_threads(n as usize);
    }
    if let Some(out) = &args.out {
        check_out_path(out).map_err(Failure::plain)?;
    }
    let inputs = load_inputs(&args.inputs, args.in_place.as_deref())?;
    let in_place = match &args.in_place {
        Some(name) => Some(find_in_place(name, &inputs, args.out.as_deref())?),
        None => {
            if let Some(out) = &args.out {
                check_out_not_input(out, &inputs)?;
            }
            None
        }
    };

    if !args.quiet && !args.explain {
        note_big_fallbacks(&inputs);
    }
    let mut vars = Vars::new();
    for input in &inputs {
        let inserted = match &input.value {
            Value::File(f) => vars.try_insert(&input.name, f.view().map_err(Failure::plain)?),
            Value::Literal(l) => vars.try_insert(&input.name, *l),
            Value::InPlace(_) | Value::Placeholder => continue,
        };
        inserted.map_err(|e| Failure::in_arg(relabel_name(e, &input.name), &input.arg))?;
    }
    if let Some(i) = in_place {
        // Borrowed read-only only to compile and to learn the result's shape; the
        // in-place loop re-borrows it slab by slab.
        let Value::InPlace(f) = &inputs[i].value else {
            unreachable_in_place()?
        };
        let view = f.view().map_err(Failure::plain)?;
        vars.try_insert(&inputs[i].name, view)
            .map_err(|e| Failure::in_arg(relabel_name(e, &inputs[i].name), &inputs[i].arg))?;
    }

    let compiled = numjit::compile(&args.expr, &numjit::Signature::of(&vars))
        .map_err(|e| Failure::in_expr(e, &args.expr))?;
    let shape = result_shape(&compiled, &vars).map_err(|e| Failure::in_expr(e, &args.expr))?;
    let dtype = compiled.dtype();

    if args.explain {
        return print_explain(args, &compiled, &inputs, &shape, in_place);
    }
    let progress = Progress::new(nbytes(&shape, dtype.size()) as u64, !args.quiet);

    if let Some(i) = in_place {
        drop(vars);
        let name = inputs[i].name.clone();
        let mut inputs = inputs;
        let mut target = match std::mem::replace(&mut inputs[i].value, Value::Placeholder) {
            Value::InPlace(f) => f,
            _ => unreachable_in_place()?,
        };
        check_exact_alias(&target, &name, &shape, dtype)?;
        stream_in_place(
            &compiled,
            &args.expr,
            &inputs,
            &name,
            &mut target,
            &shape,
            &progress,
        )?;
        progress.finish();
        target.flush().map_err(Failure::plain)?;
        if !args.quiet {
            let _ = writeln!(
                io::stderr(),
                "updated {} in place (shape {} {dtype})",
                target.path().display(),
                numjit::format::shape_tuple(&shape)
            );
        }
        return Ok(());
    }

    match &args.out {
        Some(path) => {
            let mut out = NpyOut::create(path, dtype, &shape).map_err(Failure::plain)?;
            stream_into(&compiled, &args.expr, &vars, &inputs, &mut out, &progress)?;
            progress.finish();
            out.commit().map_err(Failure::plain)?;
            if !args.quiet {
                let _ = writeln!(
                    io::stderr(),
                    "wrote shape {} {dtype} to {}",
                    numjit::format::shape_tuple(&shape),
                    path.display()
                );
            }
            Ok(())
        }
        None => {
            let result = compiled
                .run(&vars)
                .map_err(|e| Failure::in_expr(e, &args.expr))?;
            print_result(&result)
        }
    }
}

/// Inputs at least this big that cannot be mapped get a note on stderr: reading them
/// into memory defeats out-of-core streaming.
const NOTE_FALLBACK_BYTES: u64 = 64 << 20;

fn note_big_fallbacks(inputs: &[Input]) {
    for input in inputs {
        if let Value::File(f) = &input.value {
            if let Some(why) = f.fallback_reason() {
                if f.data_bytes() >= NOTE_FALLBACK_BYTES {
                    let _ = writeln!(
                        io::stderr(),
                        "note: `{}` is read into memory, not memory-mapped: {why}",
                        f.path().display()
                    );
                }
            }
        }
    }
}

fn unreachable_in_place<T>() -> Result<T, Failure> {
    Err(Failure::plain(numjit::error::Error::new(
        ErrorKind::Internal,
        "the --in-place input went missing",
    )))
}

/// The result's shape (NumPy broadcasting of the inputs' shapes; E0401 otherwise).
fn result_shape(compiled: &numjit::Compiled, vars: &Vars) -> Result<Vec<usize>, Error> {
    let program = compiled.program();
    let views: Vec<numjit::AnyView> = program
        .inputs
        .iter()
        .filter_map(|d| vars.get(&d.name).and_then(|v| v.view()))
        .collect();
    let shapes: Vec<&[usize]> = views.iter().map(|v| v.shape()).collect();
    if shapes.len() != program.inputs.len() {
        // Only literals were missing a view; `compile` already checked every name.
        return Ok(Vec::new());
    }
    numjit::types::shape::infer(program, &shapes)
}

/// `--out` must not name an input file: that needs the explicit `--in-place NAME`.
fn check_out_not_input(out: &Path, inputs: &[Input]) -> Result<(), Failure> {
    for input in inputs {
        let path = match &input.value {
            Value::File(f) => f.path(),
            _ => continue,
        };
        if same_file(out, path) {
            let err = Error::new(
                ErrorKind::OutIsInput,
                format!(
                    "--out `{}` is the input file of `{}`",
                    out.display(),
                    input.name
                ),
            )
            .help(format!(
                "write to another file, or pass `--in-place {}` to overwrite the input \
                 (allowed only when the result has exactly its shape and dtype)",
                input.name
            ));
            return Err(Failure::plain(err));
        }
    }
    Ok(())
}

/// Same file on disk (device and inode), whatever the spelling of the paths.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The index of the `--in-place NAME` input; `--out`, if given, must be its file.
fn find_in_place(name: &str, inputs: &[Input], out: Option<&Path>) -> Result<usize, Failure> {
    let Some(i) = inputs.iter().position(|x| x.name == name) else {
        return Err(Failure::plain(
            Error::new(
                ErrorKind::InPlace,
                format!("--in-place `{name}` is not one of the inputs"),
            )
            .help(format!(
                "bind it to a .npy file, e.g. `{name}={name}.npy`, or name another input"
            )),
        ));
    };
    let Value::InPlace(f) = &inputs[i].value else {
        return Err(Failure::in_arg(
            Error::new(
                ErrorKind::InPlace,
                format!("--in-place `{name}` is not a .npy file"),
            )
            .at(Span::new(0, inputs[i].arg.len()), "a literal, not a file")
            .help("only an input given as NAME=path.npy can be updated in place"),
            &inputs[i].arg,
        ));
    };
    if let Some(out) = out {
        if !same_file(out, f.path()) {
            return Err(Failure::plain(
                Error::new(
                    ErrorKind::InPlace,
                    format!(
                        "--in-place `{name}` writes into `{}`, but --out names `{}`",
                        f.path().display(),
                        out.display()
                    ),
                )
                .help("leave out --out, or drop --in-place to write a new file"),
            ));
        }
    }
    Ok(i)
}

/// In place is safe only when the result is index for index the input: same shape
/// and dtype (the file's own C or Fortran order is kept).
fn check_exact_alias(
    target: &InPlaceNpy,
    name: &str,
    shape: &[usize],
    dtype: numjit::DType,
) -> Result<(), Failure> {
    if target.shape() == shape && target.dtype() == dtype {
        return Ok(());
    }
    let fmt = numjit::format::shape_tuple;
    Err(Failure::plain(
        Error::new(
            ErrorKind::InPlace,
            format!(
                "cannot write the result into `{name}` in place: the result is {} {dtype}, \
                 `{name}` is {} {}",
                fmt(shape),
                fmt(target.shape()),
                target.dtype()
            ),
        )
        .help("in place needs exactly the same shape and dtype; write a new file with --out"),
    ))
}

/// Bytes of an array of `shape` (saturating: broadcasting can describe an array too big
/// for memory or disk, which creating it then reports).
fn nbytes(shape: &[usize], itemsize: usize) -> usize {
    shape.iter().fold(itemsize, |acc, &d| acc.saturating_mul(d))
}

/// Per-axis index ranges of the output that one slab covers.
type Slab = Vec<std::ops::Range<usize>>;

/// Splits `shape` into slabs of about `target` bytes (at least one element along the
/// innermost axis split): whole trailing axes, a run of rows along the split axis `k`,
/// single indices on the axes before it. Returns the slabs and `k`.
fn slabs(shape: &[usize], itemsize: usize, target: usize) -> (Vec<Slab>, usize) {
    let full: Slab = shape.iter().map(|&d| 0..d).collect();
    let total = nbytes(shape, itemsize);
    if shape.is_empty() || total <= target || shape.contains(&0) {
        return (vec![full], 0);
    }
    // Smallest k whose trailing block (axes k+1..) fits in `target`.
    let mut k = shape.len() - 1;
    let mut inner = itemsize;
    while k > 0 && inner * shape[k] <= target {
        inner *= shape[k];
        k -= 1;
    }
    let rows = (target / inner).max(1);
    let mut out = Vec::new();
    let mut idx = vec![0usize; k];
    loop {
        let mut r = 0;
        while r < shape[k] {
            let end = (r + rows).min(shape[k]);
            let mut s: Slab = full.clone();
            for (a, &i) in idx.iter().enumerate() {
                s[a] = i..i + 1;
            }
            s[k] = r..end;
            out.push(s);
            r = end;
        }
        // Odometer over the axes before k.
        let mut a = k;
        loop {
            if a == 0 {
                return (out, k);
            }
            a -= 1;
            idx[a] += 1;
            if idx[a] < shape[a] {
                break;
            }
            idx[a] = 0;
        }
    }
}

/// The part of input `v` (right-aligned against an output of `ndim` axes) that feeds
/// the output slab `slab`: broadcast axes (length 1) are kept whole.
fn slice_input<'a>(v: &numjit::AnyView<'a>, slab: &Slab) -> numjit::AnyView<'a> {
    // Inputs the expression uses never have more axes than the result.
    let Some(lead) = slab.len().checked_sub(v.shape().len()) else {
        return v.clone();
    };
    numjit::dispatch!(AnyView, v, a => {
        let mut s = a.clone();
        s.slice_each_axis_inplace(|ax| {
            let i = ax.axis.index();
            if ax.len == 1 {
                ndarray::Slice::from(..)
            } else {
                ndarray::Slice::from(slab[lead + i].clone())
            }
        });
        numjit::Element::view(s)
    })
}

fn slice_out<'a>(v: numjit::AnyViewMut<'a>, slab: &Slab) -> numjit::AnyViewMut<'a> {
    numjit::dispatch!(AnyViewMut, v, a => {
        let mut s = a;
        s.slice_each_axis_inplace(|ax| ndarray::Slice::from(slab[ax.axis.index()].clone()));
        numjit::Element::view_mut(s)
    })
}

/// Whether the expression reads the input `name` (unused inputs are not sliced).
fn used(compiled: &numjit::Compiled, name: &str) -> bool {
    compiled.program().inputs.iter().any(|d| d.name == name)
}

/// Whether to drop finished pages from the maps (`NUMJIT_MADVISE=0` turns it off, to
/// measure its effect).
fn drop_behind() -> bool {
    std::env::var("NUMJIT_MADVISE").map_or(true, |v| v != "0")
}

/// Computes the result into `out` slab by slab: the only memory numjit allocates is
/// the kernels' per-thread scratch, whatever the file sizes.
fn stream_into(
    compiled: &numjit::Compiled,
    expr: &str,
    vars: &Vars,
    inputs: &[Input],
    out: &mut NpyOut,
    progress: &Progress,
) -> Result<(), Failure> {
    let shape = out.shape().to_vec();
    let item = out.dtype().size();
    let (slabs, k) = slabs(&shape, item, slab_bytes());
    let files: Vec<&MappedNpy> = inputs
        .iter()
        .filter_map(|x| match &x.value {
            Value::File(f) => Some(f),
            _ => None,
        })
        .collect();
    let advise = drop_behind();
    if advise {
        files.iter().for_each(|f| f.advise_sequential());
    }
    // Rows of the output (axis 0) in bytes, and of each input that runs along it.
    let row_bytes = |s: &[usize], size: usize| s[1..].iter().product::<usize>() * size;
    let out_row = if shape.is_empty() {
        0
    } else {
        row_bytes(&shape, item)
    };
    let mut done = 0u64;
    for slab in &slabs {
        let mut sv = Vars::new();
        for (name, var) in vars
            .iter()
            .filter(|(n, v)| matches!(v, Var::Literal(_)) || used(compiled, n))
        {
            match var {
                Var::Literal(l) => sv.insert(name, *l),
                _ => match var.view() {
                    Some(v) => sv.insert(name, slice_input(&v, slab)),
                    None => continue,
                },
            };
        }
        let whole = out.view_mut().map_err(Failure::plain)?;
        compiled
            .run_into(&sv, slice_out(whole, slab))
            .map_err(|e| Failure::in_expr(e, expr))?;
        let n: usize = slab.iter().map(|r| r.len()).product();
        done += (n * item) as u64;
        // Paging hints for slabs that are whole rows of C-order files.
        if advise && k == 0 && !shape.is_empty() {
            let rows = &slab[0];
            out.release((rows.start * out_row) as u64, (rows.len() * out_row) as u64);
            for f in &files {
                if f.shape().len() == shape.len() && f.shape()[0] == shape[0] && !f.is_fortran() {
                    let r = row_bytes(f.shape(), f.dtype().size());
                    f.release((rows.start * r) as u64, (rows.len() * r) as u64);
                }
            }
        }
        progress.set(done);
    }
    Ok(())
}

/// `--in-place`: each slab is computed into a temporary of the slab's size (so the
/// input is never read after it was overwritten, and no view aliases a mutable one),
/// then copied over the input's slab.
#[allow(clippy::too_many_arguments)]
fn stream_in_place(
    compiled: &numjit::Compiled,
    expr: &str,
    inputs: &[Input],
    name: &str,
    target: &mut InPlaceNpy,
    shape: &[usize],
    progress: &Progress,
) -> Result<(), Failure> {
    let item = target.dtype().size();
    let (slabs, _) = slabs(shape, item, slab_bytes());
    let mut base = Vars::new();
    for input in inputs {
        match &input.value {
            Value::File(f) => base.insert(&input.name, f.view().map_err(Failure::plain)?),
            Value::Literal(l) => base.insert(&input.name, *l),
            _ => continue,
        };
    }
    let mut done = 0u64;
    for slab in &slabs {
        let part = {
            let own = target.view().map_err(Failure::plain)?;
            let mut sv = Vars::new();
            for (n, var) in base
                .iter()
                .filter(|(n, v)| matches!(v, Var::Literal(_)) || used(compiled, n))
            {
                match var {
                    Var::Literal(l) => sv.insert(n, *l),
                    _ => match var.view() {
                        Some(v) => sv.insert(n, slice_input(&v, slab)),
                        None => continue,
                    },
                };
            }
            sv.insert(name, slice_input(&own, slab));
            compiled.run(&sv).map_err(|e| Failure::in_expr(e, expr))?
        };
        let whole = target.view_mut().map_err(Failure::plain)?;
        let mut dst = slice_out(whole, slab);
        assign(&mut dst, &part)?;
        let n: usize = slab.iter().map(|r| r.len()).product();
        done += (n * item) as u64;
        progress.set(done);
    }
    Ok(())
}

/// Copies `src` (same shape and dtype) into `dst`.
fn assign(dst: &mut numjit::AnyViewMut, src: &Array) -> Result<(), Failure> {
    use numjit::AnyViewMut as M;
    match (dst, src) {
        (M::Bool(d), Array::Bool(s)) => d.assign(s),
        (M::Int32(d), Array::Int32(s)) => d.assign(s),
        (M::Int64(d), Array::Int64(s)) => d.assign(s),
        (M::Float32(d), Array::Float32(s)) => d.assign(s),
        (M::Float64(d), Array::Float64(s)) => d.assign(s),
        (M::Complex128(d), Array::Complex128(s)) => d.assign(s),
        _ => return unreachable_in_place(),
    }
    Ok(())
}

/// `--explain`: the inputs (mapped or read, and why), the result, the output plan and
/// every compiler stage. Computes nothing, writes nothing.
fn print_explain(
    args: &EvalArgs,
    compiled: &numjit::Compiled,
    inputs: &[Input],
    shape: &[usize],
    in_place: Option<usize>,
) -> Result<(), Failure> {
    let fmt = numjit::format::shape_tuple;
    let mut text = String::from("inputs:\n");
    for input in inputs {
        let line = match &input.value {
            Value::File(f) => format!(
                "  {} = {}: shape {} {}{}, {}",
                input.name,
                f.path().display(),
                fmt(f.shape()),
                f.dtype(),
                if f.is_fortran() {
                    " (Fortran order)"
                } else {
                    ""
                },
                match f.fallback_reason() {
                    None => "memory-mapped (zero-copy)".to_string(),
                    Some(why) => format!("read into memory ({why})"),
                }
            ),
            Value::InPlace(f) => format!(
                "  {} = {}: shape {} {}, memory-mapped read-write (--in-place)",
                input.name,
                f.path().display(),
                fmt(f.shape()),
                f.dtype()
            ),
            Value::Literal(l) => format!("  {} = {l} (weak literal)", input.name),
            Value::Placeholder => continue,
        };
        text.push_str(&line);
        text.push('\n');
    }
    let dtype = compiled.dtype();
    let bytes = nbytes(shape, dtype.size());
    text.push_str(&format!(
        "result: shape {} {dtype} ({bytes} bytes)\n",
        fmt(shape)
    ));
    let slabs = bytes.div_ceil(slab_bytes()).max(1);
    let output = match (&args.out, in_place) {
        (_, Some(i)) => format!(
            "written into `{}` in place, about {} slab(s) of at most {} MiB",
            inputs[i].name,
            slabs,
            slab_bytes() >> 20
        ),
        (Some(p), None) => format!(
            "memory-mapped {} (temporary name, renamed when complete), about {} slab(s) of at most {} MiB",
            p.display(),
            slabs,
            slab_bytes() >> 20
        ),
        (None, None) => "printed".to_string(),
    };
    text.push_str(&format!(
        "output: {output}\nthreads: {}\n",
        numjit::num_threads()
    ));
    text.push_str(&compiled.explain());
    write_stdout(&text)
}

/// An indicatif bar on stderr, shown only once a job has run for a second, only when
/// stderr is a terminal and not `--quiet`.
struct Progress {
    bar: indicatif::ProgressBar,
    start: std::time::Instant,
    allowed: bool,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    fn new(total: u64, wanted: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::hidden(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        Progress {
            bar,
            start: std::time::Instant::now(),
            allowed: wanted && io::stderr().is_terminal(),
            shown: std::cell::Cell::new(false),
        }
    }

    fn set(&self, done: u64) {
        self.bar.set_position(done);
        if self.allowed && !self.shown.get() && self.start.elapsed().as_secs_f64() >= 1.0 {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.shown.set(true);
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Fails fast, before any work, when `--out` cannot possibly be written: its directory
/// is missing or not a directory, or it names a directory. (Creating the file still
/// reports any later failure.)
fn check_out_path(out: &Path) -> Result<(), Error> {
    let (message, help) = if out.is_dir() {
        (
            format!("cannot write `{}`: it is a directory", out.display()),
            "give a file path, e.g. `--out result.npy`",
        )
    } else {
        match out.parent() {
            Some(dir) if !dir.as_os_str().is_empty() && dir.exists() && !dir.is_dir() => (
                format!(
                    "cannot write `{}`: `{}` is not a directory",
                    out.display(),
                    dir.display()
                ),
                "choose an --out path inside a directory",
            ),
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

struct Input {
    name: String,
    value: Value,
    arg: String,
}

enum Value {
    File(MappedNpy),
    InPlace(InPlaceNpy),
    Literal(numjit::Literal),
    /// The in-place file after it was taken out to be written.
    Placeholder,
}

/// Splits and opens every `NAME=VALUE`, in order, rejecting duplicates. The input named
/// by `--in-place` is opened for writing.
fn load_inputs(args: &[String], in_place: Option<&str>) -> Result<Vec<Input>, Failure> {
    let mut out: Vec<Input> = Vec::new();
    for arg in args {
        let Some((name, text)) = arg.split_once('=') else {
            let err = Error::new(ErrorKind::BadArgument, format!("input `{arg}` is not of the form NAME=VALUE"))
                .at(Span::new(0, arg.len()), "expected NAME=VALUE")
                .help(format!(
                    "bind each input as NAME=path.npy or NAME=number, e.g. `x=x.npy` or `s=2.5` (got `{arg}`)"
                ));
            return Err(Failure::in_arg(err, arg));
        };
        if out.iter().any(|x| x.name == name) {
            let err = Error::new(
                ErrorKind::BadArgument,
                format!("input `{name}` is given twice"),
            )
            .at(Span::new(0, name.len()), "second binding")
            .help(format!("give `{name}` once, or rename one of the inputs"));
            return Err(Failure::in_arg(err, arg));
        }
        let value = load_value(name, text, arg, in_place == Some(name))?;
        out.push(Input {
            name: name.to_string(),
            value,
            arg: arg.clone(),
        });
    }
    Ok(out)
}

/// `VALUE` is a file if it ends in `.npy` or names an existing file; otherwise it must be
/// a literal expression (`2.5`, `-4`, `True`, `1+2j`, `2**10`), folded exactly as the same
/// text inside the expression would be.
fn load_value(name: &str, text: &str, arg: &str, writable: bool) -> Result<Value, Failure> {
    let path = Path::new(text);
    if text.ends_with(".npy") || path.is_file() {
        return if writable {
            InPlaceNpy::open(path).map(Value::InPlace)
        } else {
            MappedNpy::open(path).map(Value::File)
        }
        .map_err(Failure::plain);
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
    write_stdout(&format!("{}\n{}\n", describe(result), format_array(result)))
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::plain(
            Error::new(ErrorKind::Io, format!("cannot write to stdout: {e}"))
                .help("check where the output is redirected"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::slabs;

    /// Every output index is in exactly one slab, and slabs stay near the target size.
    #[test]
    fn slabs_partition_the_output() {
        for (shape, item, target) in [
            (vec![10usize], 8usize, 24usize),
            (vec![3, 4, 5], 8, 24),
            (vec![3, 4, 5], 8, 8),
            (vec![3, 4, 5], 1, 1000),
            (vec![7, 1, 3], 4, 16),
            (vec![2, 0, 3], 8, 8),
            (vec![], 8, 1),
        ] {
            let (all, _) = slabs(&shape, item, target);
            let total: usize = shape.iter().product();
            let mut seen = vec![0u8; total];
            for slab in &all {
                let n: usize = slab.iter().map(|r| r.len()).product();
                assert!(n * item <= target.max(item), "{shape:?}: slab {slab:?}");
                let mut idx: Vec<usize> = slab.iter().map(|r| r.start).collect();
                'walk: loop {
                    let flat = idx.iter().zip(&shape).fold(0, |acc, (&i, &d)| acc * d + i);
                    if total > 0 {
                        seen[flat] += 1;
                    }
                    let mut a = idx.len();
                    loop {
                        if a == 0 {
                            break 'walk;
                        }
                        a -= 1;
                        idx[a] += 1;
                        if idx[a] < slab[a].end {
                            break;
                        }
                        idx[a] = slab[a].start;
                    }
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{shape:?} {target}: {seen:?}");
        }
    }
}
