//! Integration tests of the math functions: NumPy's typing rules and special values,
//! the JIT against the naive evaluator (libm) for every function and dtype within the
//! documented ULP bound (docs/accuracy.md), and bitwise independence of block length and
//! thread count. The accuracy against MPFR itself is measured by `tools/ulp`.

use ndarray::{Array1, ArrayD, IxDyn};
use numjit::exec::{Executable, RunOptions};
use numjit::math::{Math, Rule};
use numjit::{AnyView, Array, DType, Signature, Vars};

/// Largest distance in ULP the JIT may be from the naive evaluator (std/libm): the
/// sum of both engines' bounds against the correctly rounded result (≤ 1 ULP for
/// numjit's kernels; glibc's and Rust std's measured maxima are in docs/accuracy.md).
fn bound(f: Math) -> u64 {
    if f.is_approximate() {
        4
    } else {
        0
    }
}

/// Distance in ULP between two floats of one type; NaN is equal only to NaN.
fn ulps64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    let ord = |x: f64| {
        let i = x.to_bits() as i64;
        if i < 0 {
            i64::MIN.wrapping_sub(i)
        } else {
            i
        }
    };
    ord(a).abs_diff(ord(b))
}

fn ulps32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    let ord = |x: f32| {
        let i = x.to_bits() as i32;
        (if i < 0 { i32::MIN.wrapping_sub(i) } else { i }) as i64
    };
    ord(a).abs_diff(ord(b))
}

/// Worst ULP distance between two float arrays of the same dtype.
fn max_ulps(a: &Array, b: &Array) -> u64 {
    match (a, b) {
        (Array::Float64(x), Array::Float64(y)) => x
            .iter()
            .zip(y.iter())
            .map(|(&p, &q)| ulps64(p, q))
            .max()
            .unwrap_or(0),
        (Array::Float32(x), Array::Float32(y)) => x
            .iter()
            .zip(y.iter())
            .map(|(&p, &q)| ulps32(p, q))
            .max()
            .unwrap_or(0),
        _ => {
            if a.same(b) {
                0
            } else {
                u64::MAX
            }
        }
    }
}

/// Tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 29)).wrapping_mul(0xbf58476d1ce4e5b9) ^ (x >> 32)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Special values every function sees.
const SPECIAL: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    1e-300,
    f64::MAX,
    -f64::MAX,
    1e-8,
    std::f64::consts::PI,
    std::f64::consts::FRAC_PI_2,
    -std::f64::consts::FRAC_PI_4,
    709.78,
    -745.1,
    710.0,
    88.7,
    -103.9,
    1e6,
    1e15,
    1e22,
    3.0e38,
    1.0e-40,
    2.5,
    3.5,
    0.999999,
    1.000001,
];

/// Special values plus random values: uniform in [-4, 4], and random sign and
/// magnitude 2^[-60, 60] (plus some in [-1, 1] and [1, 3]), `n` in all.
fn values(r: &mut Rng, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = SPECIAL.to_vec();
    while v.len() < n {
        let u = r.unit();
        let x = match r.next() % 4 {
            0 => 8.0 * u - 4.0,
            1 => 2.0 * u - 1.0,
            2 => 1.0 + 2.0 * u,
            _ => {
                let e = (r.next() % 121) as i32 - 60;
                (1.0 + u) * 2f64.powi(e)
            }
        };
        v.push(if r.next().is_multiple_of(2) { x } else { -x });
    }
    v
}

fn array(t: DType, v: &[f64]) -> Array {
    let shape = IxDyn(&[v.len()]);
    match t {
        DType::Float32 => Array::Float32(
            ArrayD::from_shape_vec(shape, v.iter().map(|&x| x as f32).collect()).unwrap(),
        ),
        DType::Int32 => Array::Int32(
            ArrayD::from_shape_vec(shape, v.iter().map(|&x| (x * 1000.0) as i32).collect())
                .unwrap(),
        ),
        DType::Int64 => Array::Int64(
            ArrayD::from_shape_vec(shape, v.iter().map(|&x| (x * 1e6) as i64).collect()).unwrap(),
        ),
        DType::Bool => Array::Bool(
            ArrayD::from_shape_vec(shape, v.iter().map(|&x| x > 0.5).collect()).unwrap(),
        ),
        _ => Array::Float64(ArrayD::from_shape_vec(shape, v.to_vec()).unwrap()),
    }
}

const OPTIONS: [RunOptions; 4] = [
    RunOptions {
        threads: 1,
        block_len: 0,
        serial_below: 0,
    },
    RunOptions {
        threads: 1,
        block_len: 3,
        serial_below: 1,
    },
    RunOptions {
        threads: 3,
        block_len: 64,
        serial_below: 1,
    },
    RunOptions {
        threads: 2,
        block_len: 1,
        serial_below: 1,
    },
];

/// Runs `src` over `a` (and `b`) through both engines; checks the bound, and that every
/// block length and thread count gives bitwise the same JIT result.
fn check(src: &str, f: Math, inputs: &[(&str, &Array)]) {
    let sig = inputs
        .iter()
        .fold(Signature::new(), |s, (n, a)| s.with(n, a.dtype()));
    let compiled = numjit::compile(src, &sig).unwrap_or_else(|e| panic!("{}", e.render(src)));
    let p = compiled.program().clone();
    let views: Vec<AnyView> = p
        .inputs
        .iter()
        .map(|d| {
            inputs
                .iter()
                .find(|(n, _)| *n == d.name)
                .expect("input")
                .1
                .view()
        })
        .collect();
    let want = numjit::interp::eval(&p, &views).unwrap();
    let exe = Executable::new(p.clone());
    let first = exe.eval(&views, &OPTIONS[0]).unwrap();
    let d = max_ulps(&want, &first);
    assert!(
        d <= bound(f),
        "{src} ({:?}): JIT is {d} ULP from the naive evaluator (bound {})",
        inputs.iter().map(|i| i.1.dtype()).collect::<Vec<_>>(),
        bound(f)
    );
    for o in &OPTIONS[1..] {
        let again = exe.eval(&views, o).unwrap();
        assert!(again.same(&first), "{src}: result depends on {o:?}");
    }
}

