//! complex128 math functions over slices, vectorised: a block of interleaved complex
//! values is split into chunks of [`CHUNK`] real and imaginary parts (structure of
//! arrays, so one 256-bit register holds four real or four imaginary parts), each
//! function is a branch-free kernel on the two parts built from the float64 kernels, and
//! the results are interleaved back.
//!
//! A kernel returns `(re, im, ok)`. `ok` is false where the input is outside the range
//! the kernel's formula covers accurately: non-finite parts (C99's Annex G special cases),
//! overflow or underflow of intermediate values, trig arguments above `TRIG_LIMIT`, and a
//! few cancellation spots. Those elements take the scalar rule afterwards
//! (`Math::complex`, the C library's C99 function, NumPy's), so every special value is
//! NumPy's bitwise. On the rest, each part is within the bounds of docs/accuracy.md.
//!
//! Formulas (z = x + iy; NumPy's own formulas where NumPy has them):
//! - exp: eˣ·cos y + i·eˣ·sin y; exp2: 2ˣ·cis(y·ln 2) with the phase in double-double
//!   (NumPy rounds y·ln 2 first);
//!   expm1: expm1(x)·cos y − 2·sin²(y/2) + i·eˣ·sin y (NumPy's loop).
//! - sin: sin x·cosh y + i·cos x·sinh y; cos: cos x·cosh y + i·sinh(−y)·sin x;
//!   sinh: sinh x·cos y + i·cosh x·sin y; cosh: cosh x·cos y + i·sinh x·sin y.
//! - log: ½·log(x² + y²) + i·atan2(y, x), with x² + y² − 1 in double-double and log1p
//!   near the unit circle; log10 and log2 multiply both parts by log10(e) and log2(e)
//!   (NumPy); log1p: ½·log1p(2x + x² + y²) + i·atan2(y, x + 1), more accurate than
//!   NumPy's log(hypot(x + 1, y)) near |1 + z| = 1.
//! - sqrt: t = √((|x| + |z|)/2), then (t, y/2t) or (|y|/2t, ±t) (C99 `csqrt`).
//! - `a ** b`: e^(b·log a) with log a and the product in double-double.

use super::casin;
use super::hyper::pick;
use super::kernels::{self, two_sum, TRIG_LIMIT};
use super::{logexp, pow, simd_builds, CHUNK};
use crate::math::Math;
use num_complex::Complex64;

/// Largest |x| for which eˣ, sinh x and cosh x stay finite and normal.
const EXP_LIMIT: f64 = 708.0;
/// 2^-500 and 2^500: parts whose squares can be formed without underflow or overflow.
const TINY: f64 = 3.054936363499605e-151;
const HUGE: f64 = 3.273390607896142e150;

/// Is `v` zero or of a magnitude whose square is a normal number?
#[inline(always)]
pub(super) fn square_safe(v: f64) -> bool {
    let a = v.abs();
    a == 0.0 || (TINY..=HUGE).contains(&a)
}

/// One chunk: `k` on the parts of `zs` (one or two operands, `CHUNK` values each) into
/// `out`, then `slow` where `k` said not ok. Fixed trip counts, so the split into parts,
/// the kernel and the interleaving back all vectorise.
#[inline(always)]
fn chunk_c<const A: usize>(
    zs: [&[Complex64; CHUNK]; A],
    out: &mut [Complex64; CHUNK],
    k: impl Fn([(f64, f64); A]) -> (f64, f64, bool) + Copy,
    slow: impl Fn([Complex64; A]) -> Complex64 + Copy,
) {
    let mut re = [[0.0f64; CHUNK]; A];
    let mut im = [[0.0f64; CHUNK]; A];
    for o in 0..A {
        for j in 0..CHUNK {
            re[o][j] = zs[o][j].re;
            im[o][j] = zs[o][j].im;
        }
    }
    let mut rr = [0.0f64; CHUNK];
    let mut ri = [0.0f64; CHUNK];
    let mut ok = [false; CHUNK];
    let mut all = true;
    for j in 0..CHUNK {
        let (p, q, g) = k(std::array::from_fn(|o| (re[o][j], im[o][j])));
        rr[j] = p;
        ri[j] = q;
        ok[j] = g;
        all &= g;
    }
    for j in 0..CHUNK {
        out[j] = Complex64::new(rr[j], ri[j]);
    }
    if !all {
        for j in 0..CHUNK {
            if !ok[j] {
                out[j] = slow(std::array::from_fn(|o| Complex64::new(re[o][j], im[o][j])));
            }
        }
    }
}

