//! Branch-free float64 kernels for `tanh arcsinh arccosh arctanh`, within 1 ULP.
//!
//! Method: every function is written as one exponential or one logarithm of an argument
//! that is itself carried as an unevaluated double-double (hi, lo), so that neither the
//! cancellation near 0 (tanh, arcsinh, arctanh) or near 1 (arccosh), nor the rounding of
//! the argument, costs more than a few units of 2^-100 relative; the final (hi, lo) is
//! rounded once.
//!
//! - `tanh(x) = sign(x) · E/(E + 2)`, `E = e^(2|x|) − 1` as a pair (`expm1_pair`: the
//!   exp reduction of `kernels`, then `r + r²/2` exactly and `r³ Q(r)` in double), and a
//!   double-double division. `x` itself for |x| < 2^-28 (the next term is below 2^-56
//!   relative), ±1 for |x| ≥ 19.1 (then 1 − tanh|x| < 2^-54.1, under half an ULP of 1).
//! - `arcsinh(x) = sign(x) · ln(|x| + √(x² + 1))` with x² + 1 exact as a pair and a
//!   corrected square root; for |x| > 2^28, `ln|x| + ln 2` (the rest, 1/(4x²), is below
//!   2^-58 of the result); `x` itself for |x| < 2^-28.
//! - `arccosh(x) = ln(x + √(2t + t²))`, `t = x − 1` exact, so √(x² − 1) keeps its relative
//!   precision near 1; `ln x + ln 2` for x > 2^28; NaN below 1.
//! - `arctanh(x) = sign(x) · ½ ln((1 + |x|)/(1 − |x|))`, `1 ± |x|` exact as pairs, their
//!   quotient as a pair; `x` itself for |x| < 2^-28; ±inf at ±1, NaN beyond.
//!
//! The logarithm of a pair (`ln_pair`) is `k ln 2 + 2 atanh(s)` with `s = f/(2 + f)`
//! computed as a pair (its low part also takes the argument's low part), so that only
//! the small tail `s · R(s²)` (at most 2 % of the result) is evaluated in plain double.
//!
//! Error budget (float64): the final rounding (0.5 ULP) plus the tail polynomials'
//! rounding, a few 2^-53 of a term at most 2 % of the result (≤ 0.05 ULP); the
//! double-double steps add ~2^-100 relative. Measured with `tools/ulp` over 10⁶ inputs
//! in docs/accuracy.md. Special values (±0 keeps its sign, ±inf, NaN, domain edges) are
//! selected at the end, as glibc returns them.

use super::kernels::{estrin, horner, pow2, two_sum, LN2_HI, LN2_LO, LOG, MAGIC};
use super::logexp::EXP_T;

/// Below this |x|, tanh, arcsinh and arctanh are x (|f(x) − x| < 2^-57 |x|, < 0.02 ULP).
const TINY: f64 = 3.725290298461914e-9; // 2^-28
/// Above this, arcsinh and arccosh are ln(2x) to far below an ULP.
const HUGE: f64 = 268435456.0; // 2^28
/// From here on, tanh rounds to ±1.
const TANH_ONE: f64 = 19.1;

/// `if c { a } else { b }` as a bit blend. A plain `if` whose arm alone uses a long
/// computation lets the optimiser sink that computation into a branch, which stops the
/// vectoriser; a blend of bits cannot be sunk.
#[inline(always)]
pub(super) fn pick(c: bool, a: f64, b: f64) -> f64 {
    let m = (c as u64).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// e^y − 1 as a normalised pair (hi, lo) for 0 ≤ y ≤ 700 (tanh needs 38.2, complex tan
/// 700: n·LN2_HI stays exact and 2^n normal), relative error ~2^-60
/// (`EXP_T` is `kernels::EXP` without its leading 1/2: e^r = 1 + r + r²/2 + r³ Q(r)).
#[inline(always)]
pub(super) fn expm1_pair(y: f64) -> (f64, f64) {
    let t = y.mul_add(std::f64::consts::LOG2_E, MAGIC);
    let n = t - MAGIC; // 0..=1010
    let r = y - n * LN2_HI; // exact (n·LN2_HI has ≤ 53 bits; Sterbenz)
    let (rr, c) = two_sum(r, -(n * LN2_LO));
    // e^(rr + c) − 1 = rr + rr²/2 + rr³ Q(rr) + c·e^rr (c² far below).
    let z = rr * rr;
    let zl = rr.mul_add(rr, -z);
    let (h, e) = two_sum(rr, 0.5 * z);
    let low = e + (z * rr).mul_add(horner(rr, &EXP_T), 0.5f64.mul_add(zl, c.mul_add(rr, c)));
    // 2^n (1 + h + low) − 1; 2^n − 1 is exact up to n = 53, past it the 1 joins `lo`.
    let s = pow2(n);
    let one = if n > 53.0 { 0.0 } else { 1.0 };
    let (hi, e2) = two_sum(s - one, s * h);
    // Renormalised, so that lo < ulp(hi) (the division in `tanh` relies on it).
    two_sum(hi, e2 + s.mul_add(low, one - 1.0))
}

/// ln(xh + xl) = (k, hi, lo): k ln 2 + hi + lo, for normal finite xh > 0 and
/// |xl| ≤ ulp(xh) (xl must be 0 for xh ≥ 2^1022). hi is exact (2s), lo ≪ hi.
#[inline(always)]
fn ln_pair(xh: f64, xl: f64) -> (f64, f64, f64) {
    // xh = 2^k · m, m in [√2/2, √2).
    let (k, m) = super::kernels::log_split(xh);
    let ml = xl * pow2((-k).max(-1022.0));
    // ln(1 + f + ml) = 2 atanh(s), s = (f + ml)/(2 + f + ml) as s0 + sl; f is exact.
    let f = m - 1.0;
    let (dh, dl) = two_sum(2.0, f);
    let dl = dl + ml;
    let inv = 1.0 / dh;
    let s0 = f * inv;
    let res = (-s0).mul_add(dh, f) + (ml - s0 * dl);
    let sl = res * inv;
    // 2 atanh(s) = 2s + s R(s²); R's derivative term for sl: d(sR)/ds ≈ 3R.
    let z = s0 * s0;
    let rz = z * estrin(z, &LOG);
    let lo = (3.0 * sl).mul_add(rz, s0.mul_add(rz, 2.0 * sl));
    (k, 2.0 * s0, lo)
}

/// k ln 2 + hi + lo as a pair.
#[inline(always)]
fn sum_ln(k: f64, hi: f64, lo: f64) -> (f64, f64) {
    let (s, e) = two_sum(k * LN2_HI, hi);
    (s, e + k.mul_add(LN2_LO, lo))
}

/// tanh(x) for every x.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    let ax = x.abs();
    let a = ax.min(TANH_ONE);
    let (eh, el) = expm1_pair(2.0 * a);
    // E / (E + 2) as a double-double division.
    let (dh, e) = two_sum(eh, 2.0);
    let dl = e + el;
    let inv = 1.0 / dh;
    let q = eh * inv;
    let rem = (-q).mul_add(dh, eh) + (-q).mul_add(dl, el);
    let v = q + rem * inv;
    let v = pick(a >= TANH_ONE, 1.0, v).copysign(x);
    pick(ax >= TINY, v, x) // NaN and tiny |x| give x
}

