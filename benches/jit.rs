//! Criterion benches of the JIT (`numjit::exec`) against the naive evaluator and a
//! plain Rust copy loop over the same bytes (the bandwidth reference). Owns no
//! correctness checks (tests/it/jit.rs does those).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{s, ArrayD, IxDyn};
use numjit::codegen::{self, KernelSpec, Stride};
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, AnyViewMut, DType, Signature};
use std::hint::black_box;
use std::time::Duration;

const POLY: &str = "((.25*x + .75)*x - 1.5)*x - 2";

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

fn poly(c: &mut Criterion) {
    let all = numjit::exec::num_threads();
    let f64sig = Signature::new().with("x", DType::Float64);
    let e = exe(POLY, &f64sig);
    let mut g = c.benchmark_group("poly_f64");
    for n in [1_000usize, 100_000, 1_000_000, 10_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| i[0] as f64 * 1e-3);
        let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
        for t in [1, all] {
            g.bench_function(BenchmarkId::new(format!("jit_{t}t"), n), |b| {
                b.iter(|| {
                    e.eval_into(
                        &[AnyView::Float64(x.view())],
                        AnyViewMut::Float64(out.view_mut()),
                        &opts(t),
                    )
                    .unwrap()
                })
            });
        }
        g.bench_function(BenchmarkId::new("naive", n), |b| {
            b.iter(|| {
                black_box(numjit::interp::eval(e.program(), &[AnyView::Float64(x.view())]).unwrap())
            })
        });
        g.bench_function(BenchmarkId::new("copy_loop", n), |b| {
            b.iter(|| copy_loop(x.as_slice().unwrap(), out.as_slice_mut().unwrap()))
        });
        if n == 10_000_000 {
            g.bench_function(BenchmarkId::new(format!("jit_fresh_out_{all}t"), n), |b| {
                b.iter(|| black_box(e.eval(&[AnyView::Float64(x.view())], &opts(all)).unwrap()))
            });
            g.bench_function(BenchmarkId::new("vec_zeroed_fresh", n), |b| {
                b.iter(|| black_box(vec![1.0f64; n]))
            });
        }
    }
    g.finish();

    let f32sig = Signature::new().with("x", DType::Float32);
    let e = exe(POLY, &f32sig);
    let n = 10_000_000;
    let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| i[0] as f32 * 1e-3);
    let mut out = ArrayD::<f32>::zeros(IxDyn(&[n]));
    let mut g = c.benchmark_group("poly_f32");
    g.throughput(Throughput::Elements(n as u64));
    for t in [1, all] {
        g.bench_function(BenchmarkId::new(format!("jit_{t}t"), n), |b| {
            b.iter(|| {
                e.eval_into(
                    &[AnyView::Float32(x.view())],
                    AnyViewMut::Float32(out.view_mut()),
                    &opts(t),
                )
                .unwrap()
            })
        });
    }
    g.bench_function(BenchmarkId::new("naive", n), |b| {
        b.iter(|| {
            black_box(numjit::interp::eval(e.program(), &[AnyView::Float32(x.view())]).unwrap())
        })
    });
    g.finish();
}

