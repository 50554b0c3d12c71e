//! Branch-free float64 kernels for `arctan arctan2 arcsin arccos tan` (same rules as
//! `kernels`: selects instead of branches, IEEE operations and `mul_add` only).
//!
//! Method. Each function reduces its argument to a small t, evaluates the odd
//! polynomial t + t·z·P(z), z = t², fitted by `tools/ulp/fit.py`, and adds a constant
//! (0, π/4, π/2, 3π/4 or π, each as a double-double hi + lo) with a two-sum, so the only
//! full-size rounding is the last addition; everything else lands in a low part that is
//! at most a few per cent of the result.
//! - `arctan(x)`, on a = |x|: a ≤ tan(π/8) → t = a; a ≤ tan(3π/8) → π/4 + atan((a−1)/(a+1));
//!   beyond → π/2 + atan(−1/a). The quotient is carried as a double-double (numerator and
//!   denominator as exact two-sums, the division's remainder by `mul_add`), so |t| ≤
//!   tan(π/8) and the result is within 0.5 ULP + the polynomial's 2^-57.
//! - `arctan2(y, x)`: atan of min(|x|,|y|)/max(|x|,|y|) (or (n−d)/(n+d) above tan(π/8)),
//!   then π/2 ∓, π − or nothing by the quadrant, one constant per case, and y's sign.
//!   Operands are first scaled by 2^±600 when the smaller is below 2^-900 or the larger
//!   above 2^1000, so the remainder of the division never underflows and n + d never
//!   overflows. C99's zero/infinity cases (Annex F.9.1.4) come out of the same
//!   arithmetic: inf/inf is replaced by 1/1, x/inf by 0/1, 0/0 by 0/1, and ±0 on the x
//!   side chooses 0 or π by its sign bit.
//! - `arcsin`, `arccos`: |x| ≤ 1/2 → asin(x) = x + x·z·P(z); |x| > 1/2 →
//!   asin(|x|) = π/2 − 2·asin(s), s = √((1−|x|)/2) (exact argument, the square root
//!   carried as s + (w − s²)/(2s)); acos(x) = π/2 − asin(x), 2·asin(s) or π − 2·asin(s).
//!   NaN outside [-1, 1] comes from the square root (or the polynomial of a NaN).
//! - `tan(x)` for |x| ≤ TRIG_LIMIT: the exact Cody–Waite reduction of `sin`
//!   (x = q·π/2 + r + rl), tan(r + rl) = r + r³/3 + r³·z·T2(z) + rl·(1 + t²) with r³
//!   and r³/3 as double-doubles (r near π/4 makes r³/3 a quarter of the result), the sum
//!   carried as th + tl, and for odd q the reciprocal −1/t with its remainder by `mul_add`.
//!
//! Error budget: final rounding 0.5 ULP; the low parts (polynomial fit ≤ 2^-57 relative,
//! their own roundings ≤ a few per cent of an ULP each). Measured with `tools/ulp`
//! (10⁶ inputs + specials): see docs/accuracy.md.

use super::kernels::{estrin, reduce_pio2, two_sum};

