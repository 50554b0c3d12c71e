//! Integration tests of reductions: a differential property test of the JIT against
//! the naive evaluator (bitwise) over random bodies, dtypes, shapes (empty and size-1
//! dims included), layouts, axes, thread counts and block lengths; independence from
//! the split on large inputs; the documented error bound of float sums; result dtypes;
//! and snapshots of the reduction errors. NumPy's own values are in the corpus.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use num_complex::Complex64;
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, Array, DType, Signature, Vars};
use proptest::prelude::*;

/// Storage for one input and the layout it is viewed with.
#[derive(Clone, Debug)]
struct Input {
    arr: Array,
    /// 0 as is, 1 every axis reversed, 2 transposed, 3 every other element of the last axis.
    layout: u8,
}

impl Input {
    fn view(&self) -> AnyView<'_> {
        macro_rules! lay {
            ($a:expr, $v:ident) => {{
                let mut a = $a.view();
                match self.layout {
                    1 => {
                        for d in 0..a.ndim() {
                            a.slice_axis_inplace(Axis(d), Slice::new(0, None, -1));
                        }
                    }
                    2 => a = a.reversed_axes(),
                    3 if a.ndim() > 0 => {
                        let last = a.ndim() - 1;
                        a.slice_axis_inplace(Axis(last), Slice::new(0, None, 2));
                    }
                    _ => {}
                }
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

/// A value for element `i` drawn from `seed`: mostly ordinary numbers, sometimes the
/// special ones (NaN, ±inf, ±0, extremes).
fn element(seed: u64, i: usize) -> (f64, i64) {
    let mut z = seed ^ (i as u64).wrapping_mul(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58476D1CE4E5B9);
    z ^= z >> 29;
    let f = match z % 41 {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => -0.0,
        3 => 0.0,
        4 => 1e300,
        _ => ((z >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 20.0,
    };
    let i = match z % 37 {
        0 => i64::MAX,
        1 => i64::MIN,
        2 => i32::MAX as i64,
        _ => (z >> 40) as i64 % 19 - 9,
    };
    (f, i)
}

fn make(t: DType, shape: &[usize], seed: u64) -> Array {
    let n: usize = shape.iter().product();
    let sh = IxDyn(shape);
    let vals: Vec<(f64, i64)> = (0..n).map(|i| element(seed, i)).collect();
    fn arr<T>(sh: &IxDyn, v: Vec<T>) -> ArrayD<T> {
        ArrayD::from_shape_vec(sh.clone(), v).expect("shape")
    }
    match t {
        DType::Bool => Array::Bool(arr(&sh, vals.iter().map(|v| v.1 % 3 == 0).collect())),
        DType::Int32 => Array::Int32(arr(&sh, vals.iter().map(|v| v.1 as i32).collect())),
        DType::Int64 => Array::Int64(arr(&sh, vals.iter().map(|v| v.1).collect())),
        DType::Float32 => Array::Float32(arr(&sh, vals.iter().map(|v| v.0 as f32).collect())),
        DType::Float64 => Array::Float64(arr(&sh, vals.iter().map(|v| v.0).collect())),
        DType::Complex128 => Array::Complex128(arr(
            &sh,
            vals.iter()
                .map(|v| Complex64::new(v.0, v.1 as f64 * 0.5))
                .collect(),
        )),
    }
}

const BODIES: &[&str] = &[
    "x",
    "x**2",
    "x * y",
    "x + y",
    "abs(x) - y",
    "where(x > 0, x, y)",
    "x == y",
];
const REDUCTIONS: &[&str] = &["sum", "prod", "min", "max", "mean", "any", "all"];
const WRAPPERS: &[&str] = &["{r}", "x - {r}", "{r} * 2", "{r} + {r2}"];

#[derive(Clone, Debug)]
struct Case {
    expr: String,
    x: Input,
    y: Input,
    opts: RunOptions,
}

fn arb_case() -> impl Strategy<Value = Case> {
    let dim = prop_oneof![
        3 => 0usize..=6,
        1 => Just(1usize),
        1 => Just(0usize),
        1 => 100usize..=700,
    ];
    (
        prop::collection::vec(dim, 0..=3),
        prop::sample::select(DType::ALL.to_vec()),
        prop::sample::select(DType::ALL.to_vec()),
        (0u8..4, 0u8..4, any::<u64>(), 0usize..3),
        (
            prop::sample::select(BODIES),
            prop::sample::select(REDUCTIONS),
            prop::sample::select(REDUCTIONS),
            prop::sample::select(WRAPPERS),
            -4i64..4,
            0u8..8,
        ),
        (
            1usize..=4,
            prop::sample::select(vec![0usize, 1, 3, 128, 200, 4096]),
            0usize..2,
        ),
    )
        .prop_map(
            |(
                mut shape,
                tx,
                ty,
                (lx, ly, seed, ydrop),
                (body, r1, r2, wrap, axis, axis_kind),
                (threads, block_len, serial),
            )| {
                while shape.iter().product::<usize>() > 4000 {
                    let k = shape.iter().position(|&d| d > 6).unwrap_or(0);
                    shape[k] = (shape[k] / 4).max(1);
                }
                // The layout changes how the stored array maps to the view's shape, so
                // store the transpose (or twice the last axis) for those layouts.
                let stored = |layout: u8, shape: &[usize]| -> Vec<usize> {
                    match layout {
                        2 => shape.iter().rev().copied().collect(),
                        3 => {
                            let mut s = shape.to_vec();
                            if let Some(l) = s.last_mut() {
                                *l *= 2;
                            }
                            s
                        }
                        _ => shape.to_vec(),
                    }
                };
                let yshape = &shape[ydrop.min(shape.len())..];
                let x = Input {
                    arr: make(tx, &stored(lx, &shape), seed),
                    layout: lx,
                };
                let y = Input {
                    arr: make(ty, &stored(ly, yshape), seed.rotate_left(17)),
                    layout: ly,
                };
                let call = |r: &str| match axis_kind {
                    0 => format!("{r}({body})"),
                    3 => format!("{r}({body}, axis={axis}, keepdims=True)"),
                    4 => format!("{r}({body}, axis=None)"),
                    5 => format!("{r}({body}, keepdims=True)"),
                    // Axis tuples (duplicates and out-of-range entries included: both
                    // engines must then report the same error).
                    6 => format!("{r}({body}, axis=({axis}, {}))", (seed % 8) as i64 - 4),
                    7 => format!(
                        "{r}({body}, axis=({axis}, {}, {}), keepdims=True)",
                        (seed >> 3) % 3,
                        -1 - ((seed >> 5) % 3) as i64
                    ),
                    _ => format!("{r}({body}, axis={axis})"),
                };
                let expr = wrap.replace("{r}", &call(r1)).replace("{r2}", &call(r2));
                Case {
                    expr,
                    x,
                    y,
                    opts: RunOptions {
                        threads,
                        block_len,
                        serial_below: serial,
                    },
                }
            },
        )
}

/// JIT vs naive evaluator on one case; `Err` describes a mismatch.
fn differential(c: &Case) -> Result<(), String> {
    let (xv, yv) = (c.x.view(), c.y.view());
    let sig = Signature::new().with("x", xv.dtype()).with("y", yv.dtype());
    let Ok(compiled) = numjit::compile(&c.expr, &sig) else {
        return Ok(()); // ill-typed (e.g. `-` on bool): the checker's business
    };
    let p = compiled.program().clone();
    let views: Vec<AnyView> = p
        .inputs
        .iter()
        .map(|d| {
            if d.name == "x" {
                xv.reborrow()
            } else {
                yv.reborrow()
            }
        })
        .collect();
    let want = numjit::interp::eval(&p, &views);
    let got = Executable::new(p.clone()).eval(&views, &c.opts);
    let same = match (&want, &got) {
        (Ok(a), Ok(b)) => a.same(b),
        (Err(a), Err(b)) => a.code() == b.code() && a.labels == b.labels,
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(format!("{}\nexpected: {want:?}\n     got: {got:?}", c.expr))
    }
}

fn cases() -> u32 {
    std::env::var("NUMJIT_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn jit_reductions_equal_the_evaluator_bitwise(c in arb_case()) {
        differential(&c).map_err(TestCaseError::fail)?;
    }
}

/// Big enough to split the tree across threads and blocks many ways.
#[test]
fn large_reductions_do_not_depend_on_threads_or_blocks() {
    let n = 300_001;
    let x = make(DType::Float64, &[n], 7);
    let Array::Float64(xs) = &x else {
        unreachable!()
    };
    let xs = xs.mapv(|v| {
        if v.is_finite() && v.abs() < 1e10 {
            v
        } else {
            0.5
        }
    });
    let m = xs
        .slice(ndarray::s![..300_000])
        .to_owned()
        .into_shape_with_order((600, 500))
        .expect("shape");
    for expr in ["sum(x**2)", "prod(x / 4 + 1)", "max(x)", "mean(x)"] {
        let f = numjit::compile(expr, &Signature::new().with("x", DType::Float64)).unwrap();
        let views = [AnyView::Float64(xs.view().into_dyn())];
        let want = numjit::interp::eval(f.program(), &views).unwrap();
        for threads in [1, 2, 3] {
            for block_len in [0, 128, 1000, 100_000] {
                let opts = RunOptions {
                    threads,
                    block_len,
                    serial_below: 1,
                };
                let got = Executable::new(f.program().clone())
                    .eval(&views, &opts)
                    .unwrap();
                assert!(got.same(&want), "{expr} {opts:?}: {got:?} vs {want:?}");
            }
        }
    }
    for expr in ["sum(x, axis=0)", "sum(x * 2, axis=1)", "min(x, axis=-1)"] {
        let f = numjit::compile(expr, &Signature::new().with("x", DType::Float64)).unwrap();
        for view in [m.view(), m.t()] {
            let views = [AnyView::Float64(view.into_dyn())];
            let want = numjit::interp::eval(f.program(), &views).unwrap();
            for threads in [1, 2, 4] {
                let opts = RunOptions {
                    threads,
                    block_len: 256,
                    serial_below: 1,
                };
                let got = Executable::new(f.program().clone())
                    .eval(&views, &opts)
                    .unwrap();
                assert!(got.same(&want), "{expr} {opts:?}");
            }
        }
    }
}

/// The documented bound (docs/semantics.md): |sum - exact| <= (25 + ceil(log2(n/128)))
/// * eps/2 * sum(|x|), checked against a compensated (Neumaier) reference.
#[test]
fn float_sums_stay_within_the_documented_error_bound() {
    for n in [10usize, 1000, 123_457, 1_000_000] {
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let (f, _) = element(99, i);
                if f.is_finite() && f.abs() < 1e10 {
                    f * 1e3 + 1.0
                } else {
                    0.25
                }
            })
            .collect();
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &v in &x {
            let t = s + v;
            c += if s.abs() >= v.abs() {
                (s - t) + v
            } else {
                (v - t) + s
            };
            s = t;
        }
        let exact = s + c;
        let abs_sum: f64 = x.iter().map(|v| v.abs()).sum();
        let a = ndarray::Array1::from(x);
        let mut vars = Vars::new();
        vars.insert("x", &a);
        let got = numjit::evaluate("sum(x)", &vars).unwrap();
        let got = got.as_f64().unwrap().first().copied().unwrap();
        let levels = (n as f64 / 128.0).log2().ceil().max(0.0);
        let bound = (25.0 + levels) * f64::EPSILON / 2.0 * abs_sum;
        assert!(
            (got - exact).abs() <= bound,
            "n={n}: error {} > bound {bound}",
            (got - exact).abs()
        );
    }
}

#[test]
fn result_dtypes_follow_numpy() {
    use DType::*;
    let cases = [
        ("sum", Bool, Int64),
        ("sum", Int32, Int64),
        ("sum", Float32, Float32),
        ("sum", Complex128, Complex128),
        ("prod", Int32, Int64),
        ("min", Int32, Int32),
        ("max", Bool, Bool),
        ("mean", Int32, Float64),
        ("mean", Bool, Float64),
        ("mean", Float32, Float32),
        ("any", Float64, Bool),
        ("all", Complex128, Bool),
    ];
    for (f, t, want) in cases {
        let c = numjit::compile(&format!("{f}(x)"), &Signature::new().with("x", t)).unwrap();
        assert_eq!(c.dtype(), want, "{f}({t})");
    }
}

#[test]
fn reduction_errors() {
    let x = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
    let e = ndarray::Array2::<f64>::zeros((0, 2));
    let z = ndarray::array![Complex64::new(1.0, 0.0)];
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("e", &e).insert("z", &z);
    let mut all = String::new();
    for (src, code) in [
        ("sum(x, axis=2)", "E0410"),
        ("x + mean(x, axis=-3)", "E0410"),
        ("max(e)", "E0411"),
        ("min(e * 2, axis=0)", "E0411"),
        ("sum(x, axis=1.5)", "E0310"),
        ("sum(x, axis=x)", "E0310"),
        ("sum(x, axes=0)", "E0210"),
        ("sum(x, keepdim=True)", "E0210"),
        ("sum(x, keepdims=1)", "E0310"),
        ("sum(x, axis=None, keepdims=x)", "E0310"),
        ("sqrt(x, axis=0)", "E0210"),
        ("sum(x, 1)", "E0203"),
        ("max(z)", "E0301"),
    ] {
        let err = numjit::evaluate(src, &vars).unwrap_err();
        assert_eq!(err.code(), code, "{src}");
        // The naive evaluator reports the same error.
        let naive = numjit::compile(src, &Signature::of(&vars)).and_then(|c| c.run_naive(&vars));
        assert_eq!(naive.unwrap_err().code(), code, "{src}");
        all.push_str(&format!("--- {src}\n{}\n", err.render(src)));
    }
    insta::assert_snapshot!("reduction_errors", all);
}

/// `keepdims=True` keeps the reduced axes with length 1, so the result broadcasts back
/// against the operand; `axis=None` is the same as no `axis`.
#[test]
fn keepdims_and_axis_none() {
    let x = ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 9.0]];
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let sig = Signature::of(&vars);
    let check = |src: &str, shape: &[usize], want: &[f64]| {
        let c = numjit::compile(src, &sig).unwrap();
        let naive = c.run_naive(&vars).unwrap();
        for threads in [1, 2, 3] {
            let opts = RunOptions {
                threads,
                block_len: 1,
                serial_below: 0,
            };
            let got = Executable::new(c.program().clone())
                .eval(&[AnyView::Float64(x.view().into_dyn())], &opts)
                .unwrap();
            assert!(got.same(&naive), "{src} {opts:?}: {got:?} vs {naive:?}");
        }
        let got = numjit::evaluate(src, &vars).unwrap();
        assert_eq!(got.shape(), shape, "{src}");
        let Array::Float64(a) = got else {
            panic!("{src}: not float64")
        };
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), want, "{src}");
    };
    check(
        "x - mean(x, axis=1, keepdims=True)",
        &[2, 3],
        &[-1.0, 0.0, 1.0, -2.0, -1.0, 3.0],
    );
    check(
        "x / max(x, axis=0, keepdims=True)",
        &[2, 3],
        &[0.25, 0.4, 1.0 / 3.0, 1.0, 1.0, 1.0],
    );
    check("sum(x, keepdims=True)", &[1, 1], &[24.0]);
    check("sum(x, axis=None, keepdims=True)", &[1, 1], &[24.0]);
    check("sum(x, axis=None)", &[], &[24.0]);
    check("sum(x, axis=-1, keepdims=False)", &[2], &[6.0, 18.0]);
    check(
        "min(x * 2, axis=0, keepdims=True)",
        &[1, 3],
        &[2.0, 4.0, 6.0],
    );
    // Empty operands: NumPy's identities, with the kept axis.
    let e = ndarray::Array2::<f64>::zeros((0, 3));
    let mut ev = Vars::new();
    ev.insert("e", &e);
    let s = numjit::evaluate("sum(e, axis=0, keepdims=True)", &ev).unwrap();
    assert_eq!(s.shape(), &[1, 3]);
    let p = numjit::evaluate("prod(e, keepdims=True)", &ev).unwrap();
    assert_eq!(
        p.as_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        vec![1.0]
    );
    let m = numjit::evaluate("mean(e, axis=1, keepdims=True)", &ev).unwrap();
    assert_eq!(m.shape(), &[0, 1]);
    assert_eq!(
        numjit::evaluate("max(e, keepdims=True)", &ev)
            .unwrap_err()
            .code(),
        "E0411"
    );
}

