//! Validation for `numjit bench`: one engine's result against another's, bitwise for
//! arithmetic (NaN equals NaN, ±0 differ) or within a small relative tolerance.

use num_complex::Complex64;
use numjit::Array;

/// Relative (and absolute, for results near zero) tolerance of inexact comparisons.
pub const RTOL_F64: f64 = 1e-12;
pub const RTOL_F32: f64 = 1e-5;

trait Same: Copy {
    fn bitwise(self, other: Self) -> bool;
    fn close(self, other: Self) -> bool;
}

fn close_f64(a: f64, b: f64, rtol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= rtol * (1.0 + a.abs().max(b.abs()))
}

impl Same for f64 {
    fn bitwise(self, o: f64) -> bool {
        self.to_bits() == o.to_bits() || (self.is_nan() && o.is_nan())
    }
    fn close(self, o: f64) -> bool {
        close_f64(self, o, RTOL_F64)
    }
}

impl Same for f32 {
    fn bitwise(self, o: f32) -> bool {
        self.to_bits() == o.to_bits() || (self.is_nan() && o.is_nan())
    }
    fn close(self, o: f32) -> bool {
        close_f64(self as f64, o as f64, RTOL_F32)
    }
}

impl Same for Complex64 {
    fn bitwise(self, o: Complex64) -> bool {
        self.re.bitwise(o.re) && self.im.bitwise(o.im)
    }
    fn close(self, o: Complex64) -> bool {
        self.re.close(o.re) && self.im.close(o.im)
    }
}

macro_rules! exact_same {
    ($($t:ty),*) => {$(
        impl Same for $t {
            fn bitwise(self, o: $t) -> bool { self == o }
            fn close(self, o: $t) -> bool { self == o }
        }
    )*};
}
exact_same!(bool, i32, i64);

fn count<'a, T: Same + std::fmt::Debug + 'a>(
    got: impl Iterator<Item = &'a T>,
    want: impl Iterator<Item = &'a T>,
    exact: bool,
) -> Option<String> {
    let mut bad = 0usize;
    let mut first = None;
    for (i, (g, w)) in got.zip(want).enumerate() {
        let ok = if exact { g.bitwise(*w) } else { g.close(*w) };
        if !ok {
            bad += 1;
            first.get_or_insert((i, *g, *w));
        }
    }
    first.map(|(i, g, w)| {
        format!(
            "{bad} element(s) differ{}; first at flat index {i}: {g:?} vs {w:?}",
            if exact {
                " bitwise"
            } else {
                " beyond the tolerance"
            }
        )
    })
}

/// `None` when `got` equals `want` (bitwise if `exact`, else within the tolerance);
/// otherwise what differs.
pub fn compare(got: &Array, want: &Array, exact: bool) -> Option<String> {
    if got.dtype() != want.dtype() || got.shape() != want.shape() {
        return Some(format!(
            "result is {} {:?}, expected {} {:?}",
            got.dtype(),
            got.shape(),
            want.dtype(),
            want.shape()
        ));
    }
    match (got, want) {
        (Array::Bool(g), Array::Bool(w)) => count(g.iter(), w.iter(), exact),
        (Array::Int32(g), Array::Int32(w)) => count(g.iter(), w.iter(), exact),
        (Array::Int64(g), Array::Int64(w)) => count(g.iter(), w.iter(), exact),
        (Array::Float32(g), Array::Float32(w)) => count(g.iter(), w.iter(), exact),
        (Array::Float64(g), Array::Float64(w)) => count(g.iter(), w.iter(), exact),
        (Array::Complex128(g), Array::Complex128(w)) => count(g.iter(), w.iter(), exact),
        _ => Some("dtypes differ".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, ArrayD};

    fn f(v: &[f64]) -> Array {
        Array::Float64(ArrayD::from(arr1(v).into_dyn()))
    }

    #[test]
    fn bitwise_and_tolerant() {
        assert_eq!(
            compare(&f(&[1.0, f64::NAN]), &f(&[1.0, f64::NAN]), true),
            None
        );
        assert!(compare(&f(&[0.0]), &f(&[-0.0]), true).is_some());
        let near = 1.0 + 4.0 * f64::EPSILON;
        assert!(compare(&f(&[near]), &f(&[1.0]), true).is_some());
        assert_eq!(compare(&f(&[near]), &f(&[1.0]), false), None);
        assert!(compare(&f(&[1.001]), &f(&[1.0]), false)
            .unwrap()
            .starts_with("1 element(s) differ beyond"));
        assert!(compare(&f(&[1.0]), &f(&[1.0, 2.0]), true).is_some());
    }
}
