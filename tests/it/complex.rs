//! complex128 in the JIT against the naive evaluator: arithmetic (`+ - * /`, unary `-`,
//! `== !=`, `abs`, real operands cast to complex), the parts and `conj angle complex`,
//! powers and every complex math function, over all pairs of special parts (±0, ±inf,
//! NaN, subnormal, huge) and random values, in every layout the kernels distinguish
//! (contiguous, strided, reversed, broadcast) and with blocks of several lengths.
//! Agreement is bitwise (NaN equals NaN): the JIT's inline arithmetic follows the scalar
//! rules of `semantics.rs` exactly and its function routines call the same C functions.
//! Values against NumPy itself are the corpus' job (tests/data/cases.txt).

use ndarray::{ArrayD, IxDyn, Slice};
use num_complex::Complex64;
use numjit::exec::{Executable, RunOptions};
use numjit::{AnyView, DType, Scalar, Signature};

const PARTS: [f64; 11] = [
    0.0,
    -0.0,
    0.5,
    -1.0,
    2.0,
    -3e-310,
    1e300,
    -1e-300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// Every (re, im) pair of `PARTS`, then `extra` pseudo-random values (a fixed LCG).
fn specials(extra: usize, seed: u64) -> Vec<Complex64> {
    let mut v: Vec<Complex64> = PARTS
        .iter()
        .flat_map(|&a| PARTS.iter().map(move |&b| Complex64::new(a, b)))
        .collect();
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2f64.powi((s % 13) as i32 - 4)
    };
    for _ in 0..extra {
        v.push(Complex64::new(next(), next()));
    }
    v
}

/// Storage with a layout: 0 contiguous, 1 every other element, 2 reversed.
fn stored<T: Clone + Default>(vals: &[T], layout: u8) -> ArrayD<T> {
    match layout {
        1 => {
            let mut big = vec![T::default(); vals.len() * 2];
            for (k, v) in vals.iter().enumerate() {
                big[2 * k] = v.clone();
            }
            ArrayD::from_shape_vec(IxDyn(&[big.len()]), big).unwrap()
        }
        2 => {
            let rev: Vec<T> = vals.iter().rev().cloned().collect();
            ArrayD::from_shape_vec(IxDyn(&[rev.len()]), rev).unwrap()
        }
        _ => ArrayD::from_shape_vec(IxDyn(&[vals.len()]), vals.to_vec()).unwrap(),
    }
}

fn view<T>(a: &ArrayD<T>, layout: u8) -> ndarray::ArrayViewD<'_, T> {
    let mut v = a.view();
    match layout {
        1 => v.slice_axis_inplace(ndarray::Axis(0), Slice::new(0, None, 2)),
        2 => v.slice_axis_inplace(ndarray::Axis(0), Slice::new(0, None, -1)),
        _ => {}
    }
    v
}

/// The inputs of one check: complex `z`, `w`, `c`; float64 `x`, `y`; int32 `n`.
struct Data {
    z: Vec<Complex64>,
    w: Vec<Complex64>,
    x: Vec<f64>,
    n: Vec<i32>,
}

impl Data {
    fn new() -> Data {
        let z = specials(200, 7);
        let len = z.len();
        // `w` pairs every special value with every other one (a different order).
        let w: Vec<Complex64> = (0..len).map(|k| z[(k * 37 + 11) % len]).collect();
        let x: Vec<f64> = (0..len)
            .map(|k| {
                let c = z[(k * 13 + 5) % len];
                if k % 3 == 0 {
                    c.im
                } else {
                    c.re
                }
            })
            .collect();
        let n: Vec<i32> = (0..len as i32).map(|k| k % 7 - 3).collect();
        Data { z, w, x, n }
    }
}

/// ULP of a magnitude (of the smallest normal for zero and subnormals).
fn ulp(v: f64) -> f64 {
    let a = v.abs().max(f64::MIN_POSITIVE);
    f64::from_bits(a.to_bits() + 1) - a
}

