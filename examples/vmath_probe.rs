//! Measurement probe for the vector math kernels alone (no JIT): ns per element of
//! `numjit::codegen::mathcall::call_f64` on a block that stays in L1. Run with
//! `cargo run --release --example vmath_probe [n] [reps] [func…]`. Prints medians of 7
//! runs of on-CPU time, and the same for the scalar rule (libm) looped over the block;
//! asserts nothing.
use numjit::codegen::mathcall::call_f64;
use numjit::math::Math;

/// Nanoseconds this thread has spent on a CPU (so time-slicing on a loaded machine does
/// not count), from /proc/thread-self/schedstat.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map(|s| s.parse().unwrap()).unwrap_or(4096);
    let reps: usize = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(2000);
    let names: Vec<String> = if a.len() > 3 {
        a[3..].to_vec()
    } else {
        ["sin", "cos", "exp", "log", "exp2", "expm1", "log1p"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let x: Vec<f64> = (0..n).map(|i| 0.01 + (i as f64 * 0.618034) % 1.0).collect();
    let mut out = vec![0.0; n];
    for name in names {
        let f = numjit::math::TABLE
            .iter()
            .find(|e| e.0.name() == name)
            .map(|e| e.0)
            .unwrap_or_else(|| panic!("no function {name}"));
        let mut runs = Vec::new();
        for _ in 0..7 {
            let t = cpu_ns();
            for _ in 0..reps {
                call_f64(f, &x, &x, &mut out);
                std::hint::black_box(&mut out);
            }
            runs.push((cpu_ns() - t) as f64 / (reps * n) as f64);
        }
        runs.sort_by(f64::total_cmp);
        // The scalar rule (libm) over the same block, for comparison.
        let mut base = Vec::new();
        for _ in 0..7 {
            let t = cpu_ns();
            for _ in 0..reps {
                for ((o, &a), &b) in out.iter_mut().zip(&x).zip(&x) {
                    *o = f.float(a, b);
                }
                std::hint::black_box(&mut out);
            }
            base.push((cpu_ns() - t) as f64 / (reps * n) as f64);
        }
        base.sort_by(f64::total_cmp);
        let _: Math = f;
        println!("{name:8} {:.3} ns/elem (libm loop {:.3})", runs[3], base[3]);
    }
}
