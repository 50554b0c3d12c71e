//! The `complex` subcommand: numjit's complex128 functions against MPC (correctly
//! rounded per part), through the JIT and through the scalar rule (`Math::complex`,
//! `semantics::c_sqrt`, `semantics::c_pow`: glibc's C99 functions or NumPy's formulas).
//!
//!     apt-get install libgmp-dev libmpfr-dev libmpc-dev
//!     cargo run --release --manifest-path tools/ulp/Cargo.toml -- complex [N] [FUNCTION…]
//!
//! For every function: N random inputs (parts over all magnitudes, plus shares near the
//! unit circle, near ±1 and ±i and near the axes), errors per part in ULP of that part
//! and normwise |w − ref| / ulp(|ref|); then a grid of special parts (±0, ±inf, NaN,
//! subnormals, ±1e300, ±1, …) on which the JIT must equal the scalar rule bitwise.

use crate::Rng;
use ndarray::Array1;
use num_complex::Complex64;
use numjit::math::Math;
use numjit::Vars;
use rug::float::{Constant, Round};
use rug::ops::Pow;
use rug::{Complex, Float};
use std::time::Instant;

/// Precision of the reference results (bits per part).
const PREC: u32 = 200;
/// A part error above this many ULP counts in the "> 4 ULP" share.
const BAD: f64 = 4.0;

#[derive(Clone, Copy, PartialEq)]
enum Fun {
    M(Math),
    Sqrt,
    /// `z ** w`, w of magnitude 2^-30…2^8.
    Pow,
    /// `z ** n`, n a nonzero integer below 100 in magnitude (NumPy: repeated products).
    PowInt,
}

/// The functions in the order of the table.
const NAMES: &[&str] = &[
    "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "expm1", "exp2", "log2", "log1p", "**", "**int",
];

impl Fun {
    fn by_name(name: &str) -> Fun {
        match name {
            "sqrt" => Fun::Sqrt,
            "**" | "pow" => Fun::Pow,
            "**int" | "powint" => Fun::PowInt,
            _ => {
                let f = Math::by_name(name).expect("known function");
                assert!(f.has_complex(), "{name} has no complex128 loop");
                Fun::M(f)
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Fun::M(f) => f.name(),
            Fun::Sqrt => "sqrt",
            Fun::Pow => "**",
            Fun::PowInt => "** n",
        }
    }

    fn src(self) -> String {
        match self {
            Fun::M(f) => format!("{}(z)", f.name()),
            Fun::Sqrt => "sqrt(z)".into(),
            Fun::Pow | Fun::PowInt => "z ** w".into(),
        }
    }

    /// The scalar rule (what the naive evaluator and the JIT's fallback compute).
    fn scalar(self, z: Complex64, w: Complex64) -> Complex64 {
        match self {
            Fun::M(f) => f.complex(z),
            Fun::Sqrt => numjit::semantics::c_sqrt(z),
            Fun::Pow | Fun::PowInt => numjit::semantics::c_pow(z, w),
        }
    }

    fn seed(self) -> u64 {
        match self {
            Fun::M(f) => f as u64,
            Fun::Sqrt => 1001,
            Fun::Pow => 1002,
            Fun::PowInt => 1003,
        }
    }
}

/// 2^e for e uniform in [lo, hi), with a random sign.
fn signed_mag(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    let m = (lo + (hi - lo) * r.unit()).exp2();
    if r.next() & 1 == 0 {
        -m
    } else {
        m
    }
}

/// A random complex argument: both parts over moderate magnitudes (3/8), both over the
/// whole float64 range (1/8), one part over the whole range and the other moderate
/// (1/8), near the unit circle (1/8), near ±1 or ±i (1/8), near an axis (1/8).
fn sample_z(r: &mut Rng) -> (f64, f64) {
    let full = |r: &mut Rng| signed_mag(r, -1074.0, 1023.99);
    let moderate = |r: &mut Rng| signed_mag(r, -30.0, 30.0);
    let (a, b) = match r.next() % 8 {
        0..=2 => (moderate(r), moderate(r)),
        3 => (full(r), full(r)),
        4 => (full(r), moderate(r)),
        5 => {
            let t = std::f64::consts::PI * (2.0 * r.unit() - 1.0);
            let m = 1.0 + signed_mag(r, -55.0, -1.0);
            (m * t.cos(), m * t.sin())
        }
        6 => {
            let (c, d) =
                [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)][(r.next() % 4) as usize];
            (
                c + signed_mag(r, -60.0, -1.0),
                d + signed_mag(r, -60.0, -1.0),
            )
        }
        _ => (moderate(r), signed_mag(r, -1074.0, -30.0)),
    };
    if r.next() & 1 == 0 {
        (a, b)
    } else {
        (b, a)
    }
}

