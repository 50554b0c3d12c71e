//! The one table of elementwise operations: name, arity, how `check` types it.
//! Adding a function is a row here, a scalar rule in `semantics`, and a lowering in `codegen`.

pub use crate::math::Math;
use crate::types::DType;

/// An elementwise operation in the checked IR. After `check`, every operand of an op
/// has the op's *compute dtype* (casts are explicit nodes), except where noted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Converts its operand to the node's dtype with NumPy's `astype` (unsafe) rules:
    /// float→int truncates toward zero; NaN/inf/out-of-range give the target's minimum
    /// (what x86 and NumPy on x86 produce); complex→real drops the imaginary part;
    /// anything→bool is `!= 0`.
    Cast,
    /// `-x` (wrapping for ints).
    Neg,
    /// `~x`: logical not on bool, bitwise not on ints.
    Invert,
    /// `abs(x)`: wrapping for ints (`abs(MIN) == MIN`); complex → float64 (hypot).
    Abs,
    /// `sqrt(x)` on float32, float64, complex128.
    Sqrt,
    /// `1/x` with NumPy's `reciprocal` formula (what `z ** -1` means for complex `z`).
    Reciprocal,
    Add,
    Sub,
    Mul,
    /// True division; only on inexact dtypes (ints were cast to float64 by `check`).
    Div,
    /// Floor division (ints: `x // 0 == 0`; floats: NumPy's `npy_floor_divide`).
    FloorDiv,
    /// Remainder with the sign of the divisor (ints: `x % 0 == 0`).
    Mod,
    /// Power. Ints: wrapping exponentiation by squaring; a negative exponent is a
    /// run-time error (E0501). Floats: libm `pow`. Complex: NumPy's `nc_pow`.
    Pow,
    /// `<<` on ints: shifts ≥ bit width or negative give 0.
    Shl,
    /// `>>` on ints (arithmetic): shifts ≥ bit width or negative give 0 or -1.
    Shr,
    /// `&`: bitwise on ints, logical on bool.
    BitAnd,
    BitOr,
    BitXor,
    /// Comparisons: operands share a dtype, result is bool. Complex: `Eq`/`Ne` only.
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `where(c, a, b)`: operand 0 is bool, operands 1 and 2 have the node's dtype.
    Where,
    /// A math function (`sin`, `maximum`, …); its table and rules are in `crate::math`.
    Math(Math),
    /// `real(z)`, `z.real`: the real part of a complex128 (float64).
    Real,
    /// `imag(z)`, `z.imag`: the imaginary part (float64); zero of the operand's dtype for
    /// real dtypes, as NumPy's `np.imag`.
    Imag,
    /// `conj(z)`: the complex conjugate (`check` makes it the identity on real dtypes).
    Conj,
    /// `complex(a, b)`: the complex128 `a + b·i` built from two float64 parts exactly
    /// (numexpr's `complex`; unlike `a + b*1j`, `b = inf` gives `(a, inf)`).
    Complex,
}

/// How many operands an op takes.
pub fn arity(op: Op) -> usize {
    use Op::*;
    match op {
        Cast | Neg | Invert | Abs | Sqrt | Reciprocal | Real | Imag | Conj => 1,
        Where => 3,
        Math(f) => f.arity(),
        _ => 2,
    }
}

impl Op {
    pub fn is_comparison(self) -> bool {
        use Op::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    pub fn name(self) -> &'static str {
        use Op::*;
        match self {
            Cast => "cast",
            Neg => "neg",
            Invert => "invert",
            Abs => "abs",
            Sqrt => "sqrt",
            Reciprocal => "reciprocal",
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            FloorDiv => "floordiv",
            Mod => "mod",
            Pow => "pow",
            Shl => "shl",
            Shr => "shr",
            BitAnd => "and",
            BitOr => "or",
            BitXor => "xor",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
            Where => "where",
            Math(f) => f.name(),
            Real => "real",
            Imag => "imag",
            Conj => "conj",
            Complex => "complex",
        }
    }

    /// A stable one-byte code (compile-cache keys).
    pub fn code(self) -> u8 {
        match self {
            Op::Math(f) => 64 + f as u8,
            op => Op::ALL.iter().position(|&o| o == op).unwrap_or(63) as u8,
        }
    }

    /// Every op, for exhaustive tests.
    pub const ALL: [Op; 29] = [
        Op::Cast,
        Op::Neg,
        Op::Invert,
        Op::Abs,
        Op::Sqrt,
        Op::Reciprocal,
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::FloorDiv,
        Op::Mod,
        Op::Pow,
        Op::Shl,
        Op::Shr,
        Op::BitAnd,
        Op::BitOr,
        Op::BitXor,
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Where,
        Op::Real,
        Op::Imag,
        Op::Conj,
        Op::Complex,
    ];

    /// The compute dtypes (dtype of the operands; for `Where`, of operands 1 and 2)
    /// this op is defined on after `check`. `Cast` is defined on every pair.
    pub fn supports(self, t: DType) -> bool {
        use DType::*;
        use Op::*;
        match self {
            Cast | Where | Eq | Ne => true,
            Neg | Sub => t != Bool,
            Add | Mul => true,
            Invert | BitAnd | BitOr | BitXor => matches!(t, Bool | Int32 | Int64),
            Shl | Shr => t.is_int(),
            Abs => true,
            Sqrt | Reciprocal | Div => matches!(t, Float32 | Float64 | Complex128),
            FloorDiv | Mod => matches!(t, Int32 | Int64 | Float32 | Float64),
            Pow => t != Bool,
            Lt | Le | Gt | Ge => t != Complex128,
            Math(f) => f.supports(t),
            Real | Conj => t == Complex128,
            Imag => true,
            Complex => t == Float64,
        }
    }

