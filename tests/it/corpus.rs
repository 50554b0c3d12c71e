//! Integration tests: the evaluation corpus.
//!
//! `tests/data/corpus.txt` holds expressions with inputs and the result real NumPy 2
//! computes for them (or the error numjit must report). It is generated from the
//! human-written `tests/data/cases.txt` by `tests/data/gen_corpus.py`; the format is
//! described at the top of both files. This test evaluates every case with
//! `numjit::evaluate`, compares dtype, shape and elements bitwise (`Array::same`: NaN
//! equals NaN, ±0 are distinct) or the error code, and reports every failure at once.
//! Two exceptions: float `**` is numjit's pow kernel, not glibc's (both within 1 ULP),
//! so in cases with `**` an inexact float element may differ by 2 ULP ([`pow_close`]);
//! the complex functions are numjit's vector kernels, within 8 ULP normwise of NumPy's
//! ([`complex_close`]).

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice};
use num_complex::Complex64;
use numjit::{AnyView, Array, DType, Element, Literal, Scalar, Vars};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

const CORPUS: &str = include_str!("../data/corpus.txt");

/// The corpus may grow, never silently shrink below this.
const MIN_CASES: usize = 180;

/// How one input is turned into a view, in order.
#[derive(Debug)]
enum ViewOp {
    /// One `(lo, hi, step)` per axis, in ndarray's convention.
    Slice(Vec<(usize, usize, isize)>),
    /// Reverse the axes (`.T`).
    Transpose,
    /// `np.broadcast_to` (only as the first op).
    Broadcast(Vec<usize>),
}

#[derive(Debug)]
enum Input {
    Array { base: Array, views: Vec<ViewOp> },
    Literal(Literal),
}

#[derive(Debug)]
enum Want {
    Array(Array),
    Error(String),
}

#[derive(Debug)]
struct Case {
    /// `case` line: the line in cases.txt and the label.
    head: String,
    expr: String,
    /// The inputs as written in cases.txt.
    srcs: Vec<String>,
    inputs: Vec<(String, Input)>,
    want: Want,
    numpy: Option<String>,
    differs: Option<String>,
}

// ------------------------------------------------------------------------ parsing

fn parse_shape(tok: &str) -> Result<Vec<usize>, String> {
    let inner = tok
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| format!("bad shape {tok:?}"))?;
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split(',')
        .map(|d| {
            d.parse::<usize>()
                .map_err(|e| format!("bad shape {tok:?}: {e}"))
        })
        .collect()
}

fn parse_bool(t: &str) -> Result<bool, String> {
    match t {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("bad bool {t:?}")),
    }
}

fn parse_num<T: std::str::FromStr>(t: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    t.parse::<T>().map_err(|e| format!("bad number {t:?}: {e}"))
}

fn parse_complex(t: &str) -> Result<Complex64, String> {
    let inner = t
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("bad complex {t:?}"))?;
    let (re, im) = inner
        .split_once(',')
        .ok_or_else(|| format!("bad complex {t:?}"))?;
    Ok(Complex64::new(parse_num(re)?, parse_num(im)?))
}

fn build<T>(
    shape: &[usize],
    toks: &[&str],
    f: impl Fn(&str) -> Result<T, String>,
) -> Result<ArrayD<T>, String> {
    let data = toks
        .iter()
        .map(|t| f(t))
        .collect::<Result<Vec<T>, String>>()?;
    ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|e| format!("shape {shape:?}: {e}"))
}