/// Are two results equal (`tol == 0`: bitwise, NaN equal to NaN), or, for complex values,
/// is each part within `tol` ULP of the larger finite part of `want` (the normwise bound
/// of docs/accuracy.md)? Non-finite parts must be equal bitwise either way.
fn close(want: Scalar, got: Scalar, tol: f64) -> bool {
    if want.same(got) {
        return true;
    }
    match (want, got) {
        (Scalar::Complex128(a), Scalar::Complex128(b)) if tol > 0.0 => {
            let fin = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
            let u = ulp(fin(a.re).max(fin(a.im)));
            [(a.re, b.re), (a.im, b.im)].iter().all(|&(p, q)| {
                p.to_bits() == q.to_bits()
                    || (p.is_finite() && q.is_finite() && (p - q).abs() <= tol * u)
            })
        }
        _ => false,
    }
}

/// Evaluates `expr` with the JIT (every layout, several block lengths and thread counts)
/// and the naive evaluator; panics on any bitwise difference.
fn check(expr: &str, data: &Data) {
    check_within(expr, data, &|_, _, _| 0.0)
}

/// The bound of an element as a function of its inputs `z`, `w` and `x`.
type TolFn<'a> = &'a dyn Fn(Complex64, Complex64, f64) -> f64;

/// [`check`] allowing `tol(z, w, x)` ULP (normwise, see [`close`]) on complex results:
/// for the complex functions, whose JIT kernels (`vmath::complex`) and naive rules (C99)
/// differ.
fn check_within(expr: &str, data: &Data, tol: TolFn) {
    let sig = Signature::new()
        .with("z", DType::Complex128)
        .with("w", DType::Complex128)
        .with("c", DType::Complex128)
        .with("x", DType::Float64)
        .with("y", DType::Float64)
        .with("n", DType::Int32);
    let compiled = numjit::compile(expr, &sig).unwrap_or_else(|e| panic!("{}", e.render(expr)));
    let p = compiled.program().clone();
    let exe = Executable::new(p.clone());
    for layout in 0..4u8 {
        // Layout 3: `w` and `y` broadcast from one element (stride 0).
        let (l, bl) = (layout % 3, layout == 3);
        let z = stored(&data.z, l);
        let w = if bl {
            ArrayD::from_elem(IxDyn(&[]), data.w[17])
        } else {
            stored(&data.w, (l + 1) % 3)
        };
        let c = stored(&data.w, (l + 2) % 3);
        let x = stored(&data.x, (l + 1) % 3);
        let y = if bl {
            ArrayD::from_elem(IxDyn(&[]), -0.0f64)
        } else {
            stored(&data.x, l)
        };
        let n = stored(&data.n, l);
        let len = data.z.len();
        let views: Vec<AnyView> = p
            .inputs
            .iter()
            .map(|d| match d.name.as_str() {
                "z" => AnyView::Complex128(view(&z, l)),
                "w" if bl => AnyView::Complex128(w.broadcast(IxDyn(&[len])).unwrap()),
                "w" => AnyView::Complex128(view(&w, (l + 1) % 3)),
                "c" => AnyView::Complex128(view(&c, (l + 2) % 3)),
                "x" => AnyView::Float64(view(&x, (l + 1) % 3)),
                "y" if bl => AnyView::Float64(y.broadcast(IxDyn(&[len])).unwrap()),
                "y" => AnyView::Float64(view(&y, l)),
                _ => AnyView::Int32(view(&n, l)),
            })
            .collect();
        let want = numjit::interp::eval(&p, &views).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        for (threads, block_len) in [(1, 0), (2, 7), (3, 64)] {
            let opts = RunOptions {
                threads,
                block_len,
                serial_below: 1,
            };
            let got = exe
                .eval(&views, &opts)
                .unwrap_or_else(|e| panic!("{expr}: {e:?}"));
            let (a, b) = (want.to_scalars(), got.to_scalars());
            assert_eq!(a.len(), b.len(), "{expr}");
            let tol_at = |k: usize| {
                let w = if bl { data.w[17] } else { data.w[k] };
                tol(data.z[k], w, data.x[k])
            };
            if let Some(k) = (0..a.len()).find(|&k| !close(a[k], b[k], tol_at(k))) {
                panic!(
                    "`{expr}` layout {layout}: element {k} (z = {:?}, w = {:?}, x = {:?}): \
                     naive {:?}, JIT {:?}",
                    data.z[k], data.w[k], data.x[k], a[k], b[k]
                );
            }
        }
    }
}

