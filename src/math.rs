//! The math functions (NumPy's ufuncs `sin` … `nextafter`): their table (name, arity,
//! typing rule) and their scalar reference rules, which use Rust's std (the C library's
//! libm) as the naive evaluator must. Knows nothing of arrays, IR or codegen; the fast
//! vector versions live in `crate::vmath`.

use crate::types::DType;
use num_complex::Complex64;
use num_traits::Float;

/// A math function; an elementwise op `Op::Math(f)` after `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Math {
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Exp,
    Expm1,
    Exp2,
    Log,
    Log10,
    Log2,
    Log1p,
    Cbrt,
    Ceil,
    Floor,
    Trunc,
    /// Round half to even (also what `round(x)` is for floats).
    Rint,
    Sign,
    Isnan,
    Isinf,
    Isfinite,
    Signbit,
    Arctan2,
    Hypot,
    Copysign,
    Nextafter,
    /// C's `fmod`: the remainder takes the dividend's sign (ints: `x % 0 == 0`).
    Fmod,
    /// NumPy's `maximum`: NaN propagates (`isnan(a) ? a : a > b ? a : b`).
    Maximum,
    Minimum,
}

/// How `check` types a call (NumPy's ufunc loops, restricted to numjit's dtypes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Float in, same float out; ints → float64, bool → float32 (NumPy: float16).
    Float,
    /// Like `Float`, but ints and bool pass through unchanged (`ceil floor trunc`,
    /// NumPy ≥ 2.1).
    Exact,
    /// `sign`: ints keep their dtype, bool is refused (as NumPy does).
    Sign,
    /// Any real dtype in, bool out (ints and bool are tested as floats).
    Predicate,
    /// Two operands promoted together, then as `Float`.
    Float2,
    /// Two operands promoted together; every real dtype (`maximum minimum`).
    Any2,
    /// Two operands promoted together; ints and floats (`fmod`; bool would be int8).
    Numeric2,
}

/// The function table: name, arity, typing rule. `round` is handled by `check`
/// (it becomes `rint`, or the identity on ints, with an optional `decimals`).
pub const TABLE: &[(Math, &str, Rule)] = &[
    (Math::Sin, "sin", Rule::Float),
    (Math::Cos, "cos", Rule::Float),
    (Math::Tan, "tan", Rule::Float),
    (Math::Arcsin, "arcsin", Rule::Float),
    (Math::Arccos, "arccos", Rule::Float),
    (Math::Arctan, "arctan", Rule::Float),
    (Math::Sinh, "sinh", Rule::Float),
    (Math::Cosh, "cosh", Rule::Float),
    (Math::Tanh, "tanh", Rule::Float),
    (Math::Arcsinh, "arcsinh", Rule::Float),
    (Math::Arccosh, "arccosh", Rule::Float),
    (Math::Arctanh, "arctanh", Rule::Float),
    (Math::Exp, "exp", Rule::Float),
    (Math::Expm1, "expm1", Rule::Float),
    (Math::Exp2, "exp2", Rule::Float),
    (Math::Log, "log", Rule::Float),
    (Math::Log10, "log10", Rule::Float),
    (Math::Log2, "log2", Rule::Float),
    (Math::Log1p, "log1p", Rule::Float),
    (Math::Cbrt, "cbrt", Rule::Float),
    (Math::Ceil, "ceil", Rule::Exact),
    (Math::Floor, "floor", Rule::Exact),
    (Math::Trunc, "trunc", Rule::Exact),
    (Math::Rint, "rint", Rule::Float),
    (Math::Sign, "sign", Rule::Sign),
    (Math::Isnan, "isnan", Rule::Predicate),
    (Math::Isinf, "isinf", Rule::Predicate),
    (Math::Isfinite, "isfinite", Rule::Predicate),
    (Math::Signbit, "signbit", Rule::Predicate),
    (Math::Arctan2, "arctan2", Rule::Float2),
    (Math::Hypot, "hypot", Rule::Float2),
    (Math::Copysign, "copysign", Rule::Float2),
    (Math::Nextafter, "nextafter", Rule::Float2),
    (Math::Fmod, "fmod", Rule::Numeric2),
    (Math::Maximum, "maximum", Rule::Any2),
    (Math::Minimum, "minimum", Rule::Any2),
];

