//! The `numjit._numjit` extension module: numexpr's `evaluate`, `validate`,
//! `re_evaluate` and `NumExpr` over numjit, plus the thread settings. It finds the
//! inputs (caller's frame or the given dicts), caches compiled expressions per input
//! types, and runs them with the GIL released. NumPy conversions are in `convert`,
//! exceptions in `errors`; the semantics are numjit's (NumPy 2), never decided here.

mod convert;
mod errors;

use convert::{check_array, input_var, literal_of, out_view, to_numpy, writable_out, Checked};
use numjit::exec::RunOptions;
use numjit::syntax::{Expr, ExprKind};
use numjit::{Compiled, DType, Literal, Signature, Var, Vars};
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyWeakrefReference};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

// ---------------------------------------------------------------------------------
// The expression cache: source → input names → compiled variants per input types.
// ---------------------------------------------------------------------------------

/// Most expressions kept; past it the cache starts again (compiled kernels are also
/// cached by the core, so a rebuild is cheap).
const CACHE_EXPRS: usize = 256;
/// Most type/literal variants kept per expression (oldest dropped first).
const CACHE_VARIANTS: usize = 32;

/// How one input took part in compilation: its dtype, or the literal's value (weak
/// literals are folded into the code), or absent (compile reports E0201).
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Missing,
    Dt(DType),
    Bool(bool),
    Int(i128),
    Float(u64),
    Complex(u64, u64),
}

struct Entry {
    src: Arc<str>,
    /// The variables the expression uses, in order of first appearance.
    names: Vec<String>,
    /// The same names as interned Python strings (fast dict lookups).
    py_names: Vec<Py<PyString>>,
    variants: Mutex<Vec<(Vec<Key>, Arc<Compiled>)>>,
}

fn cache() -> &'static Mutex<HashMap<Arc<str>, Arc<Entry>>> {
    static C: OnceLock<Mutex<HashMap<Arc<str>, Arc<Entry>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

fn names_of(ast: &Expr) -> Vec<String> {
    fn walk(e: &Expr, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Name(n) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            ExprKind::Unary(_, a) => walk(a, out),
            ExprKind::Binary(_, a, b) => {
                walk(a, out);
                walk(b, out);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(ast, &mut out);
    out
}

fn entry(py: Python<'_>, src: &str) -> PyResult<Arc<Entry>> {
    if let Some(e) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(src) {
        return Ok(e.clone());
    }
    let ast = numjit::syntax::parse(src).map_err(|e| errors::to_py(py, &e, src))?;
    let names = names_of(&ast);
    let py_names = names
        .iter()
        .map(|n| PyString::intern(py, n).unbind())
        .collect();
    let src: Arc<str> = src.into();
    let e = Arc::new(Entry {
        src: src.clone(),
        names,
        py_names,
        variants: Mutex::new(Vec::new()),
    });
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= CACHE_EXPRS {
        c.clear();
    }
    Ok(c.entry(src).or_insert(e).clone())
}

fn compiled_for(py: Python<'_>, entry: &Entry, vals: &[Val<'_>]) -> PyResult<Arc<Compiled>> {
    let keys: Vec<Key> = vals.iter().map(Val::key).collect();
    {
        let v = entry.variants.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = v.iter().find(|(k, _)| *k == keys) {
            return Ok(c.clone());
        }
    }
    let mut sig = Signature::new();
    for (name, val) in entry.names.iter().zip(vals) {
        match val {
            Val::Arr(_, dt) => sig = sig.with(name, *dt),
            Val::Lit(l) => sig = sig.with_literal(name, *l),
            Val::Missing => {}
        }
    }
    let src = &*entry.src;
    let c = Arc::new(numjit::compile(src, &sig).map_err(|e| errors::to_py(py, &e, src))?);
    let mut v = entry.variants.lock().unwrap_or_else(|e| e.into_inner());
    if v.len() >= CACHE_VARIANTS {
        v.remove(0);
    }
    v.push((keys, c.clone()));
    Ok(c)
}

// ---------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------

/// One input value, classified.
enum Val<'py> {
    /// A NumPy array numjit can view in place (possibly a converted copy).
    Arr(Bound<'py, PyUntypedArray>, DType),
    /// A Python scalar: a weak literal, exactly like the same literal in the text.
    Lit(Literal),
    /// Not found anywhere.
    Missing,
}

impl Val<'_> {
    fn key(&self) -> Key {
        match self {
            Val::Missing => Key::Missing,
            Val::Arr(_, dt) => Key::Dt(*dt),
            Val::Lit(Literal::Bool(b)) => Key::Bool(*b),
            Val::Lit(Literal::Int(i)) => Key::Int(*i),
            Val::Lit(Literal::Float(f)) => Key::Float(f.to_bits()),
            Val::Lit(Literal::Complex(c)) => Key::Complex(c.re.to_bits(), c.im.to_bits()),
        }
    }
}

