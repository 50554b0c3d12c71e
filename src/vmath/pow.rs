//! Branch-free float64 kernels for `hypot`, `cbrt`, `**` (pow) and the exact `fmod`.
//! Same rules as `kernels`: selects instead of branches, IEEE operations (`sqrt`, `floor`
//! and `trunc` included) and `mul_add` only, so a lane's result never depends on its
//! neighbours or on the CPU.
//!
//! - `hypot(x, y)`: both magnitudes scaled by 2^∓600 when the larger is above 2^450 or
//!   below 2^-450 (exact, so nothing overflows or underflows spuriously), A² + B² as a
//!   double-double (fma products), r = √ of its head, then one Newton correction
//!   r + (A² + B² − r²)/(2r) with the residual from an fma: ~0.5 ULP, then the exact
//!   scaling back (a subnormal result rounds twice: ≤ 0.5 ULP + 2^-53 relative).
//!   C99: an infinite operand gives +inf even with a NaN.
//! - `cbrt(x)`: |x| = t · 2^(3q) by bit operations, t in [1, 8) (subnormals scaled by
//!   2^54 first); a cubic (≈13 bits) for ∛ of the mantissa times ∛1, ∛2 or ∛4 (selected),
//!   two Halley steps (13 → 39 → full precision), then one Newton step whose residual
//!   y³ − t comes from fma products, so the last rounding is the only one that counts
//!   (~0.5 ULP); sign restored; ±0, ±inf and NaN returned as given.
//! - `pow(x, y)`: ln|x| as a double-double (m in [√2/2, √2), s = (m−1)/(m+1) as a
//!   double-double, ln m = 2s + s³(2/3 + s²R(s²)) with the first two terms in
//!   double-double and R the 12-term Taylor series of atanh: relative error ≈ 2^-65),
//!   times y in double-double, then e^(h + l) with the reduction of `kernels::exp`, the
//!   terms 1 + r + r²/2 summed exactly and one final rounding: the error before that
//!   rounding is ≤ |y ln x|·2^-65 + ~0.05 ULP, so the result is within ~0.8 ULP even at
//!   the overflow threshold, and exact results (2**10, 0.25**0.5, …) come out exact.
//!   Every C99/glibc special case (pow(x, ±0) = 1 even for NaN x, pow(1, y) = 1,
//!   pow(−1, ±inf) = 1, ±0 and ±inf bases with odd-integer exponents, negative bases with
//!   non-integer exponents → NaN, overflow/underflow with the right sign) is a select.
//! - `fmod(x, y)`: exact for |x/y| < 2^52: n = trunc(|x|/|y|) is the true quotient or one
//!   more (rounding is monotone and integers below 2^53 are representable), r =
//!   fma(−n, |y|, |x|) is then the exact remainder or the exact remainder − |y| (both
//!   representable), a negative r takes + |y| (exact), and the sign of x is copied. The
//!   rest (ratio ≥ 2^52, infinite or NaN operands, zero divisor) fail [`fmod_ok`] and go to
//!   the scalar rule; the results are bitwise those of Rust's `%` (C's fmod).

use super::kernels::{estrin, pow2, two_sum, EXP, LN2_HI, LN2_LO, MAGIC};

// ------------------------------------------------------------------------------ hypot

const TWO_450: f64 = 2.9073548971824276e+135; // 2^450
const TWO_M450: f64 = 3.4395525670743494e-136; // 2^-450
const TWO_600: f64 = 4.149515568880993e180; // 2^600
const TWO_M600: f64 = 2.409919865102884e-181; // 2^-600

/// hypot(x, y) for every x, y.
#[inline(always)]
pub fn hypot(x: f64, y: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    let big = ax.max(ay);
    let small = ax.min(ay);
    let (pre, post) = if big > TWO_450 {
        (TWO_M600, TWO_600)
    } else if big < TWO_M450 {
        (TWO_600, TWO_M600)
    } else {
        (1.0, 1.0)
    };
    let a = big * pre;
    let b = small * pre;
    let aa = a * a;
    let aal = a.mul_add(a, -aa);
    let bb = b * b;
    let bbl = b.mul_add(b, -bb);
    let (s, e) = two_sum(aa, bb);
    let sl = e + (aal + bbl);
    let r = s.sqrt();
    // s - r² is exact in an fma (r is the rounded square root of s).
    let resid = (-r).mul_add(r, s) + sl;
    let v = resid / (r + r) + r;
    let res = v * post;
    if ax == f64::INFINITY || ay == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        x + y
    } else if big == 0.0 {
        0.0
    } else {
        res
    }
}

