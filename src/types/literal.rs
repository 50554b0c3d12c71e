//! Weak literals (NEP 50) and Python's arithmetic on them. An operation whose operands
//! are all literals is computed here, as Python would before NumPy ever saw it, and its
//! result stays weak.

use crate::array::Scalar;
use crate::error::ErrorKind;
use crate::semantics;
use crate::syntax::{BinaryOp, UnaryOp};
use crate::types::{DType, Kind};
use num_complex::Complex64;
use std::fmt;

/// A literal written in the expression (or given as `NAME=VALUE` on the command line):
/// a Python bool, int, float or complex. Weak: it adopts the dtype of the array it meets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    /// Python ints are unbounded; numjit's fit in an i128 while folding and must fit
    /// the dtype they meet (int64 by default) when used.
    Int(i128),
    Float(f64),
    Complex(Complex64),
}

/// Why literal arithmetic failed (the caller adds the span).
#[derive(Clone, Debug, PartialEq)]
pub struct LitError {
    pub kind: ErrorKind,
    pub message: String,
    pub help: Option<String>,
}

fn err(kind: ErrorKind, message: impl Into<String>) -> LitError {
    LitError {
        kind,
        message: message.into(),
        help: None,
    }
}

fn zero_div(what: &str) -> LitError {
    LitError {
        kind: ErrorKind::LiteralDivisionByZero,
        message: format!("{what} by zero"),
        help: Some(
            "Python raises ZeroDivisionError for literal arithmetic; write a non-zero divisor"
                .into(),
        ),
    }
}

fn overflow() -> LitError {
    LitError {
        kind: ErrorKind::LiteralOverflow,
        message: "literal arithmetic overflows".into(),
        help: Some(
            "numjit folds integer literals in 128 bits and float literals in float64".into(),
        ),
    }
}

fn unsupported(op: &str, a: Literal, b: Option<Literal>) -> LitError {
    let m = match b {
        Some(b) => format!(
            "unsupported operand types for `{op}`: {} and {}",
            a.py_type(),
            b.py_type()
        ),
        None => format!("bad operand type for unary `{op}`: {}", a.py_type()),
    };
    err(ErrorKind::UnsupportedOperand, m)
}

impl Literal {
    /// Python's type name.
    pub fn py_type(self) -> &'static str {
        match self {
            Literal::Bool(_) => "bool",
            Literal::Int(_) => "int",
            Literal::Float(_) => "float",
            Literal::Complex(_) => "complex",
        }
    }

    /// The dtype kind this literal would take part in promotion as.
    pub fn kind(self) -> Kind {
        match self {
            Literal::Bool(_) => Kind::Bool,
            Literal::Int(_) => Kind::Int,
            Literal::Float(_) => Kind::Float,
            Literal::Complex(_) => Kind::Complex,
        }
    }

    /// The dtype NumPy gives the literal on its own (`np.asarray(lit)`).
    pub fn default_dtype(self) -> DType {
        match self {
            Literal::Bool(_) => DType::Bool,
            Literal::Int(_) => DType::Int64,
            Literal::Float(_) => DType::Float64,
            Literal::Complex(_) => DType::Complex128,
        }
    }

    /// NEP 50: the dtype of an operation between a strong `dtype` and this weak literal.
    pub fn promote_with(self, dtype: DType) -> DType {
        match (self.kind(), dtype.kind()) {
            (lk, dk) if lk <= dk => dtype,
            // bool array with a Python int: the default int
            (Kind::Int, _) => DType::Int64,
            (Kind::Float, _) => DType::Float64,
            // float32 with a Python complex is complex64 in NumPy; numjit has only complex128
            _ => DType::Complex128,
        }
    }

    /// Converts the value to `dtype` as NumPy does for a weak scalar meeting an array of
    /// that dtype: an int out of the dtype's range is an error (NumPy 2's OverflowError).
    pub fn to_scalar(self, dtype: DType) -> Result<Scalar, LitError> {
        let range_err = |v: i128| {
            LitError {
            kind: ErrorKind::LiteralOutOfRange,
            message: format!("Python integer {v} out of bounds for {dtype}"),
            help: Some(format!(
                "cast the array to a wider type first, e.g. `int64(…)` or `float64(…)`, or use a literal that fits {dtype}"
            )),
        }
        };
        Ok(match (self, dtype) {
            (Literal::Bool(b), _) => cast_scalar(Scalar::Bool(b), dtype),
            (Literal::Int(v), DType::Bool) => Scalar::Bool(v != 0),
            (Literal::Int(v), DType::Int32) => {
                Scalar::Int32(i32::try_from(v).map_err(|_| range_err(v))?)
            }
            (Literal::Int(v), DType::Int64) => {
                Scalar::Int64(i64::try_from(v).map_err(|_| range_err(v))?)
            }
            (Literal::Int(v), DType::Float32) => Scalar::Float32(v as f32),
            (Literal::Int(v), DType::Float64) => Scalar::Float64(v as f64),
            (Literal::Int(v), DType::Complex128) => {
                Scalar::Complex128(Complex64::new(v as f64, 0.0))
            }
            (Literal::Float(f), _) => cast_scalar(Scalar::Float64(f), dtype),
            (Literal::Complex(c), _) => cast_scalar(Scalar::Complex128(c), dtype),
        })
    }

    /// The literal on its own, as a 0-d value of its default dtype.
    pub fn to_default_scalar(self) -> Result<Scalar, LitError> {
        self.to_scalar(self.default_dtype())
    }

    fn as_f64(self) -> f64 {
        match self {
            Literal::Bool(b) => b as i32 as f64,
            Literal::Int(i) => i as f64,
            Literal::Float(f) => f,
            Literal::Complex(c) => c.re,
        }
    }

    fn as_c(self) -> Complex64 {
        match self {
            Literal::Complex(c) => c,
            other => Complex64::new(other.as_f64(), 0.0),
        }
    }

    fn as_int(self) -> Option<i128> {
        match self {
            Literal::Bool(b) => Some(b as i128),
            Literal::Int(i) => Some(i),
            _ => None,
        }
    }
}