fn checked<'py>(name: &str, arr: Bound<'py, PyUntypedArray>) -> PyResult<Val<'py>> {
    let py = arr.py();
    match check_array(name, arr)? {
        Checked::Ok(a, dt) => Ok(Val::Arr(a, dt)),
        Checked::Unsupported(msg) => Err(errors::binding(py, "dtype", msg)),
    }
}

/// Classifies a Python value bound to `name`.
fn classify<'py>(name: &str, obj: Bound<'py, PyAny>) -> PyResult<Val<'py>> {
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return checked(name, arr.clone());
    }
    if let Some(l) = literal_of(&obj)? {
        return Ok(Val::Lit(l));
    }
    let arr = convert::asarray(&obj)?;
    checked(name, arr.cast_into::<PyUntypedArray>()?)
}

fn get_from<'py>(
    map: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = map.cast::<PyDict>() {
        return d.get_item(key);
    }
    match map.get_item(key) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyKeyError>(map.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

fn getframe(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static F: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    F.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("sys")?.getattr("_getframe")?.unbind())
    })?
    .bind(py)
    .call0()
}

/// Looks every name of `entry` up in `local_dict`, then `global_dict`; a missing dict
/// is the calling Python frame's locals / globals, as numexpr does.
fn lookup<'py>(
    py: Python<'py>,
    entry: &Entry,
    local_dict: Option<&Bound<'py, PyAny>>,
    global_dict: Option<&Bound<'py, PyAny>>,
) -> PyResult<Vec<Val<'py>>> {
    if entry.names.is_empty() {
        return Ok(Vec::new());
    }
    let mut frame_locals = None;
    let (l, g) = match (local_dict, global_dict) {
        (Some(l), Some(g)) => (l.clone(), g.clone()),
        _ => {
            let frame = getframe(py)?;
            let fg = frame.getattr(pyo3::intern!(py, "f_globals"))?;
            let l = match local_dict {
                Some(l) => l.clone(),
                None => {
                    let fl = frame.getattr(pyo3::intern!(py, "f_locals"))?;
                    frame_locals = Some((frame, fl.clone()));
                    fl
                }
            };
            (l, global_dict.cloned().unwrap_or(fg))
        }
    };
    let mut vals = Vec::with_capacity(entry.names.len());
    for (name, key) in entry.names.iter().zip(&entry.py_names) {
        let key = key.bind(py);
        let obj = match get_from(&l, key)? {
            Some(v) => Some(v),
            None => get_from(&g, key)?,
        };
        vals.push(match obj {
            Some(o) => classify(name, o)?,
            None => Val::Missing,
        });
    }
    if let Some((frame, fl)) = frame_locals {
        clear_frame_locals(py, &frame, &fl, &g)?;
    }
    Ok(vals)
}

/// numexpr #310: on Python ≤ 3.12 `frame.f_locals` of a function is a snapshot dict
/// the frame keeps, holding a reference to every local until the next snapshot.
/// Clear it (the function's variables themselves are untouched). Never for module or
/// class bodies, whose `f_locals` is the real namespace.
fn clear_frame_locals(
    py: Python<'_>,
    frame: &Bound<'_, PyAny>,
    fl: &Bound<'_, PyAny>,
    fg: &Bound<'_, PyAny>,
) -> PyResult<()> {
    const CO_OPTIMIZED: i64 = 1;
    if !fl.is_exact_instance_of::<PyDict>() || fl.is(fg) {
        return Ok(());
    }
    let flags: i64 = frame
        .getattr(pyo3::intern!(py, "f_code"))?
        .getattr(pyo3::intern!(py, "co_flags"))?
        .extract()?;
    if flags & CO_OPTIMIZED != 0 {
        fl.cast::<PyDict>()?.clear();
    }
    Ok(())
}