#[test]
fn arithmetic_matches_bitwise() {
    let d = Data::new();
    for expr in [
        "z * w",
        "z / w",
        "w / z",
        "z + w",
        "z - w",
        "-z",
        "z * z + c",
        "abs(z)",
        "abs(z / w) + abs(w)",
        "z == w",
        "z != w",
        "z == z",
        "z * x",
        "x / z",
        "z / x",
        "z - x + y",
        "n * z + 1j",
        "z / (2 + 0.5j)",
        "1 / z",
        "(z * w) / (c - z) * 1.5",
        "where(abs(z) <= 2, z*z + c, z)",
        "z ** w",
        "z ** 2.5",
        "x ** (1 + 1j)",
        "sqrt(z)",
        "sqrt(z * w) ** (z - 2)",
        "n + (abs(z) <= 2)",
        "z ** 2",
        "z ** -1",
        "z ** 3",
    ] {
        check(expr, &d);
    }
}

#[test]
fn parts_and_functions_match_bitwise() {
    let d = Data::new();
    for expr in [
        "real(z)",
        "imag(z)",
        "z.real * 2 - z.imag",
        "conj(z) * w",
        "angle(z)",
        "complex(x, y)",
        "complex(x, n) * z",
        "imag(x) + real(x)",
        "imag(n)",
        "isnan(z*w)",
        "isinf(z*w) | isfinite(c)",
        "round(z * 3.7)",
        "round(z, -1) + round(w, 2)",
    ] {
        check(expr, &d);
    }
}

/// Prints the largest normwise difference (in ULP of the larger part) between the JIT
/// and the naive evaluator on `expr` (`NUMJIT_PROBE_TOL=1`, to choose the bounds below).
fn probe(expr: &str, data: &Data) {
    let len = data.z.len();
    let arr = |v: &Vec<Complex64>| ArrayD::from_shape_vec(IxDyn(&[len]), v.clone()).unwrap();
    let (z, w) = (arr(&data.z), arr(&data.w));
    let x = ArrayD::from_shape_vec(IxDyn(&[len]), data.x.clone()).unwrap();
    let mut vars = numjit::Vars::new();
    vars.insert("z", &z);
    vars.insert("w", &w);
    vars.insert("c", &w);
    vars.insert("x", &x);
    let got = numjit::evaluate(expr, &vars).unwrap().to_scalars();
    let sig = Signature::new()
        .with("z", DType::Complex128)
        .with("w", DType::Complex128)
        .with("c", DType::Complex128)
        .with("x", DType::Float64);
    let p = numjit::compile(expr, &sig).unwrap().program().clone();
    let views: Vec<AnyView> = p
        .inputs
        .iter()
        .map(|d| match d.name.as_str() {
            "z" => AnyView::Complex128(z.view()),
            "x" => AnyView::Float64(x.view()),
            _ => AnyView::Complex128(w.view()),
        })
        .collect();
    let want = numjit::interp::eval(&p, &views).unwrap().to_scalars();
    let mut worst = (0.0f64, 0);
    for k in 0..len {
        if let (Scalar::Complex128(a), Scalar::Complex128(b)) = (want[k], got[k]) {
            let u = ulp(a.re.abs().max(a.im.abs()));
            for (p, q) in [(a.re, b.re), (a.im, b.im)] {
                if p.is_finite() && q.is_finite() && (p - q).abs() / u > worst.0 {
                    worst = ((p - q).abs() / u, k);
                }
            }
        }
    }
    eprintln!(
        "{expr}: max {:.2} ULP at z = {:?}",
        worst.0, data.z[worst.1]
    );
}