fn others(c: &mut Criterion) {
    let all = numjit::exec::num_threads();
    let sig3 = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64)
        .with("c", DType::Float64);
    let mut g = c.benchmark_group("other");
    // a*b + c, 10^7
    let n = 10_000_000;
    let e = exe("a*b + c", &sig3);
    let a = ArrayD::from_shape_fn(IxDyn(&[n]), |i| i[0] as f64);
    let bb = a.clone();
    let cc = a.clone();
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
    g.throughput(Throughput::Elements(n as u64));
    for t in [1, all] {
        g.bench_function(format!("abc_1e7_jit_{t}t"), |b| {
            b.iter(|| {
                e.eval_into(
                    &[
                        AnyView::Float64(a.view()),
                        AnyView::Float64(bb.view()),
                        AnyView::Float64(cc.view()),
                    ],
                    AnyViewMut::Float64(out.view_mut()),
                    &opts(t),
                )
                .unwrap()
            })
        });
    }
    g.bench_function("abc_1e7_naive", |b| {
        b.iter(|| {
            black_box(
                numjit::interp::eval(
                    e.program(),
                    &[
                        AnyView::Float64(a.view()),
                        AnyView::Float64(bb.view()),
                        AnyView::Float64(cc.view()),
                    ],
                )
                .unwrap(),
            )
        })
    });
    g.bench_function("copy_loop_1e7", |b| {
        b.iter(|| copy_loop(a.as_slice().unwrap(), out.as_slice_mut().unwrap()))
    });
    drop((a, bb, cc));

    // Broadcasts over (4000, 2500).
    let sig2 = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64);
    let big = ArrayD::from_shape_fn(IxDyn(&[4000, 2500]), |i| (i[0] + i[1]) as f64);
    let row = ArrayD::from_shape_fn(IxDyn(&[2500]), |i| i[0] as f64);
    let col = ArrayD::from_shape_fn(IxDyn(&[4000, 1]), |i| i[0] as f64);
    let mut out2 = ArrayD::<f64>::zeros(IxDyn(&[4000, 2500]));
    let add = exe("a + b", &sig2);
    let mul = exe("a * b", &sig2);
    for t in [1, all] {
        g.bench_function(format!("bcast_row_add_jit_{t}t"), |b| {
            b.iter(|| {
                add.eval_into(
                    &[AnyView::Float64(big.view()), AnyView::Float64(row.view())],
                    AnyViewMut::Float64(out2.view_mut()),
                    &opts(t),
                )
                .unwrap()
            })
        });
        g.bench_function(format!("bcast_col_mul_jit_{t}t"), |b| {
            b.iter(|| {
                mul.eval_into(
                    &[AnyView::Float64(big.view()), AnyView::Float64(col.view())],
                    AnyViewMut::Float64(out2.view_mut()),
                    &opts(t),
                )
                .unwrap()
            })
        });
    }
    g.bench_function("bcast_row_add_naive", |b| {
        b.iter(|| {
            black_box(
                numjit::interp::eval(
                    add.program(),
                    &[AnyView::Float64(big.view()), AnyView::Float64(row.view())],
                )
                .unwrap(),
            )
        })
    });
    g.bench_function("bcast_copy_loop", |b| {
        b.iter(|| copy_loop(big.as_slice().unwrap(), out2.as_slice_mut().unwrap()))
    });
    drop((big, out2));

    // Strided x[::2]*2 + 1 over 10^7 outputs.
    let sig1 = Signature::new().with("x", DType::Float64);
    let e = exe("x*2 + 1", &sig1);
    let x = ArrayD::from_shape_fn(IxDyn(&[2 * n]), |i| i[0] as f64);
    let xs = x.slice(s![..;2]).into_dyn();
    for t in [1, all] {
        g.bench_function(format!("strided_jit_{t}t"), |b| {
            b.iter(|| {
                e.eval_into(
                    &[AnyView::Float64(xs.view())],
                    AnyViewMut::Float64(out.view_mut()),
                    &opts(t),
                )
                .unwrap()
            })
        });
    }
    g.bench_function("strided_naive", |b| {
        b.iter(|| {
            black_box(numjit::interp::eval(e.program(), &[AnyView::Float64(xs.view())]).unwrap())
        })
    });
    g.bench_function("strided_copy_loop", |b| {
        b.iter(|| {
            for (o, v) in out.iter_mut().zip(xs.iter()) {
                *o = *v;
            }
        })
    });
    g.finish();
}

fn overhead_and_compile(c: &mut Criterion) {
    let sig1 = Signature::new().with("x", DType::Float64);
    let e = exe(POLY, &sig1);
    let x = ArrayD::from_shape_fn(IxDyn(&[1000]), |i| i[0] as f64);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[1000]));
    let mut g = c.benchmark_group("overhead");
    g.bench_function("cached_eval_into_1000", |b| {
        b.iter(|| {
            e.eval_into(
                &[AnyView::Float64(x.view())],
                AnyViewMut::Float64(out.view_mut()),
                &RunOptions::default(),
            )
            .unwrap()
        })
    });
    let spec = KernelSpec {
        inputs: vec![Stride::Contiguous],
        out: Stride::Contiguous,
        out_dtype: DType::Float64,
    };
    g.bench_function("cold_compile_poly", |b| {
        b.iter(|| black_box(codegen::compile(e.program(), &spec, false).unwrap()))
    });
    // 30 operations over 3 inputs (2 divisions, 1 sqrt).
    let src30 = "((a*b + c)*(a - b) + sqrt(a*a + b*b)) / (c*c + 1) - ((a + 1)*(b - 2) + (c*3 - a)*(b + c)) / (a*b*c + 2) + a*0.5 - b*0.25 + c";
    let sig3 = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64)
        .with("c", DType::Float64);
    let p30 = numjit::compile(src30, &sig3).unwrap().program().clone();
    let ops = p30
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, numjit::ir::NodeKind::Op(_)))
        .count();
    eprintln!("30-op expression has {ops} ops");
    let spec3 = KernelSpec {
        inputs: vec![Stride::Contiguous; 3],
        out: Stride::Contiguous,
        out_dtype: DType::Float64,
    };
    g.bench_function("cold_compile_30op", |b| {
        b.iter(|| black_box(codegen::compile(&p30, &spec3, false).unwrap()))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! { name = benches; config = config(); targets = poly, others, overhead_and_compile }
criterion_main!(benches);
