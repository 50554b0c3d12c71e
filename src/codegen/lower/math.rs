//! Inline CLIF for the exact math functions (`ceil floor trunc rint sign isnan isinf
//! isfinite signbit copysign maximum minimum`), scalar and 128-bit vector forms, bitwise
//! equal to `crate::math`'s scalar rules. Transcendental functions are block routines
//! (`codegen::mathcall`), never lowered here.

use super::{little, vec_ty, Lowerer, Mode};
use crate::array::internal;
use crate::error::Error;
use crate::math::Math;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{I32, I32X4, I64, I64X2};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value};

/// Is `f` on compute dtype `t` lowered inline (rather than by a block routine)?
fn is_inline(f: Math, t: DType) -> bool {
    crate::codegen::mathcall::routine(f, t).is_none()
}

impl Lowerer<'_, '_> {
    /// `mask ? x : y` where `mask` is a comparison result of mode `m` (an `i8` in
    /// scalar mode, a lane mask in vector mode).
    fn pick(&mut self, mask: Value, x: Value, y: Value, t: DType, m: Mode) -> Value {
        match m {
            Mode::Scalar => self.b.ins().select(mask, x, y),
            Mode::Vector(w) => {
                let vt = vec_ty(t, w);
                let mask = if self.b.func.dfg.value_type(mask) == vt {
                    mask
                } else {
                    self.b.ins().bitcast(vt, little(), mask)
                };
                self.b.ins().bitselect(mask, x, y)
            }
        }
    }

    pub(super) fn math(
        &mut self,
        f: Math,
        args: &[(Value, DType)],
        m: Mode,
    ) -> Result<Value, Error> {
        use Math::*;
        let (a, t) = args[0];
        let b = args.get(1).map(|x| x.0);
        let bv = || b.ok_or_else(|| internal("missing operand"));
        let unsupported = || internal(format!("no inline lowering for {} on {t}", f.name()));
        if !is_inline(f, t) {
            return Err(unsupported());
        }
        Ok(match f {
            Ceil => self.b.ins().ceil(a),
            Floor => self.b.ins().floor(a),
            Trunc => self.b.ins().trunc(a),
            Rint => self.b.ins().nearest(a),
            Isnan => self.b.ins().fcmp(FloatCC::Unordered, a, a),
            Isinf | Isfinite => {
                let mag = self.b.ins().fabs(a);
                let inf = self.fconst(t, f64::INFINITY, m);
                let cc = if f == Isinf {
                    FloatCC::Equal
                } else {
                    FloatCC::LessThan
                };
                self.b.ins().fcmp(cc, mag, inf)
            }
            Signbit => {
                let it = match (m, t) {
                    (Mode::Scalar, DType::Float32) => I32,
                    (Mode::Scalar, _) => I64,
                    (Mode::Vector(_), DType::Float32) => I32X4,
                    (Mode::Vector(_), _) => I64X2,
                };
                let flags = if m == Mode::Scalar {
                    MemFlagsData::new()
                } else {
                    little()
                };
                let bits = self.b.ins().bitcast(it, flags, a);
                match m {
                    Mode::Scalar => self.b.ins().icmp_imm_s(IntCC::SignedLessThan, bits, 0),
                    Mode::Vector(_) => {
                        let zero = self.b.ins().iconst(it.lane_type(), 0);
                        let zero = self.b.ins().splat(it, zero);
                        self.b.ins().icmp(IntCC::SignedLessThan, bits, zero)
                    }
                }
            }
            Copysign => match m {
                Mode::Scalar => self.b.ins().fcopysign(a, bv()?),
                Mode::Vector(_) => {
                    // -0.0 is exactly the sign bit: take it from b, the rest from a.
                    let sign = self.fconst(t, -0.0, m);
                    self.b.ins().bitselect(sign, bv()?, a)
                }
            },
            Sign if t.is_float() => {
                let zero = self.fconst(t, 0.0, m);
                let one = self.fconst(t, 1.0, m);
                let minus = self.fconst(t, -1.0, m);
                let gt = self.b.ins().fcmp(FloatCC::GreaterThan, a, zero);
                let lt = self.b.ins().fcmp(FloatCC::LessThan, a, zero);
                let eq = self.b.ins().fcmp(FloatCC::Equal, a, zero);
                // NaN stays itself; ±0 gives +0.
                let r = self.pick(eq, zero, a, t, m);
                let r = self.pick(lt, minus, r, t, m);
                self.pick(gt, one, r, t, m)
            }
            Sign => {
                let zero = self.iconst(t, 0, m);
                let one = self.iconst(t, 1, m);
                let minus = self.iconst(t, -1, m);
                let gt = self.b.ins().icmp(IntCC::SignedGreaterThan, a, zero);
                let lt = self.b.ins().icmp(IntCC::SignedLessThan, a, zero);
                let r = self.pick(lt, minus, zero, t, m);
                self.pick(gt, one, r, t, m)
            }
            Maximum | Minimum => {
                let b = bv()?;
                let max = f == Maximum;
                match t {
                    DType::Bool if max => self.b.ins().bor(a, b),
                    DType::Bool => self.b.ins().band(a, b),
                    DType::Int32 | DType::Int64 => {
                        let cc = if max {
                            IntCC::SignedGreaterThan
                        } else {
                            IntCC::SignedLessThan
                        };
                        let c = self.b.ins().icmp(cc, a, b);
                        self.pick(c, a, b, t, m)
                    }
                    _ => {
                        // NumPy: isnan(a) ? a : (a > b ? a : b), so NaN propagates and
                        // equal operands (±0) give b.
                        let cc = if max {
                            FloatCC::GreaterThan
                        } else {
                            FloatCC::LessThan
                        };
                        let c = self.b.ins().fcmp(cc, a, b);
                        let nan = self.b.ins().fcmp(FloatCC::Unordered, a, a);
                        let c = self.b.ins().bor(c, nan);
                        self.pick(c, a, b, t, m)
                    }
                }
            }
            _ => return Err(unsupported()),
        })
    }
}