/// Converts a scalar with NumPy's `astype` (unsafe casting) rules.
pub fn cast_scalar(s: Scalar, to: DType) -> Scalar {
    use Scalar::*;
    match (s, to) {
        (s, t) if s.dtype() == t => s,
        (Bool(b), DType::Int32) => Int32(b as i32),
        (Bool(b), DType::Int64) => Int64(b as i64),
        (Bool(b), DType::Float32) => Float32(b as i32 as f32),
        (Bool(b), DType::Float64) => Float64(b as i32 as f64),
        (Bool(b), DType::Complex128) => Complex128(Complex64::new(b as i32 as f64, 0.0)),
        (Int32(v), DType::Bool) => Bool(v != 0),
        (Int32(v), DType::Int64) => Int64(v as i64),
        (Int32(v), DType::Float32) => Float32(v as f32),
        (Int32(v), DType::Float64) => Float64(v as f64),
        (Int32(v), DType::Complex128) => Complex128(Complex64::new(v as f64, 0.0)),
        (Int64(v), DType::Bool) => Bool(v != 0),
        (Int64(v), DType::Int32) => Int32(v as i32),
        (Int64(v), DType::Float32) => Float32(v as f32),
        (Int64(v), DType::Float64) => Float64(v as f64),
        (Int64(v), DType::Complex128) => Complex128(Complex64::new(v as f64, 0.0)),
        (Float32(v), DType::Bool) => Bool(v != 0.0),
        (Float32(v), DType::Int32) => Int32(semantics::f32_to_i32(v)),
        (Float32(v), DType::Int64) => Int64(semantics::f32_to_i64(v)),
        (Float32(v), DType::Float64) => Float64(v as f64),
        (Float32(v), DType::Complex128) => Complex128(Complex64::new(v as f64, 0.0)),
        (Float64(v), DType::Bool) => Bool(v != 0.0),
        (Float64(v), DType::Int32) => Int32(semantics::f64_to_i32(v)),
        (Float64(v), DType::Int64) => Int64(semantics::f64_to_i64(v)),
        (Float64(v), DType::Float32) => Float32(v as f32),
        (Float64(v), DType::Complex128) => Complex128(Complex64::new(v, 0.0)),
        (Complex128(c), DType::Bool) => Bool(c.re != 0.0 || c.im != 0.0),
        (Complex128(c), t) => cast_scalar(Float64(c.re), t),
        (s, _) => s,
    }
}