/// Are both parts finite and the larger in [2^-500, 2^500]? Then x² + y² is formed without
/// overflow, and the smaller part's square, if it underflows, is below 2^-22 of the sum
/// and its lost bits below 2^-75 of it.
#[inline(always)]
fn big_safe(x: f64, y: f64) -> bool {
    let m = x.abs().max(y.abs());
    x.is_finite() && y.is_finite() && (TINY..=HUGE).contains(&m)
}

/// Applies the complex kernel `k` to every element of the operands `a` (one or two
/// slices); elements it flags as not ok take `slow` (the scalar rule). The last partial
/// chunk is padded with 0.5 + 0.5i, so every element goes through the same arithmetic.
/// Each chunk is read before it is written, so an exact alias of an operand and `out` is
/// harmless.
#[inline(always)]
fn run_c<const A: usize>(
    a: [&[Complex64]; A],
    out: &mut [Complex64],
    k: impl Fn([(f64, f64); A]) -> (f64, f64, bool) + Copy,
    slow: impl Fn([Complex64; A]) -> Complex64 + Copy,
) {
    let n = a.iter().fold(out.len(), |n, x| n.min(x.len()));
    let whole = n - n % CHUNK;
    for i in (0..whole).step_by(CHUNK) {
        let zs: [&[Complex64; CHUNK]; A] =
            std::array::from_fn(|o| a[o][i..i + CHUNK].try_into().expect("chunk"));
        let o: &mut [Complex64; CHUNK] = (&mut out[i..i + CHUNK]).try_into().expect("chunk");
        chunk_c(zs, o, k, slow);
    }
    if whole < n {
        let m = n - whole;
        let pad = Complex64::new(0.5, 0.5);
        let bufs: [[Complex64; CHUNK]; A] = std::array::from_fn(|o| {
            let mut b = [pad; CHUNK];
            b[..m].copy_from_slice(&a[o][whole..n]);
            b
        });
        let mut res = [pad; CHUNK];
        chunk_c(std::array::from_fn(|o| &bufs[o]), &mut res, k, slow);
        out[whole..n].copy_from_slice(&res[..m]);
    }
}

// ---------------------------------------------------------------------------- kernels

/// e^z (C99 `cexp` on finite arguments with |x| ≤ 708 and |y| ≤ TRIG_LIMIT).
#[inline(always)]
pub(super) fn exp(x: f64, y: f64) -> (f64, f64, bool) {
    let e = kernels::exp(x);
    let (s, c) = kernels::sin_cos(y);
    let ok = x.abs() <= EXP_LIMIT && y.abs() <= TRIG_LIMIT;
    (e * c, e * s, ok)
}

/// 2^z = 2ˣ·(cos t + i·sin t), t = y·ln 2 as a pair (`semantics::c_exp2`: NumPy's
/// cexp(z·ln 2) rounds the phase first).
#[inline(always)]
pub(super) fn exp2(x: f64, y: f64) -> (f64, f64, bool) {
    let m = kernels::exp2(x);
    let (th, tl) = crate::semantics::c_exp2_phase(y);
    let (s, c) = kernels::sin_cos(th);
    // |tl| ≤ 2^-33 here, so sin(hi + lo) = sin hi + lo·cos hi to 2^-66 relative.
    let ok = x.abs() <= 1020.0 && th.abs() <= TRIG_LIMIT;
    let im = pick(y == 0.0, y, c.mul_add(tl, s));
    (m * s.mul_add(-tl, c), m * im, ok)
}

/// e^z − 1 by NumPy's formula: expm1(x)·cos y − 2·sin²(y/2) + i·eˣ·sin y.
#[inline(always)]
pub(super) fn expm1(x: f64, y: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(y);
    let h = kernels::sincos(y / 2.0, false);
    let re = logexp::expm1(x) * c - 2.0 * h * h;
    let im = kernels::exp(x) * s;
    let ok = x.abs() <= EXP_LIMIT && y.abs() <= TRIG_LIMIT;
    (re, im, ok)
}

/// sin z = sin x·cosh y + i·cos x·sinh y.
#[inline(always)]
pub(super) fn sin(x: f64, y: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(x);
    let ok = x.abs() <= TRIG_LIMIT && y.abs() <= EXP_LIMIT;
    (s * logexp::cosh(y), c * logexp::sinh(y), ok)
}