/// `DTYPE [SHAPE] ELEM...`
fn parse_array(text: &str) -> Result<Array, String> {
    let toks: Vec<&str> = text.split_whitespace().collect();
    if toks.len() < 2 {
        return Err(format!("bad array {text:?}"));
    }
    let dtype = DType::from_name(toks[0]).ok_or_else(|| format!("bad dtype {:?}", toks[0]))?;
    let shape = parse_shape(toks[1])?;
    let el = &toks[2..];
    Ok(match dtype {
        DType::Bool => Array::Bool(build(&shape, el, parse_bool)?),
        DType::Int32 => Array::Int32(build(&shape, el, parse_num::<i32>)?),
        DType::Int64 => Array::Int64(build(&shape, el, parse_num::<i64>)?),
        DType::Float32 => Array::Float32(build(&shape, el, parse_num::<f32>)?),
        DType::Float64 => Array::Float64(build(&shape, el, parse_num::<f64>)?),
        DType::Complex128 => Array::Complex128(build(&shape, el, parse_complex)?),
    })
}

/// `KIND VALUE` of a weak literal input.
fn parse_literal(text: &str) -> Result<Literal, String> {
    let (kind, v) = text
        .split_once(' ')
        .ok_or_else(|| format!("bad literal {text:?}"))?;
    Ok(match kind {
        "bool" => Literal::Bool(parse_bool(v)?),
        "int" => Literal::Int(parse_num(v)?),
        "float" => Literal::Float(parse_num(v)?),
        "complex" => Literal::Complex(parse_complex(v)?),
        _ => return Err(format!("bad literal kind {kind:?}")),
    })
}

fn parse_view(text: &str) -> Result<ViewOp, String> {
    if text == "T" {
        return Ok(ViewOp::Transpose);
    }
    if let Some(s) = text.strip_prefix("bcast ") {
        return Ok(ViewOp::Broadcast(parse_shape(s)?));
    }
    let spec = text
        .strip_prefix("slice ")
        .ok_or_else(|| format!("bad view {text:?}"))?;
    let axes = spec
        .split(',')
        .map(|ax| {
            let p: Vec<&str> = ax.split(':').collect();
            match p[..] {
                [lo, hi, step] => Ok((parse_num(lo)?, parse_num(hi)?, parse_num(step)?)),
                _ => Err(format!("bad slice {ax:?}")),
            }
        })
        .collect::<Result<_, String>>()?;
    Ok(ViewOp::Slice(axes))
}

fn parse_corpus(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let fail = |msg: String| -> ! { panic!("corpus.txt:{n}: {msg}: {line:?}") };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "case" {
            if cur.is_some() {
                fail("`case` before `end`".into());
            }
            cur = Some(Case {
                head: rest.to_string(),
                expr: String::new(),
                srcs: Vec::new(),
                inputs: Vec::new(),
                want: Want::Error(String::new()),
                numpy: None,
                differs: None,
            });
            continue;
        }
        let Some(case) = cur.as_mut() else {
            fail("line outside a case".into())
        };
        match key {
            "expr" => case.expr = rest.to_string(),
            "src" => case.srcs.push(rest.to_string()),
            "in" => {
                let (name, spec) = rest
                    .split_once(' ')
                    .unwrap_or_else(|| fail("bad input".into()));
                let input = match spec.strip_prefix("lit ") {
                    Some(lit) => Input::Literal(parse_literal(lit).unwrap_or_else(|e| fail(e))),
                    None => Input::Array {
                        base: parse_array(spec).unwrap_or_else(|e| fail(e)),
                        views: Vec::new(),
                    },
                };
                case.inputs.push((name.to_string(), input));
            }
            "view" => {
                let (name, spec) = rest
                    .split_once(' ')
                    .unwrap_or_else(|| fail("bad view".into()));
                let op = parse_view(spec).unwrap_or_else(|e| fail(e));
                match case.inputs.iter_mut().find(|(n, _)| n == name) {
                    Some((_, Input::Array { views, .. })) => views.push(op),
                    _ => fail(format!("view of unknown array input {name:?}")),
                }
            }
            "want" => {
                case.want = match rest.strip_prefix("error ") {
                    Some(code) => Want::Error(code.trim().to_string()),
                    None => Want::Array(parse_array(rest).unwrap_or_else(|e| fail(e))),
                }
            }
            "numpy" => case.numpy = Some(rest.to_string()),
            "differs" => case.differs = Some(rest.to_string()),
            "end" => {
                let case = cur
                    .take()
                    .unwrap_or_else(|| fail("`end` outside a case".into()));
                if case.expr.is_empty() || matches!(&case.want, Want::Error(c) if c.is_empty()) {
                    fail("case without `expr` or `want`".into());
                }
                cases.push(case);
            }
            _ => fail(format!("unknown keyword {key:?}")),
        }
    }
    assert!(cur.is_none(), "corpus.txt: last case has no `end`");
    cases
}

