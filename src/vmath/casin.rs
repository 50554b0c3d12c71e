//! complex128 `arcsin arccos arcsinh arccosh`: branch-free kernels for [`super::complex`].
//!
//! Method (Hull, Fairgrieve & Tang 1997, "Implementing the complex arcsine and arccosine
//! functions using exception handling"), on x = |Re z|, y = |Im z|:
//! R = hypot(x + 1, y), S = hypot(x − 1, y), A = (R + S)/2 (A ≥ 1, A ≥ x). Then
//! - asin's real part is atan(x/D) and acos's is atan2(D, ±x), D = √(A² − x²) written
//!   without cancellation (R − (x+1) = y²/(R + x + 1), S − |x − 1| = y²/(S + |x − 1|)):
//!   x ≤ 1: D² = ½(A + x)·(y²/(R + x + 1) + S + (1 − x));
//!   x > 1: D = y·√(½(A + x)·(1/(R + x + 1) + 1/(S + (x − 1)))).
//!   (HFT take asin(x/A) while x/A ≤ 0.6417; one atan2 everywhere measured as accurate and
//!   is one function instead of two.)
//! - the imaginary part's magnitude is acosh A = log1p(Am1 + √(Am1·(A + 1))), Am1 = A − 1
//!   likewise without cancellation: x < 1: ½(y²/(R + x + 1) + y²/(S + (1 − x)));
//!   x ≥ 1: ½(y²/(R + x + 1) + S + (x − 1)).
//!
//! Signs by C99's symmetries (casin(conj z) = conj casin z, casin(−z) = −casin z,
//! cacos(conj z) = conj cacos z): asin = (±re, ±im) with the signs of x and y; acos =
//! (atan2(D, x), ∓im); asinh(z) = −i·asin(iz), i.e. the kernel on (|y|, |x|) with the
//! parts swapped; acosh = (im, ±acos re) with the sign of y (real part ≥ 0). On the
//! branch cuts (y = ±0, |x| > 1) the sign of the zero picks the side, as glibc.
//!
//! Not ok (scalar C99 rule): non-finite parts, and parts outside [2^-500, 2^500] that are
//! not exactly zero, so that no square overflows or underflows. The branch cuts and the
//! axes stay on the fast path (zeros and signs as C99, the other part within the bounds
//! below).
//!
//! Measured (2026-12-06, mpmath at ≥ 200 bits, 50 000 inputs in each of 9 regions per
//! function: log-uniform 2^-30…2^30, the square [-3, 3]², 1 ± 2^-53…1 with y down to
//! 2^-60, x = ±1 exactly, y down to 2^-500, x down to 2^-500, 2^-500…2^500 both parts,
//! huge x, and near ±i): each part within 3.11 ULP of the exact result (glibc's casin,
//! cacos, casinh, cacosh on the same inputs: 3.97); at most 0.7 ULP above glibc in any
//! region. Against glibc directly (examples/complex_probe): ≤ 5 ULP per part.

use super::complex::square_safe;
use super::hyper::pick;
use super::invtrig::atan2;
use super::logexp::log1p;
use super::pow::hypot;

/// For x, y ≥ 0: (D, acosh A) of the method above.
#[inline(always)]
fn core(x: f64, y: f64) -> (f64, f64) {
    let xp1 = x + 1.0;
    let xm1 = x - 1.0;
    let omx = 1.0 - x;
    let r = hypot(xp1, y);
    let s = hypot(xm1, y);
    let a = 0.5 * (r + s);
    let yy = y * y;
    let rx = r + xp1;
    let ry = yy / rx; // R − (x + 1)
    let small = x <= 1.0;
    // S − |x − 1| = y²/(S + |x − 1|) for x ≤ 1; 1/(S + (x − 1)) for x > 1 (one division).
    let sy = pick(small, yy, 1.0) / (s + xm1.abs());
    // D = √(A² − x²), one square root of the selected radicand.
    let apx = a + x;
    let rad_in = 0.5 * apx * (ry + (s + omx));
    let rad_out = 0.5 * apx * (1.0 / rx + sy);
    let d = pick(small, 1.0, y) * pick(small, rad_in, rad_out).sqrt();
    // A − 1.
    let am1_in = 0.5 * (ry + sy);
    let am1_out = 0.5 * (ry + (s + xm1));
    let am1 = pick(x < 1.0, am1_in, am1_out);
    let im = log1p(am1 + (am1 * (a + 1.0)).sqrt());
    (d, im)
}

/// In the fast range. The cuts (`u = ±0, |v| > 1`) stay on the fast path: the signed
/// zero picks the side as in glibc, and the parts are within the same bound (real
/// arrays cast to complex lie on them, so a fallback there would cost the most common
/// complex input of these functions ~3× the time).
#[inline(always)]
fn ok(v: f64, u: f64) -> bool {
    v.is_finite() && u.is_finite() && square_safe(v) && square_safe(u)
}