// Coefficients printed by tools/ulp/fit.py.
// ATAN: degree 11 on [0, tan²(π/8)], atan(t) = t + t·z·ATAN(z), max error 1.16e-18
#[allow(clippy::excessive_precision)]
const ATAN: [f64; 12] = [
    -0.3333333333333333,
    0.19999999999999804,
    -0.14285714285659828,
    0.11111111105155447,
    -0.09090908753500877,
    0.07692296375032143,
    -0.06666424885738255,
    0.05878928997834775,
    -0.05230454270650244,
    0.04551593220626549,
    -0.034570561981427744,
    0.016285756855221028,
];
// ASIN: degree 13 on [0, 1/4], asin(t) = t + t·z·ASIN(z), max error 9.76e-19
#[allow(clippy::excessive_precision)]
const ASIN: [f64; 14] = [
    0.16666666666666666,
    0.07500000000000118,
    0.044642857142551895,
    0.03038194447553234,
    0.02237215744350722,
    0.017352816540325496,
    0.01396378001220357,
    0.011566459612121669,
    0.009621842970100282,
    0.009319560794767446,
    0.0030448799094556773,
    0.019554513336123378,
    -0.01924167174674304,
    0.02961201126495512,
];
// TAN: degree 15 on [0, (π/4 + 1e-6)²], tan(r) = r + r·z·TAN(z), max error 4.37e-19
#[allow(clippy::excessive_precision)]
const TAN: [f64; 16] = [
    0.3333333333333333,
    0.1333333333333336,
    0.05396825396821661,
    0.021869488538180697,
    0.00886323547235803,
    0.0035921290225055845,
    0.001455823333667473,
    0.0005901127347369219,
    0.00023866158662147648,
    9.87687906394128e-05,
    3.392879012100625e-05,
    2.7108804567065087e-05,
    -1.0197545095119892e-05,
    1.95371047524206e-05,
    -9.745341924583195e-06,
    3.9496181999391485e-06,
];
// Multiples of π as the nearest double and the rest.
const PIO4_HI: f64 = std::f64::consts::FRAC_PI_4;
const PIO4_LO: f64 = 3.061616997868383e-17;
const PIO2_HI: f64 = std::f64::consts::FRAC_PI_2;
const PIO2_LO: f64 = 6.123233995736766e-17;
const PI3O4_HI: f64 = 2.356194490192345;
const PI3O4_LO: f64 = 9.184850993605148e-17;
const PI_HI: f64 = std::f64::consts::PI;
const PI_LO: f64 = 1.2246467991473532e-16;
/// TAN without its leading 1/3 (which `tan` adds in double-double).
const TAN2: [f64; 15] = [
    TAN[1], TAN[2], TAN[3], TAN[4], TAN[5], TAN[6], TAN[7], TAN[8], TAN[9], TAN[10], TAN[11],
    TAN[12], TAN[13], TAN[14], TAN[15],
];
const THIRD: f64 = 0.3333333333333333;
const THIRD_LO: f64 = 1.850371707708594e-17;
const TAN_PI8: f64 = 0.41421356237309503;
const TAN_3PI8: f64 = 2.414213562373095;
const TWO_M900: f64 = pow2(-900);
const TWO_1000: f64 = pow2(1000);
const TWO_600: f64 = pow2(600);
const TWO_M600: f64 = pow2(-600);
const TWO_100: f64 = pow2(100);