/// Python's unary operators on a literal.
pub fn unary(op: UnaryOp, a: Literal) -> Result<Literal, LitError> {
    use Literal::*;
    Ok(match (op, a) {
        (UnaryOp::Pos, Bool(b)) => Int(b as i128),
        (UnaryOp::Pos, x) => x,
        (UnaryOp::Neg, Bool(b)) => Int(-(b as i128)),
        (UnaryOp::Neg, Int(i)) => Int(i.checked_neg().ok_or_else(overflow)?),
        (UnaryOp::Neg, Float(f)) => Float(-f),
        (UnaryOp::Neg, Complex(c)) => Complex(-c),
        (UnaryOp::Invert, Bool(b)) => Int(!(b as i128)),
        (UnaryOp::Invert, Int(i)) => Int(!i),
        (UnaryOp::Invert, x) => return Err(unsupported("~", x, None)),
    })
}

/// Python's binary operators on two literals.
pub fn binary(op: BinaryOp, a: Literal, b: Literal) -> Result<Literal, LitError> {
    use BinaryOp::*;
    use Literal as L;
    let sym = op.symbol();
    // bool with bool: logical for & | ^, comparisons as ints, arithmetic as ints.
    if let (L::Bool(x), L::Bool(y)) = (a, b) {
        match op {
            BitAnd => return Ok(L::Bool(x & y)),
            BitOr => return Ok(L::Bool(x | y)),
            BitXor => return Ok(L::Bool(x ^ y)),
            _ => {}
        }
    }
    if op.is_comparison() {
        return compare(op, a, b);
    }
    let kind = a.kind().max(b.kind()).max(Kind::Int);
    match kind {
        Kind::Int | Kind::Bool => {
            let (x, y) = (a.as_int().unwrap_or(0), b.as_int().unwrap_or(0));
            int_binary(op, x, y)
        }
        Kind::Float => {
            let (x, y) = (a.as_f64(), b.as_f64());
            Ok(match op {
                Add => L::Float(x + y),
                Sub => L::Float(x - y),
                Mul => L::Float(x * y),
                Div => {
                    if y == 0.0 {
                        return Err(zero_div("float division"));
                    }
                    L::Float(x / y)
                }
                FloorDiv => {
                    if y == 0.0 {
                        return Err(zero_div("float floor division"));
                    }
                    L::Float(semantics::float_floordiv(x, y))
                }
                Mod => {
                    if y == 0.0 {
                        return Err(zero_div("float modulo"));
                    }
                    L::Float(semantics::float_mod(x, y))
                }
                Pow => return float_pow(x, y),
                _ => return Err(unsupported(sym, a, Some(b))),
            })
        }
        Kind::Complex => {
            let (x, y) = (a.as_c(), b.as_c());
            Ok(match op {
                Add => L::Complex(x + y),
                Sub => L::Complex(x - y),
                Mul => L::Complex(semantics::c_mul(x, y)),
                Div => L::Complex(py_c_div(x, y)?),
                Pow => L::Complex(py_c_pow(x, y)?),
                _ => return Err(unsupported(sym, a, Some(b))),
            })
        }
    }
}

fn int_binary(op: BinaryOp, x: i128, y: i128) -> Result<Literal, LitError> {
    use BinaryOp::*;
    use Literal as L;
    let ck = |v: Option<i128>| v.map(L::Int).ok_or_else(overflow);
    match op {
        Add => ck(x.checked_add(y)),
        Sub => ck(x.checked_sub(y)),
        Mul => ck(x.checked_mul(y)),
        Div => {
            if y == 0 {
                return Err(zero_div("division"));
            }
            Ok(L::Float(int_true_div(x, y)))
        }
        FloorDiv | Mod => {
            if y == 0 {
                return Err(zero_div("integer division or modulo"));
            }
            let q = x.div_euclid(y);
            let r = x.rem_euclid(y);
            // Euclid gives r >= 0; Python's floor semantics give r with the sign of y.
            let (q, r) = if y < 0 && r != 0 {
                (q - 1, r + y)
            } else {
                (q, r)
            };
            Ok(L::Int(if op == FloorDiv { q } else { r }))
        }
        Pow => {
            if y < 0 {
                if x == 0 {
                    return Err(zero_div("0 cannot be raised to a negative power;"));
                }
                return float_pow(x as f64, y as f64);
            }
            let e = u32::try_from(y).map_err(|_| overflow())?;
            ck(x.checked_pow(e))
        }
        Shl => {
            if y < 0 {
                return Err(err(ErrorKind::UnsupportedOperand, "negative shift count"));
            }
            if x == 0 {
                return Ok(L::Int(0));
            }
            let n = u32::try_from(y).map_err(|_| overflow())?;
            if n >= 127 || (x << n) >> n != x {
                return Err(overflow());
            }
            Ok(L::Int(x << n))
        }
        Shr => {
            if y < 0 {
                return Err(err(ErrorKind::UnsupportedOperand, "negative shift count"));
            }
            Ok(L::Int(if y >= 127 {
                if x < 0 {
                    -1
                } else {
                    0
                }
            } else {
                x >> y
            }))
        }
        BitAnd => Ok(L::Int(x & y)),
        BitOr => Ok(L::Int(x | y)),
        BitXor => Ok(L::Int(x ^ y)),
        _ => Err(err(
            ErrorKind::Internal,
            "comparison reached int arithmetic",
        )),
    }
}