fn vars_of<'a>(names: &'a [String], vals: &'a [Val<'_>]) -> Vars<'a> {
    let mut vars = Vars::new();
    for (name, val) in names.iter().zip(vals) {
        match val {
            Val::Arr(a, dt) => match input_var(a, *dt) {
                Var::View(v) => {
                    vars.insert(name, v);
                }
                Var::Owned(o) => {
                    vars.insert(name, o);
                }
                Var::Literal(l) => {
                    vars.insert(name, l);
                }
            },
            Val::Lit(l) => {
                vars.insert(name, *l);
            }
            Val::Missing => {}
        }
    }
    vars
}

// ---------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Debug)]
enum Order {
    C,
    F,
    A,
    K,
}

fn parse_order(py: Python<'_>, s: &str) -> PyResult<Order> {
    Ok(match s {
        "C" | "c" => Order::C,
        "F" | "f" => Order::F,
        "A" | "a" => Order::A,
        "K" | "k" => Order::K,
        _ => {
            return Err(errors::binding(
                py,
                "value",
                format!("order must be one of 'C', 'F', 'A', 'K', not {s:?}"),
            ))
        }
    })
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Casting {
    No,
    Equiv,
    Safe,
    SameKind,
    Unsafe,
}

impl Casting {
    fn name(self) -> &'static str {
        match self {
            Casting::No => "no",
            Casting::Equiv => "equiv",
            Casting::Safe => "safe",
            Casting::SameKind => "same_kind",
            Casting::Unsafe => "unsafe",
        }
    }
}

fn parse_casting(py: Python<'_>, s: &str) -> PyResult<Casting> {
    Ok(match s {
        "no" => Casting::No,
        "equiv" => Casting::Equiv,
        "safe" => Casting::Safe,
        "same_kind" => Casting::SameKind,
        "unsafe" => Casting::Unsafe,
        _ => {
            return Err(errors::binding(
                py,
                "value",
                format!(
                    "casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe', not {s:?}"
                ),
            ))
        }
    })
}