// ------------------------------------------------------------------------------- cbrt

/// ∛m on [1, 2], degree 3 (Chebyshev interpolant, max error 1.04e-4).
const CBRT: [f64; 4] = [
    0.5557909602691413,
    0.5808263911380899,
    -0.15866246005318732,
    0.022148699208244426,
];
const CBRT2: f64 = 1.2599210498948732;
const CBRT4: f64 = 1.5874010519681994;
const MANT: u64 = 0x000f_ffff_ffff_ffff;

/// One Halley step for y ≈ ∛t: y (y³ + 2t) / (2y³ + t).
#[inline(always)]
fn halley(y: f64, t: f64) -> f64 {
    let y3 = y * y * y;
    y * (y3 + 2.0 * t) / (2.0 * y3 + t)
}

/// ∛x for every x.
#[inline(always)]
pub fn cbrt(x: f64) -> f64 {
    let ax = x.abs();
    let sub = ax < f64::MIN_POSITIVE;
    let xs = if sub { ax * 18014398509481984.0 } else { ax }; // 2^54
    let bits = xs.to_bits();
    // Unbiased exponent e (−18·3 for the scaled subnormals), e = 3q + r, r in {0, 1, 2}.
    let eb = f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - 4503599627370496.0;
    let e = eb - if sub { 1023.0 + 54.0 } else { 1023.0 };
    let q = ((e + 0.5) * (1.0 / 3.0)).floor();
    let r = e - 3.0 * q;
    let m = f64::from_bits((bits & MANT) | 0x3ff0_0000_0000_0000); // [1, 2)
    let (t, c) = if r == 0.0 {
        (m, 1.0)
    } else if r == 1.0 {
        (m * 2.0, CBRT2)
    } else {
        (m * 4.0, CBRT4)
    };
    let y = estrin(m, &CBRT) * c;
    let y = halley(y, t);
    let y = halley(y, t);
    // Newton: y − (y³ − t)/(3y²), with y³ − t from exact products.
    let y2 = y * y;
    let y2l = y.mul_add(y, -y2);
    let d = y2.mul_add(y, -t) + y2l * y;
    let y = y - d / (3.0 * y2);
    let v = (y * pow2(q)).copysign(x);
    if x == 0.0 || !x.is_finite() {
        x + x // ±0, ±inf; quiets a NaN
    } else {
        v
    }
}

// -------------------------------------------------------------------------------- pow

const TWO_THIRDS: f64 = 0.6666666666666666;
const TWO_THIRDS_LO: f64 = 3.700743415417188e-17;
/// R(z) = Σ 2/(2j + 5) z^j, j = 0..11: ln m = 2s + s³(2/3 + s² R(s²)); |s²| ≤ 0.0295,
/// so the first term left out is below 2^-76 relative.
const ATANH: [f64; 12] = [
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
    2.0 / 21.0,
    2.0 / 23.0,
    2.0 / 25.0,
    2.0 / 27.0,
];

/// EXP without its leading 1/2 (e^r = 1 + r + r²/2 + r³ Q(r)).
const EXP_T: [f64; 10] = [
    EXP[1], EXP[2], EXP[3], EXP[4], EXP[5], EXP[6], EXP[7], EXP[8], EXP[9], EXP[10],
];

/// ln(x) as (hi, lo) for positive finite x (subnormals included); relative error ≈ 2^-65.
#[inline(always)]
pub(super) fn ln_dd(x: f64) -> (f64, f64) {
    let (kf, m) = super::kernels::log_split(x);
    let f = m - 1.0; // exact
                     // s = f / (2 + f) as a double-double; 2 + f = d + dl exactly.
    let d = 2.0 + f;
    let dl = f - (d - 2.0);
    let sh = f / d;
    // f − sh·d is exact in an fma (the remainder of a rounded quotient).
    let sl = ((-sh).mul_add(d, f) - sh * dl) / d;
    // s² and s³ as double-doubles.
    let z = sh * sh;
    let zl = sh.mul_add(sh, -z) + 2.0 * sh * sl;
    let c = sh * z;
    let cl = sh.mul_add(z, -c) + (sh * zl + sl * z);
    // a = 2/3 + s² R(s²) as a double-double (|s² R| ≤ 0.012).
    let v = z * estrin(z, &ATANH);
    let a = TWO_THIRDS + v;
    let al = (TWO_THIRDS - a) + v + TWO_THIRDS_LO;
    // t = s³ a.
    let th = c * a;
    let tl = c.mul_add(a, -th) + (c * al + cl * a);
    // 2s + t, then + k ln 2 (k·LN2_HI is exact).
    let (h1, e1) = two_sum(2.0 * sh, th);
    let l1 = e1 + (2.0 * sl + tl);
    let (h2, e2) = two_sum(kf * LN2_HI, h1);
    let l2 = e2 + kf.mul_add(LN2_LO, l1);
    let hi = h2 + l2;
    (hi, (h2 - hi) + l2)
}