/// A random exponent for `z ** w`: integer: ±1…±99 (NumPy's repeated multiplication)
/// with |n·log|z|| ≤ 700; else of magnitude 2^-30…2^8 in a random direction, shrunk so
/// that |w·log z| ≤ 700 (mostly finite, nonzero results either way).
fn sample_w(r: &mut Rng, z: (f64, f64), integer: bool) -> (f64, f64) {
    if integer {
        let top = (700.0 / z.0.hypot(z.1).ln().abs()).clamp(1.0, 99.0) as u64;
        let n = (r.next() % top) as f64 + 1.0;
        return (if r.next() & 1 == 0 { -n } else { n }, 0.0);
    }
    let l = (z.0.hypot(z.1).ln()).hypot(z.1.atan2(z.0)).max(1e-300);
    let m = (-30.0 + 38.0 * r.unit()).exp2().min(700.0 / l);
    let t = std::f64::consts::PI * (2.0 * r.unit() - 1.0);
    (m * t.cos(), m * t.sin())
}

/// Parts of the special-value grid.
const SPECIAL: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324,
    -5e-324,
    1.0e-310,
    1.0e300,
    -1.0e300,
    710.0,
    -746.0,
    std::f64::consts::FRAC_PI_2,
];

/// Exponent e of v = m·2^e, 0.5 ≤ |m| < 1 (0 for zero).
fn exponent(v: f64) -> i32 {
    if v == 0.0 || !v.is_finite() {
        0
    } else {
        Float::with_val(53, v).get_exp().unwrap_or(0)
    }
}

fn exp_of(v: &Float) -> Option<i32> {
    v.get_exp()
}

/// expm1(x + iy) = expm1(x)·cos y − 2·sin²(y/2) + i·eˣ·sin y, the real part recomputed
/// with more bits until the cancellation leaves ≥ 80 correct bits.
fn expm1_ref(x: f64, y: f64) -> (Float, Float) {
    let mut p = PREC;
    loop {
        let fx = Float::with_val(p, x);
        let fy = Float::with_val(p, y);
        let (s, c) = fy.clone().sin_cos(Float::new(p));
        let a = Float::with_val(p, fx.exp_m1_ref()) * &c;
        let h = Float::with_val(p, &fy / 2u32).sin();
        let b = Float::with_val(p, h.square_ref()) * 2u32;
        let re = Float::with_val(p, &a - &b);
        let top = exp_of(&a).max(exp_of(&b));
        let enough = match (top, exp_of(&re)) {
            (Some(t), Some(e)) => t - e < p as i32 - 80,
            (_, None) => !re.is_zero() || p > 1 << 16,
            (None, Some(_)) => true,
        };
        if enough {
            let im = Float::with_val(p, fx.exp_ref()) * &s;
            return (re, im);
        }
        p *= 2;
    }
}

