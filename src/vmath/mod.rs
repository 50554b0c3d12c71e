//! Vector math over slices: the block-routine bodies of the math functions. Safe code.
//! Vectorised functions (`sin cos exp exp2 log`, float64 and float32) run a branch-free
//! kernel (`kernels`; `expm1 log1p log2 log10 sinh cosh nextafter` in `logexp`; `hypot
//! cbrt fmod` and float `**` in `pow`) over fixed chunks of `CHUNK` elements, which the
//! compiler turns into SIMD; the last partial chunk is padded, so every element goes through exactly
//! the same arithmetic whatever its position, the block length or the thread count.
//! Elements outside a kernel's range (huge trig arguments) take libm afterwards, by value.
//! float32 functions evaluate the float64 kernel and round once (≤ 0.5 ULP + 2^-29).
//! Every other function loops over its scalar rule (`crate::math`, i.e. libm).
//!
//! `apply_*_avx2` are the same code compiled with AVX2 and FMA enabled; the caller
//! (`codegen::mathcall`) picks them when the CPU has both. The kernels use `mul_add`,
//! which is always fused, so both builds give bitwise identical results (the portable
//! one is slower: its `mul_add` is a libm call). Knows nothing of CLIF or the kernel ABI.

mod kernels;
mod logexp;
mod pow;

pub use kernels::TRIG_LIMIT;

use crate::math::Math;

/// Elements per chunk (two 256-bit vectors of float64).
const CHUNK: usize = 8;

/// Applies `k` to every element of `x`; then `slow` (libm) where `fast_ok` is false.
#[inline(always)]
fn run<T: Copy + Default>(
    x: &[T],
    out: &mut [T],
    k: impl Fn(T) -> T + Copy,
    fast_ok: impl Fn(T) -> bool + Copy,
    slow: impl Fn(T) -> T + Copy,
    pad: T,
) {
    let n = x.len().min(out.len());
    let (x, out) = (&x[..n], &mut out[..n]);
    let mut xs = x.chunks_exact(CHUNK);
    let mut os = out.chunks_exact_mut(CHUNK);
    for (xc, oc) in (&mut xs).zip(&mut os) {
        let mut all = true;
        for i in 0..CHUNK {
            oc[i] = k(xc[i]);
            all &= fast_ok(xc[i]);
        }
        if !all {
            for i in 0..CHUNK {
                if !fast_ok(xc[i]) {
                    oc[i] = slow(xc[i]);
                }
            }
        }
    }
    let rx = xs.remainder();
    let ro = os.into_remainder();
    if !rx.is_empty() {
        // The tail goes through the same kernel, padded to a whole chunk.
        let mut buf = [pad; CHUNK];
        buf[..rx.len()].copy_from_slice(rx);
        let mut res = [T::default(); CHUNK];
        for i in 0..CHUNK {
            res[i] = k(buf[i]);
        }
        for i in 0..rx.len() {
            ro[i] = if fast_ok(rx[i]) { res[i] } else { slow(rx[i]) };
        }
    }
}