/// cos z = cosh(iz) = cos x·cosh y + i·sinh(−y)·sin x.
#[inline(always)]
pub(super) fn cos(x: f64, y: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(x);
    let ok = x.abs() <= TRIG_LIMIT && y.abs() <= EXP_LIMIT;
    (logexp::cosh(y) * c, logexp::sinh(-y) * s, ok)
}

/// sinh z = sinh x·cos y + i·cosh x·sin y.
#[inline(always)]
pub(super) fn sinh(x: f64, y: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(y);
    let ok = x.abs() <= EXP_LIMIT && y.abs() <= TRIG_LIMIT;
    (logexp::sinh(x) * c, logexp::cosh(x) * s, ok)
}

/// cosh z = cosh x·cos y + i·sinh x·sin y.
#[inline(always)]
pub(super) fn cosh(x: f64, y: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(y);
    let ok = x.abs() <= EXP_LIMIT && y.abs() <= TRIG_LIMIT;
    (logexp::cosh(x) * c, logexp::sinh(x) * s, ok)
}

/// log z = ½·log(x² + y²) + i·atan2(y, x). Near the unit circle (½ ≤ x² + y² ≤ 2) the
/// real part is ½·log1p(x² + y² − 1) with the sum formed in double-double; the few
/// elements where even that cancels below 2^-40 take the scalar rule.
#[inline(always)]
pub(super) fn log(x: f64, y: f64) -> (f64, f64, bool) {
    let xx = x * x;
    let xxl = x.mul_add(x, -xx);
    let yy = y * y;
    let yyl = y.mul_add(y, -yy);
    let big = xx.max(yy);
    let small = xx.min(yy);
    let (bl, sl) = if xx >= yy { (xxl, yyl) } else { (yyl, xxl) };
    // (x² + y²) − 1 in double-double: (big − 1) + small + (bl + sl).
    let (s1, e1) = two_sum(big, -1.0);
    let (s2, e2) = two_sum(s1, small);
    let d = s2 + ((e1 + e2) + (bl + sl));
    let h2 = xx + yy;
    let near = (0.5..=2.0).contains(&h2);
    let re = 0.5 * pick(near, logexp::log1p(d), kernels::log(h2));
    let im = super::invtrig::atan2(y, x);
    let ok = big_safe(x, y) && (!near || d.abs() >= 9.094947017729282e-13);
    (re, im, ok)
}

/// log10 z as NumPy: both parts of log z times log10(e).
#[inline(always)]
pub(super) fn log10(x: f64, y: f64) -> (f64, f64, bool) {
    let (re, im, ok) = log(x, y);
    let k = std::f64::consts::LOG10_E;
    (re * k, im * k, ok)
}

/// log2 z as NumPy: both parts of log z times log2(e).
#[inline(always)]
pub(super) fn log2(x: f64, y: f64) -> (f64, f64, bool) {
    let (re, im, ok) = log(x, y);
    let k = std::f64::consts::LOG2_E;
    (re * k, im * k, ok)
}

/// log(1 + z) = ½·log1p(2x + x² + y²) + i·atan2(y, x + 1), the sum formed in
/// double-double (`semantics::c_log1p_sq`) where it lies in [−½, 1], log(hypot(x + 1, y))
/// elsewhere: the scalar rule `semantics::c_log1p`. (NumPy's loop takes
/// log(hypot(x + 1, y)) everywhere, which loses the real part near |1 + z| = 1: up to
/// 125 ULP measured.) Elements where even double-double cancels below 2^-45 of the
/// terms take the scalar rule.
#[inline(always)]
pub(super) fn log1p(x: f64, y: f64) -> (f64, f64, bool) {
    let u = x + 1.0;
    let d = crate::semantics::c_log1p_sq(x, y);
    let near = (-0.5..=1.0).contains(&d);
    let l = pow::hypot(u, y);
    let re = pick(near, 0.5 * logexp::log1p(d), kernels::log(l));
    let scale = 2.0 * x.abs() + x * x + y * y;
    let ok = x.is_finite()
        && y.is_finite()
        && square_safe(x)
        && square_safe(y)
        && l >= f64::MIN_POSITIVE
        && (!near || d.abs() >= 2.842170943040401e-14 * scale);
    (re, super::invtrig::atan2(y, u), ok)
}

