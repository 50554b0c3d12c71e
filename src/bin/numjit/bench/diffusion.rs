//! The 2-D diffusion cases of `numjit bench` (D = 1, dt = 0.1, 5-point Laplacian):
//! periodic boundaries as in *High Performance Python* ch. 6, and fixed boundaries
//! updating only the interior as in the ENCCS Laplace exercise.
//!
//! Both keep the grid in an array with a one-cell border, so that the four neighbours
//! of the interior are shifted *views* of the same buffer and one evaluate per time
//! step computes the whole update into the interior of a second buffer; the buffers
//! are then swapped. For periodic boundaries the border is a halo refreshed from the
//! opposite edges before each step (4·n element copies against 7·n² operations), which
//! replaces NumPy's four `np.roll` copies. The alternative, `fused_split`, keeps the
//! plain n×n grid and splits each step into nine evaluates (interior, four edges, four
//! corners) whose wrapped neighbours are again views; it is measured alongside so the
//! choice stays checked (it pays the call overhead nine times per step, and its edge
//! rows and columns are short or strided).
//!
//! Engines: `naive` (the naive evaluator, one temporary per operation, then copied into
//! the interior), `fused` (the JIT straight into the interior). A plain Rust loop
//! with explicit wrap-around is the independent reference every engine must equal
//! bitwise.

use super::cases::{Case, Kind};
use super::measure;
use super::Ctx;
use crate::Failure;
use ndarray::{s, Array2};
use numjit::{AnyView, Compiled, Literal, Signature, Vars};

const DT: f64 = 0.1;
const D: f64 = 1.0;

/// Time steps per run: the full suite runs 100 as the book does.
fn iterations(ctx: &Ctx) -> usize {
    if ctx.settings.quick {
        20
    } else {
        100
    }
}

/// Time steps per run of the naive engine: fewer on large grids (each of its
/// temporaries is a fresh allocation, so it is slow), at most 10⁸ cell updates a run.
fn naive_iterations(iters: usize, cells: usize) -> usize {
    iters.min((100_000_000 / cells.max(1)).max(2))
}

/// The grid with its border: `side` = n + 2 (periodic, n the grid) or n (fixed).
fn initial(case: &Case) -> Array2<f64> {
    let periodic = case.family.kind == Kind::DiffusionPeriodic;
    let n = case.size;
    let side = if periodic { n + 2 } else { n };
    let off = usize::from(periodic);
    let mut g = Array2::<f64>::zeros((side, side));
    let (lo, hi) = ((n as f64 * 0.4) as usize, (n as f64 * 0.5) as usize);
    for i in lo..hi {
        for j in lo..hi {
            g[[i + off, j + off]] = 0.005;
        }
    }
    if !periodic {
        // A hot top wall, so the fixed boundary matters.
        g.row_mut(0).fill(1.0);
    }
    g
}

/// Copies the opposite edges of the interior into the halo (periodic boundaries).
fn refresh_halo(g: &mut Array2<f64>) {
    let side = g.nrows();
    let n = side - 2;
    for j in 1..=n {
        g[[0, j]] = g[[n, j]];
        g[[n + 1, j]] = g[[1, j]];
    }
    for i in 1..=n {
        g[[i, 0]] = g[[i, n]];
        g[[i, n + 1]] = g[[i, 1]];
    }
}

/// The grid and its four neighbours as views of `g` (interior cells only).
fn vars(g: &Array2<f64>) -> Vars<'_> {
    let m = g.nrows() - 1;
    let mut v = Vars::new();
    let view = |r: std::ops::Range<usize>, c: std::ops::Range<usize>| {
        AnyView::Float64(g.slice(s![r, c]).into_dyn())
    };
    v.insert("g", view(1..m, 1..m))
        .insert("up", view(0..m - 1, 1..m))
        .insert("dn", view(2..m + 1, 1..m))
        .insert("lf", view(1..m, 0..m - 1))
        .insert("rt", view(1..m, 2..m + 1))
        .insert("dt", Literal::Float(DT))
        .insert("D", Literal::Float(D));
    v
}

/// One time step from `src` into `dst` (whose border is already right).
fn step(
    f: &Compiled,
    naive: bool,
    periodic: bool,
    src: &mut Array2<f64>,
    dst: &mut Array2<f64>,
) -> Result<(), Failure> {
    if periodic {
        refresh_halo(src);
    }
    let m = dst.nrows() - 1;
    let vars = vars(src);
    let mut out = dst.slice_mut(s![1..m, 1..m]);
    if naive {
        f.run_into_naive(&vars, &mut out)
    } else {
        f.run_into(&vars, &mut out)
    }
    .map_err(|e| Failure::in_expr(e, f.source()))
}

/// The rows (or columns) of one band of the split periodic step, and those `delta`
/// (±1) away with wrap-around: bands are `{0}`, `1..n-1` and `{n-1}`.
fn band(band: usize, delta: isize, n: usize) -> std::ops::Range<usize> {
    let (lo, hi) = match band {
        0 => (0, 1),
        1 => (1, n - 1),
        _ => (n - 1, n),
    };
    let shift = |k: usize| (k as isize + delta).rem_euclid(n as isize) as usize;
    if band == 1 {
        shift(lo)..shift(lo) + (hi - lo)
    } else {
        shift(lo)..shift(lo) + 1
    }
}