/// numexpr's extra keyword arguments: accepted and checked, without effect (numjit
/// has one optimisation level, `/` is always true division, nothing is `eval`'ed so
/// there is nothing to sanitise, and compiled code is always cached).
fn check_kwargs(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    let Some(kw) = kwargs else { return Ok(()) };
    for (k, v) in kw.iter() {
        let k: String = k.extract()?;
        match k.as_str() {
            "sanitize" | "_frame_depth" | "disable_cache" | "ex_uses_vml" => {}
            "optimization" => {
                let ok = v
                    .extract::<String>()
                    .is_ok_and(|s| matches!(s.as_str(), "none" | "moderate" | "aggressive"));
                if !ok {
                    return Err(errors::binding(
                        py,
                        "value",
                        "optimization must be one of 'none', 'moderate', 'aggressive'",
                    ));
                }
            }
            "truediv" => {
                let ok = v.is_exact_instance_of::<pyo3::types::PyBool>()
                    || v.extract::<String>().is_ok_and(|s| s == "auto");
                if !ok {
                    return Err(errors::binding(
                        py,
                        "value",
                        "truediv must be True, False or 'auto'",
                    ));
                }
            }
            other => {
                return Err(errors::binding(
                    py,
                    "value",
                    format!("Unknown keyword argument '{other}'"),
                ))
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------

thread_local! {
    /// Per-calling-thread cap on numjit's worker threads (0: none). Set by
    /// `numjit.thread_limit(n)`, e.g. to 1 inside Dask's own worker threads.
    static THREAD_LIMIT: Cell<usize> = const { Cell::new(0) };
}

fn run_options() -> RunOptions {
    let limit = THREAD_LIMIT.with(|c| c.get());
    RunOptions {
        threads: if limit == 0 {
            0
        } else {
            limit.min(numjit::num_threads())
        },
        ..RunOptions::default()
    }
}

// ---------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------

/// The broadcast shape of the inputs, with numjit's E0401 on a mismatch.
fn result_shape(
    py: Python<'_>,
    c: &Compiled,
    names: &[String],
    vals: &[Val<'_>],
) -> PyResult<Vec<usize>> {
    let p = c.program();
    let mut shapes: Vec<&[usize]> = Vec::with_capacity(p.inputs.len());
    for decl in &p.inputs {
        let shape = names
            .iter()
            .zip(vals)
            .find(|(n, _)| **n == decl.name)
            .and_then(|(_, v)| match v {
                Val::Arr(a, _) => Some(a.shape()),
                _ => None,
            })
            .unwrap_or(&[]);
        shapes.push(shape);
    }
    numjit::types::shape::infer(p, &shapes).map_err(|e| errors::to_py(py, &e, c.source()))
}

/// Whether a fresh result should be Fortran-ordered (`order='F'`, or 'A'/'K' with
/// every multi-dimensional input Fortran-contiguous and one of them not C-contiguous).
fn wants_fortran(order: Order, vals: &[Val<'_>]) -> bool {
    match order {
        Order::C => false,
        Order::F => true,
        Order::A | Order::K => {
            let multi: Vec<_> = vals
                .iter()
                .filter_map(|v| match v {
                    Val::Arr(a, _) if a.ndim() >= 2 => Some(a),
                    _ => None,
                })
                .collect();
            !multi.is_empty()
                && multi.iter().all(|a| a.is_fortran_contiguous())
                && multi.iter().any(|a| !a.is_c_contiguous())
        }
    }
}

fn empty_array<'py>(
    py: Python<'py>,
    shape: &[usize],
    dt: DType,
    fortran: bool,
) -> PyResult<Bound<'py, PyAny>> {
    static EMPTY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let f = EMPTY.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("numpy")?.getattr("empty")?.unbind())
    })?;
    let kw = PyDict::new(py);
    kw.set_item("dtype", convert::descr_of(py, dt))?;
    kw.set_item("order", if fortran { "F" } else { "C" })?;
    f.bind(py).call((PyTuple::new(py, shape)?,), Some(&kw))
}

/// Evaluates `c` over `vals` (named by `names`) into a fresh array or `out`.
fn run<'py>(
    py: Python<'py>,
    c: &Compiled,
    names: &[String],
    vals: Vec<Val<'py>>,
    out: Option<Bound<'py, PyAny>>,
    order: Order,
    casting: Casting,
) -> PyResult<Bound<'py, PyAny>> {
    let src = c.source();
    let opts = run_options();
    let Some(out) = out else {
        if wants_fortran(order, &vals) {
            let shape = result_shape(py, c, names, &vals)?;
            let fresh = empty_array(py, &shape, c.dtype(), true)?;
            return run_into(py, c, names, vals, fresh, Casting::SameKind);
        }
        let vars = vars_of(names, &vals);
        let r = py
            .detach(|| c.run_with(&vars, &opts))
            .map_err(|e| errors::to_py(py, &e, src))?;
        return Ok(to_numpy(py, r));
    };
    run_into(py, c, names, vals, out, casting)
}

