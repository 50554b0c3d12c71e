//! Measurement probe for the vector math kernels alone (no JIT): ns per element of
//! `numjit::codegen::mathcall::call_f64` (and `call_pow_f64` for `pow`, i.e. float `**`)
//! on a block that stays in L1, next to the per-element libm loop the kernel replaced
//! (`Math::float`, `f64::powf`), measured in the same run. Run with
//! `cargo run --release --example vmath_probe [n] [reps] [func…]`. Prints medians of 7
//! runs of on-CPU time; asserts nothing.
use numjit::codegen::mathcall::{call_f64, call_pow_f64};
use numjit::math::Math;

/// Nanoseconds this thread has spent on a CPU (so time-slicing on a loaded machine does
/// not count), from /proc/thread-self/schedstat.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

/// Median ns per element of `f` over `reps` calls on `n` elements.
fn time(n: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = cpu_ns();
        for _ in 0..reps {
            f();
        }
        runs.push((cpu_ns() - t) as f64 / (reps * n) as f64);
    }
    runs.sort_by(f64::total_cmp);
    runs[3]
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map(|s| s.parse().unwrap()).unwrap_or(4096);
    let reps: usize = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(2000);
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
    let x: Vec<f64> = (0..n).map(|i| 0.01 + (i as f64 * 0.618034) % 1.0).collect();
    // Second operands: exponents in [-10, 10] (pow), divisors in [0.05, 1.05] (fmod, hypot).
    let y: Vec<f64> = (0..n)
        .map(|i| (i as f64 * 0.414214) % 1.0)
        .map(|u| u * 20.0 - 10.0)
        .collect();
    let d: Vec<f64> = (0..n).map(|i| 0.05 + (i as f64 * 0.414214) % 1.0).collect();
    let mut out = vec![0.0; n];
    println!("{:8} {:>10} {:>10}", "function", "numjit", "libm loop");
    for name in names {
        let (kernel, libm) = if name == "pow" {
            let k = time(n, reps, || {
                call_pow_f64(&x, &y, &mut out);
                std::hint::black_box(&mut out);
            });
            let l = time(n, reps, || {
                for ((o, &p), &q) in out.iter_mut().zip(&x).zip(&y) {
                    *o = p.powf(q);
                }
                std::hint::black_box(&mut out);
            });
            (k, l)
        } else {
            let f: Math = numjit::math::TABLE
                .iter()
                .find(|e| e.0.name() == name)
                .map(|e| e.0)
                .unwrap_or_else(|| panic!("no function {name}"));
            let b = if f == Math::Fmod { &x[..] } else { &d[..] };
            let (p, q) = if f == Math::Fmod { (&y, b) } else { (&x, b) };
            let k = time(n, reps, || {
                call_f64(f, p, q, &mut out);
                std::hint::black_box(&mut out);
            });
            let l = time(n, reps, || {
                for ((o, &u), &v) in out.iter_mut().zip(p.iter()).zip(q.iter()) {
                    *o = f.float(u, v);
                }
                std::hint::black_box(&mut out);
            });
            (k, l)
        };
        println!("{name:8} {kernel:>7.3} ns {libm:>7.3} ns");
    }
}
