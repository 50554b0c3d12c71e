//! `numjit bench`: the benchmark suite. Runs every case with the naive evaluator, the
//! fused JIT on 1 and all threads and a copy loop over the same bytes, checks that the
//! engines agree, optionally measures NumPy / numexpr / Numba in the same run, and
//! prints a table (plus `--json`, `--plot`, `--images`). Owns orchestration and the
//! elementwise cases; `diffusion.rs` and `mandel.rs` own theirs.

mod cases;
mod check;
mod diffusion;
mod mandel;
mod measure;
mod peers;
mod plot;
mod report;

use crate::Failure;
use cases::{Case, Inputs, Kind};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use measure::{CopyRef, Settings, Timing};
use numjit::error::{Error, ErrorKind};
use numjit::{Array, Signature};
use report::{Record, Row};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Smaller sizes and fewer repetitions: about a minute in a release build
    #[arg(long)]
    pub quick: bool,
    /// Run only these cases, comma-separated: a family (`poly`, `diffusion_fixed`, …),
    /// one of its sizes (`poly_1e7`) or a family at any size (`mandel_64`)
    #[arg(long, value_name = "a,b,…")]
    pub cases: Option<String>,
    /// Write one JSON record per measurement to this file
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write a grouped bar chart (SVG, log scale) of ns per element
    #[arg(long, value_name = "PATH.svg")]
    pub plot: Option<PathBuf>,
    /// Also measure NumPy, numexpr and Numba (Python: $NUMJIT_PYTHON, or the venv in
    /// ~/.cache/numjit-peers/venv, or python3)
    #[arg(long)]
    pub peers: bool,
    /// Write the Mandelbrot images (escape counts) as PNG into this directory
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
}

/// The state of one run: settings, thread pools of the copy reference, progress, and
/// everything measured so far.
pub struct Ctx {
    pub settings: Settings,
    /// "All threads": numjit's thread count when the run started.
    pub all: usize,
    copy_pools: Vec<(usize, rayon::ThreadPool)>,
    pub rows: Vec<Row>,
    /// Validation failures: `case engine: what differs`.
    pub mismatches: Vec<String>,
    bar: Option<ProgressBar>,
    case_label: String,
}

impl Ctx {
    /// 1 and all threads (just 1 on a one-core machine).
    pub fn thread_counts(&self) -> Vec<usize> {
        if self.all > 1 {
            vec![1, self.all]
        } else {
            vec![1]
        }
    }

    /// Shows what is being measured now (stderr).
    pub fn status(&mut self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{} {what}", self.case_label));
        }
    }

    /// Records a measurement: `t` is seconds per call, `elems` the elements one call
    /// covers (divisor of the per-element time), `bytes` the bytes per element.
    pub fn record(
        &mut self,
        case: &Case,
        engine: &str,
        threads: usize,
        t: Timing,
        elems: usize,
        bytes: Option<f64>,
    ) {
        let per = elems.max(1) as f64;
        let median = t.median * 1e9 / per;
        self.rows.push(Row::Measured(Record {
            case: case.name(),
            n: case.elems(),
            engine: engine.into(),
            threads,
            median_ns_per_elem: median,
            min_ns_per_elem: t.min * 1e9 / per,
            gb_per_s: bytes.map(|b| b / median),
            unit: unit(case.family.kind).into(),
            speedup_vs_naive: None,
        }));
    }

    /// The copy reference for `case`: `bytes` per element, `passes` per call, on 1 and
    /// all threads.
    pub fn copy_reference(
        &mut self,
        case: &Case,
        bytes: f64,
        passes: usize,
    ) -> Result<(), Failure> {
        let mut copy = CopyRef::new(bytes * case.elems() as f64, passes);
        for t in self.thread_counts() {
            self.status(&format!("copy {t}T"));
            if t > 1 && !self.copy_pools.iter().any(|(n, _)| *n == t) {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .map_err(|e| {
                        Failure::plain(Error::new(
                            ErrorKind::Io,
                            format!("cannot start {t} threads: {e}"),
                        ))
                    })?;
                self.copy_pools.push((t, pool));
            }
            let pool = self
                .copy_pools
                .iter()
                .find(|(n, _)| *n == t && t > 1)
                .map(|(_, p)| p);
            let timing = measure::time_calls(&self.settings, || {
                copy.run(pool);
                Ok(())
            })?;
            self.record(
                case,
                "copy",
                t,
                timing,
                case.elems(),
                Some(bytes * passes as f64),
            );
        }
        Ok(())
    }

    /// Compares one engine's result with the naive one; a difference fails the run.
    pub fn check(&mut self, case: &Case, engine: &str, got: &Array, want: &Array) {
        if let Some(why) = check::compare(got, want, case.family.exact) {
            self.mismatches
                .push(format!("{} {engine}: {why}", case.name()));
        }
    }
}

