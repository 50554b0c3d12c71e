//! Safe bindings to the C library's C99 complex functions (`cexp`, `clog`, `csin`, …,
//! `cpow`), which NumPy's complex ufuncs call on Linux. They are numjit's reference rules
//! for complex transcendental functions (branch cuts, inf/nan results). Nothing else.

use num_complex::Complex64;

// `double complex` has the layout and calling convention of `struct { double re, im; }`
// (C11 6.2.5p13; both x86-64 SysV and AArch64 AAPCS pass it in two FP registers), which
// is `Complex64`'s `repr(C)` layout.
unsafe extern "C" {
    fn cexp(z: Complex64) -> Complex64;
    fn clog(z: Complex64) -> Complex64;
    fn csin(z: Complex64) -> Complex64;
    fn ccos(z: Complex64) -> Complex64;
    fn ctan(z: Complex64) -> Complex64;
    fn csinh(z: Complex64) -> Complex64;
    fn ccosh(z: Complex64) -> Complex64;
    fn ctanh(z: Complex64) -> Complex64;
    fn casin(z: Complex64) -> Complex64;
    fn cacos(z: Complex64) -> Complex64;
    fn catan(z: Complex64) -> Complex64;
    fn casinh(z: Complex64) -> Complex64;
    fn cacosh(z: Complex64) -> Complex64;
    fn catanh(z: Complex64) -> Complex64;
    fn cpow(a: Complex64, b: Complex64) -> Complex64;
}

/// A unary C99 complex function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CFn {
    Exp,
    Log,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Asin,
    Acos,
    Atan,
    Asinh,
    Acosh,
    Atanh,
}

/// `f(z)` by the C library.
pub fn call(f: CFn, z: Complex64) -> Complex64 {
    // SAFETY: pure C99 functions of one complex value (no pointers, no global state
    // besides the floating-point status flags, which numjit never reads).
    unsafe {
        match f {
            CFn::Exp => cexp(z),
            CFn::Log => clog(z),
            CFn::Sin => csin(z),
            CFn::Cos => ccos(z),
            CFn::Tan => ctan(z),
            CFn::Sinh => csinh(z),
            CFn::Cosh => ccosh(z),
            CFn::Tanh => ctanh(z),
            CFn::Asin => casin(z),
            CFn::Acos => cacos(z),
            CFn::Atan => catan(z),
            CFn::Asinh => casinh(z),
            CFn::Acosh => cacosh(z),
            CFn::Atanh => catanh(z),
        }
    }
}

/// `a ** b` by the C library's `cpow` (NumPy's fallback for non-integer exponents).
pub fn pow(a: Complex64, b: Complex64) -> Complex64 {
    // SAFETY: as for `call`.
    unsafe { cpow(a, b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c99_values() {
        let z = Complex64::new(0.0, std::f64::consts::PI);
        let e = call(CFn::Exp, z);
        assert_eq!(e.re, -1.0);
        assert!(e.im.abs() < 1e-15);
        let l = call(CFn::Log, Complex64::new(-1.0, 0.0));
        assert_eq!((l.re, l.im), (0.0, std::f64::consts::PI));
        let l = call(CFn::Log, Complex64::new(-1.0, -0.0));
        assert_eq!((l.re, l.im), (0.0, -std::f64::consts::PI));
        let p = pow(Complex64::new(0.0, 1.0), Complex64::new(0.0, 1.0));
        assert!((p.re - (-std::f64::consts::FRAC_PI_2).exp()).abs() < 1e-16);
    }
}
