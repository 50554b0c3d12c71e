//! Inline CLIF for complex128 arithmetic, one complex per 128-bit register (`f64x2`
//! `[re, im]`): `*`, `/` and `abs`, each bitwise equal to its scalar rule in
//! `crate::semantics` (`c_mul`, `c_div`, `c_abs`). `+ - ==  !=`, unary `-`, `conj`, the
//! parts and the casts are one or two instructions and live in `lower.rs`. Complex
//! powers, square roots and transcendental functions stay block routines.

use super::{little, Lowerer};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::{F64X2, I64, I64X2, I8X16};
use cranelift_codegen::ir::{ConstantData, InstBuilder, Value};

impl Lowerer<'_, '_> {
    /// A lane shuffle of one `f64x2`: result lane `k` is lane `lanes[k]` of `v`.
    fn shuffle2(&mut self, v: Value, lanes: [u8; 2]) -> Value {
        let bytes = self.b.ins().bitcast(I8X16, little(), v);
        let mask: Vec<u8> = lanes
            .iter()
            .flat_map(|&l| (0..8).map(move |k| l * 8 + k))
            .collect();
        let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask));
        let s = self.b.ins().shuffle(bytes, bytes, imm);
        self.b.ins().bitcast(F64X2, little(), s)
    }

    /// `[u[i], v[j]]` for lanes `i`, `j` of two `f64x2`s.
    fn blend2(&mut self, u: Value, i: u8, v: Value, j: u8) -> Value {
        let ub = self.b.ins().bitcast(I8X16, little(), u);
        let vb = self.b.ins().bitcast(I8X16, little(), v);
        let mask: Vec<u8> = (0..8)
            .map(|k| i * 8 + k)
            .chain((0..8).map(|k| 16 + j * 8 + k))
            .collect();
        let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask));
        let s = self.b.ins().shuffle(ub, vb, imm);
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
    /// (`r = 0` when both are zero). Lane-parallel on `[re, im]` against its swap, with
    /// lane masks only: Cranelift lowers a float `select` to a branch, which mispredicts
    /// on data like the Mandelbrot set's.
    pub(super) fn complex_abs(&mut self, a: Value) -> Value {
        let av = self.b.ins().fabs(a); // [|re|, |im|]
        let sw = self.shuffle2(av, [1, 0]); // [|im|, |re|]
        let gt = self.b.ins().fcmp(FloatCC::GreaterThan, av, sw);
        let larger = self.fsel(gt, av, sw);
        let smaller = self.fsel(gt, sw, av);
        let ratio = self.b.ins().fdiv(smaller, larger);
        let zero = self.splat_f64(0.0);
        let one = self.splat_f64(1.0);
        let is0 = self.b.ins().fcmp(FloatCC::Equal, larger, zero);
        let ratio = self.fsel(is0, zero, ratio);
        let s = self.b.ins().fma(ratio, ratio, one);
        let s = self.b.ins().sqrt(s);
        let r = self.b.ins().fmul(s, larger);
        let nan = self.splat_f64(f64::NAN);
        let uno = self.b.ins().fcmp(FloatCC::Unordered, av, sw);
        let r = self.fsel(uno, nan, r);
        let inf = self.splat_f64(f64::INFINITY);
        let is_inf = self.b.ins().fcmp(FloatCC::Equal, av, inf);
        let is_inf_sw = self.b.ins().fcmp(FloatCC::Equal, sw, inf);
        let any_inf = self.b.ins().bor(is_inf, is_inf_sw);
        let r = self.fsel(any_inf, inf, r);
        self.b.ins().extractlane(r, 0)
    }

    /// `bitselect` by a comparison mask (`i64x2`) on `f64x2` values.
    fn fsel(&mut self, mask: Value, x: Value, y: Value) -> Value {
        let m = self.b.ins().bitcast(F64X2, little(), mask);
        self.b.ins().bitselect(m, x, y)
    }

    fn splat_f64(&mut self, x: f64) -> Value {
        let c = self.b.ins().f64const(x);
        self.b.ins().splat(F64X2, c)
    }

    /// `c ? x : y` for complex `x`, `y` and a scalar bool `c` (an `i8` 0/1), through a
    /// lane mask rather than a branch.
    pub(super) fn complex_where(&mut self, c: Value, x: Value, y: Value) -> Value {
        let wide = self.b.ins().uextend(I64, c);
        let m = self.b.ins().ineg(wide);
        let m = self.b.ins().splat(I64X2, m);
        self.fsel(m, x, y)
    }

    /// `a / b` as `semantics::c_div` (NumPy's Smith-style division), branch-free with
    /// lane masks. Both of Smith's branches share `rat = q/p`, `scl = 1/(p + q*rat)` with
    /// `(p, q)` = `(br, bi)` when `|br| >= |bi|`, else `(bi, br)`; then
    /// `re = (x + y*rat)*scl` with `(x, y)` = `(ar, ai)` or `(ai, ar)` (`ar*rat + ai` is
    /// `ai + ar*rat` exactly), `im = (ai - ar*rat)*scl` or `(ai*rat - ar)*scl`. A zero
    /// `b` divides both parts by `|br|` (+0).
    pub(super) fn complex_div(&mut self, a: Value, b: Value) -> Value {
        let ab = self.b.ins().fabs(b); // [|br|, |bi|]
        let ab_sw = self.shuffle2(ab, [1, 0]);
        let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, ab, ab_sw);
        let ge = self.b.ins().bitcast(F64X2, little(), ge);
        let c1 = self.shuffle2(ge, [0, 0]); // lane 0's test, both lanes (false on NaN)
        let b_sw = self.shuffle2(b, [1, 0]);
        let pq = self.b.ins().bitselect(c1, b, b_sw); // [p, q]
        let p = self.shuffle2(pq, [0, 0]);
        let q = self.shuffle2(pq, [1, 1]);
        // Two divisions carry all four quotients (each lane is its own IEEE division):
        // [q/p, ar/|br|], then [1/den, ai/|br|]; the second lanes serve a zero `b`.
        let num1 = self.blend2(pq, 1, a, 0); // [q, ar]
        let den1 = self.blend2(pq, 0, ab, 0); // [p, |br|]
        let d1 = self.b.ins().fdiv(num1, den1);
        let rat = self.shuffle2(d1, [0, 0]);
        let qr = self.b.ins().fmul(q, rat);
        let den = self.b.ins().fadd(p, qr);
        let one = self.splat_f64(1.0);
        let num2 = self.blend2(one, 0, a, 1); // [1, ai]
        let den2 = self.blend2(den, 0, ab, 0); // [den, |br|]
        let d2 = self.b.ins().fdiv(num2, den2);
        let scl = self.shuffle2(d2, [0, 0]);
        let a_sw = self.shuffle2(a, [1, 0]); // [ai, ar]
        let xy = self.b.ins().bitselect(c1, a, a_sw); // [x, y]
        let y = self.shuffle2(xy, [1, 1]);
        let yr = self.b.ins().fmul(y, rat);
        let re = self.b.ins().fadd(xy, yr); // lane 0: x + y*rat
        let swr = self.b.ins().fmul(a_sw, rat);
        let im1 = self.b.ins().fsub(a, swr); // lane 1: ai - ar*rat
        let ar_ = self.b.ins().fmul(a, rat);
        let im2 = self.b.ins().fsub(ar_, a_sw); // lane 1: ai*rat - ar
        let im = self.b.ins().bitselect(c1, im1, im2);
        let lane0 = self.lane0_mask();
        let v = self.b.ins().bitselect(lane0, re, im);
        let smith = self.b.ins().fmul(v, scl);
        let zero = self.splat_f64(0.0);
        let z = self.b.ins().fcmp(FloatCC::Equal, ab, zero);
        let z_sw = self.b.ins().fcmp(FloatCC::Equal, ab_sw, zero);
        let both = self.b.ins().band(z, z_sw);
        let by_zero = self.blend2(d1, 1, d2, 1); // [ar/|br|, ai/|br|]
        self.fsel(both, by_zero, smith)
    }

    /// An `f64x2` mask selecting lane 0.
    fn lane0_mask(&mut self) -> Value {
        let ones = self.b.ins().iconst(I64, -1);
        let v = self.b.ins().splat(I64X2, ones);
        let zero = self.b.ins().iconst(I64, 0);
        let v = self.b.ins().insertlane(v, zero, 1);
        self.b.ins().bitcast(F64X2, little(), v)
    }
}