#[test]
fn into_out_and_explain() {
    let x = ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let mut out = ndarray::Array1::<f32>::zeros(2);
    numjit::evaluate_into("sum(x, axis=1)", &vars, &mut out).unwrap();
    assert_eq!(out.to_vec(), vec![6.0f32, 15.0]);
    let mut wrong = ndarray::Array1::<f64>::zeros(3);
    let e = numjit::evaluate_into("sum(x, axis=1)", &vars, &mut wrong).unwrap_err();
    assert_eq!(e.code(), "E0402");
    // A reduction inside an expression, into `out`.
    let mut y = ndarray::Array2::<f64>::zeros((2, 3));
    numjit::evaluate_into("x / max(x)", &vars, &mut y).unwrap();
    assert_eq!(y.row(1).to_vec(), vec![4.0 / 6.0, 5.0 / 6.0, 1.0]);
    let c = numjit::compile("x - sum(x)", &Signature::of(&vars)).unwrap();
    let text = format!("{}", c.program());
    assert!(text.contains("sum.float64"), "{text}");
    let explained = c.explain();
    assert!(explained.contains("; stage 0: body of sum"), "{explained}");
    assert!(explained.contains("; stage 1: result"), "{explained}");
    assert!(explained.contains("fsub"), "{explained}");
}