fn unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Elementwise => "element",
        Kind::DiffusionPeriodic | Kind::DiffusionFixed => "cell per iteration",
        Kind::Mandel => "cell, all iterations",
    }
}

/// Fails before any work if `path` cannot be written (missing directory, a directory).
fn check_writable(path: &Path, flag: &str) -> Result<(), Failure> {
    let problem = if path.is_dir() {
        Some(format!("`{}` is a directory", path.display()))
    } else {
        match path.parent() {
            Some(d) if !d.as_os_str().is_empty() && !d.is_dir() => {
                Some(format!("directory `{}` does not exist", d.display()))
            }
            _ => None,
        }
    };
    match problem {
        Some(p) => Err(Failure::plain(
            Error::new(ErrorKind::Io, format!("cannot write {flag}: {p}"))
                .help(format!("give {flag} a file path in an existing directory")),
        )),
        None => Ok(()),
    }
}

fn io_failure(what: String, e: std::io::Error) -> Failure {
    Failure::plain(
        Error::new(ErrorKind::Io, format!("{what}: {e}"))
            .help("check the path and its permissions"),
    )
}

pub fn run_bench(args: &BenchArgs) -> Result<(), Failure> {
    let settings = Settings { quick: args.quick };
    let selected = cases::select(args.cases.as_deref(), args.quick).map_err(|msg| {
        Failure::plain(
            Error::new(ErrorKind::BadArgument, format!("--cases: {msg}")).help(format!(
                "name families ({}), sizes of them (poly_1e7, mandel_300) or any size \
                 (mandel_64, diffusion_fixed_32)",
                cases::catalogue()
            )),
        )
    })?;
    if let Some(p) = &args.json {
        check_writable(p, "--json")?;
    }
    if let Some(p) = &args.plot {
        check_writable(p, "--plot")?;
    }
    if let Some(dir) = &args.images {
        if dir.exists() && !dir.is_dir() {
            return Err(Failure::plain(
                Error::new(
                    ErrorKind::Io,
                    format!("--images: `{}` is not a directory", dir.display()),
                )
                .help("give --images a directory (it is created if missing)"),
            ));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| io_failure(format!("cannot create `{}`", dir.display()), e))?;
    }

    let all = numjit::num_threads();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(selected.len() as u64);
        b.set_style(
            ProgressStyle::with_template("bench [{bar:20}] {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let load_before = loadavg();
    let mut ctx = Ctx {
        settings,
        all,
        copy_pools: Vec::new(),
        rows: Vec::new(),
        mismatches: Vec::new(),
        bar,
        case_label: String::new(),
    };
    let started = std::time::Instant::now();
    for (i, case) in selected.iter().enumerate() {
        ctx.case_label = case.name();
        match &ctx.bar {
            Some(b) => b.set_position(i as u64),
            None => eprintln!("bench: [{}/{}] {}", i + 1, selected.len(), case.name()),
        }
        ctx.status("");
        let outcome = match case.family.kind {
            Kind::Elementwise => run_elementwise(case, &mut ctx),
            Kind::DiffusionPeriodic | Kind::DiffusionFixed => diffusion::run(case, &mut ctx),
            Kind::Mandel => mandel::run(case, &mut ctx, args.images.as_deref()),
        };
        numjit::set_num_threads(all);
        outcome?;
    }
    if let Some(b) = &ctx.bar {
        b.finish_and_clear();
    }
    let numjit_secs = started.elapsed().as_secs_f64();

    let mut peer_notes = Vec::new();
    if args.peers {
        let (records, notes) = peers::run(&selected, &settings, all);
        peer_notes = notes;
        ctx.rows.extend(records.into_iter().map(Row::Measured));
    }
    numjit::set_num_threads(all);

    // Speed-ups over the naive evaluator of the same run.
    let mut records: Vec<Record> = ctx
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Measured(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    report::add_speedups(&mut records);
    let mut it = records.iter();
    for row in ctx.rows.iter_mut() {
        if let Row::Measured(r) = row {
            if let Some(done) = it.next() {
                *r = done.clone();
            }
        }
    }
    // Group the peers' rows with their case.
    let order: Vec<String> = selected.iter().map(Case::name).collect();
    ctx.rows.sort_by_key(|r| {
        let case = match r {
            Row::Measured(r) => &r.case,
            Row::Unsupported { case, .. } => case,
        };
        order.iter().position(|c| c == case).unwrap_or(usize::MAX)
    });

    let labels = |name: &str| {
        selected
            .iter()
            .find(|c| c.name() == name)
            .map_or_else(String::new, Case::n_label)
    };
    let mut text = report::table(&ctx.rows, &labels);
    text.push_str("\nSummary, median ns per element:\n\n");
    text.push_str(&report::summary(&records, &order, &labels));
    text.push_str(&format!(
        "\nns/elem: per element; diffusion: per cell and iteration; mandel: per cell for all \
         {} iterations.\nGB/s: minimal bytes per element (inputs read and output written \
         once) over the median time; `copy` is a plain copy of those bytes in this run (the \
         bandwidth reference).\nfused: one compiled kernel into a preallocated output; \
         naive: one temporary per operation. {} thread(s) = all. numjit part took {:.0} s; \
         load average before/after: {} / {}.\n",
        mandel::LIMIT,
        all,
        numjit_secs,
        load_before,
        loadavg()
    ));
    for n in &peer_notes {
        text.push_str(&format!("peers: {n}\n"));
    }
    if !ctx.mismatches.is_empty() {
        text.push_str("\nVALIDATION FAILED:\n");
        for m in &ctx.mismatches {
            text.push_str(&format!("  {m}\n"));
        }
    } else {
        text.push_str(
            "validation: every engine agrees with the naive evaluator (diffusion: and with a \
             plain Rust loop), bitwise except where transcendental functions or sums allow a \
             relative 1e-12.\n",
        );
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());

    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&records)
            .map_err(|e| Failure::plain(Error::new(ErrorKind::Internal, format!("JSON: {e}"))))?;
        report::write_whole(path, json.as_bytes())
            .map_err(|e| io_failure(format!("cannot write `{}`", path.display()), e))?;
    }
    if let Some(path) = &args.plot {
        let svg = plot::svg(&records, &order)
            .map_err(|e| Failure::plain(Error::new(ErrorKind::Internal, format!("plot: {e}"))))?;
        report::write_whole(path, svg.as_bytes())
            .map_err(|e| io_failure(format!("cannot write `{}`", path.display()), e))?;
    }
    if !ctx.mismatches.is_empty() {
        return Err(Failure::plain(
            Error::new(
                ErrorKind::Internal,
                format!(
                    "{} validation failure(s): an engine disagrees with the naive evaluator",
                    ctx.mismatches.len()
                ),
            )
            .help("this is a bug in numjit; please report it with the case names above"),
        ));
    }
    Ok(())
}

/// The 1-minute load average, or `?`.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Compiles `expr` for `vars`; an unknown function means the case is not supported
/// (yet): it is listed as such and `None` returned. Other errors fail the run.
pub fn compile_or_skip(
    ctx: &mut Ctx,
    case: &Case,
    expr: &str,
    sig: &Signature,
) -> Result<Option<numjit::Compiled>, Failure> {
    match numjit::compile(expr, sig) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind == ErrorKind::UnknownFunction => {
            ctx.rows.push(Row::Unsupported {
                case: case.name(),
                n_label: case.n_label(),
                why: e.message.clone(),
            });
            Ok(None)
        }
        Err(e) => Err(Failure::in_expr(e, expr)),
    }
}

