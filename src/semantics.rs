//! Scalar reference semantics of every op on every dtype: the exact functions the naive
//! evaluator applies per element, and that the JIT must match (bitwise for arithmetic).
//! No arrays, no dispatch on dtypes here: one generic function per rule.

use num_complex::Complex64;
use num_traits::Float;

/// Integer rules shared by int32 and int64.
pub trait Int: Copy + PartialOrd + Eq + Send + Sync + 'static {
    const ZERO: Self;
    const ONE: Self;
    const MIN: Self;
    const BITS: u32;
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    fn wabs(self) -> Self;
    fn not(self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    /// Truncating division and remainder; callers exclude 0 and MIN / -1.
    fn tdiv(self, o: Self) -> Self;
    fn trem(self, o: Self) -> Self;
    /// The shift count as u64 (negative counts become huge, i.e. out of range).
    fn as_count(self) -> u64;
    fn shl(self, n: u32) -> Self;
    fn sar(self, n: u32) -> Self;
    fn is_neg(self) -> bool;
    fn is_odd(self) -> bool;
    fn half(self) -> Self;
}

macro_rules! impl_int {
    ($t:ty) => {
        impl Int for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const MIN: Self = <$t>::MIN;
            const BITS: u32 = <$t>::BITS;
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            fn wabs(self) -> Self {
                self.wrapping_abs()
            }
            fn not(self) -> Self {
                !self
            }
            fn and(self, o: Self) -> Self {
                self & o
            }
            fn or(self, o: Self) -> Self {
                self | o
            }
            fn xor(self, o: Self) -> Self {
                self ^ o
            }
            fn tdiv(self, o: Self) -> Self {
                self.wrapping_div(o)
            }
            fn trem(self, o: Self) -> Self {
                self.wrapping_rem(o)
            }
            fn as_count(self) -> u64 {
                self as i64 as u64
            }
            fn shl(self, n: u32) -> Self {
                self.wrapping_shl(n)
            }
            fn sar(self, n: u32) -> Self {
                self.wrapping_shr(n)
            }
            fn is_neg(self) -> bool {
                self < 0
            }
            fn is_odd(self) -> bool {
                self & 1 == 1
            }
            fn half(self) -> Self {
                self >> 1
            }
        }
    };
}
impl_int!(i32);
impl_int!(i64);

/// `a // b` for ints: floor division; `x // 0 == 0`; `MIN // -1 == MIN` (wraps, as NumPy).
pub fn int_floordiv<T: Int>(a: T, b: T) -> T {
    if b == T::ZERO {
        return T::ZERO;
    }
    if b == T::ONE.wneg() {
        return a.wneg();
    }
    let q = a.tdiv(b);
    if a.trem(b) != T::ZERO && (a.is_neg() != b.is_neg()) {
        q.wsub(T::ONE)
    } else {
        q
    }
}

/// `a % b` for ints: the sign of the divisor; `x % 0 == 0`.
pub fn int_mod<T: Int>(a: T, b: T) -> T {
    if b == T::ZERO || b == T::ONE.wneg() {
        return T::ZERO;
    }
    let r = a.trem(b);
    if r != T::ZERO && (r.is_neg() != b.is_neg()) {
        r.wadd(b)
    } else {
        r
    }
}

/// `a << b`: 0 when `b` is negative or at least the bit width.
pub fn int_shl<T: Int>(a: T, b: T) -> T {
    let n = b.as_count();
    if n < T::BITS as u64 {
        a.shl(n as u32)
    } else {
        T::ZERO
    }
}

/// `a >> b` (arithmetic): sign fill when `b` is negative or at least the bit width.
pub fn int_shr<T: Int>(a: T, b: T) -> T {
    let n = b.as_count();
    if n < T::BITS as u64 {
        a.sar(n as u32)
    } else if a.is_neg() {
        T::ONE.wneg()
    } else {
        T::ZERO
    }
}

/// `a ** b` for ints, wrapping; `None` for a negative exponent (NumPy raises).
pub fn int_pow<T: Int>(a: T, b: T) -> Option<T> {
    if b.is_neg() {
        return None;
    }
    let (mut base, mut e, mut r) = (a, b, T::ONE);
    while e != T::ZERO {
        if e.is_odd() {
            r = r.wmul(base);
        }
        base = base.wmul(base);
        e = e.half();
    }
    Some(r)
}

