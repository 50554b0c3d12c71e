//! Data types and NumPy 2 (NEP 50) promotion between strongly typed operands.
//! Weak (literal) operands are resolved in `types::check`, not here.

use std::fmt;

/// The six element types numjit computes with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum DType {
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
    Complex128,
}

/// NumPy's dtype kinds, in the order `same_kind` casting respects.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Kind {
    Bool,
    Int,
    Float,
    Complex,
}

impl DType {
    pub const ALL: [DType; 6] = [
        DType::Bool,
        DType::Int32,
        DType::Int64,
        DType::Float32,
        DType::Float64,
        DType::Complex128,
    ];

    /// NumPy's name (`float64`, `int32`, …).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
            DType::Complex128 => "complex128",
        }
    }

    /// Parses NumPy's name; also accepts the short codes `b1 i4 i8 f4 f8 c16`.
    pub fn from_name(s: &str) -> Option<DType> {
        Some(match s {
            "bool" | "b1" => DType::Bool,
            "int32" | "i4" => DType::Int32,
            "int64" | "i8" => DType::Int64,
            "float32" | "f4" => DType::Float32,
            "float64" | "f8" => DType::Float64,
            "complex128" | "c16" => DType::Complex128,
            _ => return None,
        })
    }

    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::Int32 | DType::Int64 => Kind::Int,
            DType::Float32 | DType::Float64 => Kind::Float,
            DType::Complex128 => Kind::Complex,
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
            DType::Complex128 => 16,
        }
    }

    pub fn is_int(self) -> bool {
        self.kind() == Kind::Int
    }
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }
    pub fn is_complex(self) -> bool {
        self == DType::Complex128
    }

    /// `np.promote_types(a, b)` restricted to our six dtypes.
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        if a == b {
            return a;
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        match (lo, hi) {
            (Bool, x) => x,
            (Int32, Int64) => Int64,
            // int32/int64 with float32: NumPy needs float64 to hold the integers.
            (Int32 | Int64, Float32) => Float64,
            (_, Float64) => Float64,
            (_, Complex128) => Complex128,
            _ => hi,
        }
    }

    /// `np.can_cast(from, to, casting="same_kind")`.
    pub fn can_cast_same_kind(from: DType, to: DType) -> bool {
        from.kind() <= to.kind()
    }

    /// `np.can_cast(from, to, casting="safe")`.
    pub fn can_cast_safe(from: DType, to: DType) -> bool {
        DType::promote(from, to) == to
    }

    /// The float dtype a function such as `sqrt` computes in for this input (NumPy's
    /// loop selection): ints go to float64; bool goes to float32 (NumPy says float16,
    /// which numjit lacks — documented).
    pub fn to_inexact(self) -> DType {
        match self {
            DType::Bool => DType::Float32,
            DType::Int32 | DType::Int64 => DType::Float64,
            other => other,
        }
    }

    /// The real dtype with the same precision (complex128 → float64).
    pub fn real_part(self) -> DType {
        match self {
            DType::Complex128 => DType::Float64,
            other => other,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::DType::*;
    use super::*;

    #[test]
    fn promotion_matches_numpy_2() {
        let cases = [
            (Bool, Int32, Int32),
            (Int32, Int64, Int64),
            (Int32, Float32, Float64),
            (Int64, Float32, Float64),
            (Float32, Float64, Float64),
            (Float32, Complex128, Complex128),
            (Bool, Bool, Bool),
            (Int64, Complex128, Complex128),
        ];
        for (a, b, want) in cases {
            assert_eq!(DType::promote(a, b), want, "{a} + {b}");
            assert_eq!(DType::promote(b, a), want, "{b} + {a}");
        }
    }

    #[test]
    fn same_kind_casting() {
        assert!(DType::can_cast_same_kind(Float64, Float32));
        assert!(DType::can_cast_same_kind(Int64, Float32));
        assert!(!DType::can_cast_same_kind(Float64, Int64));
        assert!(!DType::can_cast_same_kind(Complex128, Float64));
        assert!(DType::can_cast_same_kind(Bool, Int32));
    }
}
