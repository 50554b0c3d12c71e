//! The value rules of reductions, shared by every engine: the fold of each
//! (`ReduceOp`, dtype) pair (identity and combine), `mean`'s division, and the naive
//! evaluation of a reduction over a materialised array. The combination order itself
//! is `numjit_runtime::reduce::pairwise` (NumPy's pairwise tree), used by both the
//! naive evaluator and the JIT driver, so they agree bitwise. Knows nothing of kernels.

use crate::array::{internal, AnyView, Array, Element};
use crate::error::Error;
use crate::ops::ReduceOp;
use crate::semantics as sem;
use crate::types::DType;
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use num_complex::Complex64;
use numjit_runtime::reduce::{pairwise, Fold};

/// `+` (wrapping for ints; component-wise for complex).
#[derive(Clone, Copy, Debug)]
pub struct Sum;
/// `*` (wrapping for ints; NumPy's complex product).
#[derive(Clone, Copy, Debug)]
pub struct Prod;
/// Minimum: NaN propagates, `-0.0 < +0.0`.
#[derive(Clone, Copy, Debug)]
pub struct Min;
/// Maximum: NaN propagates, `-0.0 < +0.0`.
#[derive(Clone, Copy, Debug)]
pub struct Max;
/// Logical or / and over bool.
#[derive(Clone, Copy, Debug)]
pub struct Any;
#[derive(Clone, Copy, Debug)]
pub struct All;

/// The fold of `F` over values of type `T`.
pub struct Of<F, T>(pub F, std::marker::PhantomData<fn() -> T>);

impl<F: Copy, T> Clone for Of<F, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Copy, T> Copy for Of<F, T> {}

macro_rules! fold {
    ($F:ty, $T:ty, $id:expr, |$a:ident, $b:ident| $body:expr) => {
        impl Fold for Of<$F, $T> {
            type T = $T;
            #[inline(always)]
            fn identity(self) -> $T {
                $id
            }
            #[inline(always)]
            fn combine(self, $a: $T, $b: $T) -> $T {
                $body
            }
        }
    };
}

fold!(Sum, i64, 0, |a, b| a.wrapping_add(b));
fold!(Sum, f32, 0.0, |a, b| a + b);
fold!(Sum, f64, 0.0, |a, b| a + b);
fold!(Sum, Complex64, Complex64::new(0.0, 0.0), |a, b| {
    Complex64::new(a.re + b.re, a.im + b.im)
});
fold!(Prod, i64, 1, |a, b| a.wrapping_mul(b));
fold!(Prod, f32, 1.0, |a, b| a * b);
fold!(Prod, f64, 1.0, |a, b| a * b);
fold!(
    Prod,
    Complex64,
    Complex64::new(1.0, 0.0),
    |a, b| sem::c_mul(a, b)
);
fold!(Min, bool, true, |a, b| a & b);
fold!(Min, i32, i32::MAX, |a, b| a.min(b));
fold!(Min, i64, i64::MAX, |a, b| a.min(b));
fold!(Min, f32, f32::INFINITY, |a, b| fmin(a, b));
fold!(Min, f64, f64::INFINITY, |a, b| fmin(a, b));
fold!(Max, bool, false, |a, b| a | b);
fold!(Max, i32, i32::MIN, |a, b| a.max(b));
fold!(Max, i64, i64::MIN, |a, b| a.max(b));
fold!(Max, f32, f32::NEG_INFINITY, |a, b| fmax(a, b));
fold!(Max, f64, f64::NEG_INFINITY, |a, b| fmax(a, b));
fold!(Any, bool, false, |a, b| a | b);
fold!(All, bool, true, |a, b| a & b);

/// Order-independent maximum: NaN wins (the first NaN in tree order), and on equal
/// values `+0.0` beats `-0.0`.
#[inline(always)]
fn fmax<T: num_traits::Float>(a: T, b: T) -> T {
    if a.is_nan() || a > b || (a == b && b.is_sign_negative()) {
        a
    } else {
        b
    }
}

/// Order-independent minimum: NaN wins, and on equal values `-0.0` beats `+0.0`.
#[inline(always)]
fn fmin<T: num_traits::Float>(a: T, b: T) -> T {
    if a.is_nan() || a < b || (a == b && a.is_sign_negative()) {
        a
    } else {
        b
    }
}

/// Something to do with the fold of one (op, dtype) pair.
pub trait Visit {
    type Out;
    fn visit<F: Fold<T: Element>>(self, f: F) -> Self::Out;
}

