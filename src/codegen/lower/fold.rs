//! The fused fold loop of a reduction kernel (`numjit_runtime::FoldFn`): instead of
//! storing the root's values, folds them leaf by leaf in exactly the order of
//! `numjit_runtime::reduce::pairwise` for a sequence of at most `LEAF` values, and
//! stores one folded value per leaf. The tree above the leaves is the runtime's.
//!
//! One leaf of `m` values, starting at element `i`:
//! * `m < 8`: `r = identity`, then `r = r ∘ x` left to right;
//! * else eight lane accumulators `r[j]` start at `x[i + j]` and take `x[i + j + 8c]`
//!   (`A = 8 / E` vectors of `E` lanes each, or eight scalars in a scalar loop), then
//!   `((r0∘r1)∘(r2∘r3))∘((r4∘r5)∘(r6∘r7))`, then the last `m mod 8` values left to right.
//!
//! `∘` is the element op of the fold (`+`, `*`, `|`, `&`, and `min`/`max` with
//! `crate::reduce`'s order-independent NaN and signed-zero rules); `+`/`*` are lowered
//! by `Lowerer::op` exactly as the elementwise ops, so the values are bitwise those of
//! `crate::reduce`'s folds.

use super::{scalar_ty, vec_ty, LoopPlan, Lowerer, Mode};
use crate::array::{internal, Scalar};
use crate::codegen::FoldOp;
use crate::error::Error;
use crate::ops::Op;
use crate::types::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{I32, I32X4, I64, I64X2, I8};
use cranelift_codegen::ir::{BlockArg, InstBuilder, MemFlagsData, Value};
use num_complex::Complex64;

impl Lowerer<'_, '_> {
    /// `a ∘ b` for values of dtype `t` in mode `m`.
    fn combine(
        &mut self,
        f: FoldOp,
        a: Value,
        b: Value,
        t: DType,
        m: Mode,
    ) -> Result<Value, Error> {
        match f {
            FoldOp::Sum => self.op(Op::Add, &[(a, t), (b, t)], t, m),
            FoldOp::Prod => self.op(Op::Mul, &[(a, t), (b, t)], t, m),
            FoldOp::Any => Ok(self.b.ins().bor(a, b)),
            FoldOp::All => Ok(self.b.ins().band(a, b)),
            FoldOp::Min | FoldOp::Max if t == DType::Bool => Ok(if f == FoldOp::Min {
                self.b.ins().band(a, b)
            } else {
                self.b.ins().bor(a, b)
            }),
            FoldOp::Min | FoldOp::Max if t.is_int() => {
                let cc = if f == FoldOp::Min {
                    IntCC::SignedLessThan
                } else {
                    IntCC::SignedGreaterThan
                };
                let c = self.b.ins().icmp(cc, a, b);
                Ok(self.fold_pick(c, a, b, m))
            }
            FoldOp::Min | FoldOp::Max => {
                // `crate::reduce::{fmin, fmax}`: `a` if it is NaN, strictly smaller
                // (larger), or equal with the sign that wins (`-0.0` for min, `+0.0`
                // for max); else `b`.
                let min = f == FoldOp::Min;
                let nan = self.b.ins().fcmp(FloatCC::Unordered, a, a);
                let cc = if min {
                    FloatCC::LessThan
                } else {
                    FloatCC::GreaterThan
                };
                let better = self.b.ins().fcmp(cc, a, b);
                let eq = self.b.ins().fcmp(FloatCC::Equal, a, b);
                let neg = self.sign_negative(if min { a } else { b }, t, m);
                let tie = self.b.ins().band(eq, neg);
                let c = self.b.ins().bor(nan, better);
                let c = self.b.ins().bor(c, tie);
                Ok(self.fold_pick(c, a, b, m))
            }
        }
    }

    /// `c ? a : b` for a comparison result `c` of mode `m`.
    fn fold_pick(&mut self, c: Value, a: Value, b: Value, m: Mode) -> Value {
        match m {
            Mode::Scalar => self.b.ins().select(c, a, b),
            Mode::Vector(_) => {
                let vt = self.b.func.dfg.value_type(a);
                let mask = if self.b.func.dfg.value_type(c) == vt {
                    c
                } else {
                    self.b.ins().bitcast(vt, super::little(), c)
                };
                self.b.ins().bitselect(mask, a, b)
            }
        }
    }