/// `out[i] = k(a[i], b[i])` over chunks like [`run`]; then `slow` where `fast_ok` is false.
#[inline(always)]
fn run2<T: Copy + Default>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    k: impl Fn(T, T) -> T + Copy,
    fast_ok: impl Fn(T, T) -> bool + Copy,
    slow: impl Fn(T, T) -> T + Copy,
    pad: T,
) {
    let n = a.len().min(b.len()).min(out.len());
    let (a, b, out) = (&a[..n], &b[..n], &mut out[..n]);
    let mut xs = a.chunks_exact(CHUNK);
    let mut ys = b.chunks_exact(CHUNK);
    let mut os = out.chunks_exact_mut(CHUNK);
    for ((xc, yc), oc) in (&mut xs).zip(&mut ys).zip(&mut os) {
        let mut all = true;
        for i in 0..CHUNK {
            oc[i] = k(xc[i], yc[i]);
            all &= fast_ok(xc[i], yc[i]);
        }
        if !all {
            for i in 0..CHUNK {
                if !fast_ok(xc[i], yc[i]) {
                    oc[i] = slow(xc[i], yc[i]);
                }
            }
        }
    }
    let (rx, ry) = (xs.remainder(), ys.remainder());
    let ro = os.into_remainder();
    if !rx.is_empty() {
        // The tail goes through the same kernel, padded to a whole chunk.
        let mut bx = [pad; CHUNK];
        let mut by = [pad; CHUNK];
        bx[..rx.len()].copy_from_slice(rx);
        by[..ry.len()].copy_from_slice(ry);
        let mut res = [T::default(); CHUNK];
        for i in 0..CHUNK {
            res[i] = k(bx[i], by[i]);
        }
        for i in 0..rx.len() {
            ro[i] = if fast_ok(rx[i], ry[i]) {
                res[i]
            } else {
                slow(rx[i], ry[i])
            };
        }
    }
}

/// `sin` of every element of `x` into `s` and `cos` into `c`, one reduction for both;
/// element for element the same as `run` with the sin and cos kernels.
#[inline(always)]
fn run_sin_cos<T: Copy + Default>(
    x: &[T],
    s: &mut [T],
    c: &mut [T],
    to: impl Fn(T) -> f64 + Copy,
    from: impl Fn(f64) -> T + Copy,
) {
    let n = x.len().min(s.len()).min(c.len());
    let (x, s, c) = (&x[..n], &mut s[..n], &mut c[..n]);
    let mut i = 0;
    while i < n {
        let m = (n - i).min(CHUNK);
        // A whole chunk, or the tail padded with 1.0: the same arithmetic either way.
        let mut buf = [1.0f64; CHUNK];
        for j in 0..m {
            buf[j] = to(x[i + j]);
        }
        let mut rs = [0.0f64; CHUNK];
        let mut rc = [0.0f64; CHUNK];
        let mut all = true;
        for j in 0..CHUNK {
            let (a, b) = kernels::sin_cos(buf[j]);
            rs[j] = a;
            rc[j] = b;
            all &= trig_ok(buf[j]);
        }
        if !all {
            for j in 0..m {
                if !trig_ok(buf[j]) {
                    rs[j] = buf[j].sin();
                    rc[j] = buf[j].cos();
                }
            }
        }
        for j in 0..m {
            s[i + j] = from(rs[j]);
            c[i + j] = from(rc[j]);
        }
        i += m;
    }
}

/// `s[i] = sin(x[i])`, `c[i] = cos(x[i])` on float64.
pub fn sin_cos_f64(x: &[f64], s: &mut [f64], c: &mut [f64]) {
    run_sin_cos(x, s, c, |v| v, |v| v)
}

/// [`sin_cos_f64`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub fn sin_cos_f64_avx2(x: &[f64], s: &mut [f64], c: &mut [f64]) {
    run_sin_cos(x, s, c, |v| v, |v| v)
}

/// `s[i] = sin(x[i])`, `c[i] = cos(x[i])` on float32 (float64 kernel, rounded once).
pub fn sin_cos_f32(x: &[f32], s: &mut [f32], c: &mut [f32]) {
    run_sin_cos(x, s, c, |v| v as f64, |v| v as f32)
}

/// [`sin_cos_f32`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub fn sin_cos_f32_avx2(x: &[f32], s: &mut [f32], c: &mut [f32]) {
    run_sin_cos(x, s, c, |v| v as f64, |v| v as f32)
}

#[inline(always)]
fn trig_ok(x: f64) -> bool {
    x.abs() <= TRIG_LIMIT
}