#[test]
fn every_function_and_dtype_matches_the_naive_evaluator() {
    let mut r = Rng(7);
    let xs = values(&mut r, 3000);
    let mut ys = values(&mut r, 3000);
    ys.reverse();
    for f in Math::all() {
        for t in [DType::Float64, DType::Float32, DType::Int32, DType::Bool] {
            let a = array(t, &xs);
            let b = array(t, &ys);
            let src = if f.arity() == 1 {
                format!("{}(a)", f.name())
            } else {
                format!("{}(a, b)", f.name())
            };
            let sig = Signature::new().with("a", t).with("b", t);
            if numjit::compile(&src, &sig).is_err() {
                // Refused dtypes (e.g. `sign(bool)`) are tested in `numpy_types`.
                assert!(matches!(f.rule(), Rule::Sign | Rule::Numeric2) && t == DType::Bool);
                continue;
            }
            check(&src, f, &[("a", &a), ("b", &b)]);
            // Fused with arithmetic (exact scalings, so no cancellation magnifies an ULP),
            // and with a broadcast scalar operand.
            if f.arity() == 2 {
                check(&format!("{}(a * 0.5, 1.5) * 2", f.name()), f, &[("a", &a)]);
            } else if f.rule() != Rule::Predicate {
                check(&format!("{}(a * 0.5) * 2", f.name()), f, &[("a", &a)]);
            }
        }
    }
}

/// Evaluates `src` with float64 `x` and float32 `y`, int32 `i`, bool `b`.
fn eval(src: &str) -> Array {
    let x = Array1::from(vec![-1.5f64, -0.0, 0.5, 2.5, f64::NAN]);
    let y = Array1::from(vec![-1.5f32, -0.0, 0.5, 2.5, f32::NAN]);
    let i = Array1::from(vec![-7i32, 0, 5, 15, 25]);
    let b = Array1::from(vec![true, false, true, false, true]);
    let mut vars = Vars::new();
    vars.insert("x", &x)
        .insert("y", &y)
        .insert("i", &i)
        .insert("b", &b);
    numjit::evaluate(src, &vars).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

fn f64s(a: &Array) -> Vec<f64> {
    a.as_f64().unwrap().iter().copied().collect()
}

#[test]
fn numpy_types() {
    for (src, t) in [
        ("sin(x)", DType::Float64),
        ("sin(y)", DType::Float32),
        ("sin(i)", DType::Float64),
        ("sin(b)", DType::Float32),
        ("ceil(i)", DType::Int32),
        ("floor(b)", DType::Bool),
        ("rint(i)", DType::Float64),
        ("round(i)", DType::Int32),
        ("round(i, -1)", DType::Int32),
        ("round(y, 1)", DType::Float32),
        ("sign(i)", DType::Int32),
        ("isnan(i)", DType::Bool),
        ("signbit(y)", DType::Bool),
        ("fmod(i, i)", DType::Int32),
        ("maximum(b, b)", DType::Bool),
        ("maximum(y, 2.0)", DType::Float32),
        ("maximum(y, i)", DType::Float64),
        ("arctan2(i, i)", DType::Float64),
        ("hypot(y, 2)", DType::Float32),
        ("copysign(y, x)", DType::Float64),
        ("sin(2.0)", DType::Float64),
    ] {
        assert_eq!(eval(src).dtype(), t, "{src}");
    }
    let sig = Signature::new()
        .with("b", DType::Bool)
        .with("z", DType::Complex128);
    for src in [
        "sign(b)",
        "fmod(b, b)",
        "cbrt(z)",
        "signbit(z)",
        "maximum(z, z)",
    ] {
        let e = numjit::compile(src, &sig).expect_err(src);
        assert_eq!(e.code(), "E0301", "{src}");
    }
}

#[test]
fn numpy_values() {
    let nan = f64::NAN;
    let same = |a: Vec<f64>, b: &[f64]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(p, q)| (p.is_nan() && q.is_nan()) || p.to_bits() == q.to_bits())
    };
    // Values printed by NumPy 2.4 for x = [-1.5, -0.0, 0.5, 2.5, nan].
    for (src, want) in [
        ("sign(x)", vec![-1.0, 0.0, 1.0, 1.0, nan]),
        ("round(x)", vec![-2.0, -0.0, 0.0, 2.0, nan]),
        ("rint(x + 1)", vec![-0.0, 1.0, 2.0, 4.0, nan]),
        ("maximum(x, 0.0)", vec![0.0, 0.0, 0.5, 2.5, nan]),
        ("minimum(0.0, x)", vec![-1.5, -0.0, 0.0, 0.0, nan]),
        ("fmod(x, -1.0)", vec![-0.5, -0.0, 0.5, 0.5, nan]),
        ("copysign(1.0, x)", vec![-1.0, -1.0, 1.0, 1.0, 1.0]),
        ("ceil(x)", vec![-1.0, -0.0, 1.0, 3.0, nan]),
        ("trunc(x)", vec![-1.0, -0.0, 0.0, 2.0, nan]),
        ("round(x * 3.14159, 2)", vec![-4.71, -0.0, 1.57, 7.85, nan]),
        (
            "arctan2(-0.0, -1.0 + x * 0)",
            vec![
                -std::f64::consts::PI,
                -std::f64::consts::PI,
                -std::f64::consts::PI,
                -std::f64::consts::PI,
                nan,
            ],
        ),
        (
            "exp(-x * x) * 0 + exp(x * 0)",
            vec![1.0, 1.0, 1.0, 1.0, nan],
        ),
        (
            "log(x)",
            vec![
                nan,
                f64::NEG_INFINITY,
                -std::f64::consts::LN_2,
                2.5f64.ln(),
                nan,
            ],
        ),
        (
            "nextafter(x, 0)",
            vec![
                -1.4999999999999998,
                0.0,
                0.49999999999999994,
                2.4999999999999996,
                nan,
            ],
        ),
    ] {
        let got = f64s(&eval(src));
        assert!(same(got.clone(), &want), "{src}: {got:?} vs {want:?}");
    }
    let b: Vec<bool> = eval("isinf(x * 1e308 * 10) | isnan(x)")
        .into_bool()
        .unwrap()
        .iter()
        .copied()
        .collect();
    assert_eq!(b, [true, false, true, true, true]);
    let i: Vec<i32> = eval("round(i, -1)")
        .into_i32()
        .unwrap()
        .iter()
        .copied()
        .collect();
    assert_eq!(i, [-10, 0, 0, 20, 20]);
    let i: Vec<i32> = eval("sign(i) + fmod(i, 4)")
        .into_i32()
        .unwrap()
        .iter()
        .copied()
        .collect();
    assert_eq!(i, [-4, 0, 2, 4, 2]);
}

