//! Branch-free float64 kernels for `expm1 log1p log2 log10 sinh cosh` and the exact
//! `nextafter`, built on the exp/log cores of `kernels` but carrying the result as an
//! unevaluated (hi, lo) pair until one final rounding, so cancellation (expm1 near 0,
//! sinh, log1p) and the change of base (log2, log10) stay within 1 ULP. Same rules as
//! `kernels`: selects instead of branches, IEEE operations and `mul_add` only, so the
//! result of a lane never depends on its neighbours or on the CPU.
//! Not here: `tanh` and the inverse hyperbolics (`hyper`), `**` and `fmod`.

use super::kernels::{exp_scaled, horner, pow2, two_sum, EXP, LN2_HI, LN2_LO, LOG, MAGIC};

const INV_LN2: f64 = std::f64::consts::LOG2_E;
const INV_LN2_LO: f64 = 2.0355273740931033e-17;
const INV_LN10: f64 = std::f64::consts::LOG10_E;
const INV_LN10_LO: f64 = 1.098319650216765e-17;
// log10(2) in a 40-bit head (k · head is exact for |k| < 2^13) and the tail.
const LG2_HI: f64 = 0.3010299956640665;
const LG2_LO: f64 = -8.532344317057107e-14;

/// Taylor coefficients 1/(2k+1)!, k = 1..10 (sinh on |x| < 1: the next term < 2^-74).
#[allow(clippy::excessive_precision)]
const SINH: [f64; 10] = [
    1.0 / 6.0,
    1.0 / 120.0,
    1.0 / 5040.0,
    1.0 / 362880.0,
    1.0 / 39916800.0,
    1.0 / 6227020800.0,
    1.0 / 1307674368000.0,
    1.0 / 355687428096000.0,
    1.0 / 121645100408832000.0,
    1.0 / 51090942171709440000.0,
];

/// EXP without its leading 1/2.
pub(super) const EXP_T: [f64; 10] = [
    EXP[1], EXP[2], EXP[3], EXP[4], EXP[5], EXP[6], EXP[7], EXP[8], EXP[9], EXP[10],
];

/// x = 2^n · e^(rr + c) split for x in [-746, 711]: returns (n, rr, c).
#[inline(always)]
fn exp_reduce(x: f64) -> (f64, f64, f64) {
    let t = x.mul_add(std::f64::consts::LOG2_E, MAGIC);
    let n = t - MAGIC;
    let r = x - n * LN2_HI; // exact (see kernels::x_minus)
    let rl = -(n * LN2_LO);
    let rr = r + rl;
    (n, rr, (r - rr) + rl)
}

/// e^x - 1 for every x.
#[inline(always)]
pub fn expm1(x: f64) -> f64 {
    let xc = x.clamp(-45.0, 700.0);
    let (n, rr, c) = exp_reduce(xc);
    // e^r - 1 = rr + plo, |plo| small; then 2^n (1 + rr + plo) - 1 in double-double.
    // rr² exactly (z + zl), then rr²/2 + rr³ Q(rr) + c with Q = EXP[1..].
    let z = rr * rr;
    let zl = rr.mul_add(rr, -z);
    let rest = (z * rr).mul_add(horner(rr, &EXP_T), 0.5f64.mul_add(zl, c));
    let s = pow2(n); // n in [-65, 1010]
                     // Past n = 53, s - 1 is inexact: the 1 then joins the low part.
    let one = if n > 53.0 { 0.0 } else { 1.0 };
    let (h, e) = two_sum(s - one, s * rr);
    let v = h + ((s * (0.5 * z) + e) + s.mul_add(rest, -(1.0 - one)));
    if x.is_nan() || x == 0.0 {
        x // NaN, and ±0 keeps its sign
    } else if x > 700.0 {
        super::kernels::exp(x) // the -1 is far below half an ULP
    } else {
        v
    }
}

/// (e^a / 2 as (hi, lo), scale 2^(n-1)) pieces for 0 ≤ a < 700: e^a/2 = (yh + yl)·s.
#[inline(always)]
fn half_exp_pair(a: f64) -> (f64, f64, f64) {
    let (n, rr, c) = exp_reduce(a);
    // 1 + rr + (rr² P(rr) + c) as an unevaluated pair.
    let pl = (rr * rr).mul_add(horner(rr, &EXP), c);
    let p = rr + pl;
    let pe = (rr - p) + pl; // exact: |pl| < |rr|
    let (yh, e) = two_sum(1.0, p);
    let yl = e + pe;
    (yh, yl, pow2(n - 1.0))
}

/// cosh(x) for every x.
#[inline(always)]
pub fn cosh(x: f64) -> f64 {
    let a = x.abs();
    let ac = a.min(699.0);
    let (yh, yl, s) = half_exp_pair(ac);
    let hh = yh * s;
    let q = 0.25 / hh;
    let (h, e) = two_sum(hh, q);
    let v = h + yl.mul_add(s, e);
    // Large |x|: e^|x|/2 alone, scaled in two steps (overflows to inf past ~710.48).
    let (n, rr, c) = exp_reduce(a.min(711.0));
    let big = exp_scaled(n - 1.0, rr, c);
    if x.is_nan() {
        x
    } else if a > 699.0 {
        big
    } else {
        v
    }
}