// ------------------------------------------------------------------------ views

fn apply_views<'a, T: Element>(base: &'a ArrayD<T>, ops: &[ViewOp]) -> Result<AnyView<'a>, String> {
    let (mut v, rest): (ArrayViewD<'a, T>, &[ViewOp]) = match ops.split_first() {
        Some((ViewOp::Broadcast(shape), rest)) => (
            base.broadcast(IxDyn(shape))
                .ok_or_else(|| format!("cannot broadcast {:?} to {shape:?}", base.shape()))?,
            rest,
        ),
        _ => (base.view(), ops),
    };
    for op in rest {
        match op {
            ViewOp::Slice(axes) => {
                if axes.len() != v.ndim() {
                    return Err(format!("{} slices for {} axes", axes.len(), v.ndim()));
                }
                for (i, &(lo, hi, step)) in axes.iter().enumerate() {
                    if lo > hi || hi > v.len_of(Axis(i)) || step == 0 {
                        return Err(format!("bad slice {lo}:{hi}:{step} of axis {i}"));
                    }
                    v.slice_axis_inplace(Axis(i), Slice::new(lo as isize, Some(hi as isize), step));
                }
            }
            ViewOp::Transpose => v = v.reversed_axes(),
            ViewOp::Broadcast(_) => return Err("bcast is only allowed first".into()),
        }
    }
    Ok(T::view(v))
}

fn input_view<'a>(base: &'a Array, ops: &[ViewOp]) -> Result<AnyView<'a>, String> {
    match base {
        Array::Bool(a) => apply_views(a, ops),
        Array::Int32(a) => apply_views(a, ops),
        Array::Int64(a) => apply_views(a, ops),
        Array::Float32(a) => apply_views(a, ops),
        Array::Float64(a) => apply_views(a, ops),
        Array::Complex128(a) => apply_views(a, ops),
    }
}

// ------------------------------------------------------------------------ running

fn fmt_scalar(s: Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int32(v) => v.to_string(),
        Scalar::Int64(v) => v.to_string(),
        Scalar::Float32(v) => format!("{v:?}"),
        Scalar::Float64(v) => format!("{v:?}"),
        Scalar::Complex128(c) => format!("({:?},{:?})", c.re, c.im),
    }
}

/// `DTYPE [SHAPE] ELEM...`, the corpus syntax; long arrays are cut short.
fn fmt_array(a: &Array) -> String {
    let shape: Vec<String> = a.shape().iter().map(|d| d.to_string()).collect();
    let mut s = format!("{} [{}]", a.dtype(), shape.join(","));
    let elems = a.to_scalars();
    for e in elems.iter().take(16) {
        s.push(' ');
        s.push_str(&fmt_scalar(*e));
    }
    if elems.len() > 16 {
        let _ = write!(s, " … ({} elements)", elems.len());
    }
    s
}

/// Where two same-dtype, same-shape arrays differ (first few flat positions).
fn mismatches(want: &Array, got: &Array) -> String {
    if want.dtype() != got.dtype() || want.shape() != got.shape() || want.len() <= 16 {
        return String::new();
    }
    let (w, g) = (want.to_scalars(), got.to_scalars());
    let bad: Vec<usize> = (0..w.len()).filter(|&i| !w[i].same(g[i])).collect();
    let mut s = format!("\n  differing:  {} of {} elements:", bad.len(), w.len());
    for &i in bad.iter().take(8) {
        let _ = write!(
            s,
            "\n    flat[{i}]: expected {} got {}",
            fmt_scalar(w[i]),
            fmt_scalar(g[i])
        );
    }
    s
}

