//! complex128 kernels for `tan tanh arctan arctanh` (z = x + iy), in the form of
//! [`super::complex`]: `(re, im, ok)`, branch-free, `ok` false where the scalar C99 rule
//! must take over.
//!
//! - tan: with E = e^(2|y|) − 1, g = 1/E and q = 4(g + g²) = 1/sinh²y, the classical
//!   (sin x·cos x + i·sinh y·cosh y)/(cos²x + sinh²y) divided through by sinh²y:
//!   re = sin x·(cos x·q)/(1 + cos x·(cos x·q)), im = ±(1 + 2g)/(1 + cos x·(cos x·q)).
//!   Every sum adds terms of one sign (no cancellation, also next to the poles), nothing
//!   overflows for 2^-500 ≤ |y| ≤ 350, and large |y| needs no branch of its own (g → 0,
//!   im → ±1). sin x, cos x (the reduction and polynomials of `kernels::sin_cos` with the
//!   leading terms kept apart), E (`hyper::expm1_pair`), g, q and the products are
//!   pairs (hi, lo), and each part is rounded once at the end: within 1 ULP (glibc's
//!   `ctan` is within ~4). y = ±0 computes the real part with y = 2^-500 (tan x to far
//!   below an ULP) and gives ±0 for the imaginary one.
//! - tanh z = −i·tan(iz): the same core with the roles of x and y exchanged.
//! - arctanh, on a = |x|, b = |y|: re = ¼·log1p(4a/((1 − a)² + b²)) (the quotient a pair,
//!   its low part added as ul/(1 + u)),
//!   im = ½·atan2(2b, W), W = 1 − a² − b² in double-double (exact squares; its low part
//!   enters as −2b·Wl/(4b² + W²)), so the cancellation near the unit circle costs
//!   nothing; each part within 1 ULP (glibc's `catanh` ~4). The signs of x and y are put
//!   back with copysign (catanh is odd and conjugate-symmetric, and C99's signed zeros on
//!   the cuts y = ±0, |x| > 1 follow: atan2(+0, W < 0) = π).
//! - arctan z = −i·arctanh(iz): arctanh's core at (−y, x), then (im, −re).
//!
//! Not ok (scalar rule): non-finite parts, parts whose squares leave [2^-500, 2^500]
//! (unless zero), |trig argument| > TRIG_LIMIT, |y| > 350 for tan (|x| for tanh), real
//! parts of tan (imaginary of tanh) below 2^-960, and the poles z = ±1 (arctanh),
//! z = ±i (arctan).

use super::complex::square_safe;
use super::hyper::pick;
use super::kernels::{self, two_sum, TRIG_LIMIT};
use super::{hyper, invtrig, logexp};

/// Largest |y| of tan (|x| of tanh) the kernel takes: e^(2|y|) stays below 2^1010.
const HYP_LIMIT: f64 = 350.0;
/// 2^-500: the smallest nonzero |y| of tan; y = ±0 computes with it.
const TINY: f64 = 3.054936363499605e-151;
/// 2^-960: smaller real parts of tan (from |y| ≳ 330) take the scalar rule, so that the
/// low halves of the pairs stay normal numbers.
const RE_MIN: f64 = 1.0261342003245941e-289;

/// `a + b` as a pair when |a| ≥ |b| (or a = 0).
#[inline(always)]
fn quick_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

/// (ah + al)·(bh + bl) as a pair (relative error ~2^-104).
#[inline(always)]
fn mul_pair(ah: f64, al: f64, bh: f64, bl: f64) -> (f64, f64) {
    let p = ah * bh;
    let e = ah.mul_add(bh, -p);
    quick_sum(p, e + ah.mul_add(bl, al * bh))
}

/// (nh + nl)/(dh + dl) rounded once, with `inv` ≈ 1/dh.
#[inline(always)]
fn div_pair(nh: f64, nl: f64, dh: f64, dl: f64, inv: f64) -> f64 {
    let t = nh * inv;
    let rem = (-t).mul_add(dh, nh) + (-t).mul_add(dl, nl);
    rem.mul_add(inv, t)
}