#[test]
fn function_errors() {
    let sig = Signature::new().with("x", DType::Float64);
    let e = numjit::compile("arctan(x, x)", &sig).unwrap_err();
    assert_eq!(e.code(), "E0203");
    let e = numjit::compile("arctan2(x)", &sig).unwrap_err();
    assert!(e.render("arctan2(x)").contains("arctan2(x, y)"));
    let e = numjit::compile("hypt(x, x)", &sig).unwrap_err();
    assert_eq!(e.code(), "E0202");
    assert!(e.render("hypt(x, x)").contains("did you mean `hypot`?"));
    let e = numjit::compile("round(x, x)", &sig).unwrap_err();
    assert_eq!(e.code(), "E0301");
    let e = numjit::compile("round(x, 1, 2)", &sig).unwrap_err();
    assert_eq!(e.code(), "E0203");
}

/// IEEE/C99 special values of the `logexp` vector kernels (expm1 log1p log2 log10 sinh
/// cosh nextafter), through the JIT, compared bitwise (NaN only to NaN).
#[test]
fn logexp_kernels_special_values() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    let x = Array1::from(vec![
        -0.0, 0.0, inf, -inf, nan, -1.0, -2.0, 8.0, 1000.0, 711.0, -711.0, 5e-324, 1.0,
    ]);
    let y = Array1::from(vec![
        1.0, -1.0, 0.0, 0.0, 1.0, -1.0, -2.0, inf, -inf, 711.0, 0.0, -1.0, nan,
    ]);
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("y", &y);
    let run = |src: &str| -> Vec<f64> {
        let a = numjit::evaluate(src, &vars).unwrap_or_else(|e| panic!("{}", e.render(src)));
        f64s(&a)
    };
    let m = f64::MAX;
    let d = 5e-324;
    for (src, want) in [
        (
            "expm1(x)",
            vec![
                -0.0,
                0.0,
                inf,
                -1.0,
                nan,
                -0.6321205588285577,
                -0.8646647167633873,
                2979.9579870417283,
                inf,
                inf,
                -1.0,
                d,
                1.7182818284590453,
            ],
        ),
        (
            "log1p(x)",
            vec![
                -0.0,
                0.0,
                inf,
                nan,
                nan,
                -inf,
                nan,
                2.1972245773362196,
                6.90875477931522,
                6.568077911411976,
                nan,
                d,
                std::f64::consts::LN_2,
            ],
        ),
        (
            "log2(x)",
            vec![
                -inf,
                -inf,
                inf,
                nan,
                nan,
                nan,
                nan,
                3.0,
                9.965784284662087,
                9.473705749619416,
                nan,
                -1074.0,
                0.0,
            ],
        ),
        (
            "log10(x)",
            vec![
                -inf,
                -inf,
                inf,
                nan,
                nan,
                nan,
                nan,
                0.9030899869919435,
                3.0,
                2.851869600729766,
                nan,
                -323.3062153431158,
                0.0,
            ],
        ),
        (
            "sinh(x)",
            vec![
                -0.0,
                0.0,
                inf,
                -inf,
                nan,
                -1.1752011936438014,
                -3.6268604078470186,
                1490.4788257895502,
                inf,
                inf,
                -inf,
                d,
                1.1752011936438014,
            ],
        ),
        (
            "cosh(x)",
            vec![
                1.0,
                1.0,
                inf,
                inf,
                nan,
                1.5430806348152437,
                3.7621956910836314,
                1490.479161252178,
                inf,
                inf,
                inf,
                1.0,
                1.5430806348152437,
            ],
        ),
        (
            "nextafter(x, y)",
            vec![
                d,
                -d,
                m,
                -m,
                nan,
                -1.0,
                -2.0,
                8.000000000000002,
                999.9999999999999,
                711.0,
                -710.9999999999999,
                0.0,
                nan,
            ],
        ),
    ] {
        let got = run(src);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
                "{src} at x={}: got {g:e}, want {w:e}",
                x[i]
            );
        }
    }
}

/// IEEE/C99 special values of the `hyper` vector kernels (tanh arcsinh arccosh arctanh),
/// as glibc gives them, and a few correctly rounded values, through the JIT, compared
/// bitwise (NaN only to NaN).
#[test]
fn hyper_kernels_special_values() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    let d = 5e-324;
    let x = Array1::from(vec![
        -0.0,
        0.0,
        inf,
        -inf,
        nan,
        1.0,
        -1.0,
        2.0,
        0.5,
        d,
        -1e-300,
        20.0,
        1e300,
        1.0000000000000002,
        0.9999999999999999,
        3.0e8,
        19.0,
        -0.75,
        1e-5,
    ]);
    let mut vars = Vars::new();
    vars.insert("x", &x);
    for (src, want) in [
        (
            "tanh(x)",
            [
                -0.0,
                0.0,
                1.0,
                -1.0,
                nan,
                0.7615941559557649,
                -0.7615941559557649,
                0.9640275800758169,
                0.46211715726000974,
                d,
                -1e-300,
                1.0,
                1.0,
                0.761594155955765,
                0.7615941559557649,
                1.0,
                0.9999999999999999,
                -0.6351489523872873,
                9.999999999666668e-06,
            ],
        ),
        (
            "arcsinh(x)",
            [
                -0.0,
                0.0,
                inf,
                -inf,
                nan,
                0.881373587019543,
                -0.881373587019543,
                1.4436354751788103,
                0.48121182505960347,
                d,
                -1e-300,
                3.6895038689889055,
                691.4686750787737,
                0.8813735870195432,
                0.8813735870195429,
                20.21244021318042,
                3.6382779622295387,
                -std::f64::consts::LN_2,
                9.999999999833334e-06,
            ],
        ),
        (
            "arccosh(x)",
            [
                nan,
                nan,
                inf,
                nan,
                nan,
                0.0,
                nan,
                1.3169578969248168,
                nan,
                nan,
                nan,
                3.6882538673612966,
                691.4686750787737,
                2.1073424255447014e-08,
                nan,
                20.21244021318042,
                3.6368929184641337,
                nan,
                nan,
            ],
        ),
        (
            "arctanh(x)",
            [
                -0.0,
                0.0,
                nan,
                nan,
                nan,
                inf,
                -inf,
                nan,
                0.5493061443340549,
                d,
                -1e-300,
                nan,
                nan,
                nan,
                18.714973875118524,
                nan,
                nan,
                -0.9729550745276566,
                1.0000000000333334e-05,
            ],
        ),
    ] {
        let a = numjit::evaluate(src, &vars).unwrap_or_else(|e| panic!("{}", e.render(src)));
        for (i, (g, w)) in f64s(&a).iter().zip(&want).enumerate() {
            assert!(
                (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
                "{src} at x={:e}: got {g:e}, want {w:e}",
                x[i]
            );
        }
    }
}

