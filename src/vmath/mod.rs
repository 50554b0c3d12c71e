//! Vector math over slices: the block-routine bodies of the math functions. Safe code.
//! Vectorised functions (float64; float32 through them, rounded once) run a branch-free
//! kernel (`kernels`: `sin cos exp exp2 log`; `logexp`: `expm1 log1p log2 log10 sinh cosh
//! nextafter`; `hyper`: `tanh arcsinh arccosh arctanh`; `invtrig`: `tan arctan arctan2
//! arcsin arccos`; `pow`: `hypot cbrt fmod` and float `**`) over fixed chunks of `CHUNK`
//! elements, which the compiler turns into SIMD; the last partial chunk is padded, so
//! every element goes through exactly the same arithmetic whatever its position, the
//! block length or the thread count.
//! Elements outside a kernel's range (huge trig arguments) take libm afterwards, by value.
//! float32 functions evaluate the float64 kernel and round once (≤ 0.5 ULP + 2^-29).
//! Every other function loops over its scalar rule (`crate::math`, i.e. libm).
//!
//! `apply_*_avx2` are the same code compiled with AVX2 and FMA enabled; the caller
//! (`codegen::mathcall`) picks them when the CPU has both. The kernels use `mul_add`,
//! which is always fused, so both builds give bitwise identical results (the portable
//! one is slower: its `mul_add` is a libm call). Knows nothing of CLIF or the kernel ABI.

mod casin;
mod complex;
mod ctan;
mod hyper;
mod invtrig;
mod kernels;
mod logexp;
mod pow;

pub use complex::{apply_c128, pow_c128, pow_c128_one, sqrt_c128, sqrt_c128_one};
#[cfg(target_arch = "x86_64")]
pub use complex::{
    apply_c128_avx2, apply_c128_avx512, pow_c128_avx2, pow_c128_avx512, sqrt_c128_avx2,
    sqrt_c128_avx512,
};
pub use kernels::TRIG_LIMIT;

use crate::math::Math;

/// A kernel as an always-inlined closure. Passed as a plain function item, a large kernel
/// can stay an out-of-line call compiled for the baseline target, outside the caller's
/// AVX2+FMA build, where every `mul_add` is a libm call (measured: `expm1` 43 ns and
/// `cosh` 78 ns per element instead of ~4).
macro_rules! k64 {
    ($f:path) => {
        #[inline(always)]
        |x: f64| $f(x)
    };
}

/// [`k64!`] for a binary kernel.
macro_rules! k2 {
    ($f:path) => {
        #[inline(always)]
        |x: f64, y: f64| $f(x, y)
    };
}

/// Defines `$avx2` and `$avx512`: `$body` (a call of an `#[inline(always)]` function)
/// compiled for AVX2 + FMA and for AVX-512 (F, DQ, VL). Their results are bitwise the
/// portable build's: `mul_add` is fused in all three and the rest is IEEE arithmetic;
/// the wider builds only run more lanes at once (AVX-512: 1.6–1.7× AVX2 measured).
/// Callers must check the CPU first (`codegen::mathcall` does, once per process).
macro_rules! simd_builds {
    ($avx2:ident, $avx512:ident, ($($arg:ident: $t:ty),*), $body:block) => {
        /// The portable function of the same name, compiled for AVX2 + FMA.
        ///
        /// # Safety
        /// Call only on a CPU with AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        #[allow(clippy::redundant_closure)]
        pub fn $avx2($($arg: $t),*) $body

        /// The portable function of the same name, compiled for AVX-512.
        ///
        /// # Safety
        /// Call only on a CPU with AVX-512 F, DQ and VL, AVX2 and FMA.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
        #[allow(clippy::redundant_closure)]
        pub fn $avx512($($arg: $t),*) $body
    };
}
pub(crate) use simd_builds;

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

simd_builds!(sin_cos_f64_avx2, sin_cos_f64_avx512, (x: &[f64], s: &mut [f64], c: &mut [f64]), {
    run_sin_cos(x, s, c, |v| v, |v| v)
});

/// `s[i] = sin(x[i])`, `c[i] = cos(x[i])` on float32 (float64 kernel, rounded once).
pub fn sin_cos_f32(x: &[f32], s: &mut [f32], c: &mut [f32]) {
    run_sin_cos(x, s, c, |v| v as f64, |v| v as f32)
}

simd_builds!(sin_cos_f32_avx2, sin_cos_f32_avx512, (x: &[f32], s: &mut [f32], c: &mut [f32]), {
    run_sin_cos(x, s, c, |v| v as f64, |v| v as f32)
});

#[inline(always)]
fn trig_ok(x: f64) -> bool {
    x.abs() <= TRIG_LIMIT
}

