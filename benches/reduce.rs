//! Criterion benches of reductions: the JIT (fused body per block + pairwise fold) on
//! 1 and 2 threads against the naive evaluator (materialises the body, then folds) and
//! two plain Rust references over the same bytes in the same run: a copy loop (memory
//! bandwidth) and a plain 4-lane `sum(x*x)` loop. Owns no correctness checks
//! (tests/it/reduce.rs does those).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{ArrayD, IxDyn};
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, DType, Signature};
use std::hint::black_box;
use std::time::Duration;

fn exe(src: &str, sig: &Signature) -> Executable {
    Executable::new(numjit::compile(src, sig).unwrap().program().clone())
}

fn opts(threads: usize) -> RunOptions {
    RunOptions {
        threads,
        ..RunOptions::default()
    }
}

fn copy_loop(src: &[f64], dst: &mut [f64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// A plain serial sum of squares with 4 independent accumulators (what a hand-written
/// loop compiles to), as a single-thread compute reference.
fn plain_sum_sq(x: &[f64]) -> f64 {
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

/// The same loop on two threads (one half each, scoped threads): the 2-thread floor.
fn plain_sum_sq_2t(x: &[f64]) -> f64 {
    let (a, b) = x.split_at(x.len() / 2);
    std::thread::scope(|s| {
        let h = s.spawn(|| plain_sum_sq(a));
        let r = plain_sum_sq(b);
        h.join().unwrap_or(f64::NAN) + r
    })
}

fn sum_sq(c: &mut Criterion) {
    let sig = Signature::new().with("x", DType::Float64);
    let mut g = c.benchmark_group("sum_sq_f64");
    for n in [1_000usize, 100_000, 10_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] % 1000) as f64 * 1e-3);
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
        let e = exe("sum(x**2)", &sig);
        for t in [1, 2] {
            g.bench_function(BenchmarkId::new(format!("jit_{t}t"), n), |b| {
                b.iter(|| black_box(e.eval(&[AnyView::Float64(x.view())], &opts(t)).unwrap()))
            });
        }
        g.bench_function(BenchmarkId::new("naive", n), |b| {
            b.iter(|| {
                black_box(numjit::interp::eval(e.program(), &[AnyView::Float64(x.view())]).unwrap())
            })
        });
        g.bench_function(BenchmarkId::new("plain_sum_sq_1t", n), |b| {
            b.iter(|| black_box(plain_sum_sq(x.as_slice().unwrap())))
        });
        if n >= 100_000 {
            g.bench_function(BenchmarkId::new("plain_sum_sq_2t", n), |b| {
                b.iter(|| black_box(plain_sum_sq_2t(x.as_slice().unwrap())))
            });
        }
        // The elementwise body alone into `out` (the fixed cost a reduction adds).
        let sq = exe("x**2", &sig);
        g.bench_function(BenchmarkId::new("elementwise_x2_into_out_1t", n), |b| {
            b.iter(|| {
                let o = numjit::AnyViewMut::Float64(out.view_mut());
                sq.eval_into(&[AnyView::Float64(x.view())], o, &opts(1))
                    .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("copy_loop", n), |b| {
            b.iter(|| copy_loop(x.as_slice().unwrap(), out.as_slice_mut().unwrap()))
        });
    }
    g.finish();

    // The block length (values computed into scratch per kernel call) at 10^7, 2 threads:
    // how DEFAULT_REDUCE_BLOCK was chosen.
    let n = 10_000_000;
    let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] % 1000) as f64 * 1e-3);
    let e = exe("sum(x**2)", &sig);
    let mut g = c.benchmark_group("sum_sq_block_len");
    g.throughput(Throughput::Elements(n as u64));
    for block_len in [512usize, 1024, 2048, 4096, 16384] {
        let o = RunOptions {
            threads: 2,
            block_len,
            ..RunOptions::default()
        };
        g.bench_function(BenchmarkId::new("jit_2t", block_len), |b| {
            b.iter(|| black_box(e.eval(&[AnyView::Float64(x.view())], &o).unwrap()))
        });
    }
    g.finish();

    // An axis reduction and a reduction inside an expression, 10^7 elements.
    let n = 10_000_000;
    let x = ArrayD::from_shape_fn(IxDyn(&[1000, n / 1000]), |i| (i[1] % 1000) as f64 * 1e-3);
    let mut g = c.benchmark_group("reduce_other_f64");
    g.throughput(Throughput::Elements(n as u64));
    for src in ["sum(x, axis=1)", "sum(x, axis=0)", "max(x)", "x - mean(x)"] {
        let e = exe(src, &sig);
        g.bench_function(BenchmarkId::new(format!("jit_2t {src}"), n), |b| {
            b.iter(|| black_box(e.eval(&[AnyView::Float64(x.view())], &opts(2)).unwrap()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = sum_sq
}
criterion_main!(benches);