    /// Is the sign bit of float `v` set? (A comparison result of mode `m`.)
    fn sign_negative(&mut self, v: Value, t: DType, m: Mode) -> Value {
        let it = match (m, t) {
            (Mode::Scalar, DType::Float32) => I32,
            (Mode::Scalar, _) => I64,
            (Mode::Vector(_), DType::Float32) => I32X4,
            (Mode::Vector(_), _) => I64X2,
        };
        let bits = self.b.ins().bitcast(it, super::little(), v);
        match m {
            Mode::Scalar => self.b.ins().icmp_imm_s(IntCC::SignedLessThan, bits, 0),
            Mode::Vector(_) => {
                let z = self.b.ins().iconst(it.lane_type(), 0);
                let zero = self.b.ins().splat(it, z);
                self.b.ins().icmp(IntCC::SignedLessThan, bits, zero)
            }
        }
    }

    /// The fold's identity as a scalar of dtype `t`.
    fn identity(&mut self, f: FoldOp, t: DType) -> Result<Value, Error> {
        let s = match (f, t) {
            (FoldOp::Any, DType::Bool) => Scalar::Bool(false),
            (FoldOp::All, DType::Bool) => Scalar::Bool(true),
            (FoldOp::Min | FoldOp::Max, t) => {
                let min = f == FoldOp::Min;
                match t {
                    DType::Bool => Scalar::Bool(min),
                    DType::Int32 => Scalar::Int32(if min { i32::MAX } else { i32::MIN }),
                    DType::Int64 => Scalar::Int64(if min { i64::MAX } else { i64::MIN }),
                    DType::Float32 => Scalar::Float32(if min {
                        f32::INFINITY
                    } else {
                        f32::NEG_INFINITY
                    }),
                    DType::Float64 => Scalar::Float64(if min {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }),
                    DType::Complex128 => return Err(internal("no order on complex")),
                }
            }
            (FoldOp::Sum | FoldOp::Prod, t) => {
                let one = f == FoldOp::Prod;
                match t {
                    DType::Int64 => Scalar::Int64(one as i64),
                    DType::Float32 => Scalar::Float32(one as u8 as f32),
                    DType::Float64 => Scalar::Float64(one as u8 as f64),
                    DType::Complex128 => Scalar::Complex128(Complex64::new(one as u8 as f64, 0.0)),
                    _ => return Err(internal(format!("no fused fold over {t}"))),
                }
            }
            _ => return Err(internal(format!("no fused fold over {t}"))),
        };
        self.constant(s, Mode::Scalar)
    }

    /// Lane `l` of a vector value of dtype `t` as the scalar loop's value (bool masks
    /// become 0/1 bytes).
    fn lane(&mut self, v: Value, l: u8, t: DType) -> Value {
        let x = self.b.ins().extractlane(v, l);
        if t == DType::Bool {
            let byte = self.b.ins().ireduce(I8, x);
            self.b.ins().band_imm_s(byte, 1)
        } else {
            x
        }
    }

    /// Emits the fold loop over `n` elements in leaves of the lengths at `lens`
    /// (`usize` each, summing to `n`), storing leaf `k`'s value at `out + k * size`.
    pub(super) fn emit_fold(&mut self, lp: &LoopPlan, f: FoldOp, lens: Value) -> Result<(), Error> {
        let t = self.p.dtype();
        let st = scalar_ty(t);
        let n = self.n;
        let (mode, e) = match lp.vec_width {
            Some(w) => (Mode::Vector(w), 16 / w as i64),
            None => (Mode::Scalar, 1),
        };
        let acc_ty = match mode {
            Mode::Vector(w) => vec_ty(t, w),
            Mode::Scalar => st,
        };
        let na = (8 / e) as usize;
        let ident = self.identity(f, t)?;

        let head = self.b.create_block();
        self.b.append_block_param(head, I64); // i: first element of the leaf
        self.b.append_block_param(head, I64); // k: leaf index
        let start = self.b.create_block();
        let big = self.b.create_block();
        let chunk = self.b.create_block();
        self.b.append_block_param(chunk, I64);
        for _ in 0..na {
            self.b.append_block_param(chunk, acc_ty);
        }
        let lanes = self.b.create_block();
        for _ in 0..na {
            self.b.append_block_param(lanes, acc_ty);
        }
        let tail = self.b.create_block();
        self.b.append_block_param(tail, I64);
        self.b.append_block_param(tail, st);
        let tail_body = self.b.create_block();
        let leaf_done = self.b.create_block();
        let done = self.b.create_block();

        let zero = self.b.ins().iconst(I64, 0);
        self.b
            .ins()
            .jump(head, &[BlockArg::Value(zero), BlockArg::Value(zero)]);

        // head: another leaf?
        self.b.switch_to_block(head);
        let i = self.b.block_params(head)[0];
        let k = self.b.block_params(head)[1];
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, i, n);
        self.b.ins().brif(more, start, &[], done, &[]);

