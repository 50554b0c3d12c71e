//! Criterion benches of the math functions at 10^7 float64, 2 threads, into `out`:
//! the four targets, each next to the naive evaluator (libm, one temporary per
//! op) and a plain copy loop over the same bytes, measured in the same run; then complex128
//! functions at 10^6 elements, 1 and 2 threads, next to the naive evaluator (C99 per
//! element, as NumPy). Owns no
//! correctness checks (tests/it/math.rs does those).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{ArrayD, IxDyn};
use num_complex::Complex64;
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, AnyViewMut, DType, Signature};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 10_000_000;

const CASES: [(&str, &str); 4] = [
    ("sin2_cos2", "sin(x)**2 + cos(x)**2"),
    ("gauss", "exp(-(x - 0.5)**2 / 0.02)"),
    ("trig_mix", "2*a - 4.5*b + sin(a) + cos(b)"),
    ("where_sqrt", "where(x > 0.5, 2*x, sqrt(x))"),
];

/// complex128 functions at 10^6 elements: the vector kernels (`vmath::complex`) against
/// the naive evaluator, which calls the C library per element as NumPy does.
const COMPLEX_N: usize = 1_000_000;
const COMPLEX_CASES: [(&str, &str); 8] = [
    ("c_exp", "exp(z)"),
    ("c_log", "log(z)"),
    ("c_sin", "sin(z)"),
    ("c_tanh", "tanh(z)"),
    ("c_arcsin", "arcsin(z)"),
    ("c_arctanh", "arctanh(z)"),
    ("c_sqrt", "sqrt(z)"),
    ("c_pow", "z ** w"),
];

fn copy_loop(src: &[f64], dst: &mut [f64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

fn math(c: &mut Criterion) {
    let opts = RunOptions {
        threads: 2,
        ..RunOptions::default()
    };
    // Inputs in [0, 1), as numexpr's and Numba's published runs use.
    let x = ArrayD::from_shape_fn(IxDyn(&[N]), |i| (i[0] as f64 * 0.618034) % 1.0);
    let y = ArrayD::from_shape_fn(IxDyn(&[N]), |i| (i[0] as f64 * 0.414214) % 1.0);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[N]));
    for (name, src) in CASES {
        let names: Vec<&str> = if src.contains('a') {
            vec!["a", "b"]
        } else {
            vec!["x"]
        };
        let sig = names
            .iter()
            .fold(Signature::new(), |s, n| s.with(n, DType::Float64));
        let compiled = numjit::compile(src, &sig).unwrap();
        let p = compiled.program().clone();
        let views: Vec<AnyView> = p
            .inputs
            .iter()
            .map(|d| AnyView::Float64(if d.name == "b" { y.view() } else { x.view() }))
            .collect();
        let exe = Executable::new(p.clone());
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function(BenchmarkId::new("jit_2t", N), |b| {
            b.iter(|| {
                exe.eval_into(&views, AnyViewMut::Float64(out.view_mut()), &opts)
                    .unwrap()
            })
        });
        g.bench_function(BenchmarkId::new("naive", N), |b| {
            b.iter(|| black_box(numjit::interp::eval(&p, &views).unwrap()))
        });
        g.bench_function(BenchmarkId::new("copy_loop", N), |b| {
            b.iter(|| copy_loop(x.as_slice().unwrap(), out.as_slice_mut().unwrap()))
        });
        g.finish();
    }
    // Parts in [-2, 2) (the region where the complex functions do their work).
    let z = ArrayD::from_shape_fn(IxDyn(&[COMPLEX_N]), |i| {
        let k = i[0] as f64;
        Complex64::new(
            (k * 0.618034) % 1.0 * 4.0 - 2.0,
            (k * 0.414214) % 1.0 * 4.0 - 2.0,
        )
    });
    let w = ArrayD::from_shape_fn(IxDyn(&[COMPLEX_N]), |i| {
        let k = i[0] as f64;
        Complex64::new((k * 0.302776) % 1.0 * 2.0, (k * 0.236068) % 1.0 - 0.5)
    });
    let mut zout = ArrayD::<Complex64>::zeros(IxDyn(&[COMPLEX_N]));
    for (name, src) in COMPLEX_CASES {
        let sig = Signature::new()
            .with("z", DType::Complex128)
            .with("w", DType::Complex128);
        let p = numjit::compile(src, &sig).unwrap().program().clone();
        let views: Vec<AnyView> = p
            .inputs
            .iter()
            .map(|d| AnyView::Complex128(if d.name == "w" { w.view() } else { z.view() }))
            .collect();
        let exe = Executable::new(p.clone());
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(COMPLEX_N as u64));
        for threads in [1, 2] {
            let o = RunOptions {
                threads,
                ..RunOptions::default()
            };
            g.bench_function(
                BenchmarkId::new(format!("jit_{threads}t"), COMPLEX_N),
                |b| {
                    b.iter(|| {
                        exe.eval_into(&views, AnyViewMut::Complex128(zout.view_mut()), &o)
                            .unwrap()
                    })
                },
            );
        }
        g.bench_function(BenchmarkId::new("naive", COMPLEX_N), |b| {
            b.iter(|| black_box(numjit::interp::eval(&p, &views).unwrap()))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = math
}
criterion_main!(benches);