fn run_into<'py>(
    py: Python<'py>,
    c: &Compiled,
    names: &[String],
    mut vals: Vec<Val<'py>>,
    out: Bound<'py, PyAny>,
    casting: Casting,
) -> PyResult<Bound<'py, PyAny>> {
    let src = c.source();
    let opts = run_options();
    let Ok(out_arr) = out.cast::<PyUntypedArray>() else {
        return Err(errors::binding(py, "type", "`out` must be a NumPy ndarray"));
    };
    let rdt = c.dtype();
    let out_descr = out_arr.dtype();
    let odt = convert::dtype_of(&out_descr);
    // The casting rule for writing the result into `out`.
    let allowed = match (casting, odt) {
        (Casting::No | Casting::Equiv, Some(o)) => o == rdt,
        (Casting::SameKind, Some(o)) => DType::can_cast_same_kind(rdt, o),
        (Casting::Safe, Some(o)) => DType::can_cast_safe(rdt, o),
        (Casting::Unsafe, _) => true,
        (_, None) => convert::can_cast(py, rdt, out_descr.as_any(), casting.name())?,
    };
    if !allowed {
        return Err(errors::binding(
            py,
            "cast",
            format!(
                "cannot cast the {rdt} result of `{src}` into the {} `out` under the '{}' rule\n  = help: pass an `out` of dtype {rdt}, or casting='unsafe'",
                out_descr.str()?,
                casting.name()
            ),
        ));
    }
    let shape = result_shape(py, c, names, &vals)?;
    let out_shape = out_arr.shape().to_vec();
    if numjit::types::shape::broadcast_pair(&shape, &out_shape).as_deref() != Some(&out_shape[..]) {
        let msg = format!(
            "`out` has shape {} but the result has shape {}, which does not broadcast to it\n  = help: pass an `out` array of shape {}",
            numjit::types::shape::fmt_shape(&out_shape),
            numjit::types::shape::fmt_shape(&shape),
            numjit::types::shape::fmt_shape(&shape)
        );
        return Err(errors::binding(py, "shape", msg));
    }
    let direct = writable_out(out_arr).filter(|&o| DType::can_cast_same_kind(rdt, o));
    let has_array = vals.iter().any(|v| matches!(v, Val::Arr(..)));
    match direct {
        Some(o) if shape == out_shape || has_array => {
            if shape != out_shape {
                // Broadcast the inputs up to `out` (stride-0 views, no copies).
                for (name, v) in names.iter().zip(vals.iter_mut()) {
                    if let Val::Arr(a, _) = v {
                        *v = checked(name, convert::broadcast_to(a, &out_shape)?)?;
                    }
                }
            }
            let vars = vars_of(names, &vals);
            let view = out_view(out_arr, o);
            py.detach(|| c.run_into_with(&vars, view, &opts))
                .map_err(|e| errors::to_py(py, &e, src))?;
        }
        _ => {
            if !readonly_ok(out_arr) {
                return Err(errors::binding(py, "value", "`out` is read-only"));
            }
            // `out` has a dtype or layout numjit does not write (or the result is a
            // constant broadcast into it): evaluate, then let NumPy copy and cast.
            let vars = vars_of(names, &vals);
            let r = py
                .detach(|| c.run_with(&vars, &opts))
                .map_err(|e| errors::to_py(py, &e, src))?;
            convert::copyto(&out, &to_numpy(py, r), casting.name())?;
        }
    }
    Ok(out)
}

fn readonly_ok(arr: &Bound<'_, PyUntypedArray>) -> bool {
    arr.getattr("flags")
        .and_then(|f| f.getattr("writeable"))
        .and_then(|w| w.extract::<bool>())
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------
// evaluate / validate / re_evaluate
// ---------------------------------------------------------------------------------

/// What `re_evaluate` repeats: the last expression this thread evaluated or validated.
struct Last {
    entry: Arc<Entry>,
    out: Option<Py<PyWeakrefReference>>,
    order: Order,
    casting: Casting,
}

thread_local! {
    static LAST: RefCell<Option<Last>> = const { RefCell::new(None) };
}

fn source_of<'a>(py: Python<'_>, ex: &'a Bound<'_, PyAny>) -> PyResult<std::borrow::Cow<'a, str>> {
    if let Ok(s) = ex.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned().into());
    }
    if let Ok(s) = ex.getattr("__numjit_source__") {
        return Ok(s.extract::<String>()?.into());
    }
    Err(errors::binding(
        py,
        "value",
        "must specify expression as a string",
    ))
}

#[allow(clippy::too_many_arguments)]
fn prepare<'py>(
    py: Python<'py>,
    ex: &Bound<'py, PyAny>,
    local_dict: Option<&Bound<'py, PyAny>>,
    global_dict: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Arc<Entry>, Vec<Val<'py>>, Arc<Compiled>)> {
    let src = source_of(py, ex)?;
    let entry = entry(py, &src)?;
    let vals = lookup(py, &entry, local_dict, global_dict)?;
    let c = compiled_for(py, &entry, &vals)?;
    Ok((entry, vals, c))
}

fn remember(
    py: Python<'_>,
    entry: &Arc<Entry>,
    out: Option<&Bound<'_, PyAny>>,
    order: Order,
    casting: Casting,
) -> PyResult<()> {
    let out = match out {
        Some(o) => Some(PyWeakrefReference::new(o)?.unbind()),
        None => None,
    };
    let _ = py;
    LAST.with(|l| {
        *l.borrow_mut() = Some(Last {
            entry: entry.clone(),
            out,
            order,
            casting,
        })
    });
    Ok(())
}