/// (sin t, cos t) as pairs (hi, lo), relative error ~2^-56, for |t| ≤ TRIG_LIMIT: the
/// reduction and polynomials of `kernels::sin_cos`, with the leading terms kept apart.
#[inline(always)]
fn sin_cos_pairs(t: f64) -> ((f64, f64), (f64, f64)) {
    let (r, rl, q) = kernels::reduce_pio2(t);
    let z = r * r;
    let zl = r.mul_add(r, -z);
    // sin(r + rl) = r + r·z·P(z) + rl·(1 − z/2).
    let sp = (r * z).mul_add(
        kernels::estrin(z, &kernels::SIN),
        rl * (0.5f64).mul_add(-z, 1.0),
    );
    let (s, sl) = quick_sum(r, sp);
    // cos(r + rl) = 1 − z/2 + z²·Q(z) − r·rl, z/2 = (z + zl)/2.
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let cp = ((1.0 - w) - hz)
        + (z * z).mul_add(
            kernels::estrin(z, &kernels::COS),
            (-r).mul_add(rl, -0.5 * zl),
        );
    let (c, cl) = quick_sum(w, cp);
    let odd = q & 1 == 1;
    let (vs, vsl) = (pick(odd, c, s), pick(odd, cl, sl));
    let (vc, vcl) = (pick(odd, s, c), pick(odd, sl, cl));
    // sin: negated in quadrants 2, 3; cos: in quadrants 1, 2.
    let ns = if q & 2 == 2 { -1.0 } else { 1.0 };
    let nc = if (q + 1) & 2 == 2 { -1.0 } else { 1.0 };
    // Tiny t: sin t = t keeps the sign of zero.
    let tiny = t.abs() < 1.0e-9;
    (
        (pick(tiny, t, ns * vs), pick(tiny, 0.0, ns * vsl)),
        (nc * vc, nc * vcl),
    )
}

