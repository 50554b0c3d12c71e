//! complex128 kernels for `tan tanh arctan arctanh` (z = x + iy), in the form of
//! [`super::complex`]: `(re, im, ok)`, branch-free, `ok` false where the scalar C99 rule
//! must take over.
//!
//! - tan: with E = e^(2|y|) − 1 (`expm1`), g = 1/E and G = g(1 + g), the classical
//!   (sin x·cos x + i·sinh y·cosh y)/(cos²x + sinh²y) multiplied through by 4(E + 1)/E²:
//!   re = 4·sin x·cos x·G/(1 + 4·cos²x·G), im = ±(1 + 2g)/(1 + 4·cos²x·G).
//!   Every sum adds positive terms (no cancellation, also next to the poles), nothing
//!   overflows for 2^-500 ≤ |y| ≤ 350, and large |y| needs no separate branch (g → 0,
//!   im → ±1). y = ±0 is y = 2^-500 for the real part (tan x to far below an ULP) and ±0
//!   for the imaginary one.
//! - tanh z = −i·tan(iz): the same core with the roles of x and y exchanged.
//! - arctanh, on a = |x|, b = |y|: re = ¼·log1p(4a/((1 − a)² + b²)),
//!   im = ½·atan2(2b, 1 − a² − b²) with 1 − a² − b² in double-double (exact squares), so
//!   the cancellation near the unit circle costs nothing; the signs of x and y are put
//!   back with copysign (catanh is odd and conjugate-symmetric, and C99's signed zeros on
//!   the cuts y = ±0, |x| > 1 follow: atan2(+0, W < 0) = π).
//! - arctan z = −i·arctanh(iz): arctanh's core at (−y, x), then (im, −re).
//!
//! Not ok (scalar rule): non-finite parts, parts whose squares leave [2^-500, 2^500]
//! (unless zero), |trig argument| > TRIG_LIMIT, |y| > 350 for tan (|x| for tanh), real
//! results of tan (imaginary of tanh) that underflow, and the poles z = ±1 (arctanh),
//! z = ±i (arctan).

use super::complex::square_safe;
use super::hyper::pick;
use super::kernels::{self, two_sum, TRIG_LIMIT};
use super::{invtrig, logexp};

/// Largest |y| of tan (|x| of tanh) the kernel takes: e^(2|y|) stays below 2^1010.
const HYP_LIMIT: f64 = 350.0;
/// 2^-500: the smallest nonzero |y| of tan; y = ±0 computes with it.
const TINY: f64 = 3.054936363499605e-151;

/// tan(t + ih) as (re, im, ok).
#[inline(always)]
fn tan_core(t: f64, h: f64) -> (f64, f64, bool) {
    let (s, c) = kernels::sin_cos(t);
    let ah = h.abs().clamp(TINY, HYP_LIMIT);
    let e = logexp::expm1(2.0 * ah);
    let g = 1.0 / e;
    let q = 4.0 * g.mul_add(g, g);
    let cq = c * q;
    let den = c.mul_add(cq, 1.0);
    let re = s * cq / den;
    let im = 2.0f64.mul_add(g, 1.0) / den;
    let im = pick(h == 0.0, h, im.copysign(h));
    let ah = h.abs();
    let ok = t.abs() <= TRIG_LIMIT
        && ah <= HYP_LIMIT
        && (ah == 0.0 || ah >= TINY)
        && (t == 0.0 || re.abs() >= f64::MIN_POSITIVE);
    (re, im, ok)
}

/// tan z (C99 `ctan`).
#[inline(always)]
pub(super) fn tan(x: f64, y: f64) -> (f64, f64, bool) {
    tan_core(x, y)
}

/// tanh z = −i·tan(iz) (C99 `ctanh`): tan's core with the parts exchanged.
#[inline(always)]
pub(super) fn tanh(x: f64, y: f64) -> (f64, f64, bool) {
    let (a, b, ok) = tan_core(y, x);
    (b, a, ok)
}

/// arctanh(x + iy) as (re, im, ok).
#[inline(always)]
fn atanh_core(x: f64, y: f64) -> (f64, f64, bool) {
    let a = x.abs();
    let b = y.abs();
    let d1 = 1.0 - a;
    let bb = b * b;
    let den = d1.mul_add(d1, bb);
    let re = 0.25 * logexp::log1p(4.0 * a / den);
    // 1 − a² − b² in double-double: a², b² exact pairs, the sums two_sum'd.
    let aa = a * a;
    let aal = a.mul_add(a, -aa);
    let bbl = b.mul_add(b, -bb);
    let (big, small) = (aa.max(bb), aa.min(bb));
    let (hl, sl) = if aa >= bb { (aal, bbl) } else { (bbl, aal) };
    let (s1, e1) = two_sum(1.0, -big);
    let (s2, e2) = two_sum(s1, -small);
    let w = s2 + ((e1 + e2) - (hl + sl));
    let im = 0.5 * invtrig::atan2(2.0 * b, w);
    let ok = x.is_finite()
        && y.is_finite()
        && square_safe(x)
        && square_safe(y)
        && (a != 1.0 || b != 0.0);
    (re.copysign(x), im.copysign(y), ok)
}