/// Python's int / int: correctly rounded when both fit in 53 bits (always, in practice).
fn int_true_div(x: i128, y: i128) -> f64 {
    const EXACT: i128 = 1 << 53;
    if x.abs() <= EXACT && y.abs() <= EXACT {
        x as f64 / y as f64
    } else {
        // Rare: scale down the quotient in 128-bit first, then correct with the remainder.
        let q = x / y;
        let r = x % y;
        q as f64 + r as f64 / y as f64
    }
}

/// Python's float `**`.
fn float_pow(x: f64, y: f64) -> Result<Literal, LitError> {
    if x == 0.0 && y < 0.0 {
        return Err(zero_div("0.0 cannot be raised to a negative power;"));
    }
    if x < 0.0 && y.is_finite() && y != y.trunc() {
        // Python returns a complex number here.
        return py_c_pow(Complex64::new(x, 0.0), Complex64::new(y, 0.0)).map(Literal::Complex);
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(LitError {
            kind: ErrorKind::LiteralOverflow,
            message: "float literal power overflows".into(),
            help: Some("Python raises OverflowError here".into()),
        });
    }
    Ok(Literal::Float(r))
}

/// Python's complex division (`_Py_c_quot`).
fn py_c_div(a: Complex64, b: Complex64) -> Result<Complex64, LitError> {
    let (abs_br, abs_bi) = (b.re.abs(), b.im.abs());
    if abs_br >= abs_bi {
        if abs_br == 0.0 {
            return Err(zero_div("complex division"));
        }
        let ratio = b.im / b.re;
        let denom = b.re + b.im * ratio;
        Ok(Complex64::new(
            (a.re + a.im * ratio) / denom,
            (a.im - a.re * ratio) / denom,
        ))
    } else if abs_bi >= abs_br {
        let ratio = b.re / b.im;
        let denom = b.re * ratio + b.im;
        Ok(Complex64::new(
            (a.re * ratio + a.im) / denom,
            (a.im * ratio - a.re) / denom,
        ))
    } else {
        Ok(Complex64::new(f64::NAN, f64::NAN))
    }
}

/// Python's complex power (`complex_pow`).
fn py_c_pow(a: Complex64, b: Complex64) -> Result<Complex64, LitError> {
    let one = Complex64::new(1.0, 0.0);
    if b.im == 0.0 && b.re == b.re.trunc() && b.re.abs() <= 100.0 {
        let n = b.re as i64;
        let mut r = one;
        let mut p = a;
        let mut m = n.unsigned_abs();
        while m > 0 {
            if m & 1 == 1 {
                r = semantics::c_mul(r, p);
            }
            p = semantics::c_mul(p, p);
            m >>= 1;
        }
        return if n < 0 { py_c_div(one, r) } else { Ok(r) };
    }
    if b.re == 0.0 && b.im == 0.0 {
        return Ok(one);
    }
    if a.re == 0.0 && a.im == 0.0 {
        if b.im != 0.0 || b.re < 0.0 {
            return Err(zero_div("0.0 to a negative or complex power"));
        }
        return Ok(Complex64::new(0.0, 0.0));
    }
    let vabs = a.re.hypot(a.im);
    let mut len = vabs.powf(b.re);
    let at = a.im.atan2(a.re);
    let mut phase = at * b.re;
    if b.im != 0.0 {
        len /= (at * b.im).exp();
        phase += b.im * vabs.ln();
    }
    Ok(Complex64::new(len * phase.cos(), len * phase.sin()))
}