/// log1p(x + iy) = ½·log1p(2x + x² + y²) + i·atan2(y, 1 + x), the sum and 1 + x exact
/// (4400 bits hold any such sum of float64 values). MPC's `mpc_log` of the exact 1 + z
/// is not good enough: it loses the low bits of a wide input (2^-28 relative error at
/// x ≈ -1.8e-56).
fn log1p_ref(x: f64, y: f64) -> (Float, Float) {
    let p = 4400;
    let fx = Float::with_val(p, x);
    let fy = Float::with_val(p, y);
    let q = Float::with_val(p, &fx * 2u32)
        + Float::with_val(p, fx.square_ref())
        + Float::with_val(p, fy.square_ref());
    let re = Float::with_val(PREC + 16, q.ln_1p_ref()) / 2u32;
    let im = Float::with_val(PREC + 16, fy.atan2_ref(&(fx + 1u32)));
    (re, im)
}

/// tan(x + iy) = (sin x·cos x + i·sinh y·cosh y) / (cos²x + sinh²y), every term
/// positive or a product, so each part is accurate to a few units of `PREC + 16` bits
/// (MPC's `mpc_tan` takes minutes for |y| ≳ 10⁷, where the real part is ~e^-2|y|).
/// For |y| > 10⁴: ±1 (error < 2^-28000) and 4·sin x·cos x·e^-2|y|.
fn tan_ref(x: f64, y: f64) -> (Float, Float) {
    let p = PREC + 16;
    let (s, c) = Float::with_val(p, x).sin_cos(Float::new(p));
    let sc = Float::with_val(p, &s * &c);
    if y.abs() > 1.0e4 {
        let e = Float::with_val(p, -2.0 * y.abs()).exp();
        return (sc * e * 4u32, Float::with_val(p, y.signum()));
    }
    let fy = Float::with_val(p, y);
    let (sh, ch) = fy.sinh_cosh(Float::new(p));
    let d = Float::with_val(p, c.square_ref()) + Float::with_val(p, sh.square_ref());
    let im = Float::with_val(p, &sh * &ch) / &d;
    (sc / &d, im)
}

