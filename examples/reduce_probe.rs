//! Measurement probe for reductions (docs: ARCHITECTURE.md, "Reductions"); run with
//! `cargo run --release --example reduce_probe -- MODE N ITERS THREADS` where MODE is
//! `jit` (cached `Compiled::run_with` of `sum(x**2)`), `map` (the elementwise `x**2`
//! into `out`) or `plain` (a plain Rust 4-accumulator sum of squares, split over
//! THREADS scoped threads). Prints the median ns per element of 7 repetitions;
//! asserts nothing. Under `valgrind --tool=callgrind` use ITERS to scale the work.
use ndarray::Array1;
use numjit::exec::RunOptions;
use numjit::{DType, Signature, Vars};
use std::hint::black_box;

fn plain(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = x.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..4 {
            acc[j] += c[j] * c[j];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + rest.iter().map(|v| v * v).sum::<f64>()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let mode = a.get(1).cloned().unwrap_or("jit".into());
    let n: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let iters: usize = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let threads: usize = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let expr = a.get(5).cloned().unwrap_or("sum(x**2)".into());
    let x = Array1::from_shape_fn(n, |i| (i % 1000) as f64 * 1e-3);
    let mut out = Array1::<f64>::zeros(n);
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let sig = Signature::new().with("x", DType::Float64);
    let red = numjit::compile(&expr, &sig).unwrap();
    let map = numjit::compile("x**2", &sig).unwrap();
    let opts = RunOptions {
        threads,
        ..RunOptions::default()
    };
    let xs = x.as_slice().unwrap();
    let mut once = || match mode.as_str() {
        "jit" => {
            black_box(red.run_with(&vars, &opts).unwrap());
        }
        "map" => map.run_into_with(&vars, &mut out, &opts).unwrap(),
        _ => {
            let per = n.div_ceil(threads.max(1));
            let s: f64 = std::thread::scope(|s| {
                let hs: Vec<_> = xs
                    .chunks(per.max(1))
                    .map(|c| s.spawn(move || plain(c)))
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
            });
            black_box(s);
        }
    };
    once();
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = std::time::Instant::now();
        for _ in 0..iters {
            once();
        }
        times.push(t.elapsed().as_secs_f64() / iters as f64 * 1e9 / n.max(1) as f64);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{mode} n={n} threads={threads}: {:.3} ns/elem (median of 7)",
        times[3]
    );
}
