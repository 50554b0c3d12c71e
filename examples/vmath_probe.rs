//! Measurement probe for the vector math kernels alone (no JIT): ns per element of
//! `numjit::codegen::mathcall::call_f64` / `call_f32` (and `call_pow_*` for `pow`, i.e.
//! float `**`) on a block that stays in L1, next to the per-element loop over the scalar
//! rule the kernel replaced (`Math::float`, i.e. libm; `powf`), measured in the same run.
//! Run with `cargo run --release --example vmath_probe [n] [reps] [func…]`; a name ending
//! in `:f32` (`exp:f32`) measures the float32 routine. Prints medians of 7 runs of on-CPU
//! time; asserts nothing. Inputs are in [0.01, 1.01), moved into the domain where needed
//! (arccosh: +1, arctanh: ×0.98); second operands are exponents in [-10, 10] for `pow` and
//! [0.05, 1.05) for the other binary functions. Use ≥ 10 000 reps: the scheduler's clock
//! advances in steps of a few milliseconds.
use numjit::codegen::mathcall::{call_f32, call_f64, call_pow_f32, call_pow_f64};
use numjit::math::Math;

/// Nanoseconds this thread has spent on a CPU (so time-slicing on a loaded machine does
/// not count), from /proc/thread-self/schedstat.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

/// Median over 7 runs of `reps` calls of `body`, in ns per element.
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

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map(|s| s.parse().unwrap()).unwrap_or(4096);
    let reps: usize = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(10000);
    let names: Vec<String> = if a.len() > 3 {
        a[3..].to_vec()
    } else {
        [
            "sin", "cos", "exp", "log", "exp2", "expm1", "log1p", "hypot", "cbrt", "pow", "fmod",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let x0: Vec<f64> = (0..n).map(|i| 0.01 + (i as f64 * 0.618034) % 1.0).collect();
    let exps: Vec<f64> = (0..n)
        .map(|i| (i as f64 * 0.414214) % 1.0 * 20.0 - 10.0)
        .collect();
    let divs: Vec<f64> = (0..n).map(|i| 0.05 + (i as f64 * 0.414214) % 1.0).collect();
    println!("{:12} {:>10} {:>10}", "function", "numjit", "libm loop");
    for name in names {
        let (base, single) = match name.strip_suffix(":f32") {
            Some(b) => (b, true),
            None => (name.as_str(), false),
        };
        let f = if base == "pow" {
            None
        } else {
            Some(
                numjit::math::TABLE
                    .iter()
                    .find(|e| e.0.name() == base)
                    .map(|e| e.0)
                    .unwrap_or_else(|| panic!("no function {name}")),
            )
        };
        let x: Vec<f64> = match f {
            Some(Math::Arccosh) => x0.iter().map(|v| v + 1.0).collect(),
            Some(Math::Arctanh) => x0.iter().map(|v| v * 0.98).collect(),
            _ => x0.clone(),
        };
        let y: Vec<f64> = match f {
            None => exps.clone(),
            Some(g) if g.arity() == 2 => divs.clone(),
            Some(_) => x.clone(),
        };
        let (k, l) = if single {
            let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let y: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let mut out = vec![0.0f32; n];
            let k = median_ns(n, reps, || {
                match f {
                    Some(g) => call_f32(g, &x, &y, &mut out),
                    None => call_pow_f32(&x, &y, &mut out),
                }
                std::hint::black_box(&mut out);
            });
            let l = median_ns(n, reps, || {
                for ((o, &p), &q) in out.iter_mut().zip(&x).zip(&y) {
                    *o = match f {
                        Some(g) => g.float(p, q),
                        None => (p as f64).powf(q as f64) as f32,
                    };
                }
                std::hint::black_box(&mut out);
            });
            (k, l)
        } else {
            let mut out = vec![0.0f64; n];
            let k = median_ns(n, reps, || {
                match f {
                    Some(g) => call_f64(g, &x, &y, &mut out),
                    None => call_pow_f64(&x, &y, &mut out),
                }
                std::hint::black_box(&mut out);
            });
            let l = median_ns(n, reps, || {
                for ((o, &p), &q) in out.iter_mut().zip(&x).zip(&y) {
                    *o = match f {
                        Some(g) => g.float(p, q),
                        None => p.powf(q),
                    };
                }
                std::hint::black_box(&mut out);
            });
            (k, l)
        };
        println!("{name:12} {k:>10.3} {l:>10.3}");
    }
}
