//! Measures the accuracy of numjit's math functions (and of float `**`, named `pow`)
//! against MPFR (the correctly rounded reference): for every approximate function and dtype, random inputs spread over its
//! domain plus special values go through the JIT (`numjit::evaluate`) and the naive
//! evaluator (Rust std / libm); prints the max error in ULP of each as a Markdown table.
//!
//!     apt-get install libgmp-dev libmpfr-dev
//!     cargo run --release --manifest-path tools/ulp/Cargo.toml -- [N] [FUNCTION…]
//!
//! N is the number of random inputs per function and dtype (default 1000000).
//!
//!     apt-get install libmpc-dev
//!     cargo run --release --manifest-path tools/ulp/Cargo.toml -- complex [N] [FUNCTION…]
//!
//! measures the complex128 functions against MPC instead (see `complex.rs`).

mod complex;

use ndarray::Array1;
use numjit::math::Math;
use numjit::{DType, Signature, Vars};
use rug::float::Round;
use rug::ops::Pow;
use rug::Float;

const PREC: u32 = 160;

/// Tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xbf58476d1ce4e5b9) ^ (x >> 32)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where a function's random inputs come from: an interval, half uniform in it and half
/// with a log-uniform magnitude (and random sign where the interval allows).
fn domain(f: Math, single: bool) -> (f64, f64) {
    use Math::*;
    let big = if single { 3.4e38 } else { 1.7e308 };
    match f {
        Sin | Cos | Tan => (-1.0e6, 1.0e6),
        Arcsin | Arccos | Arctanh => (-1.0, 1.0),
        Arccosh => (1.0, big),
        Exp | Expm1 => {
            if single {
                (-104.0, 89.0)
            } else {
                (-746.0, 710.0)
            }
        }
        Exp2 => {
            if single {
                (-150.0, 128.0)
            } else {
                (-1075.0, 1024.0)
            }
        }
        Sinh | Cosh => {
            if single {
                (-90.0, 90.0)
            } else {
                (-711.0, 711.0)
            }
        }
        Tanh => (-20.0, 20.0),
        Log | Log10 | Log2 => (0.0, big),
        Log1p => (-1.0, big),
        _ => (-big, big),
    }
}

fn sample(r: &mut Rng, lo: f64, hi: f64, single: bool) -> f64 {
    if r.next() % 2 == 0 {
        return lo + (hi - lo) * r.unit();
    }
    let top = hi.abs().max(lo.abs()).log2();
    let bottom = if single { -149.0 } else { -1074.0 };
    let m = (bottom + (top - bottom) * r.unit()).exp2();
    let v = if lo < 0.0 && r.next() % 2 == 0 { -m } else { m };
    v.clamp(lo, hi)
}

const SPECIAL: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    1.0e-310,
    f64::MAX,
    -f64::MAX,
    1.0e-8,
    std::f64::consts::PI,
    std::f64::consts::FRAC_PI_2,
    std::f64::consts::FRAC_PI_4,
    709.782712893384,
    -745.1332191019411,
    -708.4,
    88.72283,
    -103.97,
    1.0e6,
    1.0e22,
    1.0e300,
    0.9999999999999999,
    1.0000000000000002,
    1.1754944e-38,
    1.0e-45,
    3.4028235e38,
];

fn reference(f: Option<Math>, x: f64, y: f64) -> Float {
    let a = Float::with_val(PREC, x);
    let b = Float::with_val(PREC, y);
    let Some(f) = f else {
        // x ** y; MPFR's pow follows C99 for the special values.
        return a.pow(&b);
    };
    use Math::*;
    match f {
        Sin => a.sin(),
        Cos => a.cos(),
        Tan => a.tan(),
        Arcsin => a.asin(),
        Arccos => a.acos(),
        Arctan => a.atan(),
        Sinh => a.sinh(),
        Cosh => a.cosh(),
        Tanh => a.tanh(),
        Arcsinh => a.asinh(),
        Arccosh => a.acosh(),
        Arctanh => a.atanh(),
        Exp => a.exp(),
        Expm1 => a.exp_m1(),
        Exp2 => a.exp2(),
        Log => a.ln(),
        Log10 => a.log10(),
        Log2 => a.log2(),
        Log1p => a.ln_1p(),
        Cbrt => a.cbrt(),
        Arctan2 => a.atan2(&b),
        Hypot => a.hypot(&b),
        _ => unreachable!("{f:?} is exact"),
    }
}

/// Error of `got` in ULP of the target format (53 or 24 bits) against `exact`.
fn ulp_error(got: f64, exact: &Float, single: bool) -> f64 {
    let rounded = if single {
        exact.to_f32_round(Round::Nearest) as f64
    } else {
        exact.to_f64_round(Round::Nearest)
    };
    if got.is_nan() || rounded.is_nan() || got.is_infinite() || rounded.is_infinite() {
        let same = (got.is_nan() && rounded.is_nan()) || got == rounded;
        return if same { 0.0 } else { f64::INFINITY };
    }
    let (mant, emin) = if single { (23, -126) } else { (52, -1022) };
    let e = if exact.is_zero() {
        emin
    } else {
        (exact.get_exp().unwrap_or(emin) - 1).max(emin)
    };
    let ulp = Float::with_val(PREC, 1) << (e - mant);
    let diff = Float::with_val(PREC, got) - exact;
    (diff.abs() / ulp).to_f64()
}

struct Row {
    numjit: f64,
    naive: f64,
    worst: f64,
    worst_y: f64,
}