/// Evaluates `ex` (numexpr's signature and behaviour; NumPy 2's semantics).
#[pyfunction]
#[pyo3(signature = (ex, local_dict=None, global_dict=None, out=None, order="K", casting="same_kind", **kwargs))]
#[allow(clippy::too_many_arguments)]
fn evaluate<'py>(
    py: Python<'py>,
    ex: &Bound<'py, PyAny>,
    local_dict: Option<&Bound<'py, PyAny>>,
    global_dict: Option<&Bound<'py, PyAny>>,
    out: Option<Bound<'py, PyAny>>,
    order: &str,
    casting: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    check_kwargs(py, kwargs)?;
    let order = parse_order(py, order)?;
    let casting = parse_casting(py, casting)?;
    let (entry, vals, c) = prepare(py, ex, local_dict, global_dict)?;
    remember(py, &entry, out.as_ref(), order, casting)?;
    run(py, &c, &entry.names, vals, out, order, casting)
}

/// Checks `ex` against the inputs without running it: returns `None`, or the exception
/// `evaluate` would raise. On success `re_evaluate()` runs it.
#[pyfunction]
#[pyo3(signature = (ex, local_dict=None, global_dict=None, out=None, order="K", casting="safe", **kwargs))]
#[allow(clippy::too_many_arguments)]
fn validate<'py>(
    py: Python<'py>,
    ex: &Bound<'py, PyAny>,
    local_dict: Option<&Bound<'py, PyAny>>,
    global_dict: Option<&Bound<'py, PyAny>>,
    out: Option<Bound<'py, PyAny>>,
    order: &str,
    casting: &str,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let attempt = || -> PyResult<()> {
        check_kwargs(py, kwargs)?;
        let order = parse_order(py, order)?;
        let casting = parse_casting(py, casting)?;
        let (entry, vals, c) = prepare(py, ex, local_dict, global_dict)?;
        let shape = result_shape(py, &c, &entry.names, &vals)?;
        if let Some(o) = &out {
            let Ok(oa) = o.cast::<PyUntypedArray>() else {
                return Err(errors::binding(py, "type", "`out` must be a NumPy ndarray"));
            };
            let out_shape = oa.shape();
            if numjit::types::shape::broadcast_pair(&shape, out_shape).as_deref() != Some(out_shape)
            {
                return Err(errors::binding(
                    py,
                    "shape",
                    format!(
                        "`out` has shape {} but the result has shape {}",
                        numjit::types::shape::fmt_shape(out_shape),
                        numjit::types::shape::fmt_shape(&shape)
                    ),
                ));
            }
            if !convert::can_cast(py, c.dtype(), oa.dtype().as_any(), casting.name())? {
                return Err(errors::binding(
                    py,
                    "cast",
                    format!(
                        "cannot cast the {} result into the {} `out` under the '{}' rule",
                        c.dtype(),
                        oa.dtype().str()?,
                        casting.name()
                    ),
                ));
            }
        }
        remember(py, &entry, out.as_ref(), order, casting)
    };
    match attempt() {
        Ok(()) => Ok(None),
        Err(e) => Ok(Some(e.value(py).clone().into_any())),
    }
}

/// Runs the last expression evaluated or validated in this thread again, looking its
/// inputs up afresh (types may change; they are checked and compiled as needed).
#[pyfunction]
#[pyo3(signature = (local_dict=None, global_dict=None, **kwargs))]
fn re_evaluate<'py>(
    py: Python<'py>,
    local_dict: Option<&Bound<'py, PyAny>>,
    global_dict: Option<&Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    check_kwargs(py, kwargs)?;
    let last = LAST.with(|l| {
        l.borrow().as_ref().map(|l| {
            (
                l.entry.clone(),
                l.out.as_ref().and_then(|w| w.bind(py).upgrade()),
                l.order,
                l.casting,
            )
        })
    });
    let Some((entry, out, order, casting)) = last else {
        return Err(PyRuntimeError::new_err(
            "re_evaluate: this thread has not evaluated or validated an expression yet; call evaluate() or validate() first",
        ));
    };
    let vals = lookup(py, &entry, local_dict, global_dict)?;
    let c = compiled_for(py, &entry, &vals)?;
    run(py, &c, &entry.names, vals, out, order, casting)
}

/// The variables `ex` uses, in order of first appearance.
#[pyfunction]
fn input_names(py: Python<'_>, ex: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let src = source_of(py, ex)?;
    Ok(entry(py, &src)?.names.clone())
}

// ---------------------------------------------------------------------------------
// NumExpr: a compiled expression with fixed input types
// ---------------------------------------------------------------------------------