#[inline(always)]
#[allow(clippy::redundant_closure)] // `#[inline(always)]` closures (see `pow_f64`)
fn apply_f64_impl(f: Math, a: &[f64], b: &[f64], out: &mut [f64]) {
    let always = |_: f64| true;
    let always2 = |_: f64, _: f64| true;
    match f {
        Math::Sin => run(
            a,
            out,
            |x| kernels::sincos(x, false),
            trig_ok,
            f64::sin,
            1.0,
        ),
        Math::Cos => run(a, out, |x| kernels::sincos(x, true), trig_ok, f64::cos, 1.0),
        Math::Exp => run(a, out, kernels::exp, always, f64::exp, 1.0),
        Math::Exp2 => run(a, out, kernels::exp2, always, f64::exp2, 1.0),
        Math::Log => run(a, out, kernels::log, always, f64::ln, 1.0),
        Math::Expm1 => run(a, out, logexp::expm1, always, f64::exp_m1, 1.0),
        Math::Log1p => run(a, out, logexp::log1p, always, f64::ln_1p, 1.0),
        Math::Log2 => run(a, out, logexp::log2, always, f64::log2, 1.0),
        Math::Log10 => run(a, out, logexp::log10, always, f64::log10, 1.0),
        Math::Sinh => run(a, out, logexp::sinh, always, f64::sinh, 1.0),
        Math::Cosh => run(a, out, logexp::cosh, always, f64::cosh, 1.0),
        // `#[inline(always)]` closures: see `pow_f64` (kernels passed as function items
        // may be left out of line).
        Math::Cbrt => run(
            a,
            out,
            #[inline(always)]
            |x| pow::cbrt(x),
            always,
            f64::cbrt,
            1.0,
        ),
        Math::Hypot => run2(
            a,
            b,
            out,
            #[inline(always)]
            |x, y| pow::hypot(x, y),
            always2,
            f64::hypot,
            1.0,
        ),
        Math::Fmod => run2(
            a,
            b,
            out,
            #[inline(always)]
            |x, y| pow::fmod(x, y),
            pow::fmod_ok,
            |x, y| x % y,
            1.0,
        ),
        Math::Nextafter => {
            for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                *o = logexp::nextafter64(x, y);
            }
        }
        _ => {
            for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                *o = f.float(x, y);
            }
        }
    }
}

#[inline(always)]
fn apply_f32_impl(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    let always = |_: f32| true;
    let trig32 = |x: f32| trig_ok(x as f64);
    let via = |g: fn(f64) -> f64| move |x: f32| g(x as f64) as f32;
    let via2 = |g: fn(f64, f64) -> f64| move |x: f32, y: f32| g(x as f64, y as f64) as f32;
    let always2 = |_: f32, _: f32| true;
    match f {
        Math::Sin => run(
            a,
            out,
            |x| kernels::sincos(x as f64, false) as f32,
            trig32,
            via(f64::sin),
            1.0,
        ),
        Math::Cos => run(
            a,
            out,
            |x| kernels::sincos(x as f64, true) as f32,
            trig32,
            via(f64::cos),
            1.0,
        ),
        Math::Exp => run(a, out, via(kernels::exp), always, via(f64::exp), 1.0),
        Math::Exp2 => run(a, out, via(kernels::exp2), always, via(f64::exp2), 1.0),
        Math::Log => run(a, out, via(kernels::log), always, via(f64::ln), 1.0),
        Math::Expm1 => run(a, out, via(logexp::expm1), always, via(f64::exp_m1), 1.0),
        Math::Log1p => run(a, out, via(logexp::log1p), always, via(f64::ln_1p), 1.0),
        Math::Log2 => run(a, out, via(logexp::log2), always, via(f64::log2), 1.0),
        Math::Log10 => run(a, out, via(logexp::log10), always, via(f64::log10), 1.0),
        Math::Sinh => run(a, out, via(logexp::sinh), always, via(f64::sinh), 1.0),
        Math::Cosh => run(a, out, via(logexp::cosh), always, via(f64::cosh), 1.0),
        Math::Cbrt => run(
            a,
            out,
            #[inline(always)]
            |x| pow::cbrt(x as f64) as f32,
            always,
            via(f64::cbrt),
            1.0,
        ),
        Math::Hypot => run2(
            a,
            b,
            out,
            #[inline(always)]
            |x, y| pow::hypot(x as f64, y as f64) as f32,
            always2,
            via2(f64::hypot),
            1.0,
        ),
        // float32 fmod in float64 is exact, and the result fits float32 exactly.
        Math::Fmod => run2(
            a,
            b,
            out,
            #[inline(always)]
            |x, y| pow::fmod(x as f64, y as f64) as f32,
            |x, y| pow::fmod_ok(x as f64, y as f64),
            |x, y| x % y,
            1.0,
        ),
        Math::Nextafter => {
            for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                *o = logexp::nextafter32(x, y);
            }
        }
        _ => {
            for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                *o = f.float(x, y);
            }
        }
    }
}