/// An elementwise (or reduction) case: naive, fused on 1 and all threads, copy.
fn run_elementwise(case: &Case, ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.status("inputs");
    let inputs = Inputs::new(case);
    let vars = inputs.vars();
    let expr = case.family.expr;
    let Some(f) = compile_or_skip(ctx, case, expr, &Signature::of(&vars))? else {
        return Ok(());
    };
    let fail = |e: Error| Failure::in_expr(e, expr);
    ctx.status("naive");
    let want = f.run_naive(&vars).map_err(fail)?;
    let bytes = Some(case.family.bytes_per_elem);
    let elems = case.elems();
    let t = measure::time_calls(&ctx.settings, || {
        std::hint::black_box(f.run_naive(&vars).map_err(fail)?);
        Ok(())
    })?;
    ctx.record(case, "naive", 1, t, elems, bytes);

    let mut out = Array::zeros(want.dtype(), want.shape());
    for threads in ctx.thread_counts() {
        ctx.status(&format!("fused {threads}T"));
        numjit::set_num_threads(threads);
        f.run_into(&vars, &mut out).map_err(fail)?;
        ctx.check(case, &format!("fused {threads}T"), &out, &want);
        let t = measure::time_calls(&ctx.settings, || f.run_into(&vars, &mut out).map_err(fail))?;
        ctx.record(case, "fused", threads, t, elems, bytes);
    }
    drop(vars);
    drop(inputs);
    drop(want);
    ctx.copy_reference(case, case.family.bytes_per_elem, 1)
}