/// √z (C99 `csqrt`): t = √((|x| + |z|)/2); x ≥ 0 gives t + i·y/2t, x < 0 gives
/// |y|/2t ± i·t. Elements whose larger part is outside [2^-500, 2^500] take the scalar rule.
#[inline(always)]
pub(super) fn sqrt(x: f64, y: f64) -> (f64, f64, bool) {
    let d = pow::hypot(x, y);
    let t = (0.5 * (d + x.abs())).sqrt();
    let q = 0.5 * (y / t);
    let pos = x >= 0.0;
    let (re, im) = (pick(pos, t, q.abs()), pick(pos, q, t));
    let ok = big_safe(x, y);
    (re, im.copysign(y), ok)
}

/// NumPy 2's complex `sign`: z/|z| (zero, infinite and NaN parts take the scalar rule).
#[inline(always)]
pub(super) fn sign(x: f64, y: f64) -> (f64, f64, bool) {
    let h = pow::hypot(x, y);
    let ok = h.is_finite() && h >= f64::MIN_POSITIVE;
    (x / h, y / h, ok)
}

/// `a·b` as an unevaluated pair (exact: the fma gives the product's rounding error).
#[inline(always)]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// u·(ah + al) − v·(bh + bl) as a pair (hi, lo), |lo| ≤ ulp(hi)/2 (up to ~2^-100 of the
/// larger product).
#[inline(always)]
fn dot_dd(u: f64, ah: f64, al: f64, v: f64, bh: f64, bl: f64) -> (f64, f64) {
    let (p, pe) = two_prod(u, ah);
    let (q, qe) = two_prod(v, bh);
    let (s, e) = two_sum(p, -q);
    let lo = e + ((pe - qe) + (u * al - v * bl));
    let hi = s + lo;
    (hi, (s - hi) + lo)
}

/// a ** b for a non-integer or large exponent: e^(b·log a) like glibc's `cpow`, but with
/// log a and the product b·log a in double-double, so the error does not grow with
/// |b·log a| (glibc's does: 10 ULP at |b·log a| ≈ 18). Zero bases, small integer
/// exponents (repeated products in NumPy) and results that overflow or underflow take the
/// scalar rule.
#[inline(always)]
pub(super) fn pow(x: f64, y: f64, u: f64, v: f64) -> (f64, f64, bool) {
    // log a = ½·ln(x² + y²) + i·atan2(y, x), both parts as pairs.
    let (xx, xxl) = two_prod(x, x);
    let (yy, yyl) = two_prod(y, y);
    let (s, e) = two_sum(xx, yy);
    let sl = e + (xxl + yyl);
    let h2 = s + sl;
    let h2l = (s - h2) + sl;
    let (lh, ll) = pow::ln_dd(h2);
    let (lrh, lrl) = (0.5 * lh, 0.5 * (ll + h2l / h2));
    let (lih, lil) = super::invtrig::atan2_dd(y, x);
    // b·log a.
    let (ph, pl) = dot_dd(u, lrh, lrl, v, lih, lil);
    let (qh, ql) = dot_dd(u, lih, lil, -v, lrh, lrl);
    // e^(ph + pl)·(cos + i·sin)(qh + ql), the low angle part to first order.
    let m = pow::exp_dd(ph, pl);
    let (sn, cs) = kernels::sin_cos(qh);
    let sn2 = cs.mul_add(ql, sn);
    let cs2 = (-sn).mul_add(ql, cs);
    let int_exp = v == 0.0 && u == u.trunc() && u.abs() < 100.0;
    let ok = big_safe(x, y)
        && u.is_finite()
        && v.is_finite()
        && !int_exp
        && ph.abs() <= EXP_LIMIT
        && qh.abs() <= TRIG_LIMIT;
    (m * cs2, m * sn2, ok)
}

// ---------------------------------------------------------------------------- entries

/// A unary kernel for [`run_c`], as an `#[inline(always)]` closure (see `k64!`).
macro_rules! kc {
    ($f:path) => {
        #[inline(always)]
        |[(x, y)]: [(f64, f64); 1]| $f(x, y)
    };
}