/// `f` (None: `x ** y`) on dtype `t` over `n` random inputs plus the special values.
fn measure(f: Option<Math>, t: DType, n: usize) -> Row {
    let single = t == DType::Float32;
    let mut r = Rng(f.map_or(99, |f| f as u64) * 7919 + single as u64);
    let mut xs: Vec<f64> = SPECIAL.to_vec();
    let mut ys: Vec<f64> = SPECIAL.iter().rev().copied().collect();
    if let Some(f) = f {
        let (lo, hi) = domain(f, single);
        while xs.len() < n + SPECIAL.len() {
            xs.push(sample(&mut r, lo, hi, single));
            ys.push(sample(&mut r, -1.0e300, 1.0e300, single));
        }
    } else {
        // Every special pair, then bases over the whole positive range with exponents
        // that keep |y ln x| below ~760 (finite, nonzero results up to the overflow and
        // underflow thresholds); a quarter negative bases with integer exponents.
        for &a in SPECIAL {
            for &b in SPECIAL {
                xs.push(a);
                ys.push(b);
            }
        }
        let big = if single { 3.4e38 } else { 1.7e308 };
        let top = if single { 104.0 } else { 760.0 };
        let start = xs.len();
        while xs.len() < start + n {
            let x = sample(&mut r, 0.0, big, single);
            let l = x.ln().abs().max(1e-300);
            let y = (2.0 * r.unit() - 1.0) * top / l;
            let (x, y) = match r.next() % 8 {
                0 | 1 => (-x, y.round()),
                2 => (1.0 + (r.unit() - 0.5) * 1e-3, (2.0 * r.unit() - 1.0) * 1e6),
                3 => (
                    sample(&mut r, 0.0, 16.0, single),
                    sample(&mut r, -60.0, 60.0, single),
                ),
                _ => (x, y),
            };
            xs.push(x);
            ys.push(y);
        }
    }
    if single {
        for v in xs.iter_mut().chain(ys.iter_mut()) {
            *v = *v as f32 as f64;
        }
    }
    let src = match f {
        None => "x ** y".to_string(),
        Some(f) if f.arity() == 1 => format!("{}(x)", f.name()),
        Some(f) => format!("{}(x, y)", f.name()),
    };
    let sig = Signature::new().with("x", t).with("y", t);
    let compiled = numjit::compile(&src, &sig).expect("compiles");
    let run = |naive: bool| -> Vec<f64> {
        macro_rules! go {
            ($ty:ty, $get:ident, $var:ident) => {{
                let x = Array1::from_iter(xs.iter().map(|&v| v as $ty));
                let y = Array1::from_iter(ys.iter().map(|&v| v as $ty));
                let mut vars = Vars::new();
                vars.insert("x", &x).insert("y", &y);
                let res = if naive {
                    let p = compiled.program();
                    let views: Vec<numjit::AnyView> = p
                        .inputs
                        .iter()
                        .map(|d| {
                            let a = if d.name == "x" { &x } else { &y };
                            numjit::AnyView::$var(a.view().into_dyn())
                        })
                        .collect();
                    numjit::interp::eval(p, &views).expect("naive")
                } else {
                    numjit::evaluate(&src, &vars).expect("jit")
                };
                res.$get()
                    .expect("dtype")
                    .iter()
                    .map(|&v| v as f64)
                    .collect()
            }};
        }
        if single {
            go!(f32, as_f32, Float32)
        } else {
            go!(f64, as_f64, Float64)
        }
    };
    let jit = run(false);
    let naive = run(true);
    let mut row = Row {
        numjit: 0.0,
        naive: 0.0,
        worst: f64::NAN,
        worst_y: f64::NAN,
    };
    for i in 0..xs.len() {
        let exact = reference(f, xs[i], ys[i]);
        let e = ulp_error(jit[i], &exact, single);
        if e > row.numjit {
            row.numjit = e;
            row.worst = xs[i];
            row.worst_y = ys[i];
        }
        row.naive = row.naive.max(ulp_error(naive[i], &exact, single));
    }
    row
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("complex") {
        complex::main(std::env::args().skip(2).collect());
        return;
    }
    let mut args = std::env::args().skip(1).peekable();
    let n: usize = match args.peek().and_then(|a| a.parse().ok()) {
        Some(n) => {
            args.next();
            n
        }
        None => 1_000_000,
    };
    let only: Vec<String> = args.collect();
    println!("{n} random inputs per function and dtype, plus special values; max error in ULP against MPFR");
    println!();
    println!("| function | float64 numjit | float64 libm | float32 numjit | float32 libm | worst float64 input (numjit) |");
    println!("|---|---|---|---|---|---|");
    let funcs = Math::all()
        .filter(|f| f.is_approximate())
        .map(Some)
        .chain([None]);
    for f in funcs {
        let name = f.map_or("pow", |f| f.name());
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let (d, s) = std::thread::scope(|sc| {
            let d = sc.spawn(|| measure(f, DType::Float64, n));
            let s = measure(f, DType::Float32, n);
            (d.join().expect("thread"), s)
        });
        let worst = if f.is_none_or(|f| f.arity() == 2) {
            format!("{:e}, {:e}", d.worst, d.worst_y)
        } else {
            format!("{:e}", d.worst)
        };
        println!(
            "| `{}` | {:.3} | {:.3} | {:.3} | {:.3} | {worst} |",
            if f.is_some() { name } else { "**" },
            d.numjit,
            d.naive,
            s.numjit,
            s.naive,
        );
    }
}
