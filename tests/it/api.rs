//! Integration tests: the public API (`evaluate`, `evaluate_into`, `compile`), views of
//! every layout, `out` rules, and a rendered snapshot of every non-syntax error code.

use ndarray::{array, s, Array1, Array2, ArrayD, IxDyn};
use num_complex::Complex64;
use numjit::{DType, Error, Literal, Signature, Vars};

/// Evaluates `src` and renders the error it must give.
fn render_err(src: &str, vars: &Vars) -> (String, String) {
    let err: Error = numjit::evaluate(src, vars).expect_err("expected an error");
    (err.code().to_string(), err.render(src))
}

#[test]
fn polynomial_over_views_of_every_layout() {
    let base = Array1::from_iter((0..10).map(|i| i as f64 * 0.5));
    let poly = |x: f64| ((0.25 * x + 0.75) * x - 1.5) * x - 2.0;
    for view in [
        base.slice(s![..]),
        base.slice(s![..;2]),
        base.slice(s![..;-1]),
        base.slice(s![3..;-3]),
    ] {
        let mut vars = Vars::new();
        vars.insert("x", &view);
        let y = numjit::evaluate("((.25*x + .75)*x - 1.5)*x - 2", &vars).unwrap();
        let want: Vec<f64> = view.iter().map(|&x| poly(x)).collect();
        assert_eq!(
            y.as_f64().unwrap().iter().copied().collect::<Vec<_>>(),
            want
        );
        assert!(y.as_f64().unwrap().is_standard_layout());
    }
}

#[test]
fn transposed_and_broadcast_inputs() {
    let a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i64);
    let t = a.t();
    let col = array![[1i64], [2], [3], [4]];
    let mut vars = Vars::new();
    vars.insert("t", &t).insert("c", &col);
    let y = numjit::evaluate("t * c", &vars).unwrap();
    assert_eq!(y.shape(), &[4, 3]);
    let y = y.into_i64().unwrap();
    assert_eq!(y[[3, 2]], a[[2, 3]] * 4);
}

#[test]
fn every_element_type_and_scalars() {
    let b = array![true, false];
    let i = array![1i32, -2];
    let l = array![3i64, 4];
    let f = array![0.5f32, 1.5];
    let d = array![2.0f64, -1.0];
    let c = array![Complex64::new(1.0, 1.0), Complex64::new(0.0, -1.0)];
    let mut vars = Vars::new();
    vars.insert("b", &b)
        .insert("i", &i)
        .insert("l", &l)
        .insert("f", &f)
        .insert("d", &d)
        .insert("c", &c);
    vars.insert("s", 2.5).insert("k", 3i32);
    let y = numjit::evaluate("where(b, i, l) + f*d - c + s*k", &vars).unwrap();
    assert_eq!(y.dtype(), DType::Complex128);
    // 0-d f64 scalar is strong: float32 * s → float64
    assert_eq!(
        numjit::evaluate("f * s", &vars).unwrap().dtype(),
        DType::Float64
    );
    // weak literal stays weak: float32 * 2.5 → float32
    assert_eq!(
        numjit::evaluate("f * 2.5", &vars).unwrap().dtype(),
        DType::Float32
    );
    // a weak literal given as a variable behaves like the literal written in place
    vars.insert("w", Literal::Float(2.5));
    assert_eq!(
        numjit::evaluate("f * w", &vars).unwrap().dtype(),
        DType::Float32
    );
}

#[test]
fn bare_literal_is_0d_int64() {
    let y = numjit::evaluate("2", &Vars::new()).unwrap();
    assert_eq!(y.dtype(), DType::Int64);
    assert_eq!(y.shape(), &[] as &[usize]);
    let y = numjit::evaluate("2**-1", &Vars::new()).unwrap();
    assert_eq!(y.as_f64().unwrap()[IxDyn(&[])], 0.5);
    let y = numjit::evaluate("-2**2", &Vars::new()).unwrap();
    assert_eq!(y.as_i64().unwrap()[IxDyn(&[])], -4);
    let y = numjit::evaluate("2**3**2", &Vars::new()).unwrap();
    assert_eq!(y.as_i64().unwrap()[IxDyn(&[])], 512);
    let y = numjit::evaluate("7 // -2", &Vars::new()).unwrap();
    assert_eq!(y.as_i64().unwrap()[IxDyn(&[])], -4);
}