// The `invtrig` kernels are passed as `#[inline(always)]` closures: a large kernel behind
// a plain closure or fn item is not inlined, and then runs outside the AVX2 + FMA build
// (its `mul_add` a libm call, ~20× slower).
#[allow(clippy::redundant_closure)]
#[inline(always)]
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
        Math::Exp => run(a, out, k64!(kernels::exp), always, f64::exp, 1.0),
        Math::Exp2 => run(a, out, k64!(kernels::exp2), always, f64::exp2, 1.0),
        Math::Log => run(a, out, k64!(kernels::log), always, f64::ln, 1.0),
        Math::Expm1 => run(a, out, k64!(logexp::expm1), always, f64::exp_m1, 1.0),
        Math::Log1p => run(a, out, k64!(logexp::log1p), always, f64::ln_1p, 1.0),
        Math::Log2 => run(a, out, k64!(logexp::log2), always, f64::log2, 1.0),
        Math::Log10 => run(a, out, k64!(logexp::log10), always, f64::log10, 1.0),
        Math::Sinh => run(a, out, k64!(logexp::sinh), always, f64::sinh, 1.0),
        Math::Cosh => run(a, out, k64!(logexp::cosh), always, f64::cosh, 1.0),
        Math::Tanh => run(a, out, k64!(hyper::tanh), always, f64::tanh, 1.0),
        Math::Arcsinh => run(a, out, k64!(hyper::arcsinh), always, f64::asinh, 1.0),
        Math::Arccosh => run(a, out, k64!(hyper::arccosh), always, f64::acosh, 1.0),
        Math::Arctanh => run(a, out, k64!(hyper::arctanh), always, f64::atanh, 0.5),
        Math::Tan => run(a, out, k64!(invtrig::tan), trig_ok, f64::tan, 1.0),
        Math::Arctan => run(a, out, k64!(invtrig::atan), always, f64::atan, 1.0),
        Math::Arcsin => run(a, out, k64!(invtrig::asin), always, f64::asin, 1.0),
        Math::Arccos => run(a, out, k64!(invtrig::acos), always, f64::acos, 1.0),
        Math::Arctan2 => run2(a, b, out, k2!(invtrig::atan2), always2, f64::atan2, 1.0),
        Math::Cbrt => run(a, out, k64!(pow::cbrt), always, f64::cbrt, 1.0),
        Math::Hypot => run2(a, b, out, k2!(pow::hypot), always2, f64::hypot, 1.0),
        Math::Fmod => run2(a, b, out, k2!(pow::fmod), pow::fmod_ok, |x, y| x % y, 1.0),
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

/// Elements per float64 buffer when a float32 routine goes through the float64 kernels.
const F32_BUF: usize = 256;

/// float32: the functions with a float64 kernel convert a buffer of `F32_BUF` elements to
/// float64, run [`apply_f64_impl`] on it (kernel and slow path alike) and round each
/// result once, which is the scalar rule's definition (`Math::float` on float32). Going
/// through whole float64 buffers keeps the kernels in their vectorised float64 loops
/// (compiled per element inside a float32 closure, `tanh` measured 12.7 ns/elem instead
/// of 4). `fmod` is exact in float64, so its float32 result is the same as well.
#[inline(always)]
fn apply_f32_impl(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    match f {
        Math::Nextafter => {
            for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                *o = logexp::nextafter32(x, y);
            }
        }
        f if f.is_approximate() || f == Math::Fmod => {
            let n = a.len().min(b.len()).min(out.len());
            let mut xa = [0.0f64; F32_BUF];
            let mut xb = [0.0f64; F32_BUF];
            let mut r = [0.0f64; F32_BUF];
            let mut i = 0;
            while i < n {
                let m = (n - i).min(F32_BUF);
                for j in 0..m {
                    xa[j] = a[i + j] as f64;
                    xb[j] = b[i + j] as f64;
                }
                apply_f64_impl(f, &xa[..m], &xb[..m], &mut r[..m]);
                for j in 0..m {
                    out[i + j] = r[j] as f32;
                }
                i += m;
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

simd_builds!(apply_f64_avx2, apply_f64_avx512, (f: Math, a: &[f64], b: &[f64], out: &mut [f64]), {
    apply_f64_impl(f, a, b, out)
});

/// `out[i] = f(a[i], b[i])` on float32.
pub fn apply_f32(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    apply_f32_impl(f, a, b, out)
}

simd_builds!(apply_f32_avx2, apply_f32_avx512, (f: Math, a: &[f32], b: &[f32], out: &mut [f32]), {
    apply_f32_impl(f, a, b, out)
});

// The pow kernel goes to `run2` through `k2!` (an `#[inline(always)]` closure): passed as
// a function item (or a plain closure) it was left out of line, one scalar call per
// element (built without AVX2 for the function item): 115 and 42 ns/element, not 12.7.

#[allow(clippy::redundant_closure)]
#[inline(always)]
fn pow_f64_impl(a: &[f64], b: &[f64], out: &mut [f64]) {
    run2(a, b, out, k2!(pow::pow), |_, _| true, f64::powf, 1.0)
}

/// `out[i] = a[i] ** b[i]` (C99 `pow`) on float64.
pub fn pow_f64(a: &[f64], b: &[f64], out: &mut [f64]) {
    pow_f64_impl(a, b, out)
}

simd_builds!(pow_f64_avx2, pow_f64_avx512, (a: &[f64], b: &[f64], out: &mut [f64]), {
    pow_f64_impl(a, b, out)
});

#[inline(always)]
fn pow32(x: f32, y: f32) -> f32 {
    pow::pow(x as f64, y as f64) as f32
}

#[allow(clippy::redundant_closure)]
#[inline(always)]
fn pow_f32_impl(a: &[f32], b: &[f32], out: &mut [f32]) {
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

/// `out[i] = a[i] ** b[i]` on float32 (float64 kernel, rounded once).
pub fn pow_f32(a: &[f32], b: &[f32], out: &mut [f32]) {
    pow_f32_impl(a, b, out)
}

simd_builds!(pow_f32_avx2, pow_f32_avx512, (a: &[f32], b: &[f32], out: &mut [f32]), {
    pow_f32_impl(a, b, out)
});

/// Integer functions that are block routines (`fmod`).
pub fn apply_int<I>(f: Math, a: &[I], b: &[I], out: &mut [I])
where
    I: Copy + Ord + Default + num_traits::PrimInt + num_traits::Signed,
{
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f.int(x, y);
    }
}
