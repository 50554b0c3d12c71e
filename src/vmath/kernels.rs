//! Branch-free float64 kernels (one element in, one out) for the vectorised math
//! functions: range reduction, then a near-minimax polynomial whose coefficients
//! `tools/ulp/fit.py` derives. Written with selects instead of branches and only IEEE
//! operations and fused multiply-adds (`mul_add`, always fused), so a lane's result never
//! depends on its neighbours, on vectorisation or on the CPU. Each kernel documents the
//! inputs it is valid for; the callers (`super`) send the others to libm.

// Coefficients printed by tools/ulp/fit.py.
#[allow(clippy::excessive_precision)]
pub(super) const SIN: [f64; 7] = [
    -0.16666666666666666,
    0.008333333333333331,
    -0.00019841269841265065,
    2.7557319219339167e-06,
    -2.5052106232447578e-08,
    1.6058531618986147e-10,
    -7.586697117706918e-13,
];
pub(super) const COS: [f64; 7] = [
    0.041666666666666664,
    -0.0013888888888888887,
    2.4801587301584645e-05,
    -2.7557319221402824e-07,
    2.087675579108042e-09,
    -1.1470460887609959e-11,
    4.7458719020432915e-14,
];
pub(super) const EXP: [f64; 11] = [
    0.5,
    0.1666666666666667,
    0.04166666666666667,
    0.008333333333326141,
    0.0013888888888883752,
    0.00019841269874800493,
    2.4801587325533363e-05,
    2.7557255425746435e-06,
    2.7557273661348637e-07,
    2.510520637395701e-08,
    2.0914679376583935e-09,
];
pub(super) const LOG: [f64; 7] = [
    0.666666666666667,
    0.39999999999899505,
    0.28571428625975487,
    0.2222221113479508,
    0.18182889125261723,
    0.15331721600556042,
    0.14616449685043406,
];
// π/2 in 33-bit pieces (q · piece is exact for |q| < 2^20), then the tail.
const PIO2_1: f64 = 1.5707963267341256;
const PIO2_2: f64 = 6.077100506303966e-11;
const PIO2_3: f64 = 2.0222662487111665e-21;
const PIO2_3T: f64 = 8.4784276603689e-32;
// ln 2 in a 42-bit head (n · head is exact for |n| < 2^11) and the tail.
pub(super) const LN2_HI: f64 = 0.6931471805598903;
pub(super) const LN2_LO: f64 = 5.497923018708371e-14;
// ln 2 as the nearest double and the rest (exp2 forms r · ln 2 in double-double).
const LN2: f64 = std::f64::consts::LN_2;
const LN2_TAIL: f64 = 2.3190468138462996e-17;
/// 1.5 · 2^52: adding it rounds to an integer held in the low mantissa bits.
pub(super) const MAGIC: f64 = 6755399441055744.0;

/// Largest |x| the trig reduction handles exactly (|q| < 2^20); beyond, callers use libm.
pub const TRIG_LIMIT: f64 = 1.0e6;

#[inline(always)]
pub(super) fn horner<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut p = c[N - 1];
    let mut k = N - 1;
    while k > 0 {
        k -= 1;
        p = p.mul_add(x, c[k]);
    }
    p
}

/// The same polynomial as [`horner`] by Estrin's scheme (pairs `c[2i] + c[2i+1]·x`, then
/// pairs of those in x², then in x⁴, …): a dependency chain of about log2 N fused
/// multiply-adds instead of N - 1, for a few more multiplications. Written out level by
/// level so that the compiler keeps every lane in registers.
#[inline(always)]
pub(super) fn estrin<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let p = |i: usize| -> f64 {
        if i + 1 < N {
            c[i + 1].mul_add(x, c[i])
        } else if i < N {
            c[i]
        } else {
            0.0
        }
    };
    // Level 1: groups of 2; level 2: groups of 4; level 3: groups of 8; up to 16 terms.
    let q = |i: usize| -> f64 {
        if i + 2 < N {
            p(i + 2).mul_add(x2, p(i))
        } else {
            p(i)
        }
    };
    let r = |i: usize| -> f64 {
        if i + 4 < N {
            q(i + 4).mul_add(x4, q(i))
        } else {
            q(i)
        }
    };
    assert!(N <= 16);
    if N > 8 {
        r(8).mul_add(x8, r(0))
    } else {
        r(0)
    }
}

/// `a + b` as an unevaluated pair (hi, lo) with hi + lo == a + b exactly (Knuth).
#[inline(always)]
pub(super) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// 2^k for an integer-valued k in [-1022, 1023].
#[inline(always)]
pub(super) fn pow2(k: f64) -> f64 {
    f64::from_bits((k + (MAGIC + 1023.0)).to_bits() << 52)
}

/// x = q·π/2 + (r + rl), |r| ≤ ~π/4, for |x| ≤ TRIG_LIMIT; returns (r, rl, q mod 4).
#[inline(always)]
pub(super) fn reduce_pio2(x: f64) -> (f64, f64, u64) {
    let t = x.mul_add(std::f64::consts::FRAC_2_PI, MAGIC);
    let q = t - MAGIC;
    let quadrant = t.to_bits() & 3;
    // Exact: q·PIO2_1 has ≤ 53 bits and x - q·PIO2_1 cancels (Sterbenz).
    let a = x - q * PIO2_1;
    let (r1, e1) = two_sum(a, -(q * PIO2_2));
    let (hi, e2) = two_sum(r1, -(q * PIO2_3));
    let lo = (e1 + e2) - q * PIO2_3T;
    let r = hi + lo;
    (r, (hi - r) + lo, quadrant)
}