/// The `hyper` kernels on random inputs gathered where they switch method or lose
/// precision (1 + tiny for arccosh, ±(1 − tiny) for arctanh, the tanh saturation near
/// 19.06 and its reduction switch at ln2/4, 2^±28): within 3 ULP of the naive evaluator
/// (libm, itself ≤ 2.03 ULP); tanh, arcsinh and arctanh odd bitwise; float32 the float64
/// result rounded once.
#[test]
fn hyper_kernels_random_inputs() {
    let mut r = Rng(0x6879_7065_7221);
    let mut v = Vec::new();
    while v.len() < 6000 {
        let u = r.unit();
        let k = (r.next() % 53) as i32;
        let x = match r.next() % 7 {
            0 => 1.0 + u * 2f64.powi(-k),
            1 => 1.0 - u * 2f64.powi(-k),
            2 => 19.0 + 0.2 * u,
            3 => 0.25 * std::f64::consts::LN_2 * (1.0 + (u - 0.5) * 1e-3),
            4 => 268435456.0 * (0.5 + u),
            5 => 3.725290298461914e-9 * (0.5 + u),
            _ => (1.0 + u) * 2f64.powi(k - 26),
        };
        v.push(x);
    }
    let neg: Vec<f64> = v.iter().map(|x| -x).collect();
    let x = Array1::from(v.clone());
    let nx = Array1::from(neg);
    let x32 = Array1::from(v.iter().map(|&x| x as f32).collect::<Vec<_>>());
    let x32w = Array1::from(v.iter().map(|&x| x as f32 as f64).collect::<Vec<_>>());
    let mut vars = Vars::new();
    vars.insert("x", &x)
        .insert("n", &nx)
        .insert("s", &x32)
        .insert("w", &x32w);
    let run = |src: String| -> Array {
        numjit::evaluate(&src, &vars).unwrap_or_else(|e| panic!("{}", e.render(&src)))
    };
    for f in [Math::Tanh, Math::Arcsinh, Math::Arccosh, Math::Arctanh] {
        let name = f.name();
        let got = f64s(&run(format!("{name}(x)")));
        for (&xi, &g) in v.iter().zip(&got) {
            let want = f.float(xi, 0.0);
            let d = ulps64(g, want);
            assert!(d <= 3, "{name}({xi:e}) = {g:e}, libm {want:e}: {d} ULP");
        }
        if f != Math::Arccosh {
            let odd = f64s(&run(format!("{name}(n)")));
            for ((&xi, &g), &o) in v.iter().zip(&got).zip(&odd) {
                assert!(
                    (g.is_nan() && o.is_nan()) || (-g).to_bits() == o.to_bits(),
                    "{name}(-{xi:e}) is not odd"
                );
            }
        }
        let single = run(format!("{name}(s)"));
        let single = single.as_f32().expect("float32");
        let wide = f64s(&run(format!("{name}(w)")));
        for ((&xi, &g), &w) in v.iter().zip(single.iter()).zip(&wide) {
            assert!(
                (g.is_nan() && w.is_nan()) || g.to_bits() == (w as f32).to_bits(),
                "{name}({:e} as f32) = {g:e}, float64 kernel rounded: {:e}",
                xi as f32,
                w as f32
            );
        }
    }
}