/// arcsin z (C99 `casin`).
#[inline(always)]
pub(super) fn asin(x: f64, y: f64) -> (f64, f64, bool) {
    let (ax, ay) = (x.abs(), y.abs());
    let (d, im) = core(ax, ay);
    let re = atan2(ax, d);
    (re.copysign(x), im.copysign(y), ok(x, y))
}

/// arccos z (C99 `cacos`).
#[inline(always)]
pub(super) fn acos(x: f64, y: f64) -> (f64, f64, bool) {
    let (d, im) = core(x.abs(), y.abs());
    let re = atan2(d, x);
    (re, im.copysign(-y), ok(x, y))
}

/// arcsinh z = −i·arcsin(iz) (C99 `casinh`).
#[inline(always)]
pub(super) fn asinh(x: f64, y: f64) -> (f64, f64, bool) {
    let (ax, ay) = (x.abs(), y.abs());
    let (d, im) = core(ay, ax);
    let re = atan2(ay, d);
    (im.copysign(x), re.copysign(y), ok(y, x))
}

/// arccosh z (C99 `cacosh`): real part ≥ 0, imaginary part arccos's real part with the
/// sign of y.
#[inline(always)]
pub(super) fn acosh(x: f64, y: f64) -> (f64, f64, bool) {
    let (d, im) = core(x.abs(), y.abs());
    let re = atan2(d, x);
    (im, re.copysign(y), ok(x, y))
}

#[cfg(test)]
mod tests {
    use crate::codegen::mathcall::call_c128;
    use crate::math::Math;
    use num_complex::Complex64;

    const FNS: [Math; 4] = [Math::Arcsin, Math::Arccos, Math::Arcsinh, Math::Arccosh];