#[test]
fn evaluate_into_casts_same_kind_and_allows_in_place() {
    let mut x = array![1.0, 2.0, 3.0];
    let snapshot = x.clone();
    {
        let mut vars = Vars::new();
        vars.insert("x", &snapshot);
        numjit::evaluate_into("x*2 + 1", &vars, &mut x).unwrap();
    }
    assert_eq!(x.to_vec(), vec![3.0, 5.0, 7.0]);

    // strided, reversed out
    let mut buf = Array1::<f32>::zeros(6);
    let a = array![1i32, 2, 3];
    let mut vars = Vars::new();
    vars.insert("a", &a);
    numjit::evaluate_into("a * 10", &vars, &mut buf.slice_mut(s![..;-2])).unwrap();
    assert_eq!(buf.to_vec(), vec![0.0, 30.0, 0.0, 20.0, 0.0, 10.0]);
}

#[test]
fn out_errors() {
    let a = array![1.0, 2.0, 3.0];
    let mut vars = Vars::new();
    vars.insert("a", &a);
    let mut wrong_shape = Array1::<f64>::zeros(4);
    let e = numjit::evaluate_into("a + 1", &vars, &mut wrong_shape).unwrap_err();
    assert_eq!(e.code(), "E0402");
    insta::assert_snapshot!("E0402", e.render("a + 1"));
    let mut ints = Array1::<i64>::zeros(3);
    let e = numjit::evaluate_into("a + 1", &vars, &mut ints).unwrap_err();
    assert_eq!(e.code(), "E0403");
    insta::assert_snapshot!("E0403", e.render("a + 1"));
    assert_eq!(
        ints.to_vec(),
        vec![0, 0, 0],
        "a refused out is never written"
    );
}

#[test]
fn compile_once_run_many_and_explain() {
    let sig = Signature::new().with("x", DType::Float64);
    let f = numjit::compile("sqrt(x) * 2", &sig).unwrap();
    for n in [0usize, 1, 7, 100] {
        let x = Array1::from_iter((0..n).map(|i| (i * i) as f64));
        let mut vars = Vars::new();
        vars.insert("x", &x);
        let y = f.run(&vars).unwrap().into_f64().unwrap();
        assert_eq!(
            y.iter().copied().collect::<Vec<_>>(),
            (0..n).map(|i| i as f64 * 2.0).collect::<Vec<_>>()
        );
    }
    let text = f.explain();
    assert!(text.contains("sqrt.float64"), "{text}");
    assert!(text.contains("ast:"), "{text}");
    // run with the wrong dtype
    let x32 = array![1.0f32];
    let mut vars = Vars::new();
    vars.insert("x", &x32);
    assert_eq!(f.run(&vars).unwrap_err().code(), "E0604");
    // run with the input missing
    assert_eq!(f.run(&Vars::new()).unwrap_err().code(), "E0201");
}

#[test]
fn size_zero_and_high_dimensional() {
    let e = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    let r = ArrayD::<f64>::ones(IxDyn(&[3]));
    let mut vars = Vars::new();
    vars.insert("e", &e).insert("r", &r);
    let y = numjit::evaluate("e + r", &vars).unwrap();
    assert_eq!(y.shape(), &[0, 3]);
    let h = ArrayD::<i32>::ones(IxDyn(&[2, 1, 2, 1, 2]));
    let g = ArrayD::<i32>::ones(IxDyn(&[3, 1, 2, 1]));
    let mut vars = Vars::new();
    vars.insert("h", &h).insert("g", &g);
    assert_eq!(
        numjit::evaluate("h + g", &vars).unwrap().shape(),
        &[2, 3, 2, 2, 2]
    );
}

