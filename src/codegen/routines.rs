//! Block routines: precompiled Rust loops that a kernel calls ONCE PER BLOCK for the
//! ops Cranelift can't do inline (integer floor division and power, float `//`, `%`
//! and `**`, complex sqrt, power and transcendental functions). Each applies the scalar
//! reference function (`crate::semantics`) to every element of a scratch slot, so the
//! JIT and the naive evaluator share one definition — except float `**` and the float
//! math functions, which run the vector kernels of `crate::vmath` (within the ULP bounds
//! of docs/accuracy.md). Knows nothing of CLIF.

use crate::math::Math;
use crate::ops::Op;
use crate::semantics as sem;
use crate::types::DType;
use num_complex::Complex64;

/// ABI of a block routine: `n` elements of operand `a` (and `b`; for unary ops `b == a`)
/// in contiguous, 16-byte aligned scratch slots; results go to `out`. Returns 0, or 1
/// if some element is a run-time error (the kernel then reports its node).
pub type RoutineFn =
    unsafe extern "C" fn(n: usize, a: *const u8, b: *const u8, out: *mut u8) -> u32;

macro_rules! binary {
    ($name:ident, $t:ty, $r:ty, $f:expr) => {
        /// # Safety
        /// `a`, `b` hold `n` valid elements; `out` has room for `n` (see [`RoutineFn`]).
        unsafe extern "C" fn $name(n: usize, a: *const u8, b: *const u8, out: *mut u8) -> u32 {
            // SAFETY: the kernel passes slots of `n` elements each, 16-byte aligned and
            // written (a, b) before the call; `out` is a distinct slot.
            let (a, b, out) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts(b as *const $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $r, n),
                )
            };
            let f: fn($t, $t) -> Option<$r> = $f;
            let mut status = 0;
            for i in 0..n {
                match f(a[i], b[i]) {
                    Some(v) => out[i] = v,
                    None => {
                        status = 1;
                        out[i] = <$r>::default();
                    }
                }
            }
            status
        }
    };
}

macro_rules! unary {
    ($name:ident, $t:ty, $r:ty, $f:expr) => {
        /// # Safety
        /// `a` holds `n` valid elements; `out` has room for `n` (see [`RoutineFn`]).
        unsafe extern "C" fn $name(n: usize, a: *const u8, _b: *const u8, out: *mut u8) -> u32 {
            // SAFETY: as for the binary routines.
            let (a, out) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $r, n),
                )
            };
            let f: fn($t) -> $r = $f;
            for i in 0..n {
                out[i] = f(a[i]);
            }
            0
        }
    };
}

binary!(floordiv_i32, i32, i32, |a, b| Some(
    sem::int_floordiv::<i32>(a, b)
));
binary!(floordiv_i64, i64, i64, |a, b| Some(
    sem::int_floordiv::<i64>(a, b)
));
binary!(floordiv_f32, f32, f32, |a, b| Some(sem::float_floordiv::<
    f32,
>(a, b)));
binary!(floordiv_f64, f64, f64, |a, b| Some(sem::float_floordiv::<
    f64,
>(a, b)));
binary!(mod_i32, i32, i32, |a, b| Some(sem::int_mod::<i32>(a, b)));
binary!(mod_i64, i64, i64, |a, b| Some(sem::int_mod::<i64>(a, b)));
binary!(mod_f32, f32, f32, |a, b| Some(sem::float_mod::<f32>(a, b)));
binary!(mod_f64, f64, f64, |a, b| Some(sem::float_mod::<f64>(a, b)));
binary!(pow_i32, i32, i32, sem::int_pow::<i32>);
binary!(pow_i64, i64, i64, sem::int_pow::<i64>);
/// Float `**`: the vector `pow` kernel (`vmath`, ≤ 1 ULP; the naive evaluator's
/// `sem::float_pow` is libm, so the two engines may differ by a few ULP).
macro_rules! vector_binary {
    ($name:ident, $t:ty, $f:path) => {
        /// # Safety
        /// `a`, `b` hold `n` valid elements; `out` has room for `n` (see [`RoutineFn`]).
        unsafe extern "C" fn $name(n: usize, a: *const u8, b: *const u8, out: *mut u8) -> u32 {
            // SAFETY: as for the binary routines.
            let (a, b, out) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts(b as *const $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $t, n),
                )
            };
            $f(a, b, out);
            0
        }
    };
}
vector_binary!(pow_f32, f32, super::mathcall::call_pow_f32);
vector_binary!(pow_f64, f64, super::mathcall::call_pow_f64);
vector_binary!(pow_c128, Complex64, super::mathcall::call_pow_c128);

