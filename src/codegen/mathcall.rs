//! Block routines for the math functions: one `extern "C"` entry per (function, dtype)
//! that turns the kernel's scratch slots into slices and hands them to `crate::vmath`
//! (vector kernels, or a libm loop). The exact functions (`ceil`, `maximum`, …) return
//! `None` here: `lower` emits them inline.

use super::routines::RoutineFn;
use crate::math::{Math, TABLE};
use crate::types::DType;
use crate::vmath;
use num_complex::Complex64;

macro_rules! entries {
    ($name:ident, $t:ty, $arity:literal, $call:path) => {
        /// # Safety
        /// `a` (and `b` for binary functions) hold `n` valid elements; `out` has room
        /// for `n` (see [`RoutineFn`]).
        unsafe extern "C" fn $name<const K: usize>(
            n: usize,
            a: *const u8,
            b: *const u8,
            out: *mut u8,
        ) -> u32 {
            // SAFETY: the kernel passes scratch slots of `n` elements each, 16-byte
            // aligned and written (a, b) before the call; `out` is a distinct slot.
            let (a, b, out) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts(b as *const $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $t, n),
                )
            };
            let f = TABLE[K].0;
            if $arity == 1 {
                let _ = b;
                $call(f, a, a, out);
            } else {
                $call(f, a, b, out);
            }
            0
        }
    };
}

/// Which build of the vector kernels runs (`vmath`: portable, AVX2 + FMA, AVX-512); all
/// three give bitwise the same results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    Portable,
    Avx2,
    Avx512,
}

/// The widest build this CPU runs, decided once per process. `NUMJIT_SIMD=avx2` or
/// `portable` caps it (for measurements and tests; results don't change).
pub fn simd() -> Simd {
    static LEVEL: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = match std::env::var("NUMJIT_SIMD").as_deref() {
            Ok("portable") => Simd::Portable,
            Ok("avx2") => Simd::Avx2,
            _ => Simd::Avx512,
        };
        cap.min(detect())
    })
}

fn detect() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        use std::is_x86_feature_detected as has;
        if !(has!("avx2") && has!("fma")) {
            return Simd::Portable;
        }
        if has!("avx512f") && has!("avx512dq") && has!("avx512vl") {
            return Simd::Avx512;
        }
        Simd::Avx2
    }
    #[cfg(not(target_arch = "x86_64"))]
    Simd::Portable
}