/// arcsinh(x) for every x.
#[inline(always)]
pub fn arcsinh(x: f64) -> f64 {
    let a = x.abs();
    let big = a > HUGE;
    let ac = a.min(HUGE);
    // A = a + √(a² + 1) as a pair.
    let z = ac * ac;
    let zl = ac.mul_add(ac, -z);
    let (t, tl) = two_sum(1.0, z);
    let tl = tl + zl;
    let r = t.sqrt();
    let rl = ((-r).mul_add(r, t) + tl) / (2.0 * r);
    let (ah, e) = two_sum(ac, r);
    let al = e + rl;
    // Huge: ln(2a) = ln a + ln 2.
    let (xh, xl) = (pick(big, a, ah), pick(big, 0.0, al));
    let (k, hi, lo) = ln_pair(xh, xl);
    let k = if big { k + 1.0 } else { k };
    let (s, l) = sum_ln(k, hi, lo);
    // NaN, ±inf and tiny |x| give x.
    pick((TINY..f64::INFINITY).contains(&a), (s + l).copysign(x), x)
}

/// arccosh(x) for every x.
#[inline(always)]
pub fn arccosh(x: f64) -> f64 {
    let big = x > HUGE;
    let xc = x.clamp(1.0, HUGE);
    // √(x² − 1) = √(2t + t²), t = x − 1 exact.
    let t = xc - 1.0;
    let tt = t * t;
    let ttl = t.mul_add(t, -tt);
    let (q, e) = two_sum(2.0 * t, tt);
    let ql = e + ttl;
    let r = q.sqrt();
    // x = 1: q = r = 0 and the correction is 0 (divided by 1, not 0, and unconditionally).
    let den = if q > 0.0 { 2.0 * r } else { 1.0 };
    let rl = ((-r).mul_add(r, q) + ql) / den;
    let (ah, e2) = two_sum(xc, r);
    let al = e2 + rl;
    let (xh, xl) = (pick(big, x, ah), pick(big, 0.0, al));
    let (k, hi, lo) = ln_pair(xh, xl);
    let k = if big { k + 1.0 } else { k };
    let (s, l) = sum_ln(k, hi, lo);
    let v = pick(x < f64::INFINITY, s + l, x); // +inf, NaN
    pick(x >= 1.0, v, f64::NAN)
}

/// arctanh(x) for every x.
#[inline(always)]
pub fn arctanh(x: f64) -> f64 {
    let a = x.abs();
    let ac = if a < 1.0 { a } else { 0.5 };
    // (1 + a)/(1 − a) as a pair: both sums exact as pairs.
    let (p, pl) = two_sum(1.0, ac);
    let (d, dl) = two_sum(1.0, -ac);
    let inv = 1.0 / d;
    let qh = p * inv;
    let rem = (-qh).mul_add(d, p) + (-qh).mul_add(dl, pl);
    let ql = rem * inv;
    let (k, hi, lo) = ln_pair(qh, ql);
    let (s, l) = sum_ln(k, hi, lo);
    let edge = if a == 1.0 { f64::INFINITY } else { f64::NAN }; // |x| > 1, NaN
    let v = pick(a < 1.0, 0.5 * (s + l), edge).copysign(x);
    pick(a < TINY, x, v)
}