/// `sin` and `cos` of the same operand run as one paired routine (one reduction): one
/// call in the kernel, and element for element the results of separate `sin` and `cos`
/// kernels, bitwise, for both float types, every layout option, special values and
/// arguments past the vector reduction's range.
#[test]
fn sin_cos_pairs_share_one_call_and_match_separate_calls() {
    let mut r = Rng(0x5eed_cafe);
    let mut v = values(&mut r, 997);
    v.extend([1.0e6, 1.000001e6, -3.0e7, 1.0e300, f64::MAX, 7.0e5]);
    for t in [DType::Float64, DType::Float32] {
        let x = array(t, &v);
        let sig = Signature::new().with("x", t);
        for src in [
            "sin(x)*cos(x)",
            "cos(x) / (2 + sin(x))",
            "sin(2*x)**2 + cos(2*x)**2",
            // Not the same operand as written (x+1 vs 1+x): two calls.
            "cos(x+1) * sin(1+x)",
        ] {
            let c = numjit::compile(src, &sig).unwrap();
            let clif = c.explain();
            let calls = clif.matches("call_indirect").count();
            let want_calls = if src.starts_with("cos(x+1)") { 2 } else { 1 };
            assert_eq!(
                calls, want_calls,
                "{src} on {t}: {calls} routine calls\n{clif}"
            );
            check(src, Math::Sin, &[("x", &x)]);
        }
        // Bitwise: the pair gives what separate kernels give (one IEEE multiply on top).
        let mut vars = Vars::new();
        vars.insert("x", &x);
        let pair = numjit::evaluate("sin(x)*cos(x)", &vars).unwrap();
        let s = numjit::evaluate("sin(x)", &vars).unwrap();
        let c = numjit::evaluate("cos(x)", &vars).unwrap();
        let product = match (&s, &c) {
            (Array::Float64(s), Array::Float64(c)) => Array::Float64(s * c),
            (Array::Float32(s), Array::Float32(c)) => Array::Float32(s * c),
            _ => panic!("unexpected dtypes"),
        };
        assert!(
            pair.same(&product),
            "sin/cos pair differs from separate calls on {t}"
        );
    }
}
/// IEEE/C99 special values (signed zeros, infinities, NaN, domain edges, the interval
/// boundaries of the reductions) of the `invtrig` vector kernels (tan arctan arcsin arccos
/// arctan2), through the JIT, compared bitwise with glibc's results (NaN only to NaN).
#[test]
fn invtrig_kernels_special_values() {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, FRAC_PI_8, PI};
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    let x = Array1::from(vec![
        -0.0,
        0.0,
        inf,
        -inf,
        nan,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -1.5,
        5e-324,
        -1e-300,
        1e+300,
        -1.7976931348623157e+308,
        0.41421356237309503,
        2.414213562373095,
        0.9999999999999999,
        1000000.0,
        -3.0,
    ]);
    // arctan2(y, x) operands: every C99 zero/infinity/NaN combination.
    let y2 = Array1::from(vec![
        0.0, -0.0, 0.0, -0.0, 1.0, -1.0, inf, -inf, inf, -inf, inf, -inf, 2.0, -2.0, nan, 1.0, nan,
        5e-324, 1e+300, -1e-300,
    ]);
    let x2 = Array1::from(vec![
        0.0, 0.0, -0.0, -0.0, 0.0, -0.0, inf, inf, -inf, -inf, 3.0, -3.0, inf, -inf, 1.0, nan, nan,
        -5e-324, 1e-300, -1e+300,
    ]);
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("y2", &y2).insert("x2", &x2);
    for (src, want) in [
        (
            "tan(x)",
            vec![
                -0.0,
                0.0,
                nan,
                nan,
                nan,
                1.5574077246549023,
                -1.5574077246549023,
                0.5463024898437905,
                -0.5463024898437905,
                -2.185039863261519,
                -14.101419947171719,
                5e-324,
                -1e-300,
                1.4214488238747245,
                0.004962015874444895,
                0.43964994771091603,
                -0.8902086278251247,
                1.5574077246549018,
                -0.373624453987599,
                0.1425465430742778,
            ],
        ),
        (
            "arctan(x)",
            vec![
                -0.0,
                0.0,
                FRAC_PI_2,
                -FRAC_PI_2,
                nan,
                FRAC_PI_4,
                -FRAC_PI_4,
                0.4636476090008061,
                -0.4636476090008061,
                1.1071487177940904,
                -0.982793723247329,
                5e-324,
                -1e-300,
                FRAC_PI_2,
                -FRAC_PI_2,
                FRAC_PI_8,
                1.1780972450961724,
                FRAC_PI_4,
                1.5707953267948966,
                -1.2490457723982544,
            ],
        ),
        (
            "arcsin(x)",
            vec![
                -0.0,
                0.0,
                nan,
                nan,
                nan,
                FRAC_PI_2,
                -FRAC_PI_2,
                FRAC_PI_6,
                -FRAC_PI_6,
                nan,
                nan,
                5e-324,
                -1e-300,
                nan,
                nan,
                0.4270785863924761,
                nan,
                1.5707963118937354,
                nan,
                nan,
            ],
        ),
        (
            "arccos(x)",
            vec![
                FRAC_PI_2,
                FRAC_PI_2,
                nan,
                nan,
                nan,
                0.0,
                PI,
                FRAC_PI_3,
                2.0943951023931957,
                nan,
                nan,
                FRAC_PI_2,
                FRAC_PI_2,
                nan,
                nan,
                1.1437177404024206,
                nan,
                1.4901161193847656e-08,
                nan,
                nan,
            ],
        ),
        (
            "arctan2(y2, x2)",
            vec![
                0.0,
                -0.0,
                PI,
                -PI,
                FRAC_PI_2,
                -FRAC_PI_2,
                FRAC_PI_4,
                -FRAC_PI_4,
                2.356194490192345,
                -2.356194490192345,
                FRAC_PI_2,
                -FRAC_PI_2,
                0.0,
                -PI,
                nan,
                nan,
                nan,
                2.356194490192345,
                FRAC_PI_2,
                -PI,
            ],
        ),
    ] {
        let got =
            f64s(&numjit::evaluate(src, &vars).unwrap_or_else(|e| panic!("{}", e.render(src))));
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
                "{src} at element {i}: got {g:e}, want {w:e}"
            );
        }
        // float32 rounds the float64 kernel once: where the operands are exact in
        // float32, the result is the float64 one rounded.
        let x32 = x.mapv(|v| v as f32);
        let y32 = y2.mapv(|v| v as f32);
        let xx32 = x2.mapv(|v| v as f32);
        let mut v32 = Vars::new();
        v32.insert("x", &x32).insert("y2", &y32).insert("x2", &xx32);
        let got32 = numjit::evaluate(src, &v32).unwrap();
        let exact = |a: &Array1<f64>, i: usize| a[i].is_nan() || (a[i] as f32) as f64 == a[i];
        for (i, g) in got32.as_f32().expect("float32").iter().enumerate() {
            let w = want[i] as f32;
            let two = src.starts_with("arctan2");
            if (two && exact(&y2, i) && exact(&x2, i)) || (!two && exact(&x, i)) {
                assert!(
                    (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
                    "{src} float32 at element {i}: got {g:e}, want {w:e}"
                );
            }
        }
    }
}