        // start: the leaf's length; short leaves go straight to the left-to-right tail.
        self.b.switch_to_block(start);
        let koff = self.b.ins().ishl_imm_u(k, 3);
        let la = self.b.ins().iadd(lens, koff);
        let m = self
            .b
            .ins()
            .load(I64, MemFlagsData::trusted().with_readonly(), la, 0);
        let end = self.b.ins().iadd(i, m);
        let short = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, m, 8);
        self.b.ins().brif(
            short,
            tail,
            &[BlockArg::Value(i), BlockArg::Value(ident)],
            big,
            &[],
        );

        // big: the lane accumulators start at the first eight values.
        self.b.switch_to_block(big);
        let mut accs = Vec::with_capacity(na);
        for a in 0..na {
            accs.push(self.root_value(lp, i, a as i64 * e, mode)?);
        }
        let m8 = self.b.ins().band_imm_s(m, !7);
        let end8 = self.b.ins().iadd(i, m8);
        let j0 = self.b.ins().iadd_imm_s(i, 8);
        let go = self.b.ins().icmp(IntCC::UnsignedLessThan, j0, end8);
        let mut args: Vec<BlockArg> = vec![BlockArg::Value(j0)];
        args.extend(accs.iter().map(|&v| BlockArg::Value(v)));
        let acc_args: Vec<BlockArg> = accs.iter().map(|&v| BlockArg::Value(v)).collect();
        self.b.ins().brif(go, chunk, &args, lanes, &acc_args);

        // chunk: eight more values into the accumulators.
        self.b.switch_to_block(chunk);
        let params = self.b.block_params(chunk).to_vec();
        let j = params[0];
        let mut next_accs = Vec::with_capacity(na);
        for (a, &acc) in params[1..].iter().enumerate() {
            let x = self.root_value(lp, j, a as i64 * e, mode)?;
            next_accs.push(self.combine(f, acc, x, t, mode)?);
        }
        let jn = self.b.ins().iadd_imm_s(j, 8);
        let go = self.b.ins().icmp(IntCC::UnsignedLessThan, jn, end8);
        let mut args: Vec<BlockArg> = vec![BlockArg::Value(jn)];
        args.extend(next_accs.iter().map(|&v| BlockArg::Value(v)));
        let acc_args: Vec<BlockArg> = next_accs.iter().map(|&v| BlockArg::Value(v)).collect();
        self.b.ins().brif(go, chunk, &args, lanes, &acc_args);

        // lanes: r0..r7 in lane order, combined as the fixed tree.
        self.b.switch_to_block(lanes);
        let accs = self.b.block_params(lanes).to_vec();
        let mut r = Vec::with_capacity(8);
        for &acc in &accs {
            if e == 1 {
                r.push(acc);
            } else {
                for l in 0..e {
                    r.push(self.lane(acc, l as u8, t));
                }
            }
        }
        let s = Mode::Scalar;
        let c01 = self.combine(f, r[0], r[1], t, s)?;
        let c23 = self.combine(f, r[2], r[3], t, s)?;
        let c45 = self.combine(f, r[4], r[5], t, s)?;
        let c67 = self.combine(f, r[6], r[7], t, s)?;
        let lo = self.combine(f, c01, c23, t, s)?;
        let hi = self.combine(f, c45, c67, t, s)?;
        let res = self.combine(f, lo, hi, t, s)?;
        self.b
            .ins()
            .jump(tail, &[BlockArg::Value(end8), BlockArg::Value(res)]);

        // tail: the remaining values, left to right, one at a time.
        self.b.switch_to_block(tail);
        let j = self.b.block_params(tail)[0];
        let res = self.b.block_params(tail)[1];
        let go = self.b.ins().icmp(IntCC::UnsignedLessThan, j, end);
        self.b.ins().brif(go, tail_body, &[], leaf_done, &[]);
        self.b.switch_to_block(tail_body);
        let x = self.root_value(lp, j, 0, Mode::Scalar)?;
        let res2 = self.combine(f, res, x, t, Mode::Scalar)?;
        let jn = self.b.ins().iadd_imm_s(j, 1);
        self.b
            .ins()
            .jump(tail, &[BlockArg::Value(jn), BlockArg::Value(res2)]);

        // leaf_done: store the leaf's value, next leaf.
        self.b.switch_to_block(leaf_done);
        let off = self.b.ins().imul_imm_s(k, t.size() as i64);
        let out = self.out.ptr;
        let addr = self.b.ins().iadd(out, off);
        self.b.ins().store(super::mem(), res, addr, 0);
        let k1 = self.b.ins().iadd_imm_s(k, 1);
        self.b
            .ins()
            .jump(head, &[BlockArg::Value(end), BlockArg::Value(k1)]);

        self.b.switch_to_block(done);
        Ok(())
    }
}