/// sinh(x) for every x.
#[inline(always)]
pub fn sinh(x: f64) -> f64 {
    let a = x.abs();
    let ac = a.clamp(1.0, 699.0);
    let (yh, yl, s) = half_exp_pair(ac);
    let hh = yh * s;
    let q = 0.25 / hh;
    let (h, e) = two_sum(hh, -q);
    let v = h + yl.mul_add(s, e);
    // |x| < 1: odd Taylor series, x + x^3 P(x^2).
    let z = a * a;
    let small = (a * z).mul_add(horner(z, &SINH), a);
    let (n, rr, c) = exp_reduce(a.min(711.0));
    let big = exp_scaled(n - 1.0, rr, c);
    let m = if a < 1.0 {
        small
    } else if a > 699.0 {
        big
    } else {
        v
    };
    if x.is_nan() {
        x
    } else {
        m.copysign(x)
    }
}

/// ln(x) = k·ln2 + hi + lo for positive finite x (subnormals included): (k, hi, lo).
#[inline(always)]
fn ln_parts(x: f64) -> (f64, f64, f64) {
    let (kf, m) = super::kernels::log_split(x);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * horner(z, &LOG);
    let hfsq = 0.5 * f * f;
    let hfsq_err = (0.5 * f).mul_add(f, -hfsq); // exact remainder of hfsq
    let hi = f - hfsq;
    let lo = (((f - hi) - hfsq) - hfsq_err) + s * (hfsq + r);
    (kf, hi, lo)
}

/// Special values shared by the logarithms of `x` (NaN, ≤ 0, +inf) over `v`.
#[inline(always)]
fn log_special(x: f64, v: f64) -> f64 {
    if x < 0.0 {
        f64::NAN
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x < f64::INFINITY {
        v
    } else {
        x
    }
}

/// log2(x) for every x (exact for powers of two).
#[inline(always)]
pub fn log2(x: f64) -> f64 {
    let (k, hi, lo) = ln_parts(x);
    let ph = hi * INV_LN2;
    let pl = hi.mul_add(INV_LN2, -ph) + lo.mul_add(INV_LN2, hi * INV_LN2_LO);
    let (s1, e1) = two_sum(k, ph);
    log_special(x, s1 + (e1 + pl))
}

/// log10(x) for every x.
#[inline(always)]
pub fn log10(x: f64) -> f64 {
    let (k, hi, lo) = ln_parts(x);
    let ph = hi * INV_LN10;
    let pl = hi.mul_add(INV_LN10, -ph) + lo.mul_add(INV_LN10, hi * INV_LN10_LO);
    let (s1, e1) = two_sum(k * LG2_HI, ph);
    log_special(x, s1 + (e1 + k.mul_add(LG2_LO, pl)))
}

/// ln(1 + x) for every x.
#[inline(always)]
pub fn log1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let uc = if u > 0.0 && u < f64::INFINITY { u } else { 1.0 };
    // The rounding error of 1 + x, relative to u (fdlibm's correction).
    let c = if uc >= 2.0 {
        1.0 - (uc - x)
    } else {
        x - (uc - 1.0)
    } / uc;
    let (k, hi, lo) = ln_parts(uc);
    let (s1, e1) = two_sum(k * LN2_HI, hi);
    let v = s1 + (e1 + (k.mul_add(LN2_LO, lo) + c));
    if x.is_nan() || x == 0.0 {
        x
    } else if x < -1.0 {
        f64::NAN
    } else if x == -1.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        v
    }
}

/// nextafter(x, y) on float64, exact (IEEE/C99).
#[inline(always)]
pub fn nextafter64(x: f64, y: f64) -> f64 {
    let b = x.to_bits();
    let away = (y > x) == (x > 0.0);
    let stepped = f64::from_bits(if away {
        b.wrapping_add(1)
    } else {
        b.wrapping_sub(1)
    });
    let tiny = f64::from_bits(1).copysign(y - x);
    if x.is_nan() || y.is_nan() {
        x + y
    } else if x == y {
        y
    } else if x == 0.0 {
        tiny
    } else {
        stepped
    }
}

/// nextafter(x, y) on float32, exact (IEEE/C99).
#[inline(always)]
pub fn nextafter32(x: f32, y: f32) -> f32 {
    let b = x.to_bits();
    let away = (y > x) == (x > 0.0);
    let stepped = f32::from_bits(if away {
        b.wrapping_add(1)
    } else {
        b.wrapping_sub(1)
    });
    let tiny = f32::from_bits(1).copysign(y - x);
    if x.is_nan() || y.is_nan() {
        x + y
    } else if x == y {
        y
    } else if x == 0.0 {
        tiny
    } else {
        stepped
    }
}