#[test]
fn runtime_negative_integer_power() {
    let a = array![2i64, 3];
    let b = array![1i64, -1];
    let mut vars = Vars::new();
    vars.insert("a", &a).insert("b", &b);
    let (code, text) = render_err("a ** b", &vars);
    assert_eq!(code, "E0501");
    insta::assert_snapshot!("E0501", text);
}

#[test]
fn invalid_variable_names_are_refused() {
    let mut vars = Vars::new();
    for bad in ["1x", "a b", "and", "sqrt", "True", ""] {
        let e = vars.try_insert(bad, 1.0).unwrap_err();
        assert_eq!(e.code(), "E0205", "{bad:?}");
    }
    let e = vars.try_insert("sqrt", 1.0).unwrap_err();
    insta::assert_snapshot!(
        "E0205",
        format!("{e}\n{}", e.help.clone().unwrap_or_default())
    );
    assert!(vars.try_insert("ok_name2", 1.0).is_ok());
}

#[test]
fn rendered_errors_for_names_types_and_shapes() {
    let a = array![1.0, 2.0, 3.0];
    let b = array![1.0, 2.0, 3.0, 4.0];
    let i = array![1i32, 2];
    let z = array![Complex64::new(1.0, 0.0)];
    let t = array![true];
    let mut vars = Vars::new();
    vars.insert("a", &a)
        .insert("b", &b)
        .insert("i", &i)
        .insert("z", &z)
        .insert("t", &t)
        .insert("x", 1.0);
    let cases = [
        ("E0201", "xx + 1"),
        ("E0201", "sqrt + 1"),
        ("E0202", "sqr(a)"),
        ("E0202", "a(2)"),
        ("E0203", "where(a > 1, a)"),
        ("E0203", "sqrt(a, b)"),
        ("E0301", "a << 1"),
        ("E0301", "t - t"),
        ("E0301", "-t"),
        ("E0301", "z < z"),
        ("E0301", "~a"),
        ("E0301", "t // t"),
        ("E0302", "i * 3000000000"),
        ("E0303", "i ** -2"),
        ("E0304", "a + 1/0"),
        ("E0305", "a * 2**200"),
        ("E0401", "a * b"),
        ("E0401", "where(a > 0, a, b)"),
    ];
    let mut all = String::new();
    for (code, src) in cases {
        let (got, text) = render_err(src, &vars);
        assert_eq!(got, code, "{src}\n{text}");
        all.push_str(&format!("--- {src}\n{text}\n"));
    }
    insta::assert_snapshot!("type_and_shape_errors", all);
}

#[test]
fn too_many_inputs() {
    let xs: Vec<Array1<f64>> = (0..200).map(|_| array![1.0]).collect();
    let names: Vec<String> = (0..200).map(|i| format!("v{i}")).collect();
    let mut vars = Vars::new();
    for (n, x) in names.iter().zip(&xs) {
        vars.insert(n, x);
    }
    let src = names.join(" + ");
    let e = numjit::evaluate(&src, &vars).unwrap_err();
    assert_eq!(e.code(), "E0204");
    insta::assert_snapshot!(
        "E0204",
        format!("{e}\n{}", e.help.clone().unwrap_or_default())
    );
}

