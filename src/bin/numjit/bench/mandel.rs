//! The Mandelbrot case of `numjit bench`: escape counts computed array-wise, limit 50,
//! over c = linspace(-2, 0.5) + 1j·linspace(-1.25, 1.25) (the course notebook's window).
//!
//! Each iteration, from z₀ = 0 and n₀ = 0:
//!   n ← n + (abs(z) <= 2)                       (counts the iterations before escape)
//!   z ← where(abs(z) <= 2, z*z + c, z)          (an escaped z stays put)
//! so n is the escape iteration, or the limit inside the set. `naive`: both with the
//! naive evaluator, one temporary per operation, a fresh z and n every iteration.
//! `fused`: one compiled evaluate per array per iteration, each into the other of two
//! buffers (safe Rust cannot hand the same buffer as input and `out`; ping-pong moves
//! the same bytes). Counts and z must agree bitwise between engines. `--images` writes
//! the counts as a PNG.

use super::cases::Case;
use super::measure;
use super::report::write_whole;
use super::Ctx;
use crate::Failure;
use ndarray::Array2;
use num_complex::Complex64;
use numjit::error::{Error, ErrorKind};
use numjit::{Array, Compiled, Signature, Vars};
use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
use std::path::Path;

/// Iteration limit.
pub const LIMIT: usize = 50;
const COUNT: &str = "n + (abs(z) <= 2)";
const UPDATE: &str = "where(abs(z) <= 2, z*z + c, z)";

fn linspace(a: f64, b: f64, k: usize) -> impl Iterator<Item = f64> {
    let step = if k > 1 { (b - a) / (k - 1) as f64 } else { 0.0 };
    (0..k).map(move |i| if i + 1 == k { b } else { a + step * i as f64 })
}

/// c: rows are the imaginary axis, columns the real axis.
fn position(g: usize) -> Array2<Complex64> {
    let xs: Vec<f64> = linspace(-2.0, 0.5, g).collect();
    let ys: Vec<f64> = linspace(-1.25, 1.25, g).collect();
    Array2::from_shape_fn((g, g), |(i, j)| Complex64::new(xs[j], ys[i]))
}

struct State {
    z: Array2<Complex64>,
    n: Array2<i32>,
    z2: Array2<Complex64>,
    n2: Array2<i32>,
}

impl State {
    fn new(g: usize) -> State {
        State {
            z: Array2::zeros((g, g)),
            n: Array2::zeros((g, g)),
            z2: Array2::zeros((g, g)),
            n2: Array2::zeros((g, g)),
        }
    }
}

fn fail(f: &Compiled) -> impl Fn(Error) -> Failure + '_ {
    move |e| Failure::in_expr(e, f.source())
}

fn to_z(a: Array) -> Result<Array2<Complex64>, Failure> {
    a.into_c128()
        .and_then(|a| a.into_dimensionality().ok())
        .ok_or_else(|| Failure::plain(Error::new(ErrorKind::Internal, "z is not a 2-D complex128")))
}

fn to_n(a: Array) -> Result<Array2<i32>, Failure> {
    a.into_i32()
        .and_then(|a| a.into_dimensionality().ok())
        .ok_or_else(|| Failure::plain(Error::new(ErrorKind::Internal, "n is not a 2-D int32")))
}

/// `LIMIT` iterations.
fn iterate(
    count: &Compiled,
    update: &Compiled,
    c: &Array2<Complex64>,
    naive: bool,
    s: &mut State,
) -> Result<(), Failure> {
    for _ in 0..LIMIT {
        let mut vn = Vars::new();
        vn.insert("n", &s.n).insert("z", &s.z);
        let mut vz = Vars::new();
        vz.insert("z", &s.z).insert("c", c);
        if naive {
            let n = to_n(count.run_naive(&vn).map_err(fail(count))?)?;
            let z = to_z(update.run_naive(&vz).map_err(fail(update))?)?;
            drop((vn, vz));
            s.n = n;
            s.z = z;
        } else {
            count.run_into(&vn, &mut s.n2).map_err(fail(count))?;
            update.run_into(&vz, &mut s.z2).map_err(fail(update))?;
            drop((vn, vz));
            std::mem::swap(&mut s.n, &mut s.n2);
            std::mem::swap(&mut s.z, &mut s.z2);
        }
    }
    Ok(())
}