/// The complex functions (vector kernels in the JIT, C99 in the naive evaluator) agree
/// within the normwise bound (ULP of the larger part) given per expression, special
/// values bitwise.
#[test]
fn functions_match_within_bounds() {
    let d = Data::new();
    let e = std::env::var("NUMJIT_PROBE_TOL").is_ok();
    let rows: [(&str, TolFn); 21] = [
        ("exp(z)", &|_, _, _| 4.0),
        ("log(z)", &|_, _, _| 4.0),
        ("log10(z)", &|_, _, _| 4.0),
        ("log2(z)", &|_, _, _| 4.0),
        ("log1p(z)", &|_, _, _| 4.0),
        ("exp2(z)", &|_, _, _| 4.0),
        ("expm1(z)", &|_, _, _| 4.0),
        ("sign(z * w)", &|_, _, _| 4.0),
        ("sin(z)", &|_, _, _| 6.0),
        ("cos(z)", &|_, _, _| 4.0),
        ("tan(z)", &|_, _, _| 4.0),
        ("sinh(z)", &|_, _, _| 4.0),
        ("cosh(z)", &|_, _, _| 6.0),
        ("tanh(z)", &|_, _, _| 4.0),
        ("arcsin(z)", &|_, _, _| 4.0),
        ("arccos(z)", &|_, _, _| 4.0),
        ("arctan(z)", &|_, _, _| 6.0),
        ("arcsinh(z)", &|_, _, _| 4.0),
        ("arccosh(z)", &|_, _, _| 4.0),
        ("arctanh(z)", &|_, _, _| 4.0),
        ("exp(z * w) + log(conj(c))", &|_, _, _| 4.0),
    ];
    for (expr, tol) in rows {
        if e {
            probe(expr, &d);
        }
        check_within(expr, &d, tol);
    }
}

/// numjit's complex `sqrt` and `**` (the kernels, in both engines) against the C
/// library's (NumPy's): within 4 ULP normwise for `sqrt`; for `**`, 4 + 4·|b|·|log a| ULP,
/// because `cpow` rounds b·log a to double first (the kernel forms it in double-double;
/// measured against MPC in docs/accuracy.md). Special values bitwise.
#[test]
fn sqrt_and_pow_rules_are_near_the_c_library() {
    use numjit::semantics as sem;
    use numjit::vmath;
    let d = Data::new();
    let mut exps = d.w.clone();
    exps.extend([2.5, -0.5, 1.0 / 3.0, 100.0, -150.0].map(|v| Complex64::new(v, 0.0)));
    for &z in &d.z {
        let (got, want) = (vmath::sqrt_c128_one(z), sem::c_sqrt(z));
        assert!(
            close(Scalar::Complex128(want), Scalar::Complex128(got), 4.0),
            "sqrt({z:?}): {got:?} vs C {want:?}"
        );
        for &w in &exps {
            let (got, want) = (vmath::pow_c128_one(z, w), sem::c_pow(z, w));
            let tol = 4.0 + 4.0 * w.norm() * z.ln().norm();
            assert!(
                close(Scalar::Complex128(want), Scalar::Complex128(got), tol),
                "{z:?} ** {w:?}: {got:?} vs C {want:?}"
            );
        }
    }
}

/// The scalar rules the JIT must equal, on values with known answers (NumPy's).
#[test]
fn reference_rules_follow_numpy() {
    use numjit::math::Math;
    use numjit::semantics as sem;
    let c = Complex64::new;
    // NumPy 2: abs is inf if a part is infinite, even with a NaN part.
    assert_eq!(sem::c_abs(c(f64::NAN, f64::NEG_INFINITY)), f64::INFINITY);
    assert!(sem::c_abs(c(f64::NAN, 0.0)).is_nan());
    assert_eq!(sem::c_abs(c(-3.0, 4.0)), 5.0);
    assert_eq!(sem::c_abs(c(1e300, 1e300)), 1.4142135623730952e300);
    // Division by zero divides each part by +0.
    let q = sem::c_div(c(1.0, -1.0), c(0.0, -0.0));
    assert_eq!((q.re, q.im), (f64::INFINITY, f64::NEG_INFINITY));
    // log's branch cut follows the sign of the imaginary zero.
    let l = Math::Log.complex(c(-1.0, -0.0));
    assert_eq!(l.im, -std::f64::consts::PI);
    // 0 ** w: zero when re(w) > 0, NaN otherwise (NumPy 2).
    assert_eq!(sem::c_pow(c(0.0, 0.0), c(1.0, 1.0)), c(0.0, 0.0));
    assert!(sem::c_pow(c(0.0, 0.0), c(-1.0, 0.0)).re.is_nan());
    // sqrt(-4 - 0j) is -2j (C99 csqrt).
    assert_eq!(sem::c_sqrt(c(-4.0, -0.0)), c(0.0, -2.0));
    // NumPy's log10 is clog(z) * log10(e), part by part.
    let l = Math::Log10.complex(c(100.0, 0.0));
    assert_eq!((l.re, l.im), (2.0, 0.0));
}