    /// The result dtype for compute dtype `t` (not for `Cast`, whose result is chosen).
    pub fn result_dtype(self, t: DType) -> DType {
        if self.is_comparison() {
            DType::Bool
        } else if matches!(self, Op::Abs | Op::Real | Op::Imag) {
            t.real_part()
        } else if self == Op::Complex {
            DType::Complex128
        } else if let Op::Math(f) = self {
            f.result_dtype(t)
        } else {
            t
        }
    }
}

/// A named function callable in expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// An elementwise op (`sqrt`, `abs`, `where`).
    Op(Op),
    /// An explicit cast: `float32(x)` and friends.
    Cast(DType),
    /// A reduction (`sum`, `max`, …): one positional argument and an optional `axis=`.
    Reduce(ReduceOp),
    /// `angle(z)`: NumPy's `arctan2(imag(z), real(z))` (`arctan2(0, x)` for real `x`),
    /// built from other ops by `check`.
    Angle,
    /// `round(x)` / `round(x, decimals)`: `rint` on floats (after scaling by
    /// `10**decimals`), the identity on ints; built from other ops by `check`.
    Round,
    /// `copy(x)`: `x` itself (numexpr has it; results are always fresh arrays anyway).
    Copy,
    /// `ones_like(x)`: ones of `x`'s dtype and shape (numexpr's).
    OnesLike,
}

/// Functions by name: (name, arity, what it is).
pub const FUNCTIONS: &[(&str, usize, Func)] = &[
    ("where", 3, Func::Op(Op::Where)),
    ("sqrt", 1, Func::Op(Op::Sqrt)),
    ("abs", 1, Func::Op(Op::Abs)),
    ("round", 1, Func::Round),
    ("copy", 1, Func::Copy),
    ("ones_like", 1, Func::OnesLike),
    ("real", 1, Func::Op(Op::Real)),
    ("imag", 1, Func::Op(Op::Imag)),
    ("conj", 1, Func::Op(Op::Conj)),
    ("complex", 2, Func::Op(Op::Complex)),
    ("angle", 1, Func::Angle),
    ("bool", 1, Func::Cast(DType::Bool)),
    ("int32", 1, Func::Cast(DType::Int32)),
    ("int64", 1, Func::Cast(DType::Int64)),
    ("float32", 1, Func::Cast(DType::Float32)),
    ("float64", 1, Func::Cast(DType::Float64)),
    ("complex128", 1, Func::Cast(DType::Complex128)),
    ("sum", 1, Func::Reduce(ReduceOp::Sum)),
    ("prod", 1, Func::Reduce(ReduceOp::Prod)),
    ("min", 1, Func::Reduce(ReduceOp::Min)),
    ("max", 1, Func::Reduce(ReduceOp::Max)),
    ("mean", 1, Func::Reduce(ReduceOp::Mean)),
    ("any", 1, Func::Reduce(ReduceOp::Any)),
    ("all", 1, Func::Reduce(ReduceOp::All)),
];

pub fn lookup_function(name: &str) -> Option<(usize, Func)> {
    FUNCTIONS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, a, f)| (a, f))
        .or_else(|| Math::by_name(name).map(|f| (f.arity(), Func::Op(Op::Math(f)))))
}

/// Every function name (`FUNCTIONS` and the math table), for suggestions.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|f| f.0)
        .chain(crate::math::TABLE.iter().map(|r| r.1))
}

/// A reduction over all axes or one axis. After `check`, its operand has the node's
/// dtype (NumPy's accumulator dtype: int64 for bool/int sums and products, float64 for
/// integer means, bool for `any`/`all`; the cast is an explicit elementwise node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    /// NaN propagates; `-0.0 < +0.0` (so the result never depends on the order).
    Min,
    Max,
    /// The sum divided by the count, in the sum's dtype.
    Mean,
    Any,
    All,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::Mean => "mean",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
        }
    }

    /// The name of NumPy's ufunc doing this reduction (for NumPy's error wording).
    pub fn ufunc(self) -> &'static str {
        match self {
            ReduceOp::Sum | ReduceOp::Mean => "add",
            ReduceOp::Prod => "multiply",
            ReduceOp::Min => "minimum",
            ReduceOp::Max => "maximum",
            ReduceOp::Any => "logical_or",
            ReduceOp::All => "logical_and",
        }
    }

    /// True when an empty reduction has no value (NumPy raises).
    pub fn needs_elements(self) -> bool {
        matches!(self, ReduceOp::Min | ReduceOp::Max)
    }

    /// The dtype the operand is cast to and the result has, for an operand of dtype `t`
    /// (NumPy 2 on 64-bit Linux); `None` where NumPy's order is not supported (complex
    /// `min`/`max`: lexicographic in NumPy, refused like `<` on complex).
    pub fn dtype(self, t: DType) -> Option<DType> {
        use DType::*;
        match self {
            ReduceOp::Sum | ReduceOp::Prod => Some(match t {
                Bool | Int32 | Int64 => Int64,
                other => other,
            }),
            ReduceOp::Mean => Some(match t {
                Bool | Int32 | Int64 => Float64,
                other => other,
            }),
            ReduceOp::Min | ReduceOp::Max => (t != Complex128).then_some(t),
            ReduceOp::Any | ReduceOp::All => Some(Bool),
        }
    }

    pub const ALL: [ReduceOp; 7] = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Min,
        ReduceOp::Max,
        ReduceOp::Mean,
        ReduceOp::Any,
        ReduceOp::All,
    ];
}
