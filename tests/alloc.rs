//! Proves "no temporaries": evaluating the polynomial over 10^7 f64 into `out` with the
//! JIT allocates O(threads) bytes, not O(n). Its own binary because the counting global
//! allocator is per binary. Tests nothing about results (tests/it/jit.rs does).

use ndarray::{ArrayD, IxDyn};
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, AnyViewMut, DType, Signature};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts requested bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        BYTES.fetch_add(l.size(), Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` came from `alloc` above with layout `l`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        BYTES.fetch_add(n, Ordering::Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn evaluate_into_allocates_o_threads_bytes() {
    let n = 10_000_000;
    let src = "((.25*x + .75)*x - 1.5)*x - 2";
    let p = numjit::compile(src, &Signature::new().with("x", DType::Float64))
        .unwrap()
        .program()
        .clone();
    let exe = Executable::new(p);
    let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| i[0] as f64 * 1e-6);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
    let opts = RunOptions {
        threads: 2,
        ..RunOptions::default()
    };
    // Warm up: compile, build the pool, grow per-thread state.
    exe.eval_into(
        &[AnyView::Float64(x.view())],
        AnyViewMut::Float64(out.view_mut()),
        &opts,
    )
    .unwrap();
    let before = BYTES.load(Ordering::Relaxed);
    for _ in 0..3 {
        exe.eval_into(
            &[AnyView::Float64(x.view())],
            AnyViewMut::Float64(out.view_mut()),
            &opts,
        )
        .unwrap();
    }
    let per_call = (BYTES.load(Ordering::Relaxed) - before) / 3;
    assert!(
        per_call < 64 * 1024,
        "evaluate_into allocated {per_call} bytes per call for n = {n}"
    );
    assert_eq!(out[[n - 1]], {
        let v = (n - 1) as f64 * 1e-6;
        ((0.25 * v + 0.75) * v - 1.5) * v - 2.0
    });
}

#[test]
fn fused_reduction_never_materialises_its_body() {
    let n = 1_000_000;
    let p = numjit::compile("sum(x**2)", &Signature::new().with("x", DType::Float64))
        .unwrap()
        .program()
        .clone();
    let exe = Executable::new(p);
    let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] % 10) as f64);
    let opts = RunOptions {
        threads: 2,
        serial_below: 1,
        ..RunOptions::default()
    };
    let view = || [AnyView::Float64(x.view())];
    exe.eval(&view(), &opts).unwrap();
    let before = BYTES.load(Ordering::Relaxed);
    let mut last = None;
    for _ in 0..3 {
        last = Some(exe.eval(&view(), &opts).unwrap());
    }
    let per_call = (BYTES.load(Ordering::Relaxed) - before) / 3;
    assert!(
        per_call < 64 * 1024,
        "sum(x**2) allocated {per_call} bytes per call for n = {n}"
    );
    let got = last.and_then(|a| a.as_f64().and_then(|a| a.first().copied()));
    assert_eq!(got, Some(2_850_000.0 * 10.0));
}
