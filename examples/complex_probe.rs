//! Measurement probe for the complex128 vector kernels alone (no JIT): for each function,
//! ns per element of `numjit::codegen::mathcall::call_c128` (and `call_sqrt_c128`,
//! `call_pow_c128` for `sqrt` and `pow`, i.e. `**` with exponent 0.75 - 0.5i) on a block
//! that stays in L1, next to the per-element loop over the scalar rule (the C library's
//! C99 function, NumPy's), measured in the same run; then the largest difference between
//! the two over 2^20 random inputs, in ULP of each part (`max ulp`, both parts) and in
//! ULP of |f(z)| (`max norm`). Asserts nothing; the MPFR-referenced bounds are
//! tools/ulp's job. Run with `cargo run --release --example complex_probe [func…]`.
use num_complex::Complex64;
use numjit::codegen::mathcall::{call_c128, call_pow_c128, call_sqrt_c128};

/// A vector routine under test.
type Kernel = Box<dyn Fn(&[Complex64], &mut [Complex64])>;

fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn median_ns(n: usize, reps: usize, mut body: impl FnMut()) -> f64 {
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = cpu_ns();
        for _ in 0..reps {
            body();
        }
        runs.push((cpu_ns() - t) as f64 / (reps * n) as f64);
    }
    runs.sort_by(f64::total_cmp);
    runs[3]
}

fn ulp(v: f64) -> f64 {
    let a = v.abs().max(f64::MIN_POSITIVE);
    f64::from_bits(a.to_bits() + 1) - a
}

/// Parts spread over magnitudes 2^-8 … 2^4 with random signs (a fixed LCG).
fn inputs(n: usize, seed: u64) -> Vec<Complex64> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (s >> 11) as f64 / (1u64 << 53) as f64;
        let e = ((s >> 3) % 13) as i32 - 8;
        let sign = if s & 1 == 0 { 1.0 } else { -1.0 };
        sign * (1.0 + u) * 2f64.powi(e)
    };
    (0..n).map(|_| Complex64::new(next(), next())).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<String> = if args.is_empty() {
        [
            "exp", "exp2", "expm1", "log", "log10", "log2", "log1p", "sin", "cos", "tan", "sinh",
            "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sign",
            "sqrt", "pow",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    } else {
        args
    };
    let w = Complex64::new(0.75, -0.5);
    println!(
        "{:10} {:>9} {:>9} {:>9} {:>9}",
        "function", "numjit", "C99 loop", "max ulp", "max norm"
    );
    for name in names {
        let kernel: Kernel;
        let scalar: Box<dyn Fn(Complex64) -> Complex64>;
        match name.as_str() {
            "sqrt" => {
                kernel = Box::new(call_sqrt_c128);
                scalar = Box::new(numjit::semantics::c_sqrt);
            }
            "pow" => {
                let ws = vec![w; 1 << 20];
                kernel = Box::new(move |a, o| call_pow_c128(a, &ws[..a.len()], o));
                scalar = Box::new(move |z| numjit::semantics::c_pow(z, w));
            }
            other => {
                let f = numjit::math::TABLE
                    .iter()
                    .find(|r| r.1 == other)
                    .unwrap_or_else(|| panic!("no function {other}"))
                    .0;
                kernel = Box::new(move |a, o| call_c128(f, a, o));
                scalar = Box::new(move |z| f.complex(z));
            }
        }
        let n = 4096;
        let x = inputs(n, 1);
        let mut out = vec![Complex64::default(); n];
        let t_k = median_ns(n, 2000, || kernel(&x, &mut out));
        let t_s = median_ns(n, 200, || {
            for (o, &z) in out.iter_mut().zip(&x) {
                *o = scalar(std::hint::black_box(z));
            }
        });
        let big = inputs(1 << 20, 2);
        let mut got = vec![Complex64::default(); big.len()];
        kernel(&big, &mut got);
        let (mut worst, mut worst_n) = (0.0f64, 0.0f64);
        for (z, g) in big.iter().zip(&got) {
            let r = scalar(*z);
            let norm = ulp(r.norm());
            for (a, b) in [(g.re, r.re), (g.im, r.im)] {
                if a.is_nan() && b.is_nan() {
                    continue;
                }
                worst = worst.max((a - b).abs() / ulp(b));
                worst_n = worst_n.max((a - b).abs() / norm);
            }
        }
        println!("{name:10} {t_k:9.2} {t_s:9.2} {worst:9.2} {worst_n:9.2}");
    }
}