/// A compiled expression with fixed input dtypes (numexpr's `NumExpr`). Picklable: it
/// pickles its source and types, and compiles again when unpickled.
#[pyclass(module = "numjit", name = "NumExpr", frozen)]
struct NumExpr {
    names: Vec<String>,
    dtypes: Vec<DType>,
    compiled: Arc<Compiled>,
}

/// A dtype from a signature entry. `numexpr_types`: numexpr's table, where Python
/// `float` means float32 and `int` int32; otherwise NumPy's (`numpy.dtype(t)`).
fn sig_dtype(
    py: Python<'_>,
    name: &str,
    t: &Bound<'_, PyAny>,
    numexpr_types: bool,
) -> PyResult<DType> {
    if numexpr_types {
        let builtins = py.import("builtins")?;
        if t.is(&builtins.getattr("float")?) {
            return Ok(DType::Float32);
        }
        if t.is(&builtins.getattr("int")?) {
            return Ok(DType::Int32);
        }
    }
    let np = py.import("numpy")?;
    let d = np.getattr("dtype")?.call1((t,))?;
    let descr = d.cast::<numpy::PyArrayDescr>()?;
    convert::dtype_of(descr)
        .ok_or_else(|| errors::binding(py, "dtype", convert::unsupported_dtype(name, descr)))
}

impl NumExpr {
    fn build(
        py: Python<'_>,
        ex: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
        numexpr_types: bool,
    ) -> PyResult<NumExpr> {
        let src = source_of(py, ex)?;
        let entry = entry(py, &src)?;
        let mut pairs: Vec<(String, DType)> = Vec::new();
        if let Some(sig) = signature {
            let items: Vec<Bound<'_, PyAny>> = match sig.cast::<PyDict>() {
                Ok(d) => d.items().iter().collect(),
                Err(_) => sig.try_iter()?.collect::<PyResult<_>>()?,
            };
            for it in items {
                let (name, t): (String, Bound<'_, PyAny>) = it.extract()?;
                let dt = sig_dtype(py, &name, &t, numexpr_types)?;
                pairs.push((name, dt));
            }
        }
        let (names, dtypes): (Vec<String>, Vec<DType>) = if pairs.is_empty() {
            let mut n = entry.names.clone();
            n.sort();
            let d = vec![DType::Float64; n.len()];
            (n, d)
        } else {
            let mut declared: Vec<&String> = pairs.iter().map(|(n, _)| n).collect();
            declared.sort();
            let mut used: Vec<&String> = entry.names.iter().collect();
            used.sort();
            if declared != used {
                return Err(errors::binding(
                    py,
                    "value",
                    format!(
                        "the signature names {declared:?} but the expression uses {used:?}\n  = help: declare exactly the expression's variables"
                    ),
                ));
            }
            pairs.into_iter().unzip()
        };
        let mut sig = Signature::new();
        for (n, d) in names.iter().zip(&dtypes) {
            sig = sig.with(n, *d);
        }
        let compiled = numjit::compile(&src, &sig).map_err(|e| errors::to_py(py, &e, &src))?;
        Ok(NumExpr {
            names,
            dtypes,
            compiled: Arc::new(compiled),
        })
    }

    fn call<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut out = None;
        let mut order = Order::K;
        let mut casting = Casting::Safe;
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                match k.extract::<String>()?.as_str() {
                    "out" => out = (!v.is_none()).then_some(v),
                    "order" => order = parse_order(py, &v.extract::<String>()?)?,
                    "casting" => casting = parse_casting(py, &v.extract::<String>()?)?,
                    "ex_uses_vml" => {}
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "unexpected keyword argument '{other}'"
                        )))
                    }
                }
            }
        }
        if args.len() != self.names.len() {
            return Err(errors::binding(
                py,
                "value",
                format!(
                    "number of inputs doesn't match program: expected {} ({}), got {}",
                    self.names.len(),
                    self.names.join(", "),
                    args.len()
                ),
            ));
        }
        let mut vals = Vec::with_capacity(args.len());
        for ((arg, name), &dt) in args.iter().zip(&self.names).zip(&self.dtypes) {
            let arr = match arg.cast::<PyUntypedArray>() {
                Ok(a) => a.clone(),
                Err(_) => convert::asarray(&arg)?.cast_into::<PyUntypedArray>()?,
            };
            let descr = arr.dtype();
            let arr = if convert::dtype_of(&descr) == Some(dt) {
                arr
            } else if convert::numpy_can_cast(py, &descr, dt, casting.name())? {
                arr.call_method1("astype", (convert::descr_of(py, dt),))?
                    .cast_into::<PyUntypedArray>()?
            } else {
                return Err(errors::binding(
                    py,
                    "cast",
                    format!(
                        "input `{name}` has dtype {} but the expression was compiled for {dt}, and the '{}' rule does not allow the conversion\n  = help: pass a {dt} array, or compile for {}",
                        descr.str()?,
                        casting.name(),
                        descr.str()?
                    ),
                ));
            };
            vals.push(checked(name, arr)?);
        }
        run(py, &self.compiled, &self.names, vals, out, order, casting)
    }
}