/// 2^k for k in [-1022, 1023].
const fn pow2(k: i64) -> f64 {
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// atan((nh + nl) / (dh + dl)) − (the quotient's leading part) for a quotient t with
/// |t| ≤ tan(π/8) (dh > 0, |nl| ≪ |nh|, |dl| ≪ dh): returns (th, rest) with
/// atan(t) ≈ th + rest, |rest| ≤ 0.06·|th|.
#[inline(always)]
fn atan_quot(nh: f64, nl: f64, dh: f64, dl: f64) -> (f64, f64) {
    let th = nh / dh;
    // nh − th·dh exactly (the division's remainder), then the quotient's low part.
    let rem = (-th).mul_add(dh, nh);
    let tl = (-th).mul_add(dl, rem + nl) / dh;
    let z = th * th;
    let p = (th * z) * estrin(z, &ATAN);
    // atan(th + tl) = atan(th) + tl/(1 + th²) + O(tl²).
    (th, tl.mul_add(-z, tl) + p)
}

/// (hi + lo) + m·(u + ul) rounded once: the constant plus a leading part through a
/// two-sum (m·u exact), the low parts added before the last rounding.
#[inline(always)]
fn finish(hi: f64, lo: f64, m: f64, u: f64, ul: f64) -> f64 {
    let (h, e) = two_sum(hi, m * u);
    h + ((e + lo) + m * ul)
}

/// arctan(x) for every x.
#[inline(always)]
pub fn atan(x: f64) -> f64 {
    let a = x.abs();
    let mid = a > TAN_PI8;
    let big = a > TAN_3PI8;
    // Past 2^100 the result is π/2 rounded; clamping keeps 1/a normal (and inf out).
    let ab = if a > TWO_100 { TWO_100 } else { a };
    // Numerator and denominator as exact two-sums: a/1, (a−1)/(a+1) or −1/a.
    let (n1, n2) = if big {
        (-1.0, 0.0)
    } else if mid {
        (a, -1.0)
    } else {
        (a, 0.0)
    };
    let (d1, d2) = if big {
        (ab, 0.0)
    } else if mid {
        (a, 1.0)
    } else {
        (1.0, 0.0)
    };
    let (nh, nl) = two_sum(n1, n2);
    let (dh, dl) = two_sum(d1, d2);
    let (th, rest) = atan_quot(nh, nl, dh, dl);
    let (khi, klo) = if big {
        (PIO2_HI, PIO2_LO)
    } else if mid {
        (PIO4_HI, PIO4_LO)
    } else {
        (0.0, 0.0)
    };
    finish(khi, klo, 1.0, th, rest).copysign(x)
}

/// |arctan2(y, x)| as an unrounded pair (hi, lo) (`finish` without its last rounding).
#[inline(always)]
fn atan2_core(y: f64, x: f64) -> (f64, f64) {
    let (ax, ay) = (x.abs(), y.abs());
    let swap = ay > ax;
    let n = if swap { ax } else { ay };
    let d = if swap { ay } else { ax };
    // inf/inf → 1/1 (π/4 multiples), finite/inf → 0/1, 0/0 → 0/1.
    let dinf = d == f64::INFINITY;
    let n = if dinf {
        if n == f64::INFINITY {
            1.0
        } else {
            0.0
        }
    } else {
        n
    };
    let d = if dinf || d == 0.0 { 1.0 } else { d };
    let sc = if n < TWO_M900 {
        TWO_600
    } else if d > TWO_1000 {
        TWO_M600
    } else {
        1.0
    };
    let n = n * sc;
    let d = d * sc;
    let d = if d > TWO_1000 { TWO_1000 } else { d };
    // n/d ≤ tan(π/8): atan(n/d); else π/4 + atan((n−d)/(n+d)).
    let mid = n > TAN_PI8 * d;
    let (nh, nl) = if mid { two_sum(n, -d) } else { (n, 0.0) };
    let (dh, dl) = if mid { two_sum(n, d) } else { (d, 0.0) };
    let (th, rest) = atan_quot(nh, nl, dh, dl);
    // angle = B + m·(K + th + rest), B ∈ {0, π/2, π} by quadrant, K ∈ {0, π/4}.
    let xneg = x.is_sign_negative();
    let m = if swap == xneg { 1.0 } else { -1.0 };
    let (chi, clo) = match (swap, xneg, mid) {
        (false, false, false) => (0.0, 0.0),
        (false, false, true) => (PIO4_HI, PIO4_LO),
        (false, true, false) => (PI_HI, PI_LO),
        (false, true, true) => (PI3O4_HI, PI3O4_LO),
        (true, false, false) => (PIO2_HI, PIO2_LO),
        (true, false, true) => (PIO4_HI, PIO4_LO),
        (true, true, false) => (PIO2_HI, PIO2_LO),
        (true, true, true) => (PI3O4_HI, PI3O4_LO),
    };
    // As `finish`, without its last rounding.
    let (h, e) = two_sum(chi, m * th);
    (h, (e + clo) + m * rest)
}

/// arctan2(y, x) (the angle of the point (x, y)) for every x and y, C99's special cases
/// included.
#[inline(always)]
pub fn atan2(y: f64, x: f64) -> f64 {
    let (h, l) = atan2_core(y, x);
    let v = (h + l).copysign(y);
    if x.is_nan() || y.is_nan() {
        x + y
    } else {
        v
    }
}

/// atan2(y, x) as an unrounded pair (hi, lo), relative error ≈ 2^-60, for finite y, x.
#[inline(always)]
pub(super) fn atan2_dd(y: f64, x: f64) -> (f64, f64) {
    let (h, l) = atan2_core(y, x);
    let sg = 1.0f64.copysign(y);
    (h * sg, l * sg)
}

/// For a = |x|: (big, u, ul) with asin(a) = u + ul when a ≤ 1/2 (big false), and
/// asin(s) = u + ul, s = √((1 − a)/2), when a > 1/2. NaN for a > 1 or NaN.
#[inline(always)]
fn asin_core(a: f64) -> (bool, f64, f64) {
    let big = a > 0.5;
    let w = 0.5f64.mul_add(-a, 0.5); // (1 − a)/2, exact for a in [1/2, 1]
    let s = w.sqrt();
    // s + sl = √w to double-double (s = 0 at a = 1: then the remainder is 0 too).
    let sl = s.mul_add(-s, w) / (s + s).max(f64::MIN_POSITIVE);
    let z = if big { w } else { a * a };
    let u = if big { s } else { a };
    let p = (u * z) * estrin(z, &ASIN);
    // asin(s + sl) = asin(s) + sl/√(1 − w) + O(sl²), 1/√(1 − w) ≈ 1 + w/2 + 3w²/8.
    let ul = if big {
        sl.mul_add(w.mul_add(0.375f64.mul_add(w, 0.5), 1.0), p)
    } else {
        p
    };
    (big, u, ul)
}

/// arcsin(x) for every x (NaN outside [-1, 1]).
#[inline(always)]
pub fn asin(x: f64) -> f64 {
    let (big, u, ul) = asin_core(x.abs());
    let (hi, lo, m) = if big {
        (PIO2_HI, PIO2_LO, -2.0)
    } else {
        (0.0, 0.0, 1.0)
    };
    finish(hi, lo, m, u, ul).copysign(x)
}

/// arccos(x) for every x (NaN outside [-1, 1]).
#[inline(always)]
pub fn acos(x: f64) -> f64 {
    let (big, u, ul) = asin_core(x.abs());
    let neg = x.is_sign_negative();
    // π/2 − asin(x); 2·asin(s); π − 2·asin(s).
    let (hi, lo, m) = match (big, neg) {
        (false, false) => (PIO2_HI, PIO2_LO, -1.0),
        (false, true) => (PIO2_HI, PIO2_LO, 1.0),
        (true, false) => (0.0, 0.0, 2.0),
        (true, true) => (PI_HI, PI_LO, -2.0),
    };
    finish(hi, lo, m, u, ul)
}

/// tan(x) for finite |x| ≤ TRIG_LIMIT (the callers send the others to libm).
#[inline(always)]
pub fn tan(x: f64) -> f64 {
    let (r, rl, q) = reduce_pio2(x);
    // tan r = r + r³/3 + r³·z·T2(z): r³ to double-double (z = r², c = r·z with their
    // errors), r³/3 likewise, so only the smaller r³·z·T2 (≤ 0.07·tan r) rounds in double.
    let z = r * r;
    let zl = r.mul_add(r, -z);
    let c = r * z;
    let cl = r.mul_add(z, -c) + r * zl;
    let h1 = c * THIRD;
    let l1 = c.mul_add(THIRD, -h1) + c.mul_add(THIRD_LO, cl * THIRD);
    let p2 = (c * z) * estrin(z, &TAN2);
    let (s, e) = two_sum(r, h1);
    // tan(r + rl) = tan r + rl·(1 + tan² r) + O(rl²); then th + tl (|lo| ≪ |s|).
    let t0 = s + p2;
    let lo = e + (l1 + rl.mul_add(t0.mul_add(t0, 1.0), p2));
    let th = s + lo;
    let tl = (s - th) + lo;
    // Odd quadrants: −1/(th + tl) = qh + qh·((1 + qh·th) + qh·tl), the remainder exact.
    let qh = -1.0 / th;
    let e = qh.mul_add(th, 1.0);
    let odd = qh.mul_add(qh.mul_add(tl, e), qh);
    let v = if q & 1 == 0 { th } else { odd };
    // Tiny arguments: tan(x) = x (keeps the sign of zero).
    if x.abs() < 1.0e-9 {
        x
    } else {
        v
    }
}