/// tan(t + ih) as (re, im, ok).
#[inline(always)]
fn tan_core(t: f64, h: f64) -> (f64, f64, bool) {
    let ((s, sl), (c, cl)) = sin_cos_pairs(t);
    let ah = h.abs().clamp(TINY, HYP_LIMIT);
    // g = 1/E, E = e^(2|h|) − 1, and q = 4(g + g²) = 1/sinh²h, as pairs.
    let (e, el) = hyper::expm1_pair(2.0 * ah);
    let g = 1.0 / e;
    let gl = g * (-g).mul_add(e, 1.0) - g * (g * el);
    let (g2, g2l) = mul_pair(g, gl, g, gl);
    let (u, ul) = two_sum(g, g2);
    let (q, ql) = (4.0 * u, 4.0 * (ul + (gl + g2l)));
    // den = 1 + c·(c·q); re = s·(c·q)/den; im = (1 + 2g)/den.
    let (cq, cql) = mul_pair(c, cl, q, ql);
    let (ccq, ccql) = mul_pair(c, cl, cq, cql);
    let (d, dl) = two_sum(1.0, ccq);
    let dl = dl + ccql;
    let inv = 1.0 / d;
    let (nr, nrl) = mul_pair(s, sl, cq, cql);
    let (ni, nil) = two_sum(1.0, 2.0 * g);
    let re = div_pair(nr, nrl, d, dl, inv);
    let im = div_pair(ni, nil + 2.0 * gl, d, dl, inv);
    // ±0 parts stay ±0 (the pair arithmetic would give +0 for −0).
    let re = pick(t == 0.0, t, re);
    let im = pick(h == 0.0, h, im.copysign(h));
    let ah = h.abs();
    let ok = t.abs() <= TRIG_LIMIT
        && ah <= HYP_LIMIT
        && (ah == 0.0 || ah >= TINY)
        && (t == 0.0 || re.abs() >= RE_MIN);
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
    let bb = b * b;
    let bbl = b.mul_add(b, -bb);
    // u = 4a/((1 − a)² + b²) as a pair; log1p(u + ul) = log1p(u) + ul/(1 + u).
    let (d1, d1l) = two_sum(1.0, -a);
    let dd = d1 * d1;
    let ddl = d1.mul_add(d1, -dd) + 2.0 * d1 * d1l;
    let (den, denl) = two_sum(dd, bb);
    let denl = denl + (ddl + bbl);
    let inv = 1.0 / den;
    let u = 4.0 * a * inv;
    let ul = ((-u).mul_add(den, 4.0 * a) - u * denl) * inv;
    let re = 0.25 * (logexp::log1p(u) + ul / (1.0 + u));
    // 1 − a² − b² in double-double: a², b² exact pairs, the sums two_sum'd.
    let aa = a * a;
    let aal = a.mul_add(a, -aa);
    let (big, small) = (aa.max(bb), aa.min(bb));
    let (hl, sl) = if aa >= bb { (aal, bbl) } else { (bbl, aal) };
    let (s1, e1) = two_sum(1.0, -big);
    let (s2, e2) = two_sum(s1, -small);
    let (w, wl) = two_sum(s2, (e1 + e2) - (hl + sl));
    // atan2(2b, w + wl) = atan2(2b, w) − 2b·wl/(4b² + w²).
    let corr = wl * (2.0 * b / 4.0f64.mul_add(bb, w * w));
    let im = 0.5 * (invtrig::atan2(2.0 * b, w) - corr);
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

    /// Both builds (portable, and the one `mathcall` picks: AVX2 + FMA where the CPU has
    /// them), bitwise the same.
    fn both(f: Math, z: &[Complex64]) -> Vec<Complex64> {
        let mut out = vec![Complex64::default(); z.len()];
        super::super::apply_c128(f, z, &mut out);
        let mut o2 = vec![Complex64::default(); z.len()];
        crate::codegen::mathcall::call_c128(f, z, &mut o2);
        for (a, b) in out.iter().zip(&o2) {
            assert_eq!(a.re.to_bits(), b.re.to_bits());
            assert_eq!(a.im.to_bits(), b.im.to_bits());
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
            (Math::Tan, 6.0),
            (Math::Tanh, 6.0),
            (Math::Arctan, 6.0),
            (Math::Arctanh, 4.0),
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

    /// Hard inputs (next to the poles, large |y|, tiny parts, on the unit circle and the
    /// cuts) against correctly rounded values (mpmath, 2400 bits): within 1 ULP.
    #[test]
    #[allow(clippy::approx_constant)] // literal mpmath values, some of them π/2, π/4
    fn hard_inputs_within_one_ulp_of_the_exact_value() {
        #[rustfmt::skip]
        let cases: [(Math, f64, f64, f64, f64); 21] = [
            (Math::Tan, 1.5707963267948966, 1e-10, 6123.233995734469, 9999999999.99625),
            (Math::Tan, -39.26990816987241, 3.5e-09, -559.9901238455993, 285714285.7131882),
            (Math::Tan, 0.5, 25.0, 3.2459740680285573e-22, 1.0),
            (Math::Tan, 2.0, -300.0, -4.011653449738388e-261, -1.0),
            (Math::Tan, 1e-200, 0.75, 5.965858082813314e-201, 0.6351489523872873),
            (Math::Tan, 3.0, 1e-140, -0.1425465430742778, 1.0203195169424269e-140),
            (Math::Tan, -0.0, 2.5, 0.0, 0.9866142981514303),
            (Math::Tan, 7.0, 0.0, 0.8714479827243188, 0.0),
            (Math::Tanh, 1e-10, 1.5707963267948966, 9999999999.99625, 6123.233995734469),
            (Math::Tanh, -30.0, 0.25, -1.0, 8.39618977739856e-27),
            (Math::Tanh, 0.3, -2.0, 1.1971187053822212, 1.423038287723179),
            (Math::Arctanh, 0.9999999999999999, 1e-20, 18.714973873090283, 4.503599615191316e-05),
            (Math::Arctanh, 0.6, 0.8, 0.34657359027997264, 0.7853981633974483),
            (Math::Arctanh, 1.0000000000000002, -0.0, 18.36840028483855, -1.5707963267948966),
            (Math::Arctanh, -1e-140, 3.0, -1e-141, 1.2490457723982544),
            (Math::Arctanh, 1e+100, -1e+99, 9.900990099009901e-101, -1.5707963267948966),
            (Math::Arctanh, 0.5, 0.8660254037844386, 0.27465307216702745, 0.7853981633974483),
            (Math::Arctan, 1e-20, 0.9999999999999999, 4.503599615191316e-05, 18.714973873090283),
            (Math::Arctan, 0.8, 0.6, 0.7853981633974483, 0.34657359027997264),
            (Math::Arctan, -0.0, 1.5, -1.5707963267948966, 0.8047189562170501),
            (Math::Arctan, 3e-05, -100000.0, 1.5707963267948937, -1.0000000000333334e-05),
        ];
        for (f, x, y, re, im) in cases {
            let w = Complex64::new(x, y);
            let g = both(f, &[w])[0];
            for (a, b) in [(g.re, re), (g.im, im)] {
                let d = if b == 0.0 { a.abs() } else { ulps(a, b) };
                assert!(d <= 1.0, "{f:?}({w}): {g} vs {re} + {im}i");
            }
        }
    }
}