/// The `invtrig` kernels on random inputs aimed at their weak spots (the reduction
/// boundaries tan(π/8), tan(3π/8), ½, arguments near ±1 and near multiples of π/2,
/// arctan2 operands of every magnitude from subnormal to huge, with ratios near 1),
/// float64 through the JIT, within 2 ULP of glibc (each is within 1 of the correctly
/// rounded result: numjit's kernels ≤ 0.73, glibc ≤ 0.52, docs/accuracy.md).
#[test]
fn invtrig_kernels_random_within_2_ulp_of_glibc() {
    let mut r = Rng(0x1a7a_2026);
    let n = 20_000;
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let u = r.unit();
        let sign = if r.next().is_multiple_of(2) {
            1.0
        } else {
            -1.0
        };
        let x = match i % 6 {
            0 => 8.0 * u - 4.0,
            1 => 2.0 * u - 1.0,
            2 => (1.0 - u * 2f64.powi(-((r.next() % 52) as i32))) * sign,
            3 => {
                [0.41421356237309503, 2.414213562373095, 0.5][(r.next() % 3) as usize]
                    * (1.0 + (u - 0.5) * 1e-3)
                    * sign
            }
            4 => {
                // Near k·π/2, |k| < 2^20.
                let k = (r.next() % (1 << 20)) as f64;
                (k * std::f64::consts::FRAC_PI_2 + (u - 0.5) * 1e-6) * sign
            }
            _ => (1.0 + u) * 2f64.powi((r.next() % 2098) as i32 - 1074) * sign,
        };
        // arctan2's other operand: any magnitude, or x times a ratio near 1 or tiny/huge.
        let v = r.unit();
        let y = match r.next() % 3 {
            0 => (1.0 + v) * 2f64.powi((r.next() % 2098) as i32 - 1074),
            1 => x * (6.0 * v - 3.0),
            _ => x * (6.0 * v - 3.0) * 2f64.powi((r.next() % 120) as i32 - 60),
        };
        xs.push(x);
        ys.push(if r.next().is_multiple_of(2) { y } else { -y });
    }
    let x = Array1::from(xs.clone());
    let y = Array1::from(ys.clone());
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("y", &y);
    type Glibc = fn(f64, f64) -> f64;
    let cases: [(&str, Glibc); 5] = [
        ("tan(x)", |a, _| a.tan()),
        ("arctan(x)", |a, _| a.atan()),
        ("arcsin(x)", |a, _| a.asin()),
        ("arccos(x)", |a, _| a.acos()),
        ("arctan2(y, x)", |a, b| b.atan2(a)),
    ];
    for (src, f) in cases {
        let got = f64s(&numjit::evaluate(src, &vars).unwrap());
        for i in 0..n {
            let want = f(xs[i], ys[i]);
            let d = ulps64(got[i], want);
            assert!(
                d <= 2,
                "{src} at x={:e}, y={:e}: got {:e}, glibc {want:e} ({d} ULP)",
                xs[i],
                ys[i],
                got[i]
            );
        }
    }
}

/// Values that exercise the C99 special cases of `hypot cbrt ** fmod`.
const EDGE: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    -2.0,
    3.0,
    -3.0,
    2.5,
    -2.5,
    0.1,
    1e-300,
    -1e-300,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e300,
    -1e300,
    f64::MAX,
    -f64::MAX,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    0.9999999999999999,
    1.0000000000000002,
    1023.0,
    1024.0,
    -1075.0,
    9007199254740993.0,
    -9007199254740992.0,
    4503599627370497.0,
];