pub fn run(case: &Case, ctx: &mut Ctx, images: Option<&Path>) -> Result<(), Failure> {
    let g = case.size;
    let c = position(g);
    let probe = State::new(1);
    let mut vn = Vars::new();
    vn.insert("n", &probe.n).insert("z", &probe.z);
    let mut vz = Vars::new();
    vz.insert("z", &probe.z).insert("c", &probe.z);
    let Some(count) = super::compile_or_skip(ctx, case, COUNT, &Signature::of(&vn))? else {
        return Ok(());
    };
    let Some(update) = super::compile_or_skip(ctx, case, UPDATE, &Signature::of(&vz))? else {
        return Ok(());
    };
    let reps = if ctx.settings.quick {
        3
    } else if g < 500 {
        5
    } else {
        3
    };
    let bytes = Some(case.family.bytes_per_elem * LIMIT as f64);
    let mut engines = vec![(true, 1)];
    engines.extend(ctx.thread_counts().into_iter().map(|t| (false, t)));
    let mut want: Option<(Array, Array)> = None;
    for (naive, threads) in engines {
        let name = if naive { "naive" } else { "fused" };
        ctx.status(&format!("{name} {threads}T"));
        numjit::set_num_threads(threads);
        iterate(&count, &update, &c, naive, &mut State::new(g))?; // warm-up
        let (t, last) = measure::time_runs(
            reps,
            1,
            ctx.settings.budget(),
            || State::new(g),
            |s| iterate(&count, &update, &c, naive, s),
        )?;
        let got = (
            Array::Int32(last.n.into_dyn()),
            Array::Complex128(last.z.into_dyn()),
        );
        match &want {
            None => {
                if let (Some(dir), Array::Int32(n)) = (images, &got.0) {
                    ctx.status("image");
                    write_png(&dir.join(format!("{}.png", case.name())), n)?;
                }
                want = Some(got);
            }
            Some((wn, wz)) => {
                let engine = format!("{name} {threads}T");
                ctx.check(case, &format!("{engine} counts"), &got.0, wn);
                ctx.check(case, &format!("{engine} z"), &got.1, wz);
            }
        }
        ctx.record(case, name, threads, t, case.elems(), bytes);
    }
    ctx.copy_reference(case, case.family.bytes_per_elem, LIMIT)
}

/// The escape counts as an RGB PNG: viridis by count, black inside the set.
fn write_png(path: &Path, n: &ndarray::ArrayD<i32>) -> Result<(), Failure> {
    let (h, w) = (n.shape()[0], n.shape()[1]);
    let mut rgb = Vec::with_capacity(h * w * 3);
    for &k in n.iter() {
        if k as usize >= LIMIT {
            rgb.extend_from_slice(&[0, 0, 0]);
        } else {
            let col = ViridisRGB.get_color_normalized(k as f32, 0.0, LIMIT as f32);
            rgb.extend_from_slice(&[col.0, col.1, col.2]);
        }
    }
    let mut bytes = Vec::new();
    let encoded = (|| {
        let mut enc = png::Encoder::new(&mut bytes, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&rgb)?;
        writer.finish()
    })();
    let io = |msg: String| {
        Failure::plain(
            Error::new(ErrorKind::Io, msg).help("check the --images directory and its permissions"),
        )
    };
    encoded.map_err(|e| io(format!("cannot encode `{}`: {e}", path.display())))?;
    write_whole(path, &bytes).map_err(|e| io(format!("cannot write `{}`: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window() {
        let c = position(5);
        assert_eq!(c[[0, 0]], Complex64::new(-2.0, -1.25));
        assert_eq!(c[[4, 4]], Complex64::new(0.5, 1.25));
        assert_eq!(c[[2, 3]], Complex64::new(-0.125, 0.0));
    }
}