/// `axis=(…)` tuples: NumPy's values (`np.arange(24).reshape(2, 3, 4)`), negative
/// entries, `keepdims`, every engine, thread count and block length alike.
#[test]
fn axis_tuples() {
    let x = ndarray::Array::from_shape_fn((2, 3, 4), |(i, j, k)| (12 * i + 4 * j + k) as f64);
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let sig = Signature::of(&vars);
    for (src, shape, want) in [
        ("sum(x, axis=(0, 2))", vec![3], vec![60.0, 92.0, 124.0]),
        ("sum(x, axis=(-1, 0))", vec![3], vec![60.0, 92.0, 124.0]),
        (
            "max(x, axis=(2,))",
            vec![2, 3],
            vec![3.0, 7.0, 11.0, 15.0, 19.0, 23.0],
        ),
        (
            "min(x, axis=(0, 1), keepdims=True)",
            vec![1, 1, 4],
            vec![0.0, 1.0, 2.0, 3.0],
        ),
        ("sum(x, axis=(0, 1, 2))", vec![], vec![276.0]),
        ("mean(x, axis=(1, 2))", vec![2], vec![5.5, 17.5]),
        ("x - mean(x, axis=(0, 2), keepdims=True)", vec![2, 3, 4], {
            let m = [7.5, 11.5, 15.5];
            x.indexed_iter().map(|((_, j, _), v)| v - m[j]).collect()
        }),
    ] {
        let c = numjit::compile(src, &sig).unwrap();
        let naive = c.run_naive(&vars).unwrap();
        for threads in [1, 2] {
            for block_len in [1, 0] {
                let opts = RunOptions {
                    threads,
                    block_len,
                    serial_below: 1,
                };
                let got = Executable::new(c.program().clone())
                    .eval(&[AnyView::Float64(x.view().into_dyn())], &opts)
                    .unwrap();
                assert!(got.same(&naive), "{src} {opts:?}: {got:?} vs {naive:?}");
            }
        }
        assert_eq!(naive.shape(), shape.as_slice(), "{src}");
        let Array::Float64(a) = naive else {
            panic!("{src}: not float64")
        };
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), want, "{src}");
    }
}

/// The errors of `axis=` tuples, the same from both engines.
#[test]
fn axis_tuple_errors() {
    let x = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
    let mut vars = Vars::new();
    vars.insert("x", &x);
    let mut all = String::new();
    for (src, code) in [
        ("sum(x, axis=(0, 0))", "E0311"),
        ("sum(x, axis=(1, -1))", "E0311"),
        ("max(x, axis=(0, 2))", "E0410"),
        ("sum(x, axis=(0, -3))", "E0410"),
        ("sum(x, axis=(0, 1.5))", "E0310"),
        ("sum(x, keepdims=(0, 1))", "E0310"),
    ] {
        let err = numjit::evaluate(src, &vars).unwrap_err();
        assert_eq!(err.code(), code, "{src}");
        let naive = numjit::compile(src, &Signature::of(&vars)).and_then(|c| c.run_naive(&vars));
        assert_eq!(naive.unwrap_err().code(), code, "{src}");
        all.push_str(&format!("--- {src}\n{}\n", err.render(src)));
    }
    insta::assert_snapshot!("axis_tuple_errors", all);
}