/// sin(r + rl) for |r| ≤ π/4.
#[inline(always)]
fn sin_poly(r: f64, rl: f64) -> f64 {
    let z = r * r;
    r + (r * z).mul_add(estrin(z, &SIN), rl)
}

/// cos(r + rl) for |r| ≤ π/4.
#[inline(always)]
fn cos_poly(r: f64, rl: f64) -> f64 {
    let z = r * r;
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * z).mul_add(estrin(z, &COS), -(r * rl)))
}

/// sin(x) (`cos` when `cos` is set) for finite |x| ≤ TRIG_LIMIT.
#[inline(always)]
pub fn sincos(x: f64, cos: bool) -> f64 {
    let (r, rl, q) = reduce_pio2(x);
    let q = if cos { q + 1 } else { q };
    let s = sin_poly(r, rl);
    let c = cos_poly(r, rl);
    let v = if q & 1 == 0 { s } else { c };
    let v = f64::from_bits(v.to_bits() ^ ((q & 2) << 62));
    // Tiny arguments: sin(x) = x (keeps the sign of zero), cos(x) = 1.
    if !cos && x.abs() < 1.0e-9 {
        x
    } else {
        v
    }
}

/// (sin x, cos x) for finite |x| ≤ TRIG_LIMIT, from one reduction: bitwise the same as
/// `sincos(x, false)` and `sincos(x, true)`.
#[inline(always)]
pub fn sin_cos(x: f64) -> (f64, f64) {
    let (r, rl, q) = reduce_pio2(x);
    let s = sin_poly(r, rl);
    let c = cos_poly(r, rl);
    let qc = q + 1;
    let vs = if q & 1 == 0 { s } else { c };
    let vs = f64::from_bits(vs.to_bits() ^ ((q & 2) << 62));
    let vc = if qc & 1 == 0 { s } else { c };
    let vc = f64::from_bits(vc.to_bits() ^ ((qc & 2) << 62));
    (if x.abs() < 1.0e-9 { x } else { vs }, vc)
}

/// e^x for every x (NaN, ±inf, overflow and underflow included).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let xc = x.clamp(-746.0, 710.0);
    let t = xc.mul_add(std::f64::consts::LOG2_E, MAGIC);
    let n = t - MAGIC;
    let r = x_minus(xc, n);
    let rl = -(n * LN2_LO);
    let rr = r + rl;
    let c = (r - rr) + rl;
    let v = exp_scaled(n, rr, c);
    if x.is_nan() {
        x
    } else {
        v
    }
}

/// 2^x for every x.
#[inline(always)]
pub fn exp2(x: f64) -> f64 {
    let xc = x.clamp(-1076.0, 1025.0);
    let n = (xc + MAGIC) - MAGIC;
    let r = xc - n; // exact, |r| ≤ 1/2
    let rh = r * LN2;
    let rl = r.mul_add(LN2, -rh) + r * LN2_TAIL;
    let rr = rh + rl;
    let c = (rh - rr) + rl;
    let v = exp_scaled(n, rr, c);
    if x.is_nan() {
        x
    } else {
        v
    }
}

/// 2^n · e^(rr + c) for |rr| ≤ ln2/2, |c| ≪ ulp(rr), integer n in [-1076, 1025].
#[inline(always)]
pub(super) fn exp_scaled(n: f64, rr: f64, c: f64) -> f64 {
    let p = rr + (rr * rr).mul_add(estrin(rr, &EXP), c);
    let y = 1.0 + p;
    // Scale in two steps so 2^n never overflows on its own; one rounding at most.
    let n1 = (0.5 * n).floor();
    y * pow2(n1) * pow2(n - n1)
}

#[inline(always)]
fn x_minus(x: f64, n: f64) -> f64 {
    // Exact: n·LN2_HI has ≤ 53 bits and the difference cancels.
    x - n * LN2_HI
}

/// x = 2^k · m with m in [√2/2, √2), both exact, for positive finite x (subnormals
/// included; other inputs give values the callers' selects discard): (k, m). The shared
/// first step of every log kernel.
#[inline(always)]
pub(super) fn log_split(x: f64) -> (f64, f64) {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18014398509481984.0 } else { x }; // 2^54
                                                            // Shift so the mantissa lands in [√2/2, √2) and the exponent follows.
    let u = xs
        .to_bits()
        .wrapping_add(0x3ff0000000000000 - 0x3fe6a09e667f3bcd);
    let kf = f64::from_bits((u >> 52) | 0x4330000000000000) - (4503599627370496.0 + 1023.0);
    let kf = if sub { kf - 54.0 } else { kf };
    let m = f64::from_bits((u & 0x000fffffffffffff) + 0x3fe6a09e667f3bcd);
    (kf, m)
}

/// ln(x) for every x (NaN, negative, zero, subnormal and infinite included).
#[inline(always)]
pub fn log(x: f64) -> f64 {
    let (kf, m) = log_split(x);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * estrin(z, &LOG);
    let hfsq = 0.5 * f * f;
    let v = kf.mul_add(LN2_HI, -((hfsq - s.mul_add(hfsq + r, kf * LN2_LO)) - f));
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