impl Math {
    fn row(self) -> &'static (Math, &'static str, Rule) {
        // The table lists every variant (tested), in declaration order.
        &TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }

    pub fn rule(self) -> Rule {
        self.row().2
    }

    pub fn arity(self) -> usize {
        match self.rule() {
            Rule::Float2 | Rule::Any2 | Rule::Numeric2 => 2,
            _ => 1,
        }
    }

    /// Every math function, for exhaustive tests.
    pub fn all() -> impl Iterator<Item = Math> {
        TABLE.iter().map(|r| r.0)
    }

    pub fn by_name(name: &str) -> Option<Math> {
        TABLE.iter().find(|r| r.1 == name).map(|r| r.0)
    }

    /// The compute dtypes this function is defined on after `check`.
    pub fn supports(self, t: DType) -> bool {
        use DType::*;
        match self.rule() {
            Rule::Float if t.is_complex() => self.has_complex(),
            Rule::Float | Rule::Exact | Rule::Predicate | Rule::Float2 => t.is_float(),
            Rule::Sign => matches!(t, Int32 | Int64 | Float32 | Float64 | Complex128),
            Rule::Numeric2 => matches!(t, Int32 | Int64 | Float32 | Float64),
            Rule::Any2 => t != Complex128,
        }
    }

    pub fn result_dtype(self, t: DType) -> DType {
        if self.rule() == Rule::Predicate {
            DType::Bool
        } else {
            t
        }
    }

    /// Is this function computed by a transcendental routine whose JIT result may differ
    /// from the naive evaluator's libm by a few ULP (at most 4 ULP, checked by tests/it/math.rs)?
    pub fn is_approximate(self) -> bool {
        use Math::*;
        !matches!(
            self,
            Ceil | Floor
                | Trunc
                | Rint
                | Sign
                | Isnan
                | Isinf
                | Isfinite
                | Signbit
                | Copysign
                | Nextafter
                | Fmod
                | Maximum
                | Minimum
        )
    }

    /// Is this function defined on complex128? (NumPy's complex loops that numjit has.)
    pub fn has_complex(self) -> bool {
        use Math::*;
        matches!(
            self,
            Sin | Cos
                | Tan
                | Arcsin
                | Arccos
                | Arctan
                | Sinh
                | Cosh
                | Tanh
                | Arcsinh
                | Arccosh
                | Arctanh
                | Exp
                | Log
                | Log10
                | Expm1
                | Exp2
                | Log2
                | Log1p
        )
    }

    /// The scalar rule on complex128 (only where `has_complex`): the C library's C99
    /// function, which is what NumPy calls on Linux (same branch cuts, infinities and
    /// NaNs); `log10`, `log2`, `exp2`, `expm1` and `log1p` follow NumPy's own complex
    /// loops (`clog(z) * LOG10E` part by part, `clog(z) * LOG2E`, `cexp(z * LN2)`,
    /// `expm1(x)·cos y − 2 sin²(y/2) + i·eˣ sin y`), except `log1p` and `exp2`, computed
    /// more accurately than NumPy's (`semantics::c_log1p`, `semantics::c_exp2`).
    pub fn complex(self, z: Complex64) -> Complex64 {
        use numjit_runtime::cmath::{call, CFn};
        use Math::*;
        let f = match self {
            Sin => CFn::Sin,
            Cos => CFn::Cos,
            Tan => CFn::Tan,
            Arcsin => CFn::Asin,
            Arccos => CFn::Acos,
            Arctan => CFn::Atan,
            Sinh => CFn::Sinh,
            Cosh => CFn::Cosh,
            Tanh => CFn::Tanh,
            Arcsinh => CFn::Asinh,
            Arccosh => CFn::Acosh,
            Arctanh => CFn::Atanh,
            Exp => CFn::Exp,
            Log => CFn::Log,
            Log10 => {
                let l = call(CFn::Log, z);
                let k = std::f64::consts::LOG10_E;
                return Complex64::new(l.re * k, l.im * k);
            }
            Log2 => {
                let l = call(CFn::Log, z);
                let k = std::f64::consts::LOG2_E;
                return Complex64::new(l.re * k, l.im * k);
            }
            Exp2 => return crate::semantics::c_exp2(z),
            Expm1 => {
                let a = (z.im / 2.0).sin();
                return Complex64::new(
                    z.re.exp_m1() * z.im.cos() - 2.0 * a * a,
                    z.re.exp() * z.im.sin(),
                );
            }
            Sign => return crate::semantics::c_sign(z),
            Log1p => return crate::semantics::c_log1p(z),
            _ => return Complex64::new(f64::NAN, f64::NAN),
        };
        call(f, z)
    }

    /// The scalar rule of a float-valued function (the second operand is ignored by
    /// unary functions). On float32, the approximate functions compute in float64 and
    /// round once, so they stay within 1 ULP (float32 libm's `tanf` & co. reach 1.07).
    pub fn float<F: Float>(self, x: F, y: F) -> F {
        use Math::*;
        if self.is_approximate() && is_f32::<F>() {
            let wide = self.float::<f64>(
                x.to_f64().unwrap_or(f64::NAN),
                y.to_f64().unwrap_or(f64::NAN),
            );
            return F::from(wide as f32).unwrap_or_else(F::nan);
        }
        match self {
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Arcsin => x.asin(),
            Arccos => x.acos(),
            Arctan => x.atan(),
            Sinh => x.sinh(),
            Cosh => x.cosh(),
            Tanh => x.tanh(),
            Arcsinh => via_f64(x, libm::asinh),
            // The libm crate (musl) returns numbers for some x < -2, where glibc and
            // NumPy give NaN.
            Arccosh => via_f64(x, |v| if v < 1.0 { f64::NAN } else { libm::acosh(v) }),
            Arctanh => via_f64(x, libm::atanh),
            Exp => x.exp(),
            Expm1 => x.exp_m1(),
            Exp2 => x.exp2(),
            Log => x.ln(),
            Log10 => x.log10(),
            Log2 => x.log2(),
            Log1p => x.ln_1p(),
            Cbrt => x.cbrt(),
            Ceil => x.ceil(),
            Floor => x.floor(),
            Trunc => x.trunc(),
            Rint => rint(x),
            Sign => {
                if x > F::zero() {
                    F::one()
                } else if x < F::zero() {
                    -F::one()
                } else if x == F::zero() {
                    F::zero()
                } else {
                    x
                }
            }
            Arctan2 => x.atan2(y),
            Hypot => x.hypot(y),
            Copysign => x.copysign(y),
            Nextafter => nextafter(x, y),
            Fmod => x % y,
            Maximum => {
                if x.is_nan() || x > y {
                    x
                } else {
                    y
                }
            }
            Minimum => {
                if x.is_nan() || x < y {
                    x
                } else {
                    y
                }
            }
            // Predicates never reach here (`check` gives them bool results).
            Isnan | Isinf | Isfinite | Signbit => F::nan(),
        }
    }

    /// The scalar rule of a predicate.
    pub fn predicate<F: Float>(self, x: F) -> bool {
        match self {
            Math::Isnan => x.is_nan(),
            Math::Isinf => x.is_infinite(),
            Math::Isfinite => x.is_finite(),
            _ => x.is_sign_negative(),
        }
    }

    /// The scalar rule on an integer type (`sign fmod maximum minimum`).
    pub fn int<I: Copy + Ord + Default + num_traits::PrimInt + num_traits::Signed>(
        self,
        x: I,
        y: I,
    ) -> I {
        match self {
            Math::Sign => x.signum(),
            // C's `%` truncates; `x % 0 == 0` and `MIN % -1 == 0` as NumPy gives.
            Math::Fmod => {
                if y == I::zero() || (y == -I::one()) {
                    I::zero()
                } else {
                    x % y
                }
            }
            Math::Maximum => x.max(y),
            Math::Minimum => x.min(y),
            _ => I::zero(),
        }
    }

    /// The scalar rule on bool (`maximum` is or, `minimum` is and).
    pub fn boolean(self, x: bool, y: bool) -> bool {
        match self {
            Math::Maximum => x | y,
            _ => x & y,
        }
    }
}