/// Whether `g` may stand for NumPy's `w` in a case with float `**`: numjit's pow kernel
/// and glibc's pow are each within 1 ULP of the exact result (docs/accuracy.md), so
/// inexact results may be 2 ULP apart; zeros, infinities, NaN and integers (exact
/// results below 2^53) must still be bitwise equal.
fn pow_close(w: Scalar, g: Scalar) -> bool {
    fn ord(x: f64) -> i64 {
        let i = x.to_bits() as i64;
        if i < 0 {
            i64::MIN.wrapping_sub(i)
        } else {
            i
        }
    }
    fn ord32(x: f32) -> i64 {
        let i = x.to_bits() as i32;
        (if i < 0 { i32::MIN.wrapping_sub(i) } else { i }) as i64
    }
    // Integers below 2^53 count as exact (the larger floats are all integers).
    let inexact = |v: f64| v.is_finite() && (v != v.trunc() || v.abs() >= 9007199254740992.0);
    match (w, g) {
        (Scalar::Float64(a), Scalar::Float64(b)) => inexact(a) && ord(a).abs_diff(ord(b)) <= 2,
        (Scalar::Float32(a), Scalar::Float32(b)) => {
            inexact(a as f64) && ord32(a).abs_diff(ord32(b)) <= 2
        }
        _ => false,
    }
}

/// The complex functions that are vector kernels in the JIT (`vmath::complex`): their
/// results are within a few ULP of NumPy's (the C library's), not bitwise.
const COMPLEX_KERNELS: [&str; 23] = [
    "sqrt", "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos",
    "arctan", "arcsinh", "arccosh", "arctanh", "expm1", "exp2", "log2", "log10", "log1p", "sign",
    "**", "pow",
];

/// Whether complex `g` may stand for NumPy's `w` in a case with a complex kernel: each
/// part within 8 ULP of the larger part (normwise; docs/accuracy.md), infinities and
/// NaN bitwise. Two of NumPy's own formulas are looser, and numjit is the accurate one
/// there (checked with mpmath): `log1p`'s log(hypot(1 + x, y)) rounds 1 + x first (an
/// absolute error up to 2^-52 in the real part; `log1p(-1e-310)` is 0 in NumPy), and
/// glibc's `cpow` rounds b·log(a) first (an error growing with |b·log a|: 265 ULP at
/// |b·log a| = 614 in the corpus, numjit 0.1), so `**` allows a relative 1e-12; `exp2`
/// rounds y·ln 2 first (4.9 ULP at |y| = 22.6 in the corpus, numjit 0.005), so it allows
/// a relative 1e-14.
fn complex_close(expr: &str, w: Scalar, g: Scalar) -> bool {
    match (w, g) {
        (Scalar::Complex128(a), Scalar::Complex128(b)) => {
            let fin = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
            let m = fin(a.re).max(fin(a.im)).max(f64::MIN_POSITIVE);
            let ulp = f64::from_bits(m.to_bits() + 1) - m;
            let mut tol = 8.0 * ulp;
            if expr.contains("log1p") {
                tol = tol.max(f64::EPSILON);
            }
            if expr.contains("**") || expr.contains("pow") {
                tol = tol.max(1e-12 * m);
            }
            if expr.contains("exp2") {
                tol = tol.max(1e-14 * m);
            }
            [(a.re, b.re), (a.im, b.im)].iter().all(|&(u, v)| {
                u.to_bits() == v.to_bits()
                    || (u.is_nan() && v.is_nan())
                    || (u.is_finite() && v.is_finite() && (u - v).abs() <= tol)
            })
        }
        _ => false,
    }
}

