//! Proves "no temporaries": evaluating the polynomial over 10^7 f64 into `out` with the
//! JIT allocates O(threads) bytes, not O(n), and the small cached path allocates
//! nothing. Its own binary because the counting global allocator is per binary. Tests nothing about results (tests/it/jit.rs does).

use ndarray::{ArrayD, IxDyn};
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, AnyViewMut, DType, Signature};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static BYTES: AtomicUsize = AtomicUsize::new(0);
/// Number of allocation calls (alloc and realloc).
static COUNT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts requested bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        BYTES.fetch_add(l.size(), Ordering::Relaxed);
        COUNT.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` came from `alloc` above with layout `l`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        BYTES.fetch_add(n, Ordering::Relaxed);
        COUNT.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The counters are global: tests that read them run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn evaluate_into_allocates_o_threads_bytes() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
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
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
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

/// The small cached path allocates nothing: `numjit::evaluate_into` of a cached
/// expression (found by its text) and `Compiled::run_into`, over 1 000 elements.
#[test]
fn cached_small_evaluate_into_allocates_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let src = "((.25*x + .75)*x - 1.5)*x - 2";
    let x = ndarray::Array1::from_shape_fn(1000, |i| i as f64 * 1e-3);
    let mut out = ndarray::Array1::<f64>::zeros(1000);
    let mut vars = numjit::Vars::new();
    vars.insert("x", &x);
    let compiled = numjit::compile(src, &Signature::new().with("x", DType::Float64)).unwrap();
    // Warm up: compile, fill both caches and the per-thread scratch.
    numjit::evaluate_into(src, &vars, &mut out).unwrap();
    compiled.run_into(&vars, &mut out).unwrap();
    let before = COUNT.load(Ordering::Relaxed);
    for _ in 0..100 {
        numjit::evaluate_into(src, &vars, &mut out).unwrap();
        compiled.run_into(&vars, &mut out).unwrap();
    }
    let allocations = COUNT.load(Ordering::Relaxed) - before;
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 200 cached calls"
    );
    let v = 0.999;
    assert_eq!(out[999], ((0.25 * v + 0.75) * v - 1.5) * v - 2.0);
}