/// Round half to even, as C's `rint` in the default rounding mode.
fn rint<F: Float>(x: F) -> F {
    let r = x.round(); // half away from zero
    if (r - x).abs() == F::from(0.5).unwrap_or_else(F::zero) {
        // A tie: take the even neighbour.
        let two = F::one() + F::one();
        (x / two).round() * two
    } else {
        r
    }
}

/// C99 `nextafter`: the next representable value after `x` toward `y`.
fn nextafter<F: Float>(x: F, y: F) -> F {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    if x == y {
        return y;
    }
    if x == F::zero() {
        let tiny = F::min_positive_value() * F::epsilon(); // smallest subnormal
        return if y > x { tiny } else { -tiny };
    }
    // Step the bit pattern by one ULP away from or toward zero.
    step_bits(x, (y > x) == (x > F::zero()))
}

fn step_bits<F: Float>(x: F, away: bool) -> F {
    // Through f64 bits when F is f64, f32 bits when F is f32 (decided by the mantissa width).
    if F::epsilon() == F::from(f32::EPSILON).unwrap_or_else(F::zero) {
        let v = x.to_f32().unwrap_or(0.0);
        let b = v.to_bits();
        let b = if away { b + 1 } else { b - 1 };
        F::from(f32::from_bits(b)).unwrap_or_else(F::nan)
    } else {
        let v = x.to_f64().unwrap_or(0.0);
        let b = v.to_bits();
        let b = if away { b + 1 } else { b - 1 };
        F::from(f64::from_bits(b)).unwrap_or_else(F::nan)
    }
}