/// NumPy's `npy_divmod` for floats: `(floor quotient, remainder)` for nonzero `b`.
fn float_divmod<F: Float>(a: F, b: F) -> (F, F) {
    let zero = F::zero();
    let mut m = a % b; // C fmod
    let mut div = (a - m) / b;
    if m != zero {
        if (b < zero) != (m < zero) {
            m = m + b;
            div = div - F::one();
        }
    } else {
        m = zero.copysign(b);
    }
    let floordiv = if div != zero {
        let f = div.floor();
        if div - f > F::from(0.5).unwrap_or_else(F::zero) {
            f + F::one()
        } else {
            f
        }
    } else {
        zero.copysign(a / b)
    };
    (floordiv, m)
}

/// `a // b` for floats: NumPy's `npy_floor_divide`.
pub fn float_floordiv<F: Float>(a: F, b: F) -> F {
    if b == F::zero() {
        a / b
    } else {
        float_divmod(a, b).0
    }
}

/// `a % b` for floats: NumPy's `npy_remainder` (sign of the divisor).
pub fn float_mod<F: Float>(a: F, b: F) -> F {
    if b == F::zero() {
        a % b
    } else {
        float_divmod(a, b).1
    }
}

/// `a ** b` for floats: the C library's `pow`.
pub fn float_pow<F: Float>(a: F, b: F) -> F {
    // float32 as the other approximate functions: in float64, rounded once (as the JIT's
    // kernel does), so the two engines differ only where the float64 results round apart.
    if std::mem::size_of::<F>() == 4 {
        let wide = a
            .to_f64()
            .unwrap_or(f64::NAN)
            .powf(b.to_f64().unwrap_or(f64::NAN));
        return F::from(wide as f32).unwrap_or_else(F::nan);
    }
    a.powf(b)
}

/// Float → int32 as NumPy's `astype` does on x86: truncation; NaN, ±inf and
/// out-of-range values give `i32::MIN` (the "integer indefinite" value).
pub fn f64_to_i32(x: f64) -> i32 {
    let t = x.trunc();
    if (-2147483648.0..2147483648.0).contains(&t) {
        t as i32
    } else {
        i32::MIN
    }
}

/// Float → int64, like [`f64_to_i32`].
pub fn f64_to_i64(x: f64) -> i64 {
    let t = x.trunc();
    if (-9223372036854775808.0..9223372036854775808.0).contains(&t) {
        t as i64
    } else {
        i64::MIN
    }
}

/// float32 → int32 (in float32, like the hardware conversion).
pub fn f32_to_i32(x: f32) -> i32 {
    let t = x.trunc();
    if (-2147483648.0f32..2147483648.0f32).contains(&t) {
        t as i32
    } else {
        i32::MIN
    }
}

/// float32 → int64.
pub fn f32_to_i64(x: f32) -> i64 {
    let t = x.trunc();
    if (-9223372036854775808.0f32..9223372036854775808.0f32).contains(&t) {
        t as i64
    } else {
        i64::MIN
    }
}

/// Complex multiplication as NumPy 2 computes it on x86-64 with AVX2/FMA (its SIMD loop
/// uses a fused multiply-add/subtract): `re = fma(ar, br, -(ai*bi))`,
/// `im = fma(ar, bi, ai*br)`.
pub fn c_mul(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(
        a.re.mul_add(b.re, -(a.im * b.im)),
        a.re.mul_add(b.im, a.im * b.re),
    )
}