/// arctanh z (C99 `catanh`).
#[inline(always)]
pub(super) fn arctanh(x: f64, y: f64) -> (f64, f64, bool) {
    atanh_core(x, y)
}

/// arctan z = −i·arctanh(iz) (C99 `catan`).
#[inline(always)]
pub(super) fn arctan(x: f64, y: f64) -> (f64, f64, bool) {
    let (r, i, ok) = atanh_core(-y, x);
    (i, -r, ok)
}

#[cfg(test)]
mod tests {
    use crate::math::Math;
    use num_complex::Complex64;

    const FUNCS: [Math; 4] = [Math::Tan, Math::Tanh, Math::Arctan, Math::Arctanh];

    fn ulps(a: f64, b: f64) -> f64 {
        let u = b.abs().max(f64::MIN_POSITIVE);
        (a - b).abs() / (f64::from_bits(u.to_bits() + 1) - u)
    }

    /// Both builds (portable, AVX2 + FMA where the CPU has it), bitwise the same.
    fn both(f: Math, z: &[Complex64]) -> Vec<Complex64> {
        let mut out = vec![Complex64::default(); z.len()];
        super::super::apply_c128(f, z, &mut out);
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            let mut o2 = vec![Complex64::default(); z.len()];
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            unsafe { super::super::apply_c128_avx2(f, z, &mut o2) };
            for (a, b) in out.iter().zip(&o2) {
                assert_eq!(a.re.to_bits(), b.re.to_bits());
                assert_eq!(a.im.to_bits(), b.im.to_bits());
            }
        }
        out
    }

    fn lcg(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let e = ((s >> 3) % 40) as i32 - 30;
            let sign = if s & 1 == 0 { 1.0 } else { -1.0 };
            sign * (1.0 + u) * 2f64.powi(e)
        }
    }

    /// Zeros, infinities, NaN, poles, the cuts and range edges: zero, infinite and NaN
    /// parts are the scalar rule's bitwise (signs of zeros included); the others within
    /// the random-input bound.
    #[test]
    fn special_values_follow_the_scalar_rule() {
        let parts = [
            0.0,
            -0.0,
            0.5,
            -1.0,
            1.0,
            2.0,
            -3e-310,
            1e-300,
            -1e-160,
            1e300,
            -std::f64::consts::FRAC_PI_2,
            25.0,
            -349.0,
            351.0,
            800.0,
            2e6,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let z: Vec<Complex64> = parts
            .iter()
            .flat_map(|&a| parts.iter().map(move |&b| Complex64::new(a, b)))
            .collect();
        for f in FUNCS {
            let got = both(f, &z);
            for (w, g) in z.iter().zip(&got) {
                let r = f.complex(*w);
                for (a, b) in [(g.re, r.re), (g.im, r.im)] {
                    if b == 0.0 || !b.is_finite() || a == 0.0 || !a.is_finite() {
                        assert!(
                            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                            "{f:?}({w}): {g} vs {r}"
                        );
                    } else {
                        assert!(ulps(a, b) <= 8.0, "{f:?}({w}): {g} vs {r}");
                    }
                }
            }
        }
    }

    /// Random inputs over 2^-30 … 2^9 per part: within the measured distance to glibc.
    #[test]
    fn random_inputs_near_the_scalar_rule() {
        let mut next = lcg(7);
        let z: Vec<Complex64> = (0..1 << 16)
            .map(|_| Complex64::new(next(), next()))
            .collect();
        for (f, bound) in [
            (Math::Tan, 8.0),
            (Math::Tanh, 8.0),
            (Math::Arctan, 6.0),
            (Math::Arctanh, 6.0),
        ] {
            let got = both(f, &z);
            let mut worst = 0.0f64;
            for (w, g) in z.iter().zip(&got) {
                let r = f.complex(*w);
                for (a, b) in [(g.re, r.re), (g.im, r.im)] {
                    let d = ulps(a, b);
                    assert!(d <= bound, "{f:?}({w}): {g} vs {r}: {d} ULP");
                    worst = worst.max(d);
                }
            }
            eprintln!("{f:?}: max {worst} ULP from the scalar rule");
        }
    }
}
