//! Criterion benches of numjit through its public API (`numjit::evaluate_into`,
//! `Compiled::run_into`) against the naive evaluator and plain Rust copy loops over the
//! same bytes (the bandwidth references, on 1 thread and on 2 threads split as the
//! runtime splits). Owns no correctness checks (tests/it/jit.rs does those).
//!
//! Row names: `<case>/<engine>`, engine one of `jit_1t`, `jit_2t` (numjit with that
//! many threads), `naive`, `copy_1t`, `copy_2t`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayViewMut1};
use numjit::codegen::{self, KernelSpec, Stride};
use numjit::{DType, Signature, Vars};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

const POLY: &str = "((.25*x + .75)*x - 1.5)*x - 2";
/// The runtime's block length: the 2-thread copy reference splits the same way.
const BLOCK: usize = numjit_runtime::launch::DEFAULT_BLOCK_LEN;

fn pool2() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
}

/// `dst = src`, element by element, on one thread.
fn copy_1t<T: Copy>(src: &[T], dst: &mut [T]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// `dst = src` in blocks of [`BLOCK`] elements on a 2-thread pool.
fn copy_2t<T: Copy + Send + Sync>(pool: &rayon::ThreadPool, src: &[T], dst: &mut [T]) {
    pool.install(|| {
        dst.par_chunks_mut(BLOCK)
            .zip(src.par_chunks(BLOCK))
            .for_each(|(d, s)| copy_1t(s, d))
    })
}

/// `dst = src` for a strided source, on one thread.
fn copy_strided_1t(src: ArrayView1<f64>, mut dst: ArrayViewMut1<f64>) {
    for (d, s) in dst.iter_mut().zip(src.iter()) {
        *d = *s;
    }
}

/// The same on 2 threads, split in blocks of [`BLOCK`].
fn copy_strided_2t(pool: &rayon::ThreadPool, src: ArrayView1<f64>, dst: &mut [f64]) {
    pool.install(|| {
        dst.par_chunks_mut(BLOCK).enumerate().for_each(|(i, d)| {
            let s = src.slice(s![i * BLOCK..i * BLOCK + d.len()]);
            for (d, s) in d.iter_mut().zip(s.iter()) {
                *d = *s;
            }
        })
    })
}

/// Benchmarks `numjit::evaluate_into(src, vars, out)` on 1 and 2 threads.
fn jit_rows<T: numjit::Element, D: ndarray::Dimension>(
    g: &mut Group,
    id: &dyn Fn(&str) -> BenchmarkId,
    src: &str,
    vars: &Vars,
    out: &mut ndarray::Array<T, D>,
) {
    for t in [1, 2] {
        numjit::set_num_threads(t);
        g.bench_function(id(&format!("jit_{t}t")), |b| {
            b.iter(|| numjit::evaluate_into(src, vars, &mut *out).unwrap())
        });
    }
    numjit::set_num_threads(2);
}

/// Benchmarks the naive evaluator (one temporary per operation).
fn naive_row(g: &mut Group, id: BenchmarkId, src: &str, vars: &Vars) {
    let f = numjit::compile(src, &Signature::of(vars)).unwrap();
    g.bench_function(id, |b| b.iter(|| black_box(f.run_naive(vars).unwrap())));
}

/// The copy references over `src.len()` elements, 1 and 2 threads.
fn copy_rows<T: Copy + Default + Send + Sync>(
    g: &mut Group,
    id: &dyn Fn(&str) -> BenchmarkId,
    pool: &rayon::ThreadPool,
    src: &[T],
) {
    let mut dst = vec![T::default(); src.len()];
    g.bench_function(id("copy_1t"), |b| b.iter(|| copy_1t(src, &mut dst)));
    g.bench_function(id("copy_2t"), |b| b.iter(|| copy_2t(pool, src, &mut dst)));
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn poly(c: &mut Criterion) {
    let pool = pool2();
    let mut g = c.benchmark_group("poly_f64");
    for n in [1_000usize, 100_000, 300_000, 1_000_000, 10_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        let x = Array1::from_shape_fn(n, |i| i as f64 * 1e-3);
        let mut out = Array1::<f64>::zeros(n);
        let mut vars = Vars::new();
        vars.insert("x", &x);
        let id = |e: &str| BenchmarkId::new(e, n);
        jit_rows(&mut g, &id, POLY, &vars, &mut out);
        if n != 300_000 {
            naive_row(&mut g, id("naive"), POLY, &vars);
        }
        copy_rows(&mut g, &id, &pool, x.as_slice().unwrap());
        if n == 10_000_000 {
            g.bench_function(id("jit_fresh_out_2t"), |b| {
                b.iter(|| black_box(numjit::evaluate(POLY, &vars).unwrap()))
            });
            g.bench_function(id("vec_filled_fresh"), |b| {
                b.iter(|| black_box(vec![1.0f64; n]))
            });
        }
    }
    g.finish();

    // float32 polynomial, 10^7.
    let n = 10_000_000;
    let x = Array1::from_shape_fn(n, |i| i as f32 * 1e-3);
    let mut out = Array1::<f32>::zeros(n);
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let mut g = c.benchmark_group("poly_f32");
    g.throughput(Throughput::Elements(n as u64));
    let id = |e: &str| BenchmarkId::new(e, n);
    jit_rows(&mut g, &id, POLY, &vars, &mut out);
    naive_row(&mut g, id("naive"), POLY, &vars);
    copy_rows(&mut g, &id, &pool, x.as_slice().unwrap());
    g.finish();
}

fn others(c: &mut Criterion) {
    let pool = pool2();
    let n = 10_000_000;
    let mut g = c.benchmark_group("other");
    g.throughput(Throughput::Elements(n as u64));

    // a*b + c, 10^7: reads 3 arrays and writes 1 (32 B/element); the copy reference
    // moves the same 32 B/element by copying 2n elements.
    {
        let a = Array1::from_shape_fn(n, |i| i as f64);
        let (bb, cc) = (a.clone(), a.clone());
        let mut out = Array1::<f64>::zeros(n);
        let mut vars = Vars::new();
        vars.insert("a", &a).insert("b", &bb).insert("c", &cc);
        let id = |e: &str| BenchmarkId::new("abc", e);
        jit_rows(&mut g, &id, "a*b + c", &vars, &mut out);
        naive_row(&mut g, id("naive"), "a*b + c", &vars);
        drop((a, bb, cc, out));
        let src2 = Array1::from_shape_fn(2 * n, |i| i as f64);
        copy_rows(&mut g, &id, &pool, src2.as_slice().unwrap());
    }

    // Broadcasts over (4000, 2500): the row/column operand stays in cache, so the
    // traffic is that of a copy of the big operand.
    {
        let big = Array2::from_shape_fn((4000, 2500), |(i, j)| (i + j) as f64);
        let row = Array1::from_shape_fn(2500, |i| i as f64);
        let col = Array2::from_shape_fn((4000, 1), |(i, _)| i as f64);
        let mut out = Array2::<f64>::zeros((4000, 2500));
        let mut vars = Vars::new();
        vars.insert("a", &big).insert("b", &row).insert("c", &col);
        let row_id = |e: &str| BenchmarkId::new("bcast_row_add", e);
        let col_id = |e: &str| BenchmarkId::new("bcast_col_mul", e);
        jit_rows(&mut g, &row_id, "a + b", &vars, &mut out);
        jit_rows(&mut g, &col_id, "a * c", &vars, &mut out);
        naive_row(&mut g, row_id("naive"), "a + b", &vars);
        naive_row(&mut g, col_id("naive"), "a * c", &vars);
        let id = |e: &str| BenchmarkId::new("bcast", e);
        copy_rows(&mut g, &id, &pool, big.as_slice().unwrap());
    }

    // Strided x[::2]*2 + 1 over 10^7 outputs; the reference copies the same strided
    // view into a contiguous buffer.
    {
        let x = Array1::from_shape_fn(2 * n, |i| i as f64);
        let xs = x.slice(s![..;2]);
        let mut out = Array1::<f64>::zeros(n);
        let mut vars = Vars::new();
        vars.insert("x", &xs);
        let id = |e: &str| BenchmarkId::new("strided", e);
        jit_rows(&mut g, &id, "x*2 + 1", &vars, &mut out);
        naive_row(&mut g, id("naive"), "x*2 + 1", &vars);
        g.bench_function(id("copy_1t"), |b| {
            b.iter(|| copy_strided_1t(xs, out.view_mut()))
        });
        g.bench_function(id("copy_2t"), |b| {
            b.iter(|| copy_strided_2t(&pool, xs, out.as_slice_mut().unwrap()))
        });
    }
    g.finish();
}

fn overhead_and_compile(c: &mut Criterion) {
    let sig1 = Signature::new().with("x", DType::Float64);
    let x = Array1::from_shape_fn(1000, |i| i as f64);
    let mut out = Array1::<f64>::zeros(1000);
    let mut g = c.benchmark_group("overhead");
    numjit::set_num_threads(2);
    // As a user calls it: `vars` built once, the expression looked up by its text in
    // the process-wide cache on every call.
    let mut vars = Vars::new();
    vars.insert("x", &x);
    g.bench_function("evaluate_into_cached_1000", |b| {
        b.iter(|| numjit::evaluate_into(POLY, &vars, &mut out).unwrap())
    });
    let compiled = numjit::compile(POLY, &sig1).unwrap();
    g.bench_function("run_into_1000", |b| {
        b.iter(|| compiled.run_into(&vars, &mut out).unwrap())
    });
    let spec = KernelSpec {
        inputs: vec![Stride::Contiguous],
        out: Stride::Contiguous,
        out_dtype: DType::Float64,
    };
    g.bench_function("cold_compile_poly", |b| {
        b.iter(|| black_box(codegen::compile(compiled.program(), &spec, false).unwrap()))
    });
    // 30 operations over 3 inputs (2 divisions, 1 sqrt).
    let src30 = "((a*b + c)*(a - b) + sqrt(a*a + b*b)) / (c*c + 1) - ((a + 1)*(b - 2) + (c*3 - a)*(b + c)) / (a*b*c + 2) + a*0.5 - b*0.25 + c";
    let sig3 = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64)
        .with("c", DType::Float64);
    let p30 = numjit::compile(src30, &sig3).unwrap().program().clone();
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