/// A unary routine over a vector function of slices.
macro_rules! vector_unary {
    ($name:ident, $t:ty, $f:expr) => {
        /// # Safety
        /// `a` holds `n` valid elements; `out` has room for `n` (see [`RoutineFn`]).
        unsafe extern "C" fn $name(n: usize, a: *const u8, _b: *const u8, out: *mut u8) -> u32 {
            // SAFETY: as for the binary routines.
            let (a, out) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $t, n),
                )
            };
            let f: fn(&[$t], &mut [$t]) = $f;
            f(a, out);
            0
        }
    };
}
vector_unary!(sqrt_c128, Complex64, super::mathcall::call_sqrt_c128);
unary!(recip_f32, f32, f32, |a| 1.0 / a);
unary!(recip_f64, f64, f64, |a| 1.0 / a);
unary!(recip_c128, Complex64, Complex64, sem::c_recip);

/// The complex128 math functions: the vector kernels of `vmath::complex` (within the
/// bounds of docs/accuracy.md), and the scalar rule (`Math::complex`, the C library's C99
/// functions, NumPy's) for special values and functions without a kernel.
macro_rules! complex_math {
    ($($name:ident => $f:ident),* $(,)?) => {
        $( vector_unary!($name, Complex64, |a, out| {
            super::mathcall::call_c128(Math::$f, a, out)
        }); )*
        fn complex_math(f: Math) -> Option<RoutineFn> {
            Some(match f {
                $( Math::$f => $name, )*
                _ => return None,
            })
        }
    };
}
complex_math!(
    sin_c128 => Sin, cos_c128 => Cos, tan_c128 => Tan,
    arcsin_c128 => Arcsin, arccos_c128 => Arccos, arctan_c128 => Arctan,
    sinh_c128 => Sinh, cosh_c128 => Cosh, tanh_c128 => Tanh,
    arcsinh_c128 => Arcsinh, arccosh_c128 => Arccosh, arctanh_c128 => Arctanh,
    exp_c128 => Exp, log_c128 => Log, log10_c128 => Log10,
    sign_c128 => Sign, expm1_c128 => Expm1, exp2_c128 => Exp2, log2_c128 => Log2, log1p_c128 => Log1p,
);

/// The block routine for `op` with compute dtype `t`, if this node is lowered as a
/// block call rather than inline CLIF.
pub fn routine(op: Op, t: DType) -> Option<RoutineFn> {
    use DType::*;
    Some(match (op, t) {
        (Op::FloorDiv, Int32) => floordiv_i32,
        (Op::FloorDiv, Int64) => floordiv_i64,
        (Op::FloorDiv, Float32) => floordiv_f32,
        (Op::FloorDiv, Float64) => floordiv_f64,
        (Op::Mod, Int32) => mod_i32,
        (Op::Mod, Int64) => mod_i64,
        (Op::Mod, Float32) => mod_f32,
        (Op::Mod, Float64) => mod_f64,
        (Op::Pow, Int32) => pow_i32,
        (Op::Pow, Int64) => pow_i64,
        (Op::Pow, Float32) => pow_f32,
        (Op::Pow, Float64) => pow_f64,
        (Op::Pow, Complex128) => pow_c128,
        (Op::Sqrt, Complex128) => sqrt_c128,
        (Op::Reciprocal, Float32) => recip_f32,
        (Op::Reciprocal, Float64) => recip_f64,
        (Op::Reciprocal, Complex128) => recip_c128,
        (Op::Math(f), Complex128) => return complex_math(f),
        (Op::Math(f), t) => return super::mathcall::routine(f, t),
        _ => return None,
    })
}