/// `g` (a float64 function) at `x`; exact for float64 `F` (float32 never gets here).
fn via_f64<F: Float>(x: F, g: fn(f64) -> f64) -> F {
    F::from(g(x.to_f64().unwrap_or(f64::NAN))).unwrap_or_else(F::nan)
}

/// Is `F` float32? (Decided by the mantissa width.)
fn is_f32<F: Float>() -> bool {
    F::epsilon() == F::from(f32::EPSILON).unwrap_or_else(F::zero)
}

#[cfg(test)]
mod tests {
    #[test]
    fn float32_approximate_functions_round_the_float64_rule_once() {
        for f in Math::all().filter(|f| f.is_approximate()) {
            for &x in &[0.3f32, -1.7, 2.5e-3, 88.0, 1.0e6, -0.0, f32::INFINITY] {
                let want = f.float(x as f64, 0.75) as f32;
                let got = f.float(x, 0.75f32);
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{}({x}) = {got}, want {want}",
                    f.name()
                );
            }
        }
    }

    use super::*;

    #[test]
    fn table_is_in_declaration_order() {
        for (k, row) in TABLE.iter().enumerate() {
            assert_eq!(row.0 as usize, k, "{}", row.1);
        }
        assert_eq!(TABLE.len(), Math::Minimum as usize + 1);
    }

    #[test]
    fn scalar_rules_follow_numpy() {
        assert_eq!(Math::Rint.float(2.5f64, 0.0), 2.0);
        assert_eq!(Math::Rint.float(-3.5f64, 0.0), -4.0);
        assert_eq!(Math::Rint.float(0.49999999999999994f64, 0.0), 0.0);
        assert!(Math::Rint.float(-0.5f64, 0.0).is_sign_negative());
        assert_eq!(
            Math::Rint.float(4503599627370497.0f64, 0.0),
            4503599627370497.0
        );
        assert_eq!(Math::Nextafter.float(1.0f64, 2.0), 1.0000000000000002);
        assert_eq!(Math::Nextafter.float(0.0f32, -1.0), -1e-45);
        assert_eq!(Math::Nextafter.float(-0.0f64, 0.0).to_bits(), 0);
        assert_eq!(Math::Nextafter.float(f64::INFINITY, 0.0), f64::MAX);
        assert!(Math::Sign.float(f64::NAN, 0.0).is_nan());
        assert_eq!(Math::Sign.float(-0.0f64, 0.0).to_bits(), 0);
        assert_eq!(Math::Maximum.float(-0.0f64, 0.0).to_bits(), 0);
        assert!(Math::Maximum.float(0.0f64, -0.0).is_sign_negative());
        assert!(Math::Minimum.float(1.0f64, f64::NAN).is_nan());
        assert_eq!(Math::Fmod.float(-5.0f64, 3.0), -2.0);
        assert_eq!(Math::Fmod.int(-5i32, 3), -2);
        assert_eq!(Math::Fmod.int(i64::MIN, -1), 0);
        assert_eq!(Math::Fmod.int(5i64, 0), 0);
        assert!(Math::Signbit.predicate(-0.0f32));
    }
}