#[pymethods]
impl NumExpr {
    #[new]
    #[pyo3(signature = (ex, signature=None, sanitize=None, **kwargs))]
    fn new(
        py: Python<'_>,
        ex: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
        sanitize: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<NumExpr> {
        let _ = sanitize;
        check_kwargs(py, kwargs)?;
        NumExpr::build(py, ex, signature, true)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, args, kwargs)
    }

    /// Same as calling the object.
    #[pyo3(signature = (*args, **kwargs))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, args, kwargs)
    }

    /// The expression text.
    #[getter]
    fn source(&self) -> &str {
        self.compiled.source()
    }

    /// The positional inputs, in order.
    #[getter]
    fn input_names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.names)
    }

    /// `[(name, dtype name), …]` in input order.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.names
                .iter()
                .zip(&self.dtypes)
                .map(|(n, d)| (n.clone(), d.name())),
        )
    }

    /// The result's NumPy dtype.
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArrayDescr> {
        convert::descr_of(py, self.compiled.dtype())
    }

    /// Source, syntax tree, typed IR and machine-independent code (CLIF).
    fn explain(&self) -> String {
        self.compiled.explain()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (String, Bound<'py, PyList>))> {
        let py = slf.py();
        let me = slf.get();
        Ok((
            slf.get_type().into_any(),
            (me.compiled.source().to_string(), me.signature(py)?),
        ))
    }

    fn __repr__(&self) -> String {
        let sig: Vec<String> = self
            .names
            .iter()
            .zip(&self.dtypes)
            .map(|(n, d)| format!("('{n}', '{d}')"))
            .collect();
        format!(
            "numjit.NumExpr({:?}, [{}]) -> {}",
            self.compiled.source(),
            sig.join(", "),
            self.compiled.dtype()
        )
    }
}

/// `numjit.compile(ex, signature)`: like `NumExpr`, with NumPy's meaning of the type
/// names (`float` is float64).
#[pyfunction]
#[pyo3(signature = (ex, signature=None))]
fn compile(
    py: Python<'_>,
    ex: &Bound<'_, PyAny>,
    signature: Option<&Bound<'_, PyAny>>,
) -> PyResult<NumExpr> {
    NumExpr::build(py, ex, signature, false)
}

// ---------------------------------------------------------------------------------
// Thread settings
// ---------------------------------------------------------------------------------

#[pyfunction]
fn _set_num_threads(n: usize) -> usize {
    let old = numjit::num_threads();
    numjit::set_num_threads(n);
    old
}

#[pyfunction]
fn _get_num_threads() -> usize {
    numjit::num_threads()
}

#[pyfunction]
fn _set_thread_limit(n: usize) -> usize {
    THREAD_LIMIT.with(|c| c.replace(n))
}

#[pyfunction]
fn _get_thread_limit() -> usize {
    THREAD_LIMIT.with(|c| c.get())
}

#[pyfunction]
fn _reset_after_fork() {
    numjit_runtime::threads::reset_after_fork();
}

#[pymodule]
fn _numjit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(re_evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(input_names, m)?)?;
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_function(wrap_pyfunction!(_set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_set_thread_limit, m)?)?;
    m.add_function(wrap_pyfunction!(_get_thread_limit, m)?)?;
    m.add_function(wrap_pyfunction!(_reset_after_fork, m)?)?;
    m.add_class::<NumExpr>()?;
    m.add("MAX_NUM_THREADS", numjit_runtime::threads::MAX_THREADS)?;
    Ok(())
}