/// `out[i] = f(a[i], b[i])` (unary functions ignore `b`) on float64.
pub fn apply_f64(f: Math, a: &[f64], b: &[f64], out: &mut [f64]) {
    apply_f64_impl(f, a, b, out)
}

/// [`apply_f64`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub fn apply_f64_avx2(f: Math, a: &[f64], b: &[f64], out: &mut [f64]) {
    apply_f64_impl(f, a, b, out)
}

/// `out[i] = f(a[i], b[i])` on float32.
pub fn apply_f32(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    apply_f32_impl(f, a, b, out)
}

/// [`apply_f32`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
pub fn apply_f32_avx2(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    apply_f32_impl(f, a, b, out)
}

// The pow kernel goes to `run2` as an `#[inline(always)]` closure: passed as a function
// item (or a plain closure) it was left out of line, one scalar call per element (built
// without AVX2 for the function item): 115 and 42 ns/element instead of 12.7.

/// `out[i] = a[i] ** b[i]` (C99 `pow`) on float64.
#[allow(clippy::redundant_closure)]
pub fn pow_f64(a: &[f64], b: &[f64], out: &mut [f64]) {
    run2(
        a,
        b,
        out,
        #[inline(always)]
        |x, y| pow::pow(x, y),
        |_, _| true,
        f64::powf,
        1.0,
    )
}

/// [`pow_f64`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::redundant_closure)]
pub fn pow_f64_avx2(a: &[f64], b: &[f64], out: &mut [f64]) {
    run2(
        a,
        b,
        out,
        #[inline(always)]
        |x, y| pow::pow(x, y),
        |_, _| true,
        f64::powf,
        1.0,
    )
}

#[inline(always)]
fn pow32(x: f32, y: f32) -> f32 {
    pow::pow(x as f64, y as f64) as f32
}

/// `out[i] = a[i] ** b[i]` on float32 (float64 kernel, rounded once).
#[allow(clippy::redundant_closure)]
pub fn pow_f32(a: &[f32], b: &[f32], out: &mut [f32]) {
    run2(
        a,
        b,
        out,
        #[inline(always)]
        |x, y| pow32(x, y),
        |_, _| true,
        pow32,
        1.0,
    )
}

/// [`pow_f32`] compiled for AVX2 + FMA (same results).
///
/// # Safety
/// Call only on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::redundant_closure)]
pub fn pow_f32_avx2(a: &[f32], b: &[f32], out: &mut [f32]) {
    run2(
        a,
        b,
        out,
        #[inline(always)]
        |x, y| pow32(x, y),
        |_, _| true,
        pow32,
        1.0,
    )
}

/// Integer functions that are block routines (`fmod`).
pub fn apply_int<I>(f: Math, a: &[I], b: &[I], out: &mut [I])
where
    I: Copy + Ord + Default + num_traits::PrimInt + num_traits::Signed,
{
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f.int(x, y);
    }
}