/// `out[i] = f(a[i])` on complex128 for a function with a kernel; false if `f` has
/// none (the caller then loops over the scalar rule).
#[allow(clippy::redundant_closure)]
#[inline(always)]
fn apply_c128_impl(f: Math, a: &[Complex64], out: &mut [Complex64]) -> bool {
    let slow = move |[z]: [Complex64; 1]| f.complex(z);
    match f {
        Math::Exp => run_c([a], out, kc!(exp), slow),
        Math::Exp2 => run_c([a], out, kc!(exp2), slow),
        Math::Expm1 => run_c([a], out, kc!(expm1), slow),
        Math::Sin => run_c([a], out, kc!(sin), slow),
        Math::Cos => run_c([a], out, kc!(cos), slow),
        Math::Sinh => run_c([a], out, kc!(sinh), slow),
        Math::Cosh => run_c([a], out, kc!(cosh), slow),
        Math::Log => run_c([a], out, kc!(log), slow),
        Math::Log10 => run_c([a], out, kc!(log10), slow),
        Math::Log2 => run_c([a], out, kc!(log2), slow),
        Math::Log1p => run_c([a], out, kc!(log1p), slow),
        Math::Sign => run_c([a], out, kc!(sign), slow),
        Math::Arcsin => run_c([a], out, kc!(casin::asin), slow),
        Math::Arccos => run_c([a], out, kc!(casin::acos), slow),
        Math::Arcsinh => run_c([a], out, kc!(casin::asinh), slow),
        Math::Arccosh => run_c([a], out, kc!(casin::acosh), slow),
        Math::Tan => run_c([a], out, kc!(super::ctan::tan), slow),
        Math::Tanh => run_c([a], out, kc!(super::ctan::tanh), slow),
        Math::Arctan => run_c([a], out, kc!(super::ctan::arctan), slow),
        Math::Arctanh => run_c([a], out, kc!(super::ctan::arctanh), slow),
        _ => return false,
    }
    true
}

/// `out[i] = f(a[i])` on complex128: the vector kernel where `f` has one, else the
/// scalar rule element by element.
pub fn apply_c128(f: Math, a: &[Complex64], out: &mut [Complex64]) {
    if !apply_c128_impl(f, a, out) {
        for (o, &z) in out.iter_mut().zip(a) {
            *o = f.complex(z);
        }
    }
}

simd_builds!(apply_c128_avx2, apply_c128_avx512, (f: Math, a: &[Complex64], out: &mut [Complex64]), {
    if !apply_c128_impl(f, a, out) {
        for (o, &z) in out.iter_mut().zip(a) {
            *o = f.complex(z);
        }
    }
});

#[inline(always)]
fn sqrt_impl(a: &[Complex64], out: &mut [Complex64]) {
    run_c([a], out, kc!(sqrt), |[z]| crate::semantics::c_sqrt(z))
}

/// √z on complex128 for one value: the kernel on one element (bitwise the block builds),
/// numjit's rule (the naive evaluator's).
pub fn sqrt_c128_one(z: Complex64) -> Complex64 {
    match sqrt(z.re, z.im) {
        (re, im, true) => Complex64::new(re, im),
        _ => crate::semantics::c_sqrt(z),
    }
}

/// `out[i] = √a[i]` on complex128.
pub fn sqrt_c128(a: &[Complex64], out: &mut [Complex64]) {
    sqrt_impl(a, out)
}

simd_builds!(sqrt_c128_avx2, sqrt_c128_avx512, (a: &[Complex64], out: &mut [Complex64]), {
    sqrt_impl(a, out)
});

#[inline(always)]
fn pow_impl(a: &[Complex64], b: &[Complex64], out: &mut [Complex64]) {
    run_c(
        [a, b],
        out,
        #[inline(always)]
        |[(x, y), (u, v)]: [(f64, f64); 2]| pow(x, y, u, v),
        |[z, w]| crate::semantics::c_pow(z, w),
    )
}

/// `z ** w` on complex128 for one value: the kernel on one element (bitwise the block builds),
/// numjit's rule (the naive evaluator's): NumPy's repeated products for small integer
/// exponents, e^(w·log z) in double-double otherwise, the C library's `cpow` for special
/// values.
pub fn pow_c128_one(z: Complex64, w: Complex64) -> Complex64 {
    match pow(z.re, z.im, w.re, w.im) {
        (re, im, true) => Complex64::new(re, im),
        _ => crate::semantics::c_pow(z, w),
    }
}

/// `out[i] = a[i] ** b[i]` on complex128.
pub fn pow_c128(a: &[Complex64], b: &[Complex64], out: &mut [Complex64]) {
    pow_impl(a, b, out)
}

simd_builds!(pow_c128_avx2, pow_c128_avx512, (a: &[Complex64], b: &[Complex64], out: &mut [Complex64]), {
    pow_impl(a, b, out)
});
