//! Vector math over slices: the block-routine bodies of the math functions. Safe code;
//! kernels are written branch-free over fixed-size chunks so the compiler vectorises
//! them (see `docs/accuracy.md` for the algorithms and the measured error). Functions
//! without a vector kernel loop over the scalar rule (`crate::math`, i.e. libm).
//! Knows nothing of CLIF or of the kernel ABI.

use crate::math::Math;

/// `out[i] = f(a[i], b[i])` (unary functions ignore `b`) on float64.
pub fn apply_f64(f: Math, a: &[f64], b: &[f64], out: &mut [f64]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f.float(x, y);
    }
}

/// `out[i] = f(a[i], b[i])` on float32.
pub fn apply_f32(f: Math, a: &[f32], b: &[f32], out: &mut [f32]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f.float(x, y);
    }
}

/// Integer functions that are block routines (`fmod`).
pub fn apply_int<I>(f: Math, a: &[I], b: &[I], out: &mut [I])
where
    I: Copy + Ord + Default + num_traits::PrimInt + num_traits::Signed,
{
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f.int(x, y);
    }
}