/// `x ** y` over every pair of `EDGE` through the JIT: C99/glibc special values exactly
/// (bitwise, NaN as NaN, the sign of zeros and infinities included), other results
/// within 1 ULP of glibc; the same for `hypot` (≤ 1 ULP, C99 `hypot(±inf, NaN) = +inf`),
/// and `fmod` bitwise.
#[test]
fn pow_hypot_fmod_edge_pairs() {
    let n = EDGE.len();
    let xs: Vec<f64> = (0..n * n).map(|i| EDGE[i / n]).collect();
    let ys: Vec<f64> = (0..n * n).map(|i| EDGE[i % n]).collect();
    for t in [DType::Float64, DType::Float32] {
        let x = array(t, &xs);
        let y = array(t, &ys);
        let mut vars = Vars::new();
        vars.insert("x", &x).insert("y", &y);
        for (src, f) in [
            (
                "x ** y",
                (|a: f64, b: f64| a.powf(b)) as fn(f64, f64) -> f64,
            ),
            ("hypot(x, y)", f64::hypot),
            ("fmod(x, y)", |a, b| a % b),
        ] {
            let got = numjit::evaluate(src, &vars).unwrap();
            for i in 0..n * n {
                let (a, b, g, w) = match (&x, &y, &got) {
                    (Array::Float64(a), Array::Float64(b), Array::Float64(g)) => {
                        let (a, b) = (a[[i]], b[[i]]);
                        (a, b, g[[i]], f(a, b))
                    }
                    (Array::Float32(a), Array::Float32(b), Array::Float32(g)) => {
                        let (a, b) = (a[[i]] as f64, b[[i]] as f64);
                        (a, b, g[[i]] as f64, f(a, b) as f32 as f64)
                    }
                    _ => panic!("dtype"),
                };
                let exact = w == 0.0
                    || w.is_infinite()
                    || w.is_nan()
                    || w.abs() == 1.0
                    || src.starts_with("fmod");
                let ok = if exact {
                    (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits()
                } else if t == DType::Float64 {
                    ulps64(g, w) <= 1
                } else {
                    ulps32(g as f32, w as f32) <= 1
                };
                assert!(ok, "{src} on {t}: x={a:e} y={b:e}: got {g:e}, want {w:e}");
            }
        }
    }
}

/// `cbrt` special values bitwise (±0, ±inf, NaN, subnormals, exact cubes) through the
/// JIT, and every EDGE value within 1 ULP of glibc.
#[test]
fn cbrt_special_values() {
    for t in [DType::Float64, DType::Float32] {
        let mut v: Vec<f64> = EDGE.to_vec();
        v.extend([8.0, -27.0, 0.125, 1e-309, -7e-320, 64.0, 1e300, 3.375]);
        let x = array(t, &v);
        let mut vars = Vars::new();
        vars.insert("x", &x);
        let got = numjit::evaluate("cbrt(x)", &vars).unwrap();
        for (i, &a) in v.iter().enumerate() {
            let (g, w, d) = match &got {
                Array::Float64(g) => (g[[i]], a.cbrt(), ulps64(g[[i]], a.cbrt())),
                Array::Float32(g) => {
                    let a = a as f32 as f64;
                    let w = a.cbrt() as f32;
                    (g[[i]] as f64, w as f64, ulps32(g[[i]], w))
                }
                _ => panic!("dtype"),
            };
            let exact = w == 0.0 || w.is_infinite() || w.is_nan() || w == w.round();
            assert!(
                if exact {
                    (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits()
                } else {
                    d <= 1
                },
                "cbrt({a:e}) on {t}: got {g:e}, want {w:e}"
            );
        }
    }
}

/// The C99 rules of `pow` written out (what glibc gives), through the JIT.
#[test]
fn pow_c99_rules() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    for (x, y, want) in [
        (nan, 0.0, 1.0),
        (nan, -0.0, 1.0),
        (1.0, nan, 1.0),
        (-1.0, inf, 1.0),
        (-1.0, -inf, 1.0),
        (-8.0, 1.0 / 3.0, nan),
        (-2.0, 3.0, -8.0),
        (-2.0, -3.0, -0.125),
        (-0.0, 3.0, -0.0),
        (-0.0, -3.0, -inf),
        (-0.0, 2.0, 0.0),
        (-0.0, -2.0, inf),
        (-0.0, -0.5, inf),
        (0.0, -inf, inf),
        (-inf, 3.0, -inf),
        (-inf, -3.0, -0.0),
        (-inf, 0.5, inf),
        (-inf, -0.5, 0.0),
        (0.5, inf, 0.0),
        (0.5, -inf, inf),
        (2.0, -inf, 0.0),
        (-2.0, inf, inf),
        (10.0, 400.0, inf),
        (-10.0, 401.0, -inf),
        (-10.0, -401.0, -0.0),
        (2.0, -1074.0, 5e-324),
        (2.0, 1023.0, 8.98846567431158e307),
        (2.0, 0.5, std::f64::consts::SQRT_2),
        (0.25, 0.5, 0.5),
        (3.0, 4.0, 81.0),
        (1.5, 10.0, 57.6650390625),
        (-3.0, 1e300, inf),
        (0.999, -1e300, inf),
        (1.0000000000000002, 4503599627370496.0, std::f64::consts::E),
        (5e-324, 0.5, 2.2227587494850775e-162),
    ] {
        let xa = Array1::from(vec![x; 9]);
        let ya = Array1::from(vec![y; 9]);
        let mut vars = Vars::new();
        vars.insert("x", &xa).insert("y", &ya);
        let got = f64s(&numjit::evaluate("x ** y", &vars).unwrap())[0];
        assert!(
            (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits(),
            "{x:e} ** {y:e}: got {got:e}, want {want:e}"
        );
    }
}

/// Random operands, many of them, straight through the block-routine bodies: `hypot`,
/// `cbrt` and `**` within 2 ULP of glibc (each ≤ 1 of the correct result; measured
/// against MPFR by tools/ulp), `fmod` bitwise equal to Rust's `%` including huge ratios.
#[test]
fn hypot_cbrt_pow_fmod_random() {
    use numjit::codegen::mathcall::{call_f32, call_f64, call_pow_f64};
    let mut r = Rng(0xf00d);
    let n = 1 << 20;
    let wide = |r: &mut Rng| -> f64 {
        let v = f64::from_bits(r.next() & !(0x7ffu64 << 52) | ((r.next() % 2046 + 1) << 52));
        if r.next().is_multiple_of(8) {
            f64::from_bits(r.next() >> 12) // subnormal
        } else {
            v
        }
    };
    let xs: Vec<f64> = (0..n).map(|_| wide(&mut r)).collect();
    let ys: Vec<f64> = (0..n).map(|_| wide(&mut r)).collect();
    let mut out = vec![0.0; n];
    call_f64(Math::Hypot, &xs, &ys, &mut out);
    for i in 0..n {
        let w = xs[i].hypot(ys[i]);
        assert!(
            ulps64(out[i], w) <= 2,
            "hypot({:e}, {:e}): {:e} vs {w:e}",
            xs[i],
            ys[i],
            out[i]
        );
    }
    call_f64(Math::Cbrt, &xs, &xs, &mut out);
    for i in 0..n {
        let w = xs[i].cbrt();
        assert!(
            ulps64(out[i], w) <= 2,
            "cbrt({:e}): {:e} vs {w:e}",
            xs[i],
            out[i]
        );
    }
    call_f64(Math::Fmod, &xs, &ys, &mut out);
    for i in 0..n {
        let w = xs[i] % ys[i];
        assert_eq!(
            out[i].to_bits(),
            w.to_bits(),
            "fmod({:e}, {:e})",
            xs[i],
            ys[i]
        );
    }
    // fmod with quotients near and beyond 2^52, and y dividing x exactly.
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..n {
        let y = wide(&mut r);
        let q = (r.unit() * 60.0).exp2().floor();
        let x = match r.next() % 4 {
            0 => q * y,
            1 => f64::from_bits((q * y).to_bits().wrapping_add(r.next() % 5).wrapping_sub(2)),
            2 => y * r.unit() * 2.0,
            _ => -(q * y) * (1.0 + r.unit() * 1e-9),
        };
        a.push(x);
        b.push(if r.next().is_multiple_of(3) { -y } else { y });
    }
    let mut out = vec![0.0; n];
    call_f64(Math::Fmod, &a, &b, &mut out);
    for i in 0..n {
        let w = a[i] % b[i];
        assert!(
            out[i].to_bits() == w.to_bits() || (w.is_nan() && out[i].is_nan()),
            "fmod({:e}, {:e}): {:e} vs {w:e}",
            a[i],
            b[i],
            out[i]
        );
    }
    let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
    let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let mut o32 = vec![0.0f32; n];
    call_f32(Math::Fmod, &a32, &b32, &mut o32);
    for i in 0..n {
        let w = a32[i] % b32[i];
        assert!(o32[i].to_bits() == w.to_bits() || (w.is_nan() && o32[i].is_nan()));
    }
    // pow: bases log-uniform over the whole range with exponents that keep the result
    // mostly finite, plus bases near 1 with huge exponents.
    let mut px = Vec::new();
    let mut py = Vec::new();
    for _ in 0..n {
        let x = wide(&mut r).abs();
        let l = x.ln().abs().max(1e-300);
        let y = (r.unit() * 2.0 - 1.0) * 800.0 / l;
        let (x, y) = match r.next() % 4 {
            0 => (1.0 + (r.unit() - 0.5) * 1e-6, (r.unit() - 0.5) * 1e9),
            1 => (-x, y.round()),
            _ => (x, y),
        };
        px.push(x);
        py.push(y);
    }
    call_pow_f64(&px, &py, &mut out);
    for i in 0..n {
        let w = px[i].powf(py[i]);
        assert!(
            ulps64(out[i], w) <= 2,
            "{:e} ** {:e}: {:e} vs {w:e}",
            px[i],
            py[i],
            out[i]
        );
    }
}

/// The portable, AVX2 + FMA and AVX-512 builds of every vector kernel (float64, float32,
/// `**`, the sin/cos pair and the complex128 functions) give bitwise the same results
/// (`mul_add` is fused in all; the rest is IEEE arithmetic), on edge values and random
/// bit patterns. Builds this CPU lacks are skipped (the portable one always runs).
#[cfg(target_arch = "x86_64")]
#[test]
fn vector_builds_agree_bitwise() {
    use num_complex::Complex64;
    use numjit::vmath;
    use std::is_x86_feature_detected as has;
    let avx2 = has!("avx2") && has!("fma");
    let avx512 = avx2 && has!("avx512f") && has!("avx512dq") && has!("avx512vl");
    let mut r = Rng(0xa5a5);
    let n = 20_011;
    let mut xs: Vec<f64> = EDGE.to_vec();
    let mut ys: Vec<f64> = EDGE.iter().rev().copied().collect();
    while xs.len() < n {
        let x = if r.next().is_multiple_of(2) {
            (r.unit() - 0.5) * 8.0
        } else {
            f64::from_bits(r.next())
        };
        let y = if r.next().is_multiple_of(2) {
            (r.unit() - 0.5) * 100.0
        } else {
            f64::from_bits(r.next())
        };
        xs.push(x);
        ys.push(y);
    }
    let xs32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
    let ys32: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
    let zs: Vec<Complex64> = xs
        .iter()
        .zip(&ys)
        .map(|(&a, &b)| Complex64::new(a, b))
        .collect();
    let ws: Vec<Complex64> = zs.iter().rev().copied().collect();
    let bits = |v: &[f64]| {
        v.iter()
            .map(|p| if p.is_nan() { 1 } else { p.to_bits() })
            .collect::<Vec<u64>>()
    };
    let bits32 = |v: &[f32]| {
        v.iter()
            .map(|p| if p.is_nan() { 1 } else { p.to_bits() })
            .collect::<Vec<u32>>()
    };
    let cbits = |v: &[Complex64]| {
        let parts: Vec<f64> = v.iter().flat_map(|z| [z.re, z.im]).collect();
        bits(&parts)
    };
    // Each closure runs one build (0 portable, 1 AVX2, 2 AVX-512) and returns the bits.
    let builds = |name: &str, run: &dyn Fn(u8) -> Vec<u64>| {
        let want = run(0);
        for (level, ok) in [(1u8, avx2), (2, avx512)] {
            if ok {
                assert!(
                    run(level) == want,
                    "{name}: build {level} differs from portable"
                );
            }
        }
    };
    for f in numjit::math::TABLE
        .iter()
        .map(|r| r.0)
        .filter(|f| f.is_approximate() || *f == Math::Fmod)
    {
        builds(&format!("{f:?} f64"), &|l| {
            let mut o = vec![0.0; n];
            // SAFETY: a build runs only when the CPU has its features (checked above).
            unsafe {
                match l {
                    0 => vmath::apply_f64(f, &xs, &ys, &mut o),
                    1 => vmath::apply_f64_avx2(f, &xs, &ys, &mut o),
                    _ => vmath::apply_f64_avx512(f, &xs, &ys, &mut o),
                }
            }
            bits(&o)
        });
        builds(&format!("{f:?} f32"), &|l| {
            let mut o = vec![0.0f32; n];
            // SAFETY: as above.
            unsafe {
                match l {
                    0 => vmath::apply_f32(f, &xs32, &ys32, &mut o),
                    1 => vmath::apply_f32_avx2(f, &xs32, &ys32, &mut o),
                    _ => vmath::apply_f32_avx512(f, &xs32, &ys32, &mut o),
                }
            }
            bits32(&o).into_iter().map(u64::from).collect()
        });
        if f.has_complex() || f == Math::Sign {
            builds(&format!("{f:?} c128"), &|l| {
                let mut o = vec![Complex64::default(); n];
                // SAFETY: as above.
                unsafe {
                    match l {
                        0 => vmath::apply_c128(f, &zs, &mut o),
                        1 => vmath::apply_c128_avx2(f, &zs, &mut o),
                        _ => vmath::apply_c128_avx512(f, &zs, &mut o),
                    }
                }
                cbits(&o)
            });
        }
    }
    builds("pow f64", &|l| {
        let mut o = vec![0.0; n];
        // SAFETY: as above.
        unsafe {
            match l {
                0 => vmath::pow_f64(&xs, &ys, &mut o),
                1 => vmath::pow_f64_avx2(&xs, &ys, &mut o),
                _ => vmath::pow_f64_avx512(&xs, &ys, &mut o),
            }
        }
        bits(&o)
    });
    builds("sin_cos f64", &|l| {
        let (mut s, mut c) = (vec![0.0; n], vec![0.0; n]);
        // SAFETY: as above.
        unsafe {
            match l {
                0 => vmath::sin_cos_f64(&xs, &mut s, &mut c),
                1 => vmath::sin_cos_f64_avx2(&xs, &mut s, &mut c),
                _ => vmath::sin_cos_f64_avx512(&xs, &mut s, &mut c),
            }
        }
        [bits(&s), bits(&c)].concat()
    });
    builds("sqrt c128", &|l| {
        let mut o = vec![Complex64::default(); n];
        // SAFETY: as above.
        unsafe {
            match l {
                0 => vmath::sqrt_c128(&zs, &mut o),
                1 => vmath::sqrt_c128_avx2(&zs, &mut o),
                _ => vmath::sqrt_c128_avx512(&zs, &mut o),
            }
        }
        cbits(&o)
    });
    builds("pow c128", &|l| {
        let mut o = vec![Complex64::default(); n];
        // SAFETY: as above.
        unsafe {
            match l {
                0 => vmath::pow_c128(&zs, &ws, &mut o),
                1 => vmath::pow_c128_avx2(&zs, &ws, &mut o),
                _ => vmath::pow_c128_avx512(&zs, &ws, &mut o),
            }
        }
        cbits(&o)
    });
}