/// The correctly rounded (at `PREC` bits or more) value of `f` at x + iy (w = u + iv).
fn reference(f: Fun, x: f64, y: f64, u: f64, v: f64) -> (Float, Float) {
    let z = Complex::with_val(53, (x, y));
    let c: Complex = match f {
        Fun::Sqrt => Complex::with_val(PREC, z.sqrt_ref()),
        Fun::Pow | Fun::PowInt => {
            let w = Complex::with_val(53, (u, v));
            Complex::with_val(PREC, (&z).pow(&w))
        }
        Fun::M(m) => {
            use Math::*;
            match m {
                Exp => Complex::with_val(PREC, z.exp_ref()),
                Log => Complex::with_val(PREC, z.ln_ref()),
                Log10 => Complex::with_val(PREC, z.log10_ref()),
                Sin => Complex::with_val(PREC, z.sin_ref()),
                Cos => Complex::with_val(PREC, z.cos_ref()),
                Tan => return tan_ref(x, y),
                Sinh => Complex::with_val(PREC, z.sinh_ref()),
                Cosh => Complex::with_val(PREC, z.cosh_ref()),
                Tanh => {
                    let (a, b) = tan_ref(y, x);
                    return (b, a);
                }
                Arcsin => Complex::with_val(PREC, z.asin_ref()),
                Arccos => Complex::with_val(PREC, z.acos_ref()),
                Arctan => Complex::with_val(PREC, z.atan_ref()),
                Arcsinh => Complex::with_val(PREC, z.asinh_ref()),
                Arccosh => Complex::with_val(PREC, z.acosh_ref()),
                Arctanh => Complex::with_val(PREC, z.atanh_ref()),
                Expm1 => return expm1_ref(x, y),
                Log2 => {
                    let p = PREC + 16;
                    let l = Complex::with_val(p, z.ln_ref());
                    let ln2 = Float::with_val(p, Constant::Log2);
                    let (re, im) = l.into_real_imag();
                    return (re / &ln2, im / &ln2);
                }
                Exp2 => {
                    // z·ln 2 with enough bits that its absolute error stays ~2^-PREC.
                    let q = PREC + 16 + exponent(x).max(exponent(y)).max(0) as u32;
                    let ln2 = Float::with_val(q, Constant::Log2);
                    let a = Complex::with_val(q, (Float::with_val(q, &ln2 * x), ln2 * y));
                    Complex::with_val(PREC, a.exp_ref())
                }
                Log1p => return log1p_ref(x, y),
                _ => unreachable!("{m:?} has no complex loop"),
            }
        }
    };
    c.into_real_imag()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Error of `got` in ULP of float64 at `exact` (as the float tool's `ulp_error`; a
/// wrong NaN or infinity is an infinite error).
fn part_err(got: f64, exact: &Float) -> f64 {
    let rounded = exact.to_f64_round(Round::Nearest);
    if !got.is_finite() || !rounded.is_finite() {
        let ok = (got.is_nan() && rounded.is_nan()) || got == rounded;
        return if ok { 0.0 } else { f64::INFINITY };
    }
    let e = if exact.is_zero() {
        -1022
    } else {
        (exact.get_exp().unwrap_or(-1022) - 1).max(-1022)
    };
    let ulp = Float::with_val(PREC, 1) << (e - 52);
    let diff = Float::with_val(PREC, got) - exact;
    (diff.abs() / ulp).to_f64()
}

/// |got − exact| / ulp(|exact|). With a non-finite part (in `got` or in the rounded
/// reference): 0 if the non-finite parts agree with the rounded reference (the finite
/// part's error is in the part errors), else infinity.
fn norm_err(got: Complex64, re: &Float, im: &Float) -> f64 {
    let (rr, ri) = (re.to_f64(), im.to_f64());
    if !(got.re.is_finite() && got.im.is_finite() && rr.is_finite() && ri.is_finite()) {
        let ok = |g: f64, r: f64| {
            (g.is_finite() && r.is_finite()) || (g.is_nan() && r.is_nan()) || g == r
        };
        return if ok(got.re, rr) && ok(got.im, ri) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let p = PREC;
    let dr = Float::with_val(p, got.re) - re;
    let di = Float::with_val(p, got.im) - im;
    let d = dr.hypot(&di);
    let a = Float::with_val(PREC, re.hypot_ref(im));
    let e = if a.is_zero() {
        -1022
    } else {
        (a.get_exp().unwrap_or(-1022) - 1).max(-1022)
    };
    let ulp = Float::with_val(PREC, 1) << (e - 52);
    (d / ulp).to_f64()
}

#[derive(Clone, Copy, Default)]
struct Stats {
    re: f64,
    im: f64,
    norm: f64,
    bad: usize,
    /// Input with the largest part error.
    worst: (f64, f64, f64, f64),
    worst_err: f64,
    /// Input with the largest normwise error.
    worst_norm: (f64, f64, f64, f64),
    /// Inputs with an infinite or NaN part where the rounded reference has a finite one
    /// (or a different infinity or a number); left out of the maxima above.
    nonfinite: usize,
    first_nonfinite: (f64, f64, f64, f64),
}

impl Stats {
    fn add(&mut self, got: Complex64, re: &Float, im: &Float, input: (f64, f64, f64, f64)) {
        let er = part_err(got.re, re);
        let ei = part_err(got.im, im);
        let n = norm_err(got, re, im);
        let m = er.max(ei);
        if m > BAD {
            self.bad += 1;
        }
        if m.is_infinite() || n.is_infinite() {
            // A part is ±inf or NaN where the rounded reference is not (or the reverse).
            if self.nonfinite == 0 {
                self.first_nonfinite = input;
            }
            self.nonfinite += 1;
            return;
        }
        self.re = self.re.max(er);
        self.im = self.im.max(ei);
        if n > self.norm {
            self.norm = n;
            self.worst_norm = input;
        }
        if m > self.worst_err || self.worst_err.is_nan() {
            self.worst_err = m;
            self.worst = input;
        }
    }

    fn merge(&mut self, o: &Stats) {
        self.re = self.re.max(o.re);
        self.im = self.im.max(o.im);
        if o.norm > self.norm {
            self.norm = o.norm;
            self.worst_norm = o.worst_norm;
        }
        self.bad += o.bad;
        if self.nonfinite == 0 {
            self.first_nonfinite = o.first_nonfinite;
        }
        self.nonfinite += o.nonfinite;
        if o.worst_err > self.worst_err {
            self.worst_err = o.worst_err;
            self.worst = o.worst;
        }
    }
}

/// `src` through the JIT on complex128 arrays.
fn jit(f: Fun, z: &[Complex64], w: &[Complex64]) -> Vec<Complex64> {
    let za = Array1::from_vec(z.to_vec());
    let wa = Array1::from_vec(w.to_vec());
    let mut vars = Vars::new();
    vars.insert("z", &za);
    if matches!(f, Fun::Pow | Fun::PowInt) {
        vars.insert("w", &wa);
    }
    let res = numjit::evaluate(&f.src(), &vars).expect("jit");
    res.as_c128()
        .expect("complex128 result")
        .iter()
        .copied()
        .collect()
}

struct Row {
    numjit: Stats,
    glibc: Stats,
    /// Special inputs with a non-finite part where the JIT ≠ the scalar rule, of how many.
    nonfinite: usize,
    nonfinite_total: usize,
    /// numjit's and glibc's errors on the finite special inputs.
    finite: (Stats, Stats),
    /// Finite special inputs with a zero part whose sign differs from MPC's (numjit, glibc).
    zero_signs: (usize, usize),
}

fn measure(f: Fun, n: usize, threads: usize) -> Row {
    let mut r = Rng(f.seed() * 7919 + 12345);
    let mut z = Vec::with_capacity(n);
    let mut w = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b) = sample_z(&mut r);
        let (c, d) = if matches!(f, Fun::Pow | Fun::PowInt) {
            sample_w(&mut r, (a, b), f == Fun::PowInt)
        } else {
            (0.0, 0.0)
        };
        z.push(Complex64::new(a, b));
        w.push(Complex64::new(c, d));
    }
    let got = jit(f, &z, &w);
    let scalar: Vec<Complex64> = z.iter().zip(&w).map(|(&a, &b)| f.scalar(a, b)).collect();
    let chunk = n.div_ceil(threads).max(1);
    let parts: Vec<(Stats, Stats)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|lo| {
                let (z, w, got, scalar) = (&z, &w, &got, &scalar);
                sc.spawn(move || {
                    let mut s = (Stats::default(), Stats::default());
                    for i in lo..(lo + chunk).min(n) {
                        let (re, im) = reference(f, z[i].re, z[i].im, w[i].re, w[i].im);
                        let input = (z[i].re, z[i].im, w[i].re, w[i].im);
                        s.0.add(got[i], &re, &im, input);
                        s.1.add(scalar[i], &re, &im, input);
                    }
                    s
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let mut numjit = Stats::default();
    let mut glibc = Stats::default();
    for (a, b) in &parts {
        numjit.merge(a);
        glibc.merge(b);
    }
    // The special-value grid: with a non-finite part, the JIT must give the scalar rule's
    // result bitwise; finite, both are measured against MPC (and the signs of zero parts).
    let mut sz = Vec::new();
    let mut sw = Vec::new();
    for &a in SPECIAL {
        for &b in SPECIAL {
            if f == Fun::Pow {
                for &c in SPECIAL {
                    for &d in SPECIAL {
                        sz.push(Complex64::new(a, b));
                        sw.push(Complex64::new(c, d));
                    }
                }
            } else if f != Fun::PowInt {
                sz.push(Complex64::new(a, b));
                sw.push(Complex64::new(0.0, 0.0));
            }
        }
    }
    let sgot = jit(f, &sz, &sw);
    let mut row = Row {
        numjit,
        glibc,
        nonfinite: 0,
        nonfinite_total: 0,
        finite: (Stats::default(), Stats::default()),
        zero_signs: (0, 0),
    };
    for i in 0..sz.len() {
        let (z, w) = (sz[i], sw[i]);
        let s = f.scalar(z, w);
        let g = sgot[i];
        let finite = [z.re, z.im, w.re, w.im].iter().all(|v| v.is_finite());
        if !finite {
            row.nonfinite_total += 1;
            if !(same(g.re, s.re) && same(g.im, s.im)) {
                if row.nonfinite < 5 {
                    eprintln!(
                        "  {}: JIT ≠ scalar at z = {:e}{:+e}i, w = {:e}{:+e}i: jit {:e}{:+e}i, scalar {:e}{:+e}i",
                        f.name(), z.re, z.im, w.re, w.im, g.re, g.im, s.re, s.im
                    );
                }
                row.nonfinite += 1;
            }
            continue;
        }
        let (re, im) = reference(f, z.re, z.im, w.re, w.im);
        let input = (z.re, z.im, w.re, w.im);
        let shown = row.finite.0.nonfinite + row.zero_signs.0;
        let before = (row.finite.0.nonfinite, row.zero_signs.0);
        row.finite.0.add(g, &re, &im, input);
        row.finite.1.add(s, &re, &im, input);
        let zero_sign_differs = |v: f64, r: &Float| {
            let r = r.to_f64_round(Round::Nearest);
            v == 0.0 && r == 0.0 && v.is_sign_negative() != r.is_sign_negative()
        };
        if zero_sign_differs(g.re, &re) || zero_sign_differs(g.im, &im) {
            row.zero_signs.0 += 1;
        }
        if zero_sign_differs(s.re, &re) || zero_sign_differs(s.im, &im) {
            row.zero_signs.1 += 1;
        }
        if before != (row.finite.0.nonfinite, row.zero_signs.0) && shown < 4 {
            eprintln!(
                "    finite special {}: jit {:e}{:+e}i, scalar {:e}{:+e}i, MPC {:e}{:+e}i",
                show_input(f, input),
                g.re,
                g.im,
                s.re,
                s.im,
                re.to_f64(),
                im.to_f64()
            );
        }
    }
    row
}

fn fmt_ulp(e: f64) -> String {
    if e.is_infinite() {
        "inf".into()
    } else if e >= 1e4 {
        format!("{e:.1e}")
    } else {
        format!("{e:.3}")
    }
}

fn share(bad: usize, n: usize) -> String {
    if bad == 0 {
        "0".into()
    } else {
        format!("{:.4} %", 100.0 * bad as f64 / n as f64)
    }
}

/// Max part error on the finite special inputs, and how many gave a wrong inf/NaN.
fn finite_err(s: &Stats) -> String {
    let e = fmt_ulp(s.re.max(s.im));
    if s.nonfinite > 0 {
        format!("{e} (+{} inf/NaN)", s.nonfinite)
    } else {
        e
    }
}

/// `complex check N`: the references that are not a single MPC call (tan and tanh by
/// formula, expm1, exp2, log1p) against the same values computed another way with far
/// more bits, on N random inputs; prints the largest relative difference per function.
fn check_references(n: usize) {
    let p = 4400;
    let rel = |a: &Float, b: &Float| -> f64 {
        if b.is_zero() || !b.is_finite() {
            if a == b {
                0.0
            } else {
                f64::INFINITY
            }
        } else {
            (Float::with_val(PREC, a - b).abs() / b.clone().abs()).to_f64()
        }
    };
    let mut r = Rng(5);
    let mut worst = [0.0f64; 5];
    let mut count = [0usize; 5];
    let mut note = |k: usize, (a, b): (Float, Float), (c, d): (Float, Float)| {
        worst[k] = worst[k].max(rel(&a, &c)).max(rel(&b, &d));
        count[k] += 1;
    };
    for _ in 0..n {
        let (x, y) = sample_z(&mut r);
        let z = Complex::with_val(53, (x, y));
        let direct = |c: Complex| c.into_real_imag();
        // mpc_tan and mpc_tanh, where they are fast.
        if y.abs() < 1.0e3 && x.abs() < 1.0e6 {
            let t = Fun::M(Math::Tan);
            note(
                0,
                reference(t, x, y, 0.0, 0.0),
                direct(Complex::with_val(PREC, z.tan_ref())),
            );
        }
        if x.abs() < 1.0e3 && y.abs() < 1.0e6 {
            let t = Fun::M(Math::Tanh);
            note(
                1,
                reference(t, x, y, 0.0, 0.0),
                direct(Complex::with_val(PREC, z.tanh_ref())),
            );
        }
        // exp(z) − 1 with 4400 bits: exact enough for real parts above ~2^-4000.
        if x < 60.0 {
            let mut e = Complex::with_val(p, z.exp_ref());
            e -= 1u32;
            note(2, reference(Fun::M(Math::Expm1), x, y, 0.0, 0.0), direct(e));
        }
        // exp(z·ln 2) with 4400 bits.
        let ln2 = Float::with_val(p, Constant::Log2);
        let a = Complex::with_val(p, (Float::with_val(p, &ln2 * x), ln2 * y));
        note(
            3,
            reference(Fun::M(Math::Exp2), x, y, 0.0, 0.0),
            direct(Complex::with_val(p, a.exp_ref())),
        );
        // log1p: MPC's log of the exact 1 + z, with 4400 bits out.
        let a = Complex::with_val((2200, 53), (Float::with_val(2200, x) + 1u32, y));
        note(
            4,
            reference(Fun::M(Math::Log1p), x, y, 0.0, 0.0),
            direct(Complex::with_val(p, a.ln_ref())),
        );
    }
    for (k, name) in ["tan", "tanh", "expm1", "exp2", "log1p"].iter().enumerate() {
        println!(
            "{name}: largest relative difference per part {:e} over {} inputs",
            worst[k], count[k]
        );
    }
    // The single MPC calls against the same call with 1200 bits out (a check that MPC's
    // result does not depend on the precision asked for beyond its rounding).
    use Math::*;
    let direct = [
        Exp, Log, Log10, Sin, Cos, Sinh, Cosh, Arcsin, Arccos, Arctan, Arcsinh, Arccosh, Arctanh,
    ];
    for m in direct {
        let mut r = Rng(6);
        let mut worst = 0.0f64;
        for _ in 0..n / 4 {
            let (x, y) = sample_z(&mut r);
            let z = Complex::with_val(53, (x, y));
            let wide: Complex = match m {
                Exp => Complex::with_val(1200, z.exp_ref()),
                Log => Complex::with_val(1200, z.ln_ref()),
                Log10 => Complex::with_val(1200, z.log10_ref()),
                Sin => Complex::with_val(1200, z.sin_ref()),
                Cos => Complex::with_val(1200, z.cos_ref()),
                Sinh => Complex::with_val(1200, z.sinh_ref()),
                Cosh => Complex::with_val(1200, z.cosh_ref()),
                Arcsin => Complex::with_val(1200, z.asin_ref()),
                Arccos => Complex::with_val(1200, z.acos_ref()),
                Arctan => Complex::with_val(1200, z.atan_ref()),
                Arcsinh => Complex::with_val(1200, z.asinh_ref()),
                Arccosh => Complex::with_val(1200, z.acosh_ref()),
                _ => Complex::with_val(1200, z.atanh_ref()),
            };
            let (a, b) = reference(Fun::M(m), x, y, 0.0, 0.0);
            let (c, d) = wide.into_real_imag();
            worst = worst.max(rel(&a, &c)).max(rel(&b, &d));
        }
        println!(
            "{}: 200 vs 1200 bits, largest relative difference per part {worst:e} over {} inputs",
            m.name(),
            n / 4
        );
    }
}

fn show_input(f: Fun, (a, b, c, d): (f64, f64, f64, f64)) -> String {
    if matches!(f, Fun::Pow | Fun::PowInt) {
        format!("({a:e}, {b:e}) ** ({c:e}, {d:e})")
    } else {
        format!("({a:e}, {b:e})")
    }
}

pub fn main(args: Vec<String>) {
    let mut args = args.into_iter().peekable();
    let n: usize = match args.peek().and_then(|a| a.parse().ok()) {
        Some(n) => {
            args.next();
            n
        }
        None => 1_000_000,
    };
    let only: Vec<String> = args.collect();
    if only.first().map(String::as_str) == Some("check") {
        check_references(n);
        return;
    }
    let threads = std::thread::available_parallelism().map_or(2, |t| t.get());
    println!(
        "complex128: {n} random inputs per function; max error against MPC ({PREC} bits) of the \
         JIT (numjit) and of the scalar rule (glibc's C99 function or NumPy's formula); re, im: \
         error of that part in ULP of the part; norm: |w − ref| / ulp(|ref|); > {BAD} ULP: share \
         of inputs with a part error above {BAD} ULP; inf/NaN: inputs with an infinite or NaN \
         part where the rounded reference has a number or another infinity (or the reverse), \
         counted in > {BAD} ULP but left out of the maxima"
    );
    println!();
    println!(
        "| function | numjit re | numjit im | numjit norm | numjit > {BAD} ULP | numjit inf/NaN | glibc re | glibc im | glibc norm | glibc > {BAD} ULP | glibc inf/NaN | worst numjit input (largest part error) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let start = Instant::now();
    let mut rows = Vec::new();
    for name in NAMES {
        let f = Fun::by_name(name);
        if !only.is_empty() && !only.iter().any(|o| Fun::by_name(o) == f) {
            continue;
        }
        let t = Instant::now();
        let row = measure(f, n, threads);
        eprintln!("  {name}: {:.1} s", t.elapsed().as_secs_f64());
        for (who, st) in [("numjit", &row.numjit), ("glibc", &row.glibc)] {
            eprintln!(
                "    {who}: largest norm error {} at {}; {} inf/NaN ≠ reference{}",
                fmt_ulp(st.norm),
                show_input(f, st.worst_norm),
                st.nonfinite,
                if st.nonfinite > 0 {
                    format!(", the first at {}", show_input(f, st.first_nonfinite))
                } else {
                    String::new()
                },
            );
        }
        println!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.name(),
            fmt_ulp(row.numjit.re),
            fmt_ulp(row.numjit.im),
            fmt_ulp(row.numjit.norm),
            share(row.numjit.bad, n),
            row.numjit.nonfinite,
            fmt_ulp(row.glibc.re),
            fmt_ulp(row.glibc.im),
            fmt_ulp(row.glibc.norm),
            share(row.glibc.bad, n),
            row.glibc.nonfinite,
            show_input(f, row.numjit.worst),
        );
        rows.push((f, row));
    }
    println!();
    println!(
        "Special-value grid: every pair of parts from {} values (±0, ±1, 0.5, ±inf, NaN, \
         ±5e-324, 1e-310, ±1e300, 710, -746, π/2; `**`: every pair of such z and w). With a \
         non-finite part: inputs where the JIT differs from the scalar rule (bitwise, any NaN \
         equal to any NaN). Finite: max part error in ULP against MPC, and inputs where a zero \
         part has the other sign than MPC's.",
        SPECIAL.len()
    );
    println!();
    println!("| function | non-finite: JIT ≠ scalar | finite: numjit | finite: glibc | zero signs ≠ MPC: numjit | glibc |");
    println!("|---|---|---|---|---|---|");
    for (f, row) in &rows {
        if *f == Fun::PowInt {
            continue;
        }
        println!(
            "| `{}` | {} / {} | {} | {} | {} | {} |",
            f.name(),
            row.nonfinite,
            row.nonfinite_total,
            finite_err(&row.finite.0),
            finite_err(&row.finite.1),
            row.zero_signs.0,
            row.zero_signs.1,
        );
    }
    eprintln!("total: {:.1} s", start.elapsed().as_secs_f64());
}
