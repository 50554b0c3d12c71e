//! Integration tests of the JIT (`numjit::exec` + codegen + runtime) against the naive
//! evaluator: a differential property test over random expressions, dtypes, shapes,
//! layouts, thread counts and block lengths; in-place and overlapping `out`; many
//! threads sharing one handle; and compiling every (op, dtype) pair. Does not test the
//! parser or checker themselves.

use ndarray::{ArrayD, IxDyn, Slice};
use num_complex::Complex64;
use numjit::exec::{Executable, RunOptions};
use numjit::ir::{Node, NodeKind, Program};
use numjit::ops::Op;
use numjit::{AnyView, Array, DType, Scalar, Signature, Span};
use proptest::prelude::*;
use std::sync::Arc;

fn program(src: &str, sig: &Signature) -> Program {
    numjit::compile(src, sig)
        .unwrap_or_else(|e| panic!("{}", e.render(src)))
        .program()
        .clone()
}

/// Tiny deterministic generator, so a failing case is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const DTYPES: [DType; 6] = DType::ALL;

fn value(r: &mut Rng, t: DType) -> Scalar {
    let f = match r.below(10) {
        0 => *r.pick(&[
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            1e300,
            -1e-300,
            2147483648.0,
            -9.3e18,
        ]),
        1..=4 => (r.below(21) as f64 - 10.0) * 0.5,
        _ => ((r.next() >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 200.0,
    };
    let i = match r.below(8) {
        0 => *r.pick(&[
            i64::MIN,
            i64::MAX,
            i32::MIN as i64,
            i32::MAX as i64,
            0,
            -1,
            63,
            64,
        ]),
        1..=5 => r.below(11) as i64 - 5,
        _ => r.next() as i64 >> r.below(64),
    };
    match t {
        DType::Bool => Scalar::Bool(r.below(2) == 1),
        DType::Int32 => Scalar::Int32(i as i32),
        DType::Int64 => Scalar::Int64(i),
        DType::Float32 => Scalar::Float32(f as f32),
        DType::Float64 => Scalar::Float64(f),
        DType::Complex128 => Scalar::Complex128(Complex64::new(
            f,
            if r.below(3) == 0 { 0.0 } else { -f * 0.5 + 1.0 },
        )),
    }
}

/// One input: dtype, logical shape, layout and values in logical order.
#[derive(Clone, Debug)]
struct Input {
    dtype: DType,
    shape: Vec<usize>,
    /// 0 contiguous, 1 every other element of a bigger array, 2 reversed,
    /// 3 stride-0 broadcast from a smaller array.
    layout: u8,
    values: Vec<Scalar>,
}

/// Storage for an input with the requested layout; `view()` gives the logical array.
struct Stored {
    arr: Array,
    layout: u8,
    shape: Vec<usize>,
}

impl Stored {
    fn new(inp: &Input) -> Stored {
        let n: usize = inp.shape.iter().product();
        let (shape, data): (Vec<usize>, Vec<Scalar>) = match inp.layout {
            1 => {
                // Interleave with junk so the logical values sit at every other slot.
                let mut s = inp.shape.clone();
                if let Some(l) = s.last_mut() {
                    *l *= 2;
                }
                let mut d = Vec::with_capacity(n * 2);
                for v in &inp.values {
                    d.push(*v);
                    if !inp.shape.is_empty() {
                        d.push(*v);
                    }
                }
                (s, d)
            }
            2 => (
                inp.shape.clone(),
                inp.values.iter().rev().copied().collect(),
            ),
            3 => (vec![], vec![inp.values[0]]),
            _ => (inp.shape.clone(), inp.values.clone()),
        };
        Stored {
            arr: make(inp.dtype, &shape, &data),
            layout: inp.layout,
            shape: inp.shape.clone(),
        }
    }

    fn view(&self) -> AnyView<'_> {
        macro_rules! lay {
            ($a:expr, $v:ident) => {{
                let a = $a.view();
                let a: ndarray::ArrayViewD<'_, _> = a;
                let a = match self.layout {
                    1 if !self.shape.is_empty() => {
                        let last = self.shape.len() - 1;
                        let mut a = a;
                        a.slice_axis_inplace(ndarray::Axis(last), Slice::new(0, None, 2));
                        a
                    }
                    2 => {
                        let mut a = a;
                        for d in 0..self.shape.len() {
                            a.slice_axis_inplace(ndarray::Axis(d), Slice::new(0, None, -1));
                        }
                        a
                    }
                    3 => $a
                        .broadcast(IxDyn(&self.shape))
                        .expect("broadcast from 0-d"),
                    _ => a,
                };
                AnyView::$v(a)
            }};
        }
        match &self.arr {
            Array::Bool(a) => lay!(a, Bool),
            Array::Int32(a) => lay!(a, Int32),
            Array::Int64(a) => lay!(a, Int64),
            Array::Float32(a) => lay!(a, Float32),
            Array::Float64(a) => lay!(a, Float64),
            Array::Complex128(a) => lay!(a, Complex128),
        }
    }
}

fn make(t: DType, shape: &[usize], data: &[Scalar]) -> Array {
    macro_rules! mk {
        ($v:ident) => {
            Array::$v(
                ArrayD::from_shape_vec(
                    IxDyn(shape),
                    data.iter()
                        .map(|s| match s {
                            Scalar::$v(x) => *x,
                            _ => unreachable!("dtype mismatch in test data"),
                        })
                        .collect(),
                )
                .expect("shape matches data"),
            )
        };
    }
    match t {
        DType::Bool => mk!(Bool),
        DType::Int32 => mk!(Int32),
        DType::Int64 => mk!(Int64),
        DType::Float32 => mk!(Float32),
        DType::Float64 => mk!(Float64),
        DType::Complex128 => mk!(Complex128),
    }
}

fn gen_expr(r: &mut Rng, vars: &[String], depth: usize) -> String {
    if depth == 0 || r.below(4) == 0 {
        return match r.below(5) {
            0 => r
                .pick(&["2", "0", "-3", "1.5", "0.25", "True", "7", "2j"])
                .to_string(),
            _ => r.pick(vars).clone(),
        };
    }
    let a = gen_expr(r, vars, depth - 1);
    match r.below(10) {
        0 => format!(
            "{}({a})",
            r.pick(&[
                "-",
                "~",
                "abs",
                "sqrt",
                "float32",
                "float64",
                "int32",
                "int64",
                "bool",
                "complex128",
                "conj",
                "real",
                "imag"
            ])
        ),
        1 => {
            let b = gen_expr(r, vars, depth - 1);
            let c = gen_expr(r, vars, depth - 1);
            format!(
                "where({a} {} {b}, {b}, {c})",
                r.pick(&["<", ">=", "==", "!="])
            )
        }
        _ => {
            let b = gen_expr(r, vars, depth - 1);
            let op = r.pick(&[
                "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "==", "!=", "<",
                "<=", ">", ">=", "+", "*", "-",
            ]);
            format!("({a} {op} {b})")
        }
    }
}

/// A whole random case from a seed.
fn gen_case(seed: u64) -> (String, Vec<Input>, RunOptions) {
    let mut r = Rng(seed);
    let nvars = 1 + r.below(4);
    let names: Vec<String> = (0..nvars).map(|k| format!("v{k}")).collect();
    let nd = r.below(4);
    let dims: Vec<usize> = (0..nd)
        .map(|_| match r.below(8) {
            0 => 0,
            1 => 1,
            2 => 1 + r.below(3000),
            _ => 1 + r.below(40),
        })
        .collect();
    // Keep the total small enough for debug builds.
    let mut dims = dims;
    while dims.iter().product::<usize>() > 5000 {
        let k = r.below(dims.len());
        dims[k] = (dims[k] / 3).max(1);
    }
    let inputs: Vec<Input> = names
        .iter()
        .map(|_| {
            let dtype = *r.pick(&DTYPES);
            let drop = r.below(nd + 1);
            let mut shape: Vec<usize> = dims[drop..].to_vec();
            for d in shape.iter_mut() {
                if r.below(4) == 0 {
                    *d = 1;
                }
            }
            let layout = r.below(4) as u8;
            let n: usize = shape.iter().product();
            let values = if layout == 3 {
                let v = value(&mut r, dtype);
                vec![v; n.max(1)]
            } else {
                (0..n).map(|_| value(&mut r, dtype)).collect()
            };
            Input {
                dtype,
                shape,
                layout,
                values,
            }
        })
        .collect();
    // Retry a few times so most cases are well typed (the checker rejects the rest).
    let sig = signature(&inputs);
    let mut expr = String::new();
    for _ in 0..12 {
        let depth = 1 + r.below(6);
        expr = gen_expr(&mut r, &names, depth);
        if numjit::compile(&expr, &sig).is_ok() {
            break;
        }
    }
    let opts = RunOptions {
        threads: 1 + r.below(4),
        block_len: *r.pick(&[0, 1, 3, 64, 1000, 4096]),
        serial_below: *r.pick(&[0, 1, 100]),
    };
    (expr, inputs, opts)
}

fn signature(inputs: &[Input]) -> Signature {
    inputs
        .iter()
        .enumerate()
        .fold(Signature::new(), |s, (k, i)| {
            s.with(&format!("v{k}"), i.dtype)
        })
}

/// Float `**` is numjit's pow kernel in the JIT and libm's pow in the naive evaluator,
/// each within 1 ULP of the exact result (docs/accuracy.md): in expressions with `**`
/// the two may differ in the last bits, which later exact arithmetic carries along (a
/// relative 1e-9 for float64 parts and normwise for complex128 values, 1e-5 for
/// float32; ints and bools, and infinities and NaN must still agree exactly). Complex
/// `**` and `sqrt` are the same kernels in both engines (bitwise).
fn pow_close(a: &Array, b: &Array) -> bool {
    let near = |x: f64, y: f64, tol: f64| {
        (x.is_nan() && y.is_nan())
            || x.to_bits() == y.to_bits()
            || (x.is_finite() && y.is_finite() && x != 0.0 && y != 0.0 && {
                let d = (x - y).abs();
                d <= tol * x.abs().max(y.abs())
            })
    };
    a.dtype() == b.dtype()
        && a.shape() == b.shape()
        && a.to_scalars()
            .into_iter()
            .zip(b.to_scalars())
            .all(|(p, q)| match (p, q) {
                (Scalar::Float64(x), Scalar::Float64(y)) => near(x, y, 1e-9),
                (Scalar::Float32(x), Scalar::Float32(y)) => near(x as f64, y as f64, 1e-5),
                // Normwise: each part within 1e-9 of the larger part (a part near zero
                // carries the other part's absolute error, as in the complex kernels'
                // bound, docs/accuracy.md).
                (Scalar::Complex128(x), Scalar::Complex128(y)) => {
                    let fin = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
                    let m = fin(x.re).max(fin(x.im));
                    [(x.re, y.re), (x.im, y.im)].iter().all(|&(u, v)| {
                        u.to_bits() == v.to_bits()
                            || (u.is_nan() && v.is_nan())
                            || (u.is_finite() && v.is_finite() && (u - v).abs() <= 1e-9 * m)
                    })
                }
                _ => p.same(q),
            })
}

/// Runs one case through the JIT and the naive evaluator; `Err` describes a mismatch
/// (beyond [`pow_close`] in expressions with `**`).
fn differential(expr: &str, inputs: &[Input], opts: &RunOptions) -> Result<(), String> {
    let Ok(compiled) = numjit::compile(expr, &signature(inputs)) else {
        return Ok(()); // ill-typed expressions are the checker's business
    };
    let p = compiled.program().clone();
    let stored: Vec<Stored> = inputs.iter().map(Stored::new).collect();
    // The program's inputs are the names it uses, in its own order.
    let views: Vec<AnyView> = p
        .inputs
        .iter()
        .map(|d| stored[d.name[1..].parse::<usize>().expect("v<k>")].view())
        .collect();
    let want = numjit::interp::eval(&p, &views);
    let exe = Executable::new(p.clone());
    let got = exe.eval(&views, opts);
    let same = match (&want, &got) {
        (Ok(a), Ok(b)) => a.same(b) || (expr.contains("**") && pow_close(a, b)),
        (Err(a), Err(b)) => a.code() == b.code() && a.labels == b.labels,
        _ => false,
    };
    if !same {
        return Err(format!(
            "JIT and naive evaluator differ\nexpected: {want:?}\n     got: {got:?}\n"
        ));
    }
    // Also into a fresh reversed `out` of the result dtype (strided stores).
    if let Ok(w) = &want {
        if !w.shape().is_empty() && !w.is_empty() {
            let mut out = Array::zeros(w.dtype(), w.shape());
            let r = {
                macro_rules! rev {
                    ($a:expr, $v:ident) => {{
                        let mut v = $a.view_mut();
                        v.slice_axis_inplace(ndarray::Axis(0), Slice::new(0, None, -1));
                        exe.eval_into(&views, numjit::AnyViewMut::$v(v), opts)
                    }};
                }
                match &mut out {
                    Array::Bool(a) => rev!(a, Bool),
                    Array::Int32(a) => rev!(a, Int32),
                    Array::Int64(a) => rev!(a, Int64),
                    Array::Float32(a) => rev!(a, Float32),
                    Array::Float64(a) => rev!(a, Float64),
                    Array::Complex128(a) => rev!(a, Complex128),
                }
            };
            r.map_err(|e| format!("eval_into failed: {e}"))?;
            macro_rules! unrev {
                ($a:expr, $v:ident) => {{
                    let mut v = $a.view();
                    v.slice_axis_inplace(ndarray::Axis(0), Slice::new(0, None, -1));
                    Array::$v(v.to_owned())
                }};
            }
            let back = match &out {
                Array::Bool(a) => unrev!(a, Bool),
                Array::Int32(a) => unrev!(a, Int32),
                Array::Int64(a) => unrev!(a, Int64),
                Array::Float32(a) => unrev!(a, Float32),
                Array::Float64(a) => unrev!(a, Float64),
                Array::Complex128(a) => unrev!(a, Complex128),
            };
            let first = got.as_ref().expect("compared above");
            if !back.same(first) {
                return Err(format!(
                    "eval_into a reversed out differs\nexpected: {w:?}\n     got: {back:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Re-runs a case from its seed: paste `repro_seed(<seed>)` into a test to debug it.
fn repro_seed(seed: u64) -> Result<(), String> {
    let (expr, inputs, opts) = gen_case(seed);
    differential(&expr, &inputs, &opts).map_err(|e| {
        format!(
            "{e}\nreproduce with: repro_seed({seed:#x})\nexpr: {expr}\noptions: {opts:?}\ninputs: {:#?}",
            inputs
        )
    })
}

fn cases() -> u32 {
    std::env::var("NUMJIT_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn jit_matches_naive_evaluator(seed in any::<u64>()) {
        if let Err(e) = repro_seed(seed) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn polynomial_every_layout_and_split() {
    let src = "((.25*x + .75)*x - 1.5)*x - 2";
    let p = program(src, &Signature::new().with("x", DType::Float64));
    let exe = Executable::new(p.clone());
    let x = ArrayD::from_shape_fn(IxDyn(&[1001]), |i| i[0] as f64 * 0.37 - 100.0);
    for threads in [1, 2, 3] {
        for block_len in [1, 7, 256, 0] {
            let opts = RunOptions {
                threads,
                block_len,
                serial_below: 1,
            };
            let v = AnyView::Float64(x.view());
            let got = exe.eval(&[v.reborrow()], &opts).unwrap();
            let want = numjit::interp::eval(&p, &[v]).unwrap();
            assert!(got.same(&want), "threads {threads} block {block_len}");
        }
    }
}

#[test]
fn in_place_and_overlapping_out() {
    let src = "x*2 + 1";
    let p = program(src, &Signature::new().with("x", DType::Float64));
    let exe = Executable::new(p);
    let mut x = ArrayD::from_shape_fn(IxDyn(&[5000]), |i| i[0] as f64);
    let want: Vec<f64> = x.iter().map(|v| v * 2.0 + 1.0).collect();
    // Exact alias: out is x itself.
    let raw = x.as_mut_ptr();
    // SAFETY (test): a second view of the same buffer, exactly aliasing `out`; the
    // JIT reads element i before writing element i, which is what this checks.
    let xin = unsafe { ndarray::ArrayViewD::from_shape_ptr(IxDyn(&[5000]), raw as *const f64) };
    exe.eval_into(
        &[AnyView::Float64(xin)],
        numjit::AnyViewMut::Float64(x.view_mut()),
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(x.as_slice().unwrap(), &want[..]);
    // Partial overlap: out = y[1..], input = y[..n-1] → computed via a temporary.
    let mut y = ArrayD::from_shape_fn(IxDyn(&[5001]), |i| i[0] as f64);
    let want: Vec<f64> = (0..5000).map(|i| i as f64 * 2.0 + 1.0).collect();
    let raw = y.as_mut_ptr();
    // SAFETY (test): views overlapping by all but one element, deliberately.
    let (inp, out) = unsafe {
        (
            ndarray::ArrayViewD::from_shape_ptr(IxDyn(&[5000]), raw as *const f64),
            ndarray::ArrayViewMutD::from_shape_ptr(IxDyn(&[5000]), raw.add(1)),
        )
    };
    exe.eval_into(
        &[AnyView::Float64(inp)],
        numjit::AnyViewMut::Float64(out),
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(&y.as_slice().unwrap()[1..], &want[..]);
}

#[test]
fn negative_int_power_is_e0501_with_span() {
    let src = "a ** b";
    let p = program(
        src,
        &Signature::new()
            .with("a", DType::Int64)
            .with("b", DType::Int64),
    );
    let a = ArrayD::from_elem(IxDyn(&[10000]), 3i64);
    let mut b = ArrayD::from_elem(IxDyn(&[10000]), 2i64);
    b[[9999]] = -1;
    let views = [AnyView::Int64(a.view()), AnyView::Int64(b.view())];
    let err = Executable::new(p.clone())
        .eval(
            &views,
            &RunOptions {
                threads: 2,
                block_len: 128,
                serial_below: 1,
            },
        )
        .unwrap_err();
    let want = numjit::interp::eval(&p, &views).unwrap_err();
    assert_eq!(err.code(), "E0501");
    assert_eq!(err, want);
}

#[test]
fn sixteen_threads_share_one_handle() {
    let src = "where(x > 0, x*x - 3, -x) / 7";
    let p = program(src, &Signature::new().with("x", DType::Float64));
    let exe = Arc::new(Executable::new(p.clone()));
    let x = Arc::new(ArrayD::from_shape_fn(IxDyn(&[3001]), |i| {
        i[0] as f64 - 1500.5
    }));
    let want = numjit::interp::eval(&p, &[AnyView::Float64(x.view())]).unwrap();
    let want = Arc::new(want);
    let handles: Vec<_> = (0..16)
        .map(|t| {
            let (exe, x, want) = (exe.clone(), x.clone(), want.clone());
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let opts = RunOptions {
                        threads: 1 + (t + i) % 3,
                        block_len: 0,
                        serial_below: 1,
                    };
                    let got = exe.eval(&[AnyView::Float64(x.view())], &opts).unwrap();
                    assert!(got.same(&want));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// Every (op, dtype) pair the op table allows compiles, for every stride class mix
/// that matters (contiguous / broadcast / strided), and runs on a few elements.
#[test]
fn every_op_and_dtype_compiles_and_matches() {
    for op in Op::ALL {
        for t in DType::ALL {
            if !op.supports(t) {
                continue;
            }
            let casts: Vec<DType> = if op == Op::Cast {
                DType::ALL.to_vec()
            } else {
                vec![op.result_dtype(t)]
            };
            for rt in casts {
                let arity = numjit::ops::arity(op);
                let mut nodes = Vec::new();
                let mut inputs = Vec::new();
                for k in 0..arity {
                    let dt = if op == Op::Where && k == 0 {
                        DType::Bool
                    } else {
                        t
                    };
                    inputs.push(numjit::ir::InputDecl {
                        name: format!("v{k}"),
                        dtype: dt,
                        span: Span::new(0, 1),
                    });
                    nodes.push(Node {
                        kind: NodeKind::Input(k as u32),
                        args: vec![],
                        dtype: dt,
                        span: Span::new(0, 1),
                    });
                }
                nodes.push(Node {
                    kind: NodeKind::Op(op),
                    args: (0..arity as u32).collect(),
                    dtype: rt,
                    span: Span::new(0, 1),
                });
                let p = Program {
                    root: arity as u32,
                    nodes,
                    inputs: inputs.clone(),
                };
                let mut r = Rng(op.code() as u64 * 31 + t as u64);
                let data: Vec<Array> = inputs
                    .iter()
                    .map(|d| {
                        let vals: Vec<Scalar> = (0..37)
                            .map(|_| match (op, d.dtype) {
                                (Op::Pow, DType::Int32) => Scalar::Int32(r.below(5) as i32),
                                (Op::Pow, DType::Int64) => Scalar::Int64(r.below(5) as i64),
                                _ => value(&mut r, d.dtype),
                            })
                            .collect();
                        make(d.dtype, &[37], &vals)
                    })
                    .collect();
                for variant in 0..4 {
                    let stored: Vec<Stored> = inputs
                        .iter()
                        .enumerate()
                        .map(|(k, d)| {
                            let values = data[k].to_scalars();
                            Stored::new(&Input {
                                dtype: d.dtype,
                                shape: vec![37],
                                layout: ((variant + k) % 4) as u8,
                                values,
                            })
                        })
                        .collect();
                    let views: Vec<AnyView> = stored.iter().map(|s| s.view()).collect();
                    let want = numjit::interp::eval(&p, &views);
                    let got = Executable::new(p.clone()).eval(&views, &RunOptions::default());
                    match (&want, &got) {
                        // The op table allows more than the evaluator implements
                        // (e.g. bool `+`, which `check` never emits): compile-only.
                        (Err(a), Ok(_)) if a.kind == numjit::ErrorKind::Internal => {}
                        (Ok(a), Ok(b)) => assert!(
                            a.same(b) || ((op == Op::Pow || op == Op::Sqrt) && pow_close(a, b)),
                            "{op:?} {t} -> {rt}: {a:?} vs {b:?}"
                        ),
                        (Err(a), Err(b)) => assert_eq!(a.code(), b.code()),
                        _ => panic!("{op:?} {t} -> {rt}: {want:?} vs {got:?}"),
                    }
                }
            }
        }
    }
}

/// Regressions found by the property test (reproduced from their seeds).
#[test]
fn found_by_proptest() {
    // Negative int exponent in an input that broadcasts into an empty result: the
    // evaluator reports E0501, so the JIT must too.
    repro_seed(0x6c07164a81e71325).unwrap();
    // Float `**`: numjit's pow kernel and libm differ by an ULP (accepted as close).
    repro_seed(17558637968243692503).unwrap();
}

/// The differential test is only as strong as its cases: most generated expressions
/// must be well typed (ill-typed ones are skipped) and actually evaluate.
#[test]
fn generated_cases_are_mostly_well_typed() {
    let (mut typed, mut nonempty) = (0, 0);
    let total = 400u64;
    for seed in 0..total {
        let (expr, inputs, _) = gen_case(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        if let Ok(c) = numjit::compile(&expr, &signature(&inputs)) {
            typed += 1;
            let stored: Vec<Stored> = inputs.iter().map(Stored::new).collect();
            let views: Vec<AnyView> = c
                .program()
                .inputs
                .iter()
                .map(|d| stored[d.name[1..].parse::<usize>().expect("v<k>")].view())
                .collect();
            if numjit::interp::eval(c.program(), &views).is_ok_and(|a| !a.is_empty()) {
                nonempty += 1;
            }
        }
    }
    eprintln!(
        "{typed} of {total} generated cases well typed, {nonempty} evaluate to a non-empty result"
    );
    assert!(
        typed * 10 >= total * 8,
        "only {typed} of {total} well typed"
    );
    assert!(
        nonempty * 10 >= total * 5,
        "only {nonempty} of {total} non-empty"
    );
}

/// Loops mixing 4- and 8-byte values run two elements per vector (4-byte values in
/// the low half, bools as 64-bit masks). Every cast and mask conversion that mode
/// has, over special values, every layout, odd lengths and several block lengths.
#[test]
fn mixed_width_loops_are_vectorised_and_match_the_evaluator() {
    let cases = [
        "a*2.5 + x",                        // int32 → float64
        "f + x",                            // float32 → float64
        "float32(x) * f",                   // float64 → float32 (rounding, overflow to inf)
        "a + b",                            // int32 → int64
        "int32(b) + a",                     // int64 → int32 (wraps)
        "where(f > 3, x, f*2)",             // float32 mask selecting float64
        "where(x > 0, f, float32(x))",      // float64 mask selecting float32
        "where(c, a, int32(b))",            // loaded bool mask selecting int32
        "float32(a > b) + f",               // bool from 8-byte compare into float32
        "(f < 1) & (x != 0) | ~c",          // masks of both widths combined
        "int64(f > 0) + b",                 // bool from 4-byte compare into int64
        "isnan(f) | isinf(x) | signbit(f)", // inline math masks of both widths
    ];
    let sig = Signature::new()
        .with("a", DType::Int32)
        .with("b", DType::Int64)
        .with("f", DType::Float32)
        .with("x", DType::Float64)
        .with("c", DType::Bool);
    let mut rng = Rng(0x5eed_0f1d_ea00_0001);
    for src in cases {
        let compiled = numjit::compile(src, &sig).unwrap_or_else(|e| panic!("{}", e.render(src)));
        let clif = compiled.explain();
        assert!(
            clif.contains("f64x2") || clif.contains("i64x2"),
            "{src}: not vectorised:\n{clif}"
        );
        let p = compiled.program().clone();
        let exe = Executable::new(p.clone());
        for len in [0usize, 1, 2, 3, 5, 8, 17, 64, 1001] {
            for layout in [0u8, 1, 2] {
                let inputs: Vec<Input> = p
                    .inputs
                    .iter()
                    .map(|d| Input {
                        dtype: d.dtype,
                        shape: vec![len],
                        layout,
                        values: (0..len).map(|_| value(&mut rng, d.dtype)).collect(),
                    })
                    .collect();
                let stored: Vec<Stored> = inputs.iter().map(Stored::new).collect();
                let views: Vec<AnyView> = stored.iter().map(|s| s.view()).collect();
                let want = numjit::interp::eval(&p, &views).unwrap();
                for block_len in [0, 3, 64] {
                    let opts = RunOptions {
                        threads: 2,
                        block_len,
                        serial_below: 1,
                    };
                    let got = exe.eval(&views, &opts).unwrap();
                    assert!(
                        got.same(&want),
                        "{src} len {len} layout {layout} block {block_len}\nwant {want:?}\n got {got:?}"
                    );
                }
            }
        }
    }
}

/// Block routines read contiguous inputs in place and, when the root is a routine, write
/// `out` directly (no copy through scratch): the results are bitwise those of the same
/// kernels through scratch (strided inputs, a cast out dtype) and within the math bound
/// of the naive evaluator, for every block length and thread count, and exact in-place
/// evaluation (`out` is the input) still reads element i before writing it.
#[test]
fn block_routines_read_inputs_in_place_and_write_out_directly() {
    let n = 5003;
    let sig = Signature::new()
        .with("x", DType::Float64)
        .with("y", DType::Float64);
    let x = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] as f64 * 0.618034) % 1.0);
    // x's values at every other element of a buffer twice as long.
    let base = ArrayD::from_shape_fn(IxDyn(&[2 * n]), |i| {
        if i[0] % 2 == 0 {
            x[[i[0] / 2]]
        } else {
            f64::NAN
        }
    });
    let xs = base.slice_axis(ndarray::Axis(0), Slice::new(0, None, 2));
    let y = ArrayD::from_shape_fn(IxDyn(&[n]), |i| 0.1 + (i[0] as f64 * 0.414214) % 1.0);
    for src in [
        "exp(x)",
        "exp(-(x - 0.5)**2 / 0.02)",
        "sin(x)**2 + cos(x)**2",
        "arctan2(x, y) + tanh(x)",
        "x ** y",
        "fmod(x, y)",
    ] {
        let p = program(src, &sig);
        let exe = Executable::new(p.clone());
        fn views<'a>(
            p: &Program,
            x: ndarray::ArrayViewD<'a, f64>,
            y: ndarray::ArrayViewD<'a, f64>,
        ) -> Vec<AnyView<'a>> {
            p.inputs
                .iter()
                .map(|d| AnyView::Float64(if d.name == "x" { x.clone() } else { y.clone() }))
                .collect()
        }
        let contiguous = views(&p, x.view(), y.view());
        // The same values through a strided view: every operand goes through scratch.
        let strided = views(&p, xs.view(), y.view());
        let want = numjit::interp::eval(&p, &contiguous).unwrap();
        let via_scratch = exe.eval(&strided, &RunOptions::default()).unwrap();
        let w = want.as_f64().unwrap();
        for (threads, block_len) in [(1, 4096), (2, 128), (2, 1000), (1, 7)] {
            let opts = RunOptions {
                threads,
                block_len,
                serial_below: 1,
            };
            let got = exe.eval(&contiguous, &opts).unwrap();
            assert!(
                got.same(&via_scratch),
                "{src}: threads {threads} block {block_len}"
            );
            for (g, v) in got.as_f64().unwrap().iter().zip(w.iter()) {
                let d = (g.to_bits() as i64 - v.to_bits() as i64).unsigned_abs();
                assert!(
                    d <= 4 || (g.is_nan() && v.is_nan()),
                    "{src}: {g:e} vs {v:e}"
                );
            }
            // Into a float32 `out`: the root's value is cast, so it goes through scratch.
            let mut o32 = ArrayD::<f32>::zeros(IxDyn(&[n]));
            exe.eval_into(
                &contiguous,
                numjit::AnyViewMut::Float32(o32.view_mut()),
                &opts,
            )
            .unwrap();
            let want32: Vec<f32> = via_scratch
                .as_f64()
                .unwrap()
                .iter()
                .map(|&v| v as f32)
                .collect();
            assert_eq!(o32.as_slice().unwrap(), &want32[..], "{src} into float32");
        }
        // Exact in place: `out` is `x` itself.
        let mut xin = x.clone();
        let raw = xin.as_mut_ptr();
        // SAFETY (test): a second view of the same buffer, exactly aliasing `out`.
        let alias = unsafe { ndarray::ArrayViewD::from_shape_ptr(IxDyn(&[n]), raw as *const f64) };
        exe.eval_into(
            &views(&p, alias, y.view()),
            numjit::AnyViewMut::Float64(xin.view_mut()),
            &RunOptions {
                threads: 2,
                block_len: 256,
                serial_below: 1,
            },
        )
        .unwrap();
        assert!(
            Array::Float64(xin).same(&via_scratch),
            "{src} evaluated in place"
        );
    }
}