    /// Through the dispatch (the AVX2 + FMA build where the CPU has it), and the portable
    /// build, which must agree bitwise.
    fn eval(f: Math, z: &[Complex64]) -> Vec<Complex64> {
        let mut o = vec![Complex64::default(); z.len()];
        call_c128(f, z, &mut o);
        let mut p = vec![Complex64::default(); z.len()];
        super::super::apply_c128(f, z, &mut p);
        for (k, (a, b)) in o.iter().zip(&p).enumerate() {
            assert!(
                same(a.re, b.re) && same(a.im, b.im),
                "{f:?}({:?}): builds differ: {a:?} vs {b:?}",
                z[k]
            );
        }
        o
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Distance in ULP of two finite numbers of the same sign (`u64::MAX` otherwise).
    fn ulps(a: f64, b: f64) -> u64 {
        if same(a, b) {
            return 0;
        }
        if !a.is_finite() || !b.is_finite() || a.is_sign_negative() != b.is_sign_negative() {
            return u64::MAX;
        }
        a.abs().to_bits().abs_diff(b.abs().to_bits())
    }

    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s >> 11
        }
    }

    /// Special parts: zeros, the branch points, both sides of the cuts, the ends of the
    /// fast range and beyond, infinities and NaN.
    const PARTS: [f64; 24] = [
        0.0,
        -0.0,
        0.25,
        -0.5,
        1.0,
        -1.0,
        1.0000000000000002,
        -0.9999999999999999,
        1.5,
        -2.0,
        3.0,
        -10.0,
        1e10,
        -1e-10,
        1e-300,
        -3e-310,
        1e300,
        3.054936363499605e-151,
        3.273390607896142e150,
        -4e150,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
    ];

    /// Every pair of special parts: bitwise the scalar rule (C99, glibc) where its part is
    /// zero, infinite or NaN; elsewhere the same sign and within 2 ULP. Signed zeros on the
    /// cuts (y = ±0, |x| > 1 for arcsin/arccos/arccosh; x = ±0, |y| > 1 for arcsinh) are
    /// covered by the zero parts.
    #[test]
    fn special_values_follow_the_scalar_rule() {
        let z: Vec<Complex64> = PARTS
            .iter()
            .flat_map(|&a| PARTS.iter().map(move |&b| Complex64::new(a, b)))
            .collect();
        for f in FNS {
            let got = eval(f, &z);
            for (&zz, g) in z.iter().zip(&got) {
                let w = f.complex(zz);
                for (a, b) in [(g.re, w.re), (g.im, w.im)] {
                    let exact = b == 0.0 || !b.is_finite();
                    let ok = if exact { same(a, b) } else { ulps(a, b) <= 2 };
                    assert!(ok, "{f:?}({zz:?}) = {g:?}, scalar rule {w:?}");
                }
            }
        }
    }

    /// Both sides of every cut, densely, and the rest of both axes: the zero parts (the
    /// signed zeros that pick a side of a cut) bitwise glibc's, the others within
    /// [`BOUND`] ULP.
    #[test]
    fn branch_cuts_take_the_side_of_the_signed_zero() {
        let mut next = lcg(7);
        let mut z = Vec::new();
        for _ in 0..2000 {
            let u = (next() as f64) / (1u64 << 53) as f64;
            let m = (1.0 + u) * 2f64.powi((next() % 40) as i32);
            let m = if m == 1.0 { 1.5 } else { m };
            for s in [1.0, -1.0] {
                for zero in [0.0, -0.0] {
                    z.push(Complex64::new(s * m, zero));
                    z.push(Complex64::new(zero, s * m));
                    z.push(Complex64::new(s * u, zero));
                    z.push(Complex64::new(zero, s * u));
                }
            }
        }
        for f in FNS {
            let got = eval(f, &z);
            for (&zz, g) in z.iter().zip(&got) {
                let w = f.complex(zz);
                for (a, b) in [(g.re, w.re), (g.im, w.im)] {
                    assert!(
                        same(a, b) || (b != 0.0 && ulps(a, b) <= BOUND),
                        "{f:?}({zz:?}) = {g:?}, scalar rule {w:?}"
                    );
                }
            }
        }
        // A few by name (C99 G.6: casin(conj z) = conj casin z, cacosh real part ≥ 0).
        let pi2 = std::f64::consts::FRAC_PI_2;
        let pi = std::f64::consts::PI;
        let one = |f: Math, x: f64, y: f64| eval(f, &[Complex64::new(x, y)])[0];
        let a = one(Math::Arcsin, 2.0, 0.0);
        assert!(a.re == pi2 && a.im > 0.0);
        let a = one(Math::Arcsin, -2.0, -0.0);
        assert!(a.re == -pi2 && a.im < 0.0);
        let a = one(Math::Arccos, 2.0, 0.0);
        assert!(same(a.re, 0.0) && a.im < 0.0);
        let a = one(Math::Arccos, -2.0, -0.0);
        assert!(a.re == pi && a.im > 0.0);
        let a = one(Math::Arccos, 0.5, 0.0);
        assert!(same(a.im, -0.0));
        let a = one(Math::Arccosh, -2.0, -0.0);
        assert!(a.re > 0.0 && a.im == -pi);
        let a = one(Math::Arccosh, 0.5, 0.0);
        assert!(same(a.re, 0.0) && a.im > 0.0);
        let a = one(Math::Arcsinh, -0.0, 2.0);
        assert!(a.re < 0.0 && a.im == pi2);
        let a = one(Math::Arcsinh, 0.0, -2.0);
        assert!(a.re > 0.0 && a.im == -pi2);
    }

    /// The largest difference to glibc measured over these inputs, in ULP of each part
    /// (the kernel is within 3.1 ULP of the exact result, glibc within 3.9: see the
    /// module docs).
    const BOUND: u64 = 6;

    /// Random inputs of several kinds: all take the fast path and stay within [`BOUND`]
    /// ULP of the scalar rule.
    #[test]
    fn random_inputs_within_bound_of_the_scalar_rule() {
        let mut next = lcg(12345);
        let mut unit = move || (next() as f64) / (1u64 << 53) as f64;
        let mut z = Vec::new();
        for k in 0..40000 {
            let (a, b, c, d) = (unit(), unit(), unit(), unit());
            let sx = if c < 0.5 { 1.0 } else { -1.0 };
            let sy = if d < 0.5 { 1.0 } else { -1.0 };
            let (x, y) = match k % 5 {
                // Magnitudes 2^-30 … 2^30.
                0 => (2f64.powf(60.0 * a - 30.0), 2f64.powf(60.0 * b - 30.0)),
                // The unit square around the branch points.
                1 => (3.0 * a, 3.0 * b),
                // Near ±1 with a small imaginary part.
                2 => (
                    1.0 + (2.0 * c - 1.0) * 2f64.powf(-53.0 * a),
                    2f64.powf(-60.0 * b),
                ),
                // Tiny imaginary part, down to 2^-500.
                3 => (3.0 * a, 2f64.powf(-500.0 + 470.0 * b)),
                // Over the whole fast range.
                _ => (2f64.powf(1000.0 * a - 500.0), 2f64.powf(1000.0 * b - 500.0)),
            };
            z.push(Complex64::new(sx * x, sy * y));
            z.push(Complex64::new(sy * y, sx * x));
        }
        let mut worst = 0;
        for f in FNS {
            let got = eval(f, &z);
            for (&zz, g) in z.iter().zip(&got) {
                let k = match f {
                    Math::Arcsin => super::asin,
                    Math::Arccos => super::acos,
                    Math::Arcsinh => super::asinh,
                    _ => super::acosh,
                };
                assert!(k(zz.re, zz.im).2, "{f:?}({zz:?}) not on the fast path");
                let w = f.complex(zz);
                for (a, b) in [(g.re, w.re), (g.im, w.im)] {
                    let e = ulps(a, b);
                    assert!(e <= BOUND, "{f:?}({zz:?}) = {g:?}, scalar rule {w:?}");
                    worst = worst.max(e);
                }
            }
        }
        println!("largest difference to the scalar rule: {worst} ULP");
    }
}