/// One periodic step over the plain n×n grid as nine evaluates, neighbours wrapping
/// through views of the opposite edge.
fn step_split(f: &Compiled, src: &Array2<f64>, dst: &mut Array2<f64>) -> Result<(), Failure> {
    let n = src.nrows();
    for rb in 0..3 {
        for cb in 0..3 {
            let (r, c) = (band(rb, 0, n), band(cb, 0, n));
            if r.is_empty() || c.is_empty() {
                continue;
            }
            let view = |r: std::ops::Range<usize>, c: std::ops::Range<usize>| {
                AnyView::Float64(src.slice(s![r, c]).into_dyn())
            };
            let mut v = Vars::new();
            v.insert("g", view(r.clone(), c.clone()))
                .insert("up", view(band(rb, -1, n), c.clone()))
                .insert("dn", view(band(rb, 1, n), c.clone()))
                .insert("lf", view(r.clone(), band(cb, -1, n)))
                .insert("rt", view(r.clone(), band(cb, 1, n)))
                .insert("dt", Literal::Float(DT))
                .insert("D", Literal::Float(D));
            f.run_into(&v, &mut dst.slice_mut(s![r, c]))
                .map_err(|e| Failure::in_expr(e, f.source()))?;
        }
    }
    Ok(())
}

/// The same iterations as a plain loop, wrap-around by index arithmetic; same operation
/// order as the expression, so results are bitwise equal.
fn reference(case: &Case, iters: usize) -> Array2<f64> {
    let periodic = case.family.kind == Kind::DiffusionPeriodic;
    let mut g = initial(case);
    let mut next = g.clone();
    let side = g.nrows();
    let c = DT * D;
    for _ in 0..iters {
        if periodic {
            let n = side - 2;
            // indices 1..=n are the grid; neighbours wrap within it
            let w = |k: usize| (k + n - 1) % n + 1;
            for i in 1..=n {
                for j in 1..=n {
                    let (up, dn) = (g[[w(i - 1), j]], g[[w(i + 1), j]]);
                    let (lf, rt) = (g[[i, w(j - 1)]], g[[i, w(j + 1)]]);
                    let x = g[[i, j]];
                    next[[i, j]] = x + c * (up + dn + lf + rt - 4.0 * x);
                }
            }
        } else {
            for i in 1..side - 1 {
                for j in 1..side - 1 {
                    let x = g[[i, j]];
                    let sum = g[[i - 1, j]] + g[[i + 1, j]] + g[[i, j - 1]] + g[[i, j + 1]];
                    next[[i, j]] = x + c * (sum - 4.0 * x);
                }
            }
        }
        std::mem::swap(&mut g, &mut next);
    }
    g
}

/// The interior (the grid proper for periodic, everything updated for fixed).
fn interior(g: &Array2<f64>) -> numjit::Array {
    let m = g.nrows() - 1;
    numjit::Array::Float64(g.slice(s![1..m, 1..m]).to_owned().into_dyn())
}

pub fn run(case: &Case, ctx: &mut Ctx) -> Result<(), Failure> {
    let periodic = case.family.kind == Kind::DiffusionPeriodic;
    let iters = iterations(ctx);
    let init = initial(case);
    let sig = Signature::of(&vars(&init));
    let Some(f) = super::compile_or_skip(ctx, case, case.family.expr, &sig)? else {
        return Ok(());
    };
    let reps = if ctx.settings.quick {
        3
    } else if case.size < 1000 {
        5
    } else {
        3
    };
    let cells = case.elems();
    let bytes = Some(case.family.bytes_per_elem);
    let setup = || (init.clone(), init.clone());
    let run = |naive: bool, state: &mut (Array2<f64>, Array2<f64>), k: usize| {
        for _ in 0..k {
            let (a, b) = state;
            step(&f, naive, periodic, a, b)?;
            std::mem::swap(a, b);
        }
        Ok::<(), Failure>(())
    };

    ctx.status("reference");
    let want = interior(&reference(case, iters));
    let naive_iters = naive_iterations(iters, cells);
    let want_naive = if naive_iters == iters {
        want.clone()
    } else {
        interior(&reference(case, naive_iters))
    };
    let budget = ctx.settings.budget();
    let mut engines = vec![(true, 1)];
    engines.extend(ctx.thread_counts().into_iter().map(|t| (false, t)));
    for (naive, threads) in engines {
        let name = if naive { "naive" } else { "fused" };
        ctx.status(&format!("{name} {threads}T"));
        numjit::set_num_threads(threads);
        run(naive, &mut setup(), 2)?; // warm-up (compiles the kernel)
        let k = if naive { naive_iters } else { iters };
        let (t, last) = measure::time_runs(reps, k, budget, setup, |s| run(naive, s, k))?;
        let want = if naive { &want_naive } else { &want };
        ctx.check(
            case,
            &format!("{name} {threads}T"),
            &interior(&last.0),
            want,
        );
        ctx.record(case, name, threads, t, cells, bytes);
    }
    if periodic {
        let plain = interior(&init)
            .into_f64()
            .and_then(|a| a.into_dimensionality().ok())
            .unwrap_or_default();
        let run_split = |state: &mut (Array2<f64>, Array2<f64>), k: usize| {
            for _ in 0..k {
                let (a, b) = state;
                step_split(&f, a, b)?;
                std::mem::swap(a, b);
            }
            Ok::<(), Failure>(())
        };
        let setup = || (plain.clone(), plain.clone());
        for threads in ctx.thread_counts() {
            ctx.status(&format!("fused_split {threads}T"));
            numjit::set_num_threads(threads);
            run_split(&mut setup(), 2)?;
            let (t, last) =
                measure::time_runs(reps, iters, budget, setup, |s| run_split(s, iters))?;
            let got = numjit::Array::Float64(last.0.into_dyn());
            ctx.check(case, &format!("fused_split {threads}T"), &got, &want);
            ctx.record(case, "fused_split", threads, t, cells, bytes);
        }
    }
    ctx.copy_reference(case, case.family.bytes_per_elem, 1)
}