/// e^(ph + pl) for |pl| ≲ ulp(ph), any ph (overflow to +inf, underflow to 0).
#[inline(always)]
pub(super) fn exp_dd(ph: f64, pl: f64) -> f64 {
    let h = ph.clamp(-750.0, 712.0);
    let l = if h == ph { pl } else { 0.0 };
    let t = h.mul_add(std::f64::consts::LOG2_E, MAGIC);
    let n = t - MAGIC;
    let r = h - n * LN2_HI; // exact (see kernels::x_minus)
    let rl = l - n * LN2_LO;
    let rr = r + rl;
    let c = (r - rr) + rl;
    // e^(rr + c) ≈ e^rr (1 + c); e^rr = 1 + rr + rr²/2 + rr³ Q(rr).
    let z = rr * rr;
    let zl = rr.mul_add(rr, -z);
    let rest = (z * rr).mul_add(estrin(rr, &EXP_T), 0.5f64.mul_add(zl, c.mul_add(rr, c)));
    let (a, b) = two_sum(1.0, rr);
    let (a2, b2) = two_sum(a, 0.5 * z);
    let v = a2 + ((b + b2) + rest);
    // Scale in two steps so 2^n never overflows on its own; one rounding at most.
    let n1 = (0.5 * n).floor();
    v * pow2(n1) * pow2(n - n1)
}

/// x**y (C99 `pow`) for every x, y.
#[inline(always)]
pub fn pow(x: f64, y: f64) -> f64 {
    let yint = y == y.floor(); // ±inf count as (even) integers, NaN does not
    let yodd = yint && (0.5 * y).floor() != 0.5 * y;
    let ax = x.abs();
    let finite = ax > 0.0 && ax < f64::INFINITY;
    let (hi, lo) = ln_dd(if finite { ax } else { 1.0 });
    let ph = y * hi;
    let pl = y.mul_add(hi, -ph) + y * lo;
    let gen = exp_dd(ph, pl);
    // |x| = 0 or inf, or y = ±inf: 0 or inf.
    let edge = if (ax > 1.0) == (y > 0.0) {
        f64::INFINITY
    } else {
        0.0
    };
    let mag = if finite && y.is_finite() { gen } else { edge };
    let signed = if x.is_sign_negative() && yodd {
        -mag
    } else {
        mag
    };
    if y == 0.0 || x == 1.0 {
        1.0
    } else if x.is_nan() || y.is_nan() {
        x + y
    } else if ax == 1.0 && y.is_infinite() {
        1.0
    } else if x < 0.0 && x > f64::NEG_INFINITY && !yint {
        f64::NAN
    } else {
        signed
    }
}

// ------------------------------------------------------------------------------- fmod

/// 2^52: below this quotient the truncation n is exact to one unit (see the module doc).
const FMOD_LIMIT: f64 = 4503599627370496.0;

/// Whether [`fmod`] is exact for (x, y): finite x, finite nonzero y, |x/y| < 2^52.
#[inline(always)]
pub fn fmod_ok(x: f64, y: f64) -> bool {
    let ay = y.abs();
    ay < f64::INFINITY && x.abs() / ay < FMOD_LIMIT
}

/// fmod(x, y), exact, for the (x, y) that [`fmod_ok`] accepts (garbage otherwise).
#[inline(always)]
pub fn fmod(x: f64, y: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    let n = (ax / ay).trunc();
    let r = (-n).mul_add(ay, ax);
    let r = if r < 0.0 { r + ay } else { r };
    r.copysign(x)
}