/// Calls `v` with the fold of `op` over values of `dt` (`mean` folds with `Sum`; the
/// division is [`mean_divide`]). `None` for pairs `check` never produces.
pub fn dispatch<V: Visit>(op: ReduceOp, dt: DType, v: V) -> Option<V::Out> {
    use std::marker::PhantomData as P;
    use DType::*;
    macro_rules! go {
        ($F:expr, $T:ty) => {
            Some(v.visit(Of::<_, $T>($F, P)))
        };
    }
    match (op, dt) {
        (ReduceOp::Sum | ReduceOp::Mean, Int64) => go!(Sum, i64),
        (ReduceOp::Sum | ReduceOp::Mean, Float32) => go!(Sum, f32),
        (ReduceOp::Sum | ReduceOp::Mean, Float64) => go!(Sum, f64),
        (ReduceOp::Sum | ReduceOp::Mean, Complex128) => go!(Sum, Complex64),
        (ReduceOp::Prod, Int64) => go!(Prod, i64),
        (ReduceOp::Prod, Float32) => go!(Prod, f32),
        (ReduceOp::Prod, Float64) => go!(Prod, f64),
        (ReduceOp::Prod, Complex128) => go!(Prod, Complex64),
        (ReduceOp::Min, Bool) => go!(Min, bool),
        (ReduceOp::Min, Int32) => go!(Min, i32),
        (ReduceOp::Min, Int64) => go!(Min, i64),
        (ReduceOp::Min, Float32) => go!(Min, f32),
        (ReduceOp::Min, Float64) => go!(Min, f64),
        (ReduceOp::Max, Bool) => go!(Max, bool),
        (ReduceOp::Max, Int32) => go!(Max, i32),
        (ReduceOp::Max, Int64) => go!(Max, i64),
        (ReduceOp::Max, Float32) => go!(Max, f32),
        (ReduceOp::Max, Float64) => go!(Max, f64),
        (ReduceOp::Any, Bool) => go!(Any, bool),
        (ReduceOp::All, Bool) => go!(All, bool),
        _ => None,
    }
}

/// `mean`: divides every sum by the count, in the sums' dtype (NumPy divides the
/// float32 sum by the count as a float32; complex uses NumPy's complex division).
pub fn mean_divide(a: Array, count: usize) -> Result<Array, Error> {
    Ok(match a {
        Array::Float32(x) => Array::Float32(x.mapv(|s| s / count as f32)),
        Array::Float64(x) => Array::Float64(x.mapv(|s| s / count as f64)),
        Array::Complex128(x) => {
            let n = Complex64::new(count as f64, 0.0);
            Array::Complex128(x.mapv(|s| sem::c_div(s, n)))
        }
        other => {
            return Err(internal(format!(
                "mean of {} reached the evaluator",
                other.dtype()
            )))
        }
    })
}

/// The naive reduction of a whole array along the axes in `mask` (already checked):
/// each output position (C order over the kept axes) folds its values in C order over
/// the reduced axes, with the fixed tree.
pub fn naive(op: ReduceOp, mask: u64, x: &AnyView) -> Result<Array, Error> {
    struct Go<'v, 'a> {
        x: &'v AnyView<'a>,
        mask: u64,
    }
    impl Visit for Go<'_, '_> {
        type Out = Result<Array, Error>;
        fn visit<F: Fold<T: Element>>(self, f: F) -> Self::Out {
            let a: ArrayViewD<F::T> = typed(self.x)?;
            let nd = a.ndim();
            let is_red = |d: &usize| self.mask >> d & 1 == 1;
            let out_shape = crate::types::shape::reduced_shape(a.shape(), self.mask);
            let outputs: usize = out_shape.iter().product();
            let len: usize = (0..nd).filter(is_red).map(|d| a.shape()[d]).product();
            let vals: Vec<F::T> = if len == 0 {
                vec![f.identity(); outputs]
            } else if let (true, Some(seq)) = ((0..nd).all(|d| is_red(&d)), a.as_slice()) {
                vec![pairwise(f, seq)]
            } else {
                // Kept axes first, then reduced ones: C order of this view lists each
                // output's sequence contiguously.
                let perm: Vec<usize> = (0..nd)
                    .filter(|d| !is_red(d))
                    .chain((0..nd).filter(is_red))
                    .collect();
                let all: Vec<F::T> = a.permuted_axes(IxDyn(&perm)).iter().copied().collect();
                all.chunks(len).map(|seq| pairwise(f, seq)).collect()
            };
            let r = ArrayD::from_shape_vec(IxDyn(&out_shape), vals)
                .map_err(|e| internal(format!("reduction shape: {e}")))?;
            Ok(F::T::owned(r))
        }
    }
    let count: usize = x
        .shape()
        .iter()
        .enumerate()
        .filter(|&(d, _)| mask >> d & 1 == 1)
        .map(|(_, &n)| n)
        .product();
    let r = dispatch(op, x.dtype(), Go { x, mask }).ok_or_else(|| {
        internal(format!(
            "{} of {} reached the evaluator",
            op.name(),
            x.dtype()
        ))
    })??;
    if op == ReduceOp::Mean {
        mean_divide(r, count)
    } else {
        Ok(r)
    }
}

/// The typed view inside `x`, which must hold `T`.
fn typed<'a, T: Element>(x: &AnyView<'a>) -> Result<ArrayViewD<'a, T>, Error> {
    T::of_view(x).ok_or_else(|| internal("reduction operand has the wrong dtype"))
}