fn compare(op: BinaryOp, a: Literal, b: Literal) -> Result<Literal, LitError> {
    use std::cmp::Ordering;
    use BinaryOp::*;
    let kind = a.kind().max(b.kind());
    if kind == Kind::Complex {
        let (x, y) = (a.as_c(), b.as_c());
        return match op {
            Eq => Ok(Literal::Bool(x == y)),
            Ne => Ok(Literal::Bool(x != y)),
            _ => Err(unsupported(op.symbol(), a, Some(b))),
        };
    }
    let ord: Option<Ordering> = match (a.as_int(), b.as_int()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => cmp_num(a, b),
    };
    let r = match op {
        Eq => ord == Some(Ordering::Equal),
        Ne => ord != Some(Ordering::Equal),
        Lt => ord == Some(Ordering::Less),
        Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Gt => ord == Some(Ordering::Greater),
        Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        _ => return Err(err(ErrorKind::Internal, "not a comparison")),
    };
    Ok(Literal::Bool(r))
}

/// Exact comparison of an int with a float, as Python does.
fn cmp_num(a: Literal, b: Literal) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Literal::Float(x), Literal::Float(y)) => x.partial_cmp(&y),
        (Literal::Float(_), _) => cmp_num(b, a).map(|o| o.reverse()),
        (i, Literal::Float(f)) => {
            let i = i.as_int()?;
            if f.is_nan() {
                None
            } else if f.is_infinite() {
                Some(if f > 0.0 {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                })
            } else if f == f.trunc() && f.abs() < 1.7e38 {
                Some(i.cmp(&(f as i128)))
            } else {
                (i as f64).partial_cmp(&f)
            }
        }
        _ => None,
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(true) => f.write_str("True"),
            Literal::Bool(false) => f.write_str("False"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::Complex(c) => write!(f, "({:?}{:+?}j)", c.re, c.im),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Literal as L;

    #[test]
    fn python_arithmetic() {
        assert_eq!(
            binary(BinaryOp::Pow, L::Int(2), L::Int(-1)).unwrap(),
            L::Float(0.5)
        );
        assert_eq!(
            binary(BinaryOp::FloorDiv, L::Int(7), L::Int(-2)).unwrap(),
            L::Int(-4)
        );
        assert_eq!(
            binary(BinaryOp::Mod, L::Int(7), L::Int(-2)).unwrap(),
            L::Int(-1)
        );
        assert_eq!(
            binary(BinaryOp::Mod, L::Int(-7), L::Int(2)).unwrap(),
            L::Int(1)
        );
        assert_eq!(
            binary(BinaryOp::Div, L::Int(1), L::Int(0))
                .unwrap_err()
                .kind,
            ErrorKind::LiteralDivisionByZero
        );
        assert_eq!(unary(UnaryOp::Invert, L::Bool(true)).unwrap(), L::Int(-2));
        assert_eq!(
            binary(BinaryOp::Add, L::Bool(true), L::Bool(true)).unwrap(),
            L::Int(2)
        );
        assert_eq!(
            binary(BinaryOp::BitAnd, L::Bool(true), L::Bool(false)).unwrap(),
            L::Bool(false)
        );
        assert_eq!(
            binary(BinaryOp::Lt, L::Int(1), L::Float(1.5)).unwrap(),
            L::Bool(true)
        );
        assert_eq!(
            binary(BinaryOp::Pow, L::Int(2), L::Int(3)).unwrap(),
            L::Int(8)
        );
    }

    #[test]
    fn nep50_promotion() {
        assert_eq!(L::Float(2.0).promote_with(DType::Float32), DType::Float32);
        assert_eq!(L::Int(2).promote_with(DType::Int32), DType::Int32);
        assert_eq!(L::Float(2.5).promote_with(DType::Int32), DType::Float64);
        assert_eq!(L::Int(1).promote_with(DType::Bool), DType::Int64);
        assert_eq!(L::Bool(true).promote_with(DType::Int32), DType::Int32);
        assert_eq!(
            L::Int(3_000_000_000)
                .to_scalar(DType::Int32)
                .unwrap_err()
                .kind,
            ErrorKind::LiteralOutOfRange
        );
    }
}
