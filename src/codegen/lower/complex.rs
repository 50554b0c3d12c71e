//! Inline CLIF for complex128 arithmetic, one complex per 128-bit register (`f64x2`
//! `[re, im]`): `*`, `/` and `abs`, each bitwise equal to its scalar rule in
//! `crate::semantics` (`c_mul`, `c_div`, `c_abs`). `+ - ==  !=`, unary `-`, `conj`, the
//! parts and the casts are one or two instructions and live in `lower.rs`. Complex
//! powers, square roots and transcendental functions stay block routines.

use super::{little, Lowerer};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::{F64X2, I8X16};
use cranelift_codegen::ir::{ConstantData, InstBuilder, Value};

impl Lowerer<'_, '_> {
    /// A lane shuffle of one `f64x2`: result lane `k` is lane `lanes[k]` of `v`.
    fn shuffle2(&mut self, v: Value, lanes: [u8; 2]) -> Value {
        let bytes = self.b.ins().bitcast(I8X16, little(), v);
        let mask: Vec<u8> = lanes
            .iter()
            .flat_map(|&l| (0..8).map(move |k| l * 8 + k))
            .collect();
        let imm = self
            .b
            .func
            .dfg
            .immediates
            .push(ConstantData::from(mask));
        let s = self.b.ins().shuffle(bytes, bytes, imm);
        self.b.ins().bitcast(F64X2, little(), s)
    }

    /// `[x, y]` from two `f64`s.
    fn pair(&mut self, x: Value, y: Value) -> Value {
        let v = self.b.ins().splat(F64X2, x);
        self.b.ins().insertlane(v, y, 1)
    }

    /// `a * b` as `semantics::c_mul`: `re = fma(ar, br, -(ai*bi))`,
    /// `im = fma(ar, bi, ai*br)`, computed as `fma([ar, ar], [br, bi], [-(ai*bi), ai*br])`.
    pub(super) fn complex_mul(&mut self, a: Value, b: Value) -> Value {
        let ar = self.shuffle2(a, [0, 0]);
        let ai = self.shuffle2(a, [1, 1]);
        let bs = self.shuffle2(b, [1, 0]);
        let t = self.b.ins().fmul(ai, bs); // [ai*bi, ai*br]
        // Flip the sign of lane 0 only: exactly `-(ai*bi)`.
        let sign = self.b.ins().f64const(-0.0);
        let zero = self.b.ins().f64const(0.0);
        let flip = self.pair(sign, zero);
        let t = self.b.ins().bxor(t, flip);
        self.b.ins().fma(ar, b, t)
    }

    /// `|a|` as `semantics::c_abs` (NumPy's SIMD loop): inf if a part is infinite, else
    /// NaN if a part is NaN, else `larger * sqrt(fma(r, r, 1))` with `r = smaller/larger`
    /// (`r = 0` when both are zero).
    pub(super) fn complex_abs(&mut self, a: Value) -> Value {
        let av = self.b.ins().fabs(a);
        let re = self.b.ins().extractlane(av, 0);
        let im = self.b.ins().extractlane(av, 1);
        let gt = self.b.ins().fcmp(FloatCC::GreaterThan, re, im);
        let larger = self.b.ins().select(gt, re, im);
        let smaller = self.b.ins().select(gt, im, re);
        let ratio = self.b.ins().fdiv(smaller, larger);
        let zero = self.b.ins().f64const(0.0);
        let one = self.b.ins().f64const(1.0);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, larger, zero);
        let ratio = self.b.ins().select(is0, zero, ratio);
        let s = self.b.ins().fma(ratio, ratio, one);
        let s = self.b.ins().sqrt(s);
        let r = self.b.ins().fmul(s, larger);
        let nan = self.b.ins().f64const(f64::NAN);
        let uno = self.b.ins().fcmp(FloatCC::Unordered, re, im);
        let r = self.b.ins().select(uno, nan, r);
        let inf = self.b.ins().f64const(f64::INFINITY);
        let re_inf = self.b.ins().fcmp(FloatCC::Equal, re, inf);
        let im_inf = self.b.ins().fcmp(FloatCC::Equal, im, inf);
        let any_inf = self.b.ins().bor(re_inf, im_inf);
        self.b.ins().select(any_inf, inf, r)
    }

    /// `a / b` as `semantics::c_div` (NumPy's Smith-style division), branch-free: both
    /// of Smith's branches share `rat = q/p`, `scl = 1/(p + q*rat)` with `(p, q)` the
    /// larger and smaller part of `b`; division by a zero `b` divides by `|br|`.
    pub(super) fn complex_div(&mut self, a: Value, b: Value) -> Value {
        let ar = self.b.ins().extractlane(a, 0);
        let ai = self.b.ins().extractlane(a, 1);
        let br = self.b.ins().extractlane(b, 0);
        let bi = self.b.ins().extractlane(b, 1);
        let abs_br = self.b.ins().fabs(br);
        let abs_bi = self.b.ins().fabs(bi);
        // First branch of c_div when |br| >= |bi| (false if either is NaN).
        let c1 = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, abs_br, abs_bi);
        let p = self.b.ins().select(c1, br, bi);
        let q = self.b.ins().select(c1, bi, br);
        let rat = self.b.ins().fdiv(q, p);
        let qr = self.b.ins().fmul(q, rat);
        let den = self.b.ins().fadd(p, qr);
        let one = self.b.ins().f64const(1.0);
        let scl = self.b.ins().fdiv(one, den);
        // re: (ar + ai*rat) in branch 1, (ar*rat + ai) = (ai + ar*rat) in branch 2.
        let x = self.b.ins().select(c1, ar, ai);
        let y = self.b.ins().select(c1, ai, ar);
        let yr = self.b.ins().fmul(y, rat);
        let re = self.b.ins().fadd(x, yr);
        // im: (ai - ar*rat) in branch 1, (ai*rat - ar) in branch 2.
        let arr = self.b.ins().fmul(ar, rat);
        let im1 = self.b.ins().fsub(ai, arr);
        let air = self.b.ins().fmul(ai, rat);
        let im2 = self.b.ins().fsub(air, ar);
        let im = self.b.ins().select(c1, im1, im2);
        let v = self.pair(re, im);
        let scl = self.b.ins().splat(F64X2, scl);
        let smith = self.b.ins().fmul(v, scl);
        // Both parts of b zero (then c1 holds): a / |br|, part by part.
        let zero = self.b.ins().f64const(0.0);
        let br0 = self.b.ins().fcmp(FloatCC::Equal, abs_br, zero);
        let bi0 = self.b.ins().fcmp(FloatCC::Equal, abs_bi, zero);
        let both = self.b.ins().band(br0, bi0);
        let d = self.b.ins().splat(F64X2, abs_br);
        let by_zero = self.b.ins().fdiv(a, d);
        self.b.ins().select(both, by_zero, smith)
    }
}