#[test]
fn file_and_argument_errors_render() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let mut all = String::new();
    let mut show = |e: Error| {
        let text =
            format!("{e}\n  = help: {}\n", e.help.clone().unwrap_or_default()).replace(&d, "[DIR]");
        all.push_str(&text);
    };
    // E0601: no such file
    show(numjit::npy::read_npy(&dir.path().join("missing.npy")).unwrap_err());
    // E0602: not a .npy file
    let junk = dir.path().join("junk.npy");
    std::fs::write(&junk, b"this is not an npy file").unwrap();
    show(numjit::npy::read_npy(&junk).unwrap_err());
    // E0603: a dtype numjit does not have (float16)
    let half = dir.path().join("half.npy");
    let header = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let pad = 64 - (10 + header.len() + 1) % 64;
    let hlen = (header.len() + pad + 1) as u16;
    bytes.extend_from_slice(&hlen.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(std::iter::repeat_n(b' ', pad));
    bytes.push(b'\n');
    bytes.extend_from_slice(&[0, 60, 0, 64]);
    std::fs::write(&half, &bytes).unwrap();
    show(numjit::npy::read_npy(&half).unwrap_err());
    // E0604: an input with another dtype than the one compiled for
    let f = numjit::compile("x + 1", &Signature::new().with("x", DType::Float64)).unwrap();
    let x = array![1i32];
    let mut vars = Vars::new();
    vars.insert("x", &x);
    show(f.run(&vars).unwrap_err());
    let codes: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with("error["))
        .filter_map(|l| l.get(6..11))
        .collect();
    assert_eq!(codes, ["E0601", "E0602", "E0603", "E0604"], "{all}");
    insta::assert_snapshot!("file_and_argument_errors", all);
}

#[test]
fn compiled_literals_must_match_at_run_time() {
    let sig = Signature::new()
        .with("x", DType::Float32)
        .with_literal("s", Literal::Float(2.5));
    let f = numjit::compile("x * s", &sig).unwrap();
    assert_eq!(f.dtype(), DType::Float32, "a weak literal keeps float32");
    let x = array![2.0f32];
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("s", Literal::Float(2.5));
    assert_eq!(f.run(&vars).unwrap().into_f32().unwrap()[0], 5.0);
    vars.insert("s", Literal::Float(3.0));
    assert_eq!(f.run(&vars).unwrap_err().code(), "E0604");
    vars.insert("s", 3.0);
    assert_eq!(f.run(&vars).unwrap_err().code(), "E0604");
}

/// numexpr's `copy` and `ones_like`: the operand itself, and ones of its dtype and
/// shape (NaN and infinities included), through the JIT and the naive evaluator.
#[test]
fn copy_and_ones_like() {
    let x = array![[1.5, f64::NAN], [f64::INFINITY, -0.0]];
    let i = array![3i32, -7, 0];
    let b = array![true, false];
    let z = array![Complex64::new(f64::NAN, 2.0)];
    let mut vars = Vars::new();
    vars.insert("x", &x)
        .insert("i", &i)
        .insert("b", &b)
        .insert("z", &z);
    let c = numjit::evaluate("copy(x)", &vars).unwrap();
    let got = c.as_f64().unwrap();
    assert_eq!(got.shape(), &[2, 2]);
    assert!(got
        .iter()
        .zip(x.iter())
        .all(|(g, w)| g.to_bits() == w.to_bits()));
    let o = numjit::evaluate("ones_like(x)", &vars).unwrap();
    assert_eq!(
        o.as_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        vec![1.0; 4]
    );
    let o = numjit::evaluate("ones_like(i) + i", &vars).unwrap();
    assert_eq!(
        o.as_i32().unwrap().iter().copied().collect::<Vec<_>>(),
        vec![4, -6, 1]
    );
    let o = numjit::evaluate("ones_like(b)", &vars).unwrap();
    assert_eq!(
        o.as_bool().unwrap().iter().copied().collect::<Vec<_>>(),
        vec![true, true]
    );
    let o = numjit::evaluate("ones_like(z)", &vars).unwrap();
    assert_eq!(o.as_c128().unwrap()[[0]], Complex64::new(1.0, 0.0));
    for src in [
        "copy(x)",
        "ones_like(x)",
        "ones_like(i) + i",
        "ones_like(b)",
        "ones_like(z)",
    ] {
        let f = numjit::compile(src, &Signature::of(&vars)).unwrap();
        assert!(
            f.run(&vars).unwrap().same(&f.run_naive(&vars).unwrap()),
            "{src}"
        );
    }
}