/// Calls the build of a vector function that [`simd`] selects:
/// `dispatch!(portable, avx2, avx512, (args))` runs one of the three paths on `args`.
macro_rules! dispatch {
    ($portable:path, $avx2:path, $avx512:path, ($($a:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        match simd() {
            // SAFETY: `simd()` returns Avx512 only on a CPU with AVX-512 F/DQ/VL, AVX2
            // and FMA.
            Simd::Avx512 => return unsafe { $avx512($($a),*) },
            // SAFETY: `simd()` returns Avx2 only on a CPU with AVX2 and FMA.
            Simd::Avx2 => return unsafe { $avx2($($a),*) },
            Simd::Portable => {}
        }
        $portable($($a),*)
    }};
}

/// `out[i] = f(a[i], b[i])` on float64 through the best build for this CPU (the block
/// routines' body; public for measurement probes).
pub fn call_f64(f: Math, a: &[f64], b: &[f64], out: &mut [f64]) {
    dispatch!(
        vmath::apply_f64,
        vmath::apply_f64_avx2,
        vmath::apply_f64_avx512,
        (f, a, b, out)
    )
}

/// [`call_f64`] on float32.
pub fn call_f32(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    dispatch!(
        vmath::apply_f32,
        vmath::apply_f32_avx2,
        vmath::apply_f32_avx512,
        (f, a, b, out)
    )
}

/// `out[i] = a[i] ** b[i]` on float64 (the vector `pow` kernel) through the best build
/// for this CPU (the body of the float `**` block routine; public for probes).
pub fn call_pow_f64(a: &[f64], b: &[f64], out: &mut [f64]) {
    dispatch!(
        vmath::pow_f64,
        vmath::pow_f64_avx2,
        vmath::pow_f64_avx512,
        (a, b, out)
    )
}

/// [`call_pow_f64`] on float32.
pub fn call_pow_f32(a: &[f32], b: &[f32], out: &mut [f32]) {
    dispatch!(
        vmath::pow_f32,
        vmath::pow_f32_avx2,
        vmath::pow_f32_avx512,
        (a, b, out)
    )
}

/// `out[i] = f(a[i])` on complex128 (the vector kernels of `vmath::complex`, the scalar
/// C99 rule outside their range) through the best build for this CPU.
pub fn call_c128(f: Math, a: &[Complex64], out: &mut [Complex64]) {
    dispatch!(
        vmath::apply_c128,
        vmath::apply_c128_avx2,
        vmath::apply_c128_avx512,
        (f, a, out)
    )
}

/// `out[i] = √a[i]` on complex128 through the best build for this CPU.
pub fn call_sqrt_c128(a: &[Complex64], out: &mut [Complex64]) {
    dispatch!(
        vmath::sqrt_c128,
        vmath::sqrt_c128_avx2,
        vmath::sqrt_c128_avx512,
        (a, out)
    )
}

/// `out[i] = a[i] ** b[i]` on complex128 through the best build for this CPU.
pub fn call_pow_c128(a: &[Complex64], b: &[Complex64], out: &mut [Complex64]) {
    dispatch!(
        vmath::pow_c128,
        vmath::pow_c128_avx2,
        vmath::pow_c128_avx512,
        (a, b, out)
    )
}

macro_rules! sin_cos_entry {
    ($name:ident, $t:ty, $portable:path, $avx2:path, $avx512:path) => {
        /// `sin` and `cos` of one operand from one reduction. Unlike the other routines,
        /// `b` is a second *output*: `out` receives sin, `b` receives cos.
        ///
        /// # Safety
        /// `a` holds `n` valid elements; `b` and `out` are distinct slots with room for `n`.
        unsafe extern "C" fn $name(n: usize, a: *const u8, b: *const u8, out: *mut u8) -> u32 {
            // SAFETY: the kernel passes three distinct scratch slots of `n` elements
            // each, 16-byte aligned; `a` was written before the call.
            let (a, c, s) = unsafe {
                (
                    std::slice::from_raw_parts(a as *const $t, n),
                    std::slice::from_raw_parts_mut(b as *mut $t, n),
                    std::slice::from_raw_parts_mut(out as *mut $t, n),
                )
            };
            let run = |a: &[$t], s: &mut [$t], c: &mut [$t]| {
                dispatch!($portable, $avx2, $avx512, (a, s, c))
            };
            run(a, s, c);
            0
        }
    };
}

sin_cos_entry!(
    sin_cos_f64,
    f64,
    vmath::sin_cos_f64,
    vmath::sin_cos_f64_avx2,
    vmath::sin_cos_f64_avx512
);
sin_cos_entry!(
    sin_cos_f32,
    f32,
    vmath::sin_cos_f32,
    vmath::sin_cos_f32_avx2,
    vmath::sin_cos_f32_avx512
);

/// The routine computing `sin` and `cos` of the same operand at once on `t` (see
/// `sin_cos_f64`: its `b` argument is the cos output slot), if `t` has one.
pub fn sin_cos_routine(t: DType) -> Option<RoutineFn> {
    match t {
        DType::Float64 => Some(sin_cos_f64),
        DType::Float32 => Some(sin_cos_f32),
        _ => None,
    }
}

entries!(f64_1, f64, 1, call_f64);
entries!(f64_2, f64, 2, call_f64);
entries!(f32_1, f32, 1, call_f32);
entries!(f32_2, f32, 2, call_f32);
entries!(i64_2, i64, 2, vmath::apply_int::<i64>);
entries!(i32_2, i32, 2, vmath::apply_int::<i32>);

macro_rules! pick {
    ($name:ident, $k:expr, [$($i:literal)*]) => {
        match $k {
            $($i => Some($name::<$i> as RoutineFn),)*
            _ => None,
        }
    };
}

macro_rules! by_index {
    ($name:ident, $k:expr) => {
        pick!($name, $k, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24
            25 26 27 28 29 30 31 32 33 34 35])
    };
}

/// The block routine of `f` on compute dtype `t`, or `None` when `lower` emits it inline.
pub fn routine(f: Math, t: DType) -> Option<RoutineFn> {
    use Math::*;
    let inline = matches!(
        f,
        Ceil | Floor
            | Trunc
            | Rint
            | Sign
            | Isnan
            | Isinf
            | Isfinite
            | Signbit
            | Copysign
            | Maximum
            | Minimum
    );
    if inline || !f.supports(t) {
        return None;
    }
    let k = f as usize;
    match (t, f.arity()) {
        (DType::Float64, 1) => by_index!(f64_1, k),
        (DType::Float64, _) => by_index!(f64_2, k),
        (DType::Float32, 1) => by_index!(f32_1, k),
        (DType::Float32, _) => by_index!(f32_2, k),
        (DType::Int64, 2) => by_index!(i64_2, k),
        (DType::Int32, 2) => by_index!(i32_2, k),
        _ => None,
    }
}