/// Textbook complex multiplication (separate multiplies and adds), as NumPy's scalar
/// `npy_cpow` and Python's own complex arithmetic compute it.
pub fn c_mul_plain(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// Complex division: NumPy's Smith-style algorithm (`loops_arithm_fp` / `nc_quot`).
pub fn c_div(a: Complex64, b: Complex64) -> Complex64 {
    let (ar, ai, br, bi) = (a.re, a.im, b.re, b.im);
    let abs_br = br.abs();
    let abs_bi = bi.abs();
    if abs_br >= abs_bi {
        if abs_br == 0.0 && abs_bi == 0.0 {
            Complex64::new(ar / abs_br, ai / abs_br)
        } else {
            let rat = bi / br;
            let scl = 1.0 / (br + bi * rat);
            Complex64::new((ar + ai * rat) * scl, (ai - ar * rat) * scl)
        }
    } else {
        let rat = br / bi;
        let scl = 1.0 / (bi + br * rat);
        Complex64::new((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    }
}

/// `1/z` as NumPy's `reciprocal` loop computes it (a Smith-style formula of its own).
pub fn c_recip(z: Complex64) -> Complex64 {
    let (re, im) = (z.re, z.im);
    if im.abs() <= re.abs() {
        let r = im / re;
        let d = re + im * r;
        Complex64::new(1.0 / d, -r / d)
    } else {
        let r = re / im;
        let d = re * r + im;
        Complex64::new(r / d, -1.0 / d)
    }
}

/// `|z|` exactly as NumPy 2's SIMD loop computes it: `larger * sqrt(fma(r, r, 1))` with
/// `r = smaller / larger`, after mapping any inf part to inf and any NaN part to NaN.
pub fn c_abs(a: Complex64) -> f64 {
    let (mut re, mut im) = (a.re.abs(), a.im.abs());
    if re == f64::INFINITY || im == f64::INFINITY {
        return f64::INFINITY;
    }
    if re.is_nan() || im.is_nan() {
        re = f64::NAN;
        im = f64::NAN;
    }
    let larger = re.max(im);
    let smaller = re.min(im);
    if larger.is_nan() {
        return f64::NAN;
    }
    let ratio = if larger == 0.0 { 0.0 } else { smaller / larger };
    ratio.mul_add(ratio, 1.0).sqrt() * larger
}

/// Complex square root (principal branch), computed the way glibc's `csqrt` (which
/// NumPy calls) does: `d = hypot(re, im)`, then the half-angle identity that avoids
/// cancellation, with scaling near overflow and underflow and C99's special values.
pub fn c_sqrt(a: Complex64) -> Complex64 {
    let (x, y) = (a.re, a.im);
    let c = Complex64::new;
    if !x.is_finite() || !y.is_finite() {
        return if y.is_infinite() {
            c(f64::INFINITY, y)
        } else if x.is_infinite() {
            if x < 0.0 {
                c(
                    if y.is_nan() { f64::NAN } else { 0.0 },
                    f64::INFINITY.copysign(y),
                )
            } else {
                c(
                    x,
                    if y.is_nan() {
                        f64::NAN
                    } else {
                        0.0f64.copysign(y)
                    },
                )
            }
        } else {
            c(f64::NAN, f64::NAN)
        };
    }
    if y == 0.0 {
        return if x < 0.0 {
            c(0.0, (-x).sqrt().copysign(y))
        } else {
            c(x.sqrt().abs(), 0.0f64.copysign(y))
        };
    }
    if x == 0.0 {
        let r = if y.abs() >= 2.0 * f64::MIN_POSITIVE {
            (0.5 * y.abs()).sqrt()
        } else {
            0.5 * (2.0 * y.abs()).sqrt()
        };
        return c(r, r.copysign(y));
    }
    let (mut x, mut y) = (x, y);
    let mut scale: i32 = 0;
    if x.abs() > f64::MAX / 4.0 {
        scale = 1;
        x = scalbn(x, -2);
        y = scalbn(y, -2);
    } else if y.abs() > f64::MAX / 4.0 {
        scale = 1;
        x = if x.abs() >= 4.0 * f64::MIN_POSITIVE {
            scalbn(x, -2)
        } else {
            0.0
        };
        y = scalbn(y, -2);
    } else if x.abs() < 2.0 * f64::MIN_POSITIVE && y.abs() < 2.0 * f64::MIN_POSITIVE {
        scale = -((f64::MANTISSA_DIGITS as i32 + 1) / 2);
        x = scalbn(x, -2 * scale);
        y = scalbn(y, -2 * scale);
    }
    let d = x.hypot(y);
    let (mut r, mut s);
    if x > 0.0 {
        r = (0.5 * (d + x)).sqrt();
        if scale == 1 && y.abs() < 1.0 {
            s = y / r;
            r = scalbn(r, scale);
            scale = 0;
        } else {
            s = 0.5 * (y / r);
        }
    } else {
        s = (0.5 * (d - x)).sqrt();
        if scale == 1 && y.abs() < 1.0 {
            r = (y / s).abs();
            s = scalbn(s, scale);
            scale = 0;
        } else {
            r = (0.5 * (y / s)).abs();
        }
    }
    if scale != 0 {
        r = scalbn(r, scale);
        s = scalbn(s, scale);
    }
    c(r, s.copysign(y))
}

/// `x * 2^n`, exact (by repeated power-of-two scaling, so no double rounding).
fn scalbn(x: f64, n: i32) -> f64 {
    let mut x = x;
    let mut n = n;
    while n > 1000 {
        x *= 2f64.powi(1000);
        n -= 1000;
    }
    while n < -1000 {
        x *= 2f64.powi(-1000);
        n += 1000;
    }
    x * 2f64.powi(n)
}

/// `a ** b` for complex: NumPy's `nc_pow` (small integer exponents by repeated
/// multiplication, otherwise the C library's `cpow`, as NumPy's `npy_cpow`).
pub fn c_pow(a: Complex64, b: Complex64) -> Complex64 {
    let one = Complex64::new(1.0, 0.0);
    if b.re == 0.0 && b.im == 0.0 {
        return one;
    }
    if a.re == 0.0 && a.im == 0.0 {
        // NumPy 2: zero to a power with a positive real part is zero (whatever the
        // imaginary part), anything else is NaN.
        return if b.re > 0.0 {
            Complex64::new(0.0, 0.0)
        } else {
            Complex64::new(f64::NAN, f64::NAN)
        };
    }
    if b.im == 0.0 && b.re == b.re.trunc() && b.re.abs() < 100.0 {
        let n = b.re as i64;
        match n {
            1 => return a,
            2 => return c_mul_plain(a, a),
            3 => return c_mul_plain(c_mul_plain(a, a), a),
            _ => {}
        }
        let mut mask = 1i64;
        let m = n.abs();
        let mut aa = one;
        let mut p = a;
        while mask <= m {
            if m & mask != 0 {
                aa = c_mul_plain(aa, p);
            }
            mask <<= 1;
            p = c_mul_plain(p, p);
        }
        return if n < 0 { c_div(one, aa) } else { aa };
    }
    numjit_runtime::cmath::pow(a, b)
}

/// |1 + z|² − 1 = 2x + x² + y², summed in double-double (exact products by fma), for the
/// real part of complex `log1p`: ½·log1p of it where it lies in [−½, 1] (NumPy's
/// log(hypot(x + 1, y)) loses that part near |1 + z| = 1). Shared by the scalar rule
/// and the vector kernel.
#[inline(always)]
pub fn c_log1p_sq(x: f64, y: f64) -> f64 {
    #[inline(always)]
    fn two_sum(a: f64, b: f64) -> (f64, f64) {
        let s = a + b;
        let bb = s - a;
        (s, (a - (s - bb)) + (b - bb))
    }
    let xx = x * x;
    let xxl = x.mul_add(x, -xx);
    let yy = y * y;
    let yyl = y.mul_add(y, -yy);
    let (s1, e1) = two_sum(2.0 * x, xx);
    let (s2, e2) = two_sum(s1, yy);
    s2 + ((e1 + e2) + (xxl + yyl))
}

/// log(1 + z) on complex128: ½·log1p(|1 + z|² − 1) + i·atan2(y, x + 1) near the unit
/// circle ([`c_log1p_sq`] in [−½, 1]), NumPy's log(hypot(x + 1, y)) + i·atan2(y, x + 1)
/// elsewhere (and for non-finite parts).
pub fn c_log1p(z: Complex64) -> Complex64 {
    let (x, y) = (z.re, z.im);
    let u = x + 1.0;
    let d = c_log1p_sq(x, y);
    let re = if x.is_finite() && y.is_finite() && (-0.5..=1.0).contains(&d) {
        0.5 * d.ln_1p()
    } else {
        u.hypot(y).ln()
    };
    Complex64::new(re, y.atan2(u))
}

/// ln 2 − RN(ln 2).
pub const LN2_LO: f64 = 2.3190468138462996e-17;

/// y·ln 2 as an unevaluated pair (hi, lo) (the phase of 2^(x + iy)): exact product by
/// fma plus the constant's low part. A zero y gives (y, 0) with y's sign.
#[inline(always)]
pub fn c_exp2_phase(y: f64) -> (f64, f64) {
    let k = std::f64::consts::LN_2;
    let hi = y * k;
    let lo = y.mul_add(k, -hi) + y * LN2_LO;
    (hi, if y == 0.0 { 0.0 } else { lo })
}

/// 2^z on complex128: 2ˣ·(cos t + i·sin t), t = y·ln 2 carried as a pair (hi + lo),
/// sin(hi + lo) = sin hi·cos lo + cos hi·sin lo (and cos likewise). NumPy takes
/// cexp(z·ln 2) with the product rounded first, which loses the phase for large |y|
/// (relative error ~|y|·2^-53). Non-finite parts, 2ˣ outside the normal range and
/// |t| > 10¹⁵ (where ln 2 in two doubles is no longer enough) keep NumPy's formula.
pub fn c_exp2(z: Complex64) -> Complex64 {
    let (x, y) = (z.re, z.im);
    let (th, tl) = c_exp2_phase(y);
    if !(x.is_finite() && (-1020.0..=1020.0).contains(&x) && th.abs() <= 1e15) {
        let k = std::f64::consts::LN_2;
        return numjit_runtime::cmath::call(
            numjit_runtime::cmath::CFn::Exp,
            Complex64::new(x * k, y * k),
        );
    }
    let m = x.exp2();
    let (s, c) = th.sin_cos();
    let (sl, cl) = tl.sin_cos();
    let im = if y == 0.0 { y } else { s.mul_add(cl, c * sl) };
    Complex64::new(m * c.mul_add(cl, -(s * sl)), m * im)
}

/// NumPy 2's `sign` of a complex: `z / |z|`; zero (either sign) gives `0`; one infinite
/// part gives that part's sign on its axis (even if the other part is NaN), two give NaN;
/// otherwise a NaN part gives NaN in both.
pub fn c_sign(z: Complex64) -> Complex64 {
    let (re, im) = (z.re, z.im);
    if re == 0.0 && im == 0.0 {
        return Complex64::new(0.0, 0.0);
    }
    match (re.is_infinite(), im.is_infinite()) {
        (true, true) => return Complex64::new(f64::NAN, f64::NAN),
        (true, false) => return Complex64::new(re.signum(), 0.0),
        (false, true) => return Complex64::new(0.0, im.signum()),
        _ => {}
    }
    let h = re.hypot(im);
    Complex64::new(re / h, im / h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_rules() {
        assert_eq!(int_floordiv(7i32, -2), -4);
        assert_eq!(int_floordiv(-7i32, 2), -4);
        assert_eq!(int_floordiv(7i32, 0), 0);
        assert_eq!(int_floordiv(i32::MIN, -1), i32::MIN);
        assert_eq!(int_mod(-7i64, 2), 1);
        assert_eq!(int_mod(7i64, -2), -1);
        assert_eq!(int_mod(7i64, 0), 0);
        assert_eq!(int_mod(i64::MIN, -1), 0);
        assert_eq!(int_shl(1i32, 31), i32::MIN);
        assert_eq!(int_shl(1i32, 32), 0);
        assert_eq!(int_shl(1i32, -1), 0);
        assert_eq!(int_shr(-8i64, 64), -1);
        assert_eq!(int_shr(8i64, -3), 0);
        assert_eq!(int_pow(3i32, 20), Some(3i32.wrapping_pow(20)));
        assert_eq!(int_pow(0i64, 0), Some(1));
        assert_eq!(int_pow(2i64, -1), None);
    }

    #[test]
    fn float_rules() {
        assert_eq!(float_floordiv(7.5f64, 2.0), 3.0);
        assert_eq!(float_mod(-7.5f64, 2.0), 0.5);
        assert_eq!(float_mod(7.5f64, -2.0), -0.5);
        assert!(float_mod(1.0f64, 0.0).is_nan());
        assert_eq!(float_floordiv(1.0f64, 0.0), f64::INFINITY);
        assert_eq!(float_mod(-0.0f64, 5.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(float_mod(-1.0f64, f64::INFINITY), f64::INFINITY);
        assert_eq!(float_floordiv(-1.0f64, f64::INFINITY), -1.0);
        assert_eq!(f64_to_i32(f64::NAN), i32::MIN);
        assert_eq!(f64_to_i32(-2147483648.9), i32::MIN);
        assert_eq!(f64_to_i32(2147483647.9), i32::MAX);
        assert_eq!(f64_to_i64(1e19), i64::MIN);
        assert_eq!(f32_to_i32(-3.7), -3);
    }

    #[test]
    fn complex_rules() {
        let z = Complex64::new(1.0, 2.0);
        assert_eq!(c_mul(z, z), Complex64::new(-3.0, 4.0));
        assert_eq!(c_div(z, z), Complex64::new(1.0, 0.0));
        assert_eq!(
            c_pow(z, Complex64::new(2.0, 0.0)),
            Complex64::new(-3.0, 4.0)
        );
        assert_eq!(c_abs(Complex64::new(3.0, 4.0)), 5.0);
        assert_eq!(c_sqrt(Complex64::new(-4.0, 0.0)), Complex64::new(0.0, 2.0));
        assert_eq!(
            c_sqrt(Complex64::new(-4.0, -0.0)),
            Complex64::new(0.0, -2.0)
        );
        assert_eq!(c_sqrt(Complex64::new(3.0, 4.0)), Complex64::new(2.0, 1.0));
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert_eq!(c_sqrt(Complex64::new(0.0, 1.0)), Complex64::new(h, h));
        assert_eq!(
            c_abs(Complex64::new(f64::NAN, f64::INFINITY)),
            f64::INFINITY
        );
        assert!(c_abs(Complex64::new(f64::NAN, 1.0)).is_nan());
        assert_eq!(c_abs(Complex64::new(0.0, -0.0)), 0.0);
    }
}