/// Does `got` match `want` for this case (bitwise, or [`pow_close`] with `**`, or
/// [`complex_close`] with a complex kernel)?
fn matches(case: &Case, want: &Array, got: &Array) -> bool {
    if want.same(got) {
        return true;
    }
    let pow = case.expr.contains("**");
    let complex = COMPLEX_KERNELS.iter().any(|f| case.expr.contains(f));
    (pow || complex)
        && want.dtype() == got.dtype()
        && want.shape() == got.shape()
        && want
            .to_scalars()
            .into_iter()
            .zip(got.to_scalars())
            .all(|(w, g)| {
                w.same(g)
                    || (pow && pow_close(w, g))
                    || (complex && complex_close(&case.expr, w, g))
            })
}

/// Runs one case; `Err` is the failure report.
fn run(case: &Case) -> Result<(), String> {
    let mut vars = Vars::new();
    for (name, input) in &case.inputs {
        match input {
            Input::Array { base, views } => {
                vars.insert(name, input_view(base, views)?);
            }
            Input::Literal(lit) => {
                vars.insert(name, *lit);
            }
        }
    }
    let got = catch_unwind(AssertUnwindSafe(|| numjit::evaluate(&case.expr, &vars))).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("PANIC: {msg}")
    });
    let got_text = |got: &Result<Result<Array, numjit::Error>, String>| match got {
        Ok(Ok(a)) => fmt_array(a),
        Ok(Err(e)) => format!("error {}: {}", e.code(), e.message),
        Err(p) => p.clone(),
    };
    let (ok, want_text, extra) = match (&case.want, &got) {
        (Want::Array(w), Ok(Ok(g))) => (matches(case, w, g), fmt_array(w), mismatches(w, g)),
        (Want::Array(w), _) => (false, fmt_array(w), String::new()),
        (Want::Error(code), Ok(Err(e))) => {
            (e.code() == code, format!("error {code}"), String::new())
        }
        (Want::Error(code), _) => (false, format!("error {code}"), String::new()),
    };
    if ok {
        return Ok(());
    }
    let mut r = format!("--- cases.txt:{}\n{}\n", case.head, case.expr);
    for s in &case.srcs {
        let _ = writeln!(r, "  {s}");
    }
    let _ = write!(
        r,
        "  expected: {want_text}\n  got:      {}{extra}",
        got_text(&got)
    );
    if let (Some(np), Some(why)) = (&case.numpy, &case.differs) {
        let _ = write!(r, "\n  (NumPy gives {np}; numjit differs: {why})");
    }
    Err(r)
}

#[test]
fn corpus() {
    let cases = parse_corpus(CORPUS);
    assert!(
        cases.len() >= MIN_CASES,
        "the corpus has {} cases, fewer than {MIN_CASES}",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}\n\n{} of {} corpus cases failed \
         (tests/data/corpus.txt; regenerate with tests/data/gen_corpus.py)",
        failures.len(),
        cases.len(),
        failures.join("\n\n"),
        failures.len(),
        cases.len()
    );
}

#[test]
fn corpus_parser_reads_views_and_literals() {
    let text = "case 1 t\nexpr a + x\nin a int32 [2,3] 0 1 2 3 4 5\nview a slice 0:2:-1,0:3:2\n\
                view a T\nin x lit complex (1.5,-0.0)\nwant error E0401\nend\n";
    let cases = parse_corpus(text);
    assert_eq!(cases.len(), 1);
    let Input::Array { base, views } = &cases[0].inputs[0].1 else {
        panic!("not an array")
    };
    let v = input_view(base, views).unwrap();
    assert_eq!(v.shape(), &[2, 2]);
    // rows reversed, every other column, transposed: [[3, 0], [5, 2]]
    assert_eq!(
        v.to_owned().to_scalars(),
        [3, 0, 5, 2].map(Scalar::Int32).to_vec()
    );
    assert!(
        matches!(cases[0].inputs[1].1, Input::Literal(Literal::Complex(c)) if c.im.is_sign_negative())
    );
}
