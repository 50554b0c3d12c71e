//! The REPL's data constructors — `linspace`, `arange`, `zeros`, `ones`, `full`,
//! `random`, `normal`, `load`, `save` — with their own small argument parser (positional
//! and `keyword=` arguments, NumPy's signatures). Expressions inside arguments are
//! numjit's job (`Session::eval_span`); the expression grammar itself is not touched.

use super::session::Session;
use super::store::Value;
use super::text::{self, Arg, Call};
use ndarray::{ArrayD, IxDyn};
use numjit::error::{Error, ErrorKind};
use numjit::{Array, DType, Element, Literal, Scalar, Span};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use std::path::Path;

/// Every constructor with its signature (for `:help`, completion and error help).
pub const CONSTRUCTORS: &[(&str, &str)] = &[
    (
        "linspace",
        "linspace(start, stop, num=50, endpoint=True, dtype=float64)",
    ),
    ("arange", "arange([start,] stop[, step], dtype=None)"),
    ("zeros", "zeros(shape…, dtype=float64)"),
    ("ones", "ones(shape…, dtype=float64)"),
    ("full", "full(shape, fill_value, dtype=None)"),
    ("random", "random(shape…, seed=None, dtype=float64)"),
    (
        "normal",
        "normal(shape…, loc=0.0, scale=1.0, seed=None, dtype=float64)",
    ),
    ("load", "load(\"path.npy\")"),
    ("save", "save(expr, \"path.npy\")"),
];

pub fn is_constructor(name: &str) -> bool {
    CONSTRUCTORS.iter().any(|(n, _)| *n == name)
}

fn signature(name: &str) -> &'static str {
    CONSTRUCTORS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, s)| s)
}

/// What a constructor produced.
pub enum Made {
    Value(Value),
    /// `save`: a message for the user.
    Saved(String),
}

/// Loads a `.npy` file for `load(…)`. The one place that decides how: today it reads
/// the whole file; with the memory-mapped reader it returns `Value::Mapped`.
pub fn load_npy(path: &Path) -> Result<Value, Error> {
    numjit::npy::read_npy(path).map(Value::Owned)
}

/// A bug in the REPL, reported instead of panicking.
pub fn internal(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Internal, msg)
        .help("this is a bug in numjit's REPL; please report it with the input")
}

fn bad(span: Span, message: impl Into<String>, label: &str, help: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadArgument, message)
        .at(span, label)
        .help(help)
}

/// The arguments of one call, with the statement they point into.
struct Args<'s> {
    stmt: &'s str,
    name: &'s str,
    call_span: Span,
    positional: Vec<Arg>,
    keywords: Vec<Arg>,
}

impl<'s> Args<'s> {
    fn new(stmt: &'s str, call: &Call<'s>, allowed: &[&str]) -> Result<Args<'s>, Error> {
        let call_span = Span::new(call.name_span.start, call.end);
        let sig = signature(call.name);
        if !call.closed {
            return Err(Error::new(
                ErrorKind::UnexpectedEnd,
                format!("`{}(` is never closed", call.name),
            )
            .at(call_span, "missing `)`")
            .help(format!("close the call: {sig}")));
        }
        let all = text::split_args(stmt, call.inner).map_err(|span| {
            bad(
                span,
                "empty argument",
                "expected a value here",
                format!("remove the extra comma: {sig}"),
            )
        })?;
        let (mut positional, mut keywords) = (Vec::new(), Vec::<Arg>::new());
        for arg in all {
            match &arg.key {
                None if !keywords.is_empty() => {
                    return Err(bad(
                        arg.span,
                        "positional argument after a keyword argument",
                        "positional",
                        format!("put positional arguments first: {sig}"),
                    ))
                }
                None => positional.push(arg),
                Some((k, span)) => {
                    if !allowed.contains(&k.as_str()) {
                        let help = match numjit::suggest::closest(k, allowed.iter().copied()) {
                            Some(s) => format!("did you mean `{s}=`? {sig}"),
                            None => format!("the signature is {sig}"),
                        };
                        return Err(bad(
                            *span,
                            format!("`{}` has no argument `{k}`", call.name),
                            "unknown keyword",
                            help,
                        ));
                    }
                    if keywords
                        .iter()
                        .any(|a| a.key.as_ref().is_some_and(|(j, _)| j == k))
                    {
                        return Err(bad(
                            *span,
                            format!("`{k}` is given twice"),
                            "again",
                            format!("give `{k}=` once"),
                        ));
                    }
                    keywords.push(arg);
                }
            }
        }
        Ok(Args {
            stmt,
            name: call.name,
            call_span,
            positional,
            keywords,
        })
    }

    fn sig(&self) -> &'static str {
        signature(self.name)
    }

    fn text(&self, arg: &Arg) -> &'s str {
        &self.stmt[arg.span.range()]
    }

    fn keyword(&self, key: &str) -> Option<&Arg> {
        self.keywords
            .iter()
            .find(|a| a.key.as_ref().is_some_and(|(k, _)| k == key))
    }

    /// Binds NumPy-style parameters (positional or by keyword) to their arguments.
    fn bind(&self, params: &[&str], required: usize) -> Result<Vec<Option<Arg>>, Error> {
        if self.positional.len() > params.len() {
            let extra = &self.positional[params.len()];
            return Err(Error::new(
                ErrorKind::WrongArity,
                format!(
                    "`{}` takes at most {} positional arguments, got {}",
                    self.name,
                    params.len(),
                    self.positional.len()
                ),
            )
            .at(extra.span, "one too many")
            .help(format!("the signature is {}", self.sig())));
        }
        let mut out = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let pos = self.positional.get(i).cloned();
            let kw = self.keyword(p).cloned();
            if let (Some(_), Some(k)) = (&pos, &kw) {
                let span = k.key.as_ref().map_or(k.span, |(_, s)| *s);
                return Err(bad(
                    span,
                    format!("`{p}` is given both by position and by keyword"),
                    "again",
                    format!("give `{p}` once: {}", self.sig()),
                ));
            }
            let got = pos.or(kw);
            if got.is_none() && i < required {
                return Err(Error::new(
                    ErrorKind::WrongArity,
                    format!("`{}` is missing the argument `{p}`", self.name),
                )
                .at(self.call_span, format!("`{p}` missing"))
                .help(format!("the signature is {}", self.sig())));
            }
            out.push(got);
        }
        Ok(out)
    }

    /// A number (or bool): a literal expression, or any expression with a 0-d result.
    fn literal(&self, session: &Session, arg: &Arg) -> Result<Literal, Error> {
        let text = self.text(arg);
        if text::string_literal(text).is_some() {
            return Err(bad(
                arg.span,
                "expected a number, found a string",
                "a string",
                format!("the signature is {}", self.sig()),
            ));
        }
        let shift = |e: Error| super::session::shift(e, arg.span.start);
        let ast = numjit::syntax::parse(text).map_err(shift)?;
        match numjit::types::check::fold_literal(&ast) {
            Ok(l) => return Ok(l),
            // Names or calls, not only literals: evaluate it over the variables below.
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::UnknownName
                        | ErrorKind::UnknownFunction
                        | ErrorKind::WrongArity
                        | ErrorKind::BadArgument
                ) => {}
            Err(e) => return Err(shift(e)),
        }
        let a = session.eval_span(self.stmt, arg.span)?;
        if a.ndim() != 0 {
            return Err(bad(
                arg.span,
                format!(
                    "expected a single number, got an array of shape {}",
                    numjit::format::shape_tuple(a.shape())
                ),
                "not a scalar",
                format!("the signature is {}", self.sig()),
            ));
        }
        Ok(match a.get_flat(0) {
            Some(Scalar::Bool(b)) => Literal::Bool(b),
            Some(Scalar::Int32(v)) => Literal::Int(v.into()),
            Some(Scalar::Int64(v)) => Literal::Int(v.into()),
            Some(Scalar::Float32(v)) => Literal::Float(v.into()),
            Some(Scalar::Float64(v)) => Literal::Float(v),
            Some(Scalar::Complex128(c)) => Literal::Complex(c),
            None => return Err(internal("0-d array without an element")),
        })
    }

    fn int(&self, session: &Session, arg: &Arg, what: &str) -> Result<i128, Error> {
        match self.literal(session, arg)? {
            Literal::Int(v) => Ok(v),
            other => Err(bad(
                arg.span,
                format!("{what} must be an integer, got a {}", other.py_type()),
                "not an integer",
                format!("the signature is {}", self.sig()),
            )),
        }
    }

    fn float(&self, session: &Session, arg: &Arg, what: &str) -> Result<f64, Error> {
        match self.literal(session, arg)? {
            Literal::Int(v) => Ok(v as f64),
            Literal::Float(v) => Ok(v),
            other => Err(bad(
                arg.span,
                format!("{what} must be a real number, got a {}", other.py_type()),
                "not a real number",
                format!("the signature is {}", self.sig()),
            )),
        }
    }

    fn boolean(&self, session: &Session, arg: &Arg, what: &str) -> Result<bool, Error> {
        match self.literal(session, arg)? {
            Literal::Bool(b) => Ok(b),
            other => Err(bad(
                arg.span,
                format!("{what} must be True or False, got a {}", other.py_type()),
                "not a bool",
                format!("the signature is {}", self.sig()),
            )),
        }
    }

    fn string(&self, arg: &Arg, what: &str) -> Result<&'s str, Error> {
        text::string_literal(self.text(arg)).ok_or_else(|| {
            bad(
                arg.span,
                format!("{what} must be a quoted string"),
                "not a string",
                format!("quote it, e.g. \"a.npy\": {}", self.sig()),
            )
        })
    }

    /// `dtype=float32` or `dtype="float32"`, if given; must be one of `allowed`.
    fn dtype(&self, allowed: &[DType]) -> Result<Option<DType>, Error> {
        let Some(arg) = self.keyword("dtype") else {
            return Ok(None);
        };
        let t = self.text(arg);
        let name = text::string_literal(t).unwrap_or(t);
        let names: Vec<&str> = allowed.iter().map(|d| d.name()).collect();
        match DType::from_name(name) {
            Some(d) if allowed.contains(&d) => Ok(Some(d)),
            Some(d) => Err(bad(
                arg.span,
                format!("`{}` cannot make {d} arrays", self.name),
                "unsupported here",
                format!("use one of {}", names.join(", ")),
            )),
            None => Err(bad(
                arg.span,
                format!("`{name}` is not a dtype"),
                "unknown dtype",
                format!("use one of {}", names.join(", ")),
            )),
        }
    }

    /// `seed=N` (0 ≤ N < 2**64), if given.
    fn seed(&self, session: &Session) -> Result<Option<u64>, Error> {
        let Some(arg) = self.keyword("seed") else {
            return Ok(None);
        };
        let v = self.int(session, arg, "seed")?;
        u64::try_from(v).map(Some).map_err(|_| {
            bad(
                arg.span,
                format!("seed {v} is out of range"),
                "not in 0..2**64",
                "use a seed between 0 and 2**64 - 1",
            )
        })
    }

    /// A shape: every positional argument is a dimension (`random(3, 4)`), or the only
    /// positional argument is a tuple or list (`zeros((3, 4))`) or a single integer.
    fn shape_from(&self, session: &Session, args: &[Arg]) -> Result<Vec<usize>, Error> {
        let dims: Vec<Arg> = match args {
            [one] if matches!(self.text(one).as_bytes().first(), Some(b'(' | b'[')) => {
                let t = self.text(one);
                let close = t.len().saturating_sub(1);
                if !matches!(t.as_bytes().get(close), Some(b')' | b']')) || close == 0 {
                    return Err(bad(
                        one.span,
                        "malformed shape",
                        "expected `(d0, d1, …)`",
                        "write the shape as a tuple of integers, e.g. (3, 4)",
                    ));
                }
                let inner = Span::new(one.span.start + 1, one.span.start + close);
                let parts = text::split_args(self.stmt, inner).map_err(|span| {
                    bad(
                        span,
                        "empty dimension",
                        "expected an integer",
                        "remove the extra comma",
                    )
                })?;
                if let Some(k) = parts.iter().find_map(|p| p.key.clone()) {
                    return Err(bad(
                        k.1,
                        "a shape holds integers only",
                        "not a dimension",
                        "write the shape as a tuple of integers, e.g. (3, 4)",
                    ));
                }
                parts
            }
            _ => args.to_vec(),
        };
        if dims.len() > numjit::limits::MAX_NDIM {
            return Err(bad(
                self.call_span,
                format!(
                    "{} dimensions is more than the limit of {}",
                    dims.len(),
                    numjit::limits::MAX_NDIM
                ),
                "too many dimensions",
                "use fewer dimensions",
            ));
        }
        let mut shape = Vec::new();
        for d in &dims {
            let v = self.int(session, d, "a dimension")?;
            let v = usize::try_from(v).map_err(|_| {
                bad(
                    d.span,
                    format!("dimension {v} is not allowed"),
                    "negative or too large",
                    "dimensions are non-negative integers",
                )
            })?;
            shape.push(v);
        }
        Ok(shape)
    }
}

/// Elements of `shape`, checked against overflow and against this machine's memory.
fn checked_len(shape: &[usize], dtype: DType, span: Span) -> Result<usize, Error> {
    let too_big = |what: String| {
        bad(
            span,
            format!(
                "an array of shape {} {dtype} is too large: {what}",
                numjit::format::shape_tuple(shape)
            ),
            "too large",
            "use a smaller shape",
        )
    };
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| too_big("its size overflows".into()))?;
    let bytes = n
        .checked_mul(dtype.size())
        .filter(|b| *b <= isize::MAX as usize)
        .ok_or_else(|| too_big("its size overflows".into()))?;
    if let Some(total) = memory_total() {
        if bytes as u64 > total {
            return Err(too_big(format!(
                "it needs {} but this machine has {} of memory",
                super::store::human_bytes(bytes as f64),
                super::store::human_bytes(total as f64)
            )));
        }
    }
    Ok(n)
}

/// `MemTotal` from `/proc/meminfo`, in bytes (Linux only; `None` elsewhere).
fn memory_total() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// An array of `shape` from `len` values made by `f`, allocated without aborting.
fn build<T: Element>(
    shape: &[usize],
    len: usize,
    span: Span,
    f: impl FnMut(usize) -> T,
) -> Result<Array, Error> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| bad(span, "out of memory", "this array", "use a smaller shape"))?;
    v.extend((0..len).map(f));
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map(T::owned)
        .map_err(|e| internal(format!("shape mismatch building an array: {e}")))
}

fn filled(shape: &[usize], s: Scalar, span: Span) -> Result<Array, Error> {
    let len = checked_len(shape, s.dtype(), span)?;
    match s {
        Scalar::Bool(v) => build(shape, len, span, |_| v),
        Scalar::Int32(v) => build(shape, len, span, |_| v),
        Scalar::Int64(v) => build(shape, len, span, |_| v),
        Scalar::Float32(v) => build(shape, len, span, |_| v),
        Scalar::Float64(v) => build(shape, len, span, |_| v),
        Scalar::Complex128(v) => build(shape, len, span, |_| v),
    }
}

fn lit_scalar(l: Literal, dtype: DType, span: Span) -> Result<Scalar, Error> {
    l.to_scalar(dtype).map_err(|e| {
        let mut err = Error::new(e.kind, e.message).at(span, format!("as {dtype}"));
        err.help = e.help;
        err
    })
}

const FLOATS: &[DType] = &[DType::Float32, DType::Float64];

/// Runs the constructor call `call` (its name is one of [`CONSTRUCTORS`]).
pub fn construct(session: &mut Session, stmt: &str, call: &Call<'_>) -> Result<Made, Error> {
    let span = Span::new(call.name_span.start, call.end);
    match call.name {
        "linspace" => {
            let a = Args::new(stmt, call, &["start", "stop", "num", "endpoint", "dtype"])?;
            let p = a.bind(&["start", "stop", "num", "endpoint"], 2)?;
            let dtype = a.dtype(FLOATS)?.unwrap_or(DType::Float64);
            let arg = |i: usize| {
                p[i].clone()
                    .ok_or_else(|| internal("bound argument missing"))
            };
            let start = a.float(session, &arg(0)?, "start")?;
            let stop = a.float(session, &arg(1)?, "stop")?;
            let num = match &p[2] {
                Some(n) => {
                    let v = a.int(session, n, "num")?;
                    usize::try_from(v).map_err(|_| {
                        bad(
                            n.span,
                            format!("num must be a non-negative number of samples, got {v}"),
                            if v < 0 { "negative" } else { "too large" },
                            "give the number of samples, e.g. 100",
                        )
                    })?
                }
                None => 50,
            };
            let endpoint = match &p[3] {
                Some(e) => a.boolean(session, e, "endpoint")?,
                None => true,
            };
            let len = checked_len(&[num], dtype, span)?;
            let y = linspace(start, stop, len, endpoint);
            Ok(Made::Value(Value::Owned(match dtype {
                DType::Float32 => build(&[len], len, span, |i| y(i) as f32)?,
                _ => build(&[len], len, span, y)?,
            })))
        }
        "arange" => {
            let a = Args::new(stmt, call, &["start", "stop", "step", "dtype"])?;
            let ints = [DType::Int32, DType::Int64, DType::Float32, DType::Float64];
            let dtype = a.dtype(&ints)?;
            let p = a.bind(&["start", "stop", "step"], 1)?;
            // arange(stop) means arange(0, stop): with one argument it is the stop.
            let (start, stop) = match (&p[0], &p[1]) {
                (Some(s), None) if a.keyword("start").is_none() => (None, s.clone()),
                (s, Some(t)) => (s.clone(), t.clone()),
                (Some(_), None) => {
                    return Err(Error::new(
                        ErrorKind::WrongArity,
                        "`arange` is missing the argument `stop`",
                    )
                    .at(span, "`stop` missing")
                    .help(format!("the signature is {}", a.sig())))
                }
                (None, None) => return Err(internal("arange without arguments")),
            };
            let lits = [
                start.as_ref().map(|s| a.literal(session, s)).transpose()?,
                Some(a.literal(session, &stop)?),
                p[2].as_ref().map(|s| a.literal(session, s)).transpose()?,
            ];
            for (l, arg) in lits.iter().zip([&start, &Some(stop.clone()), &p[2]]) {
                if let (Some(l @ (Literal::Bool(_) | Literal::Complex(_))), Some(arg)) = (l, arg) {
                    return Err(bad(
                        arg.span,
                        format!("arange needs real numbers, got a {}", l.py_type()),
                        "not a real number",
                        format!("the signature is {}", a.sig()),
                    ));
                }
            }
            let all_int = lits.iter().flatten().all(|l| matches!(l, Literal::Int(_)));
            let dtype = dtype.unwrap_or(if all_int {
                DType::Int64
            } else {
                DType::Float64
            });
            if all_int && dtype.is_int() {
                let get = |i: usize, d: i128| match lits[i] {
                    Some(Literal::Int(v)) => v,
                    _ => d,
                };
                let (s, e, st) = (get(0, 0), get(1, 0), get(2, 1));
                arange_int(
                    s,
                    e,
                    st,
                    dtype,
                    span,
                    p[2].as_ref().map_or(span, |a| a.span),
                )
                .map(|a| Made::Value(Value::Owned(a)))
            } else if dtype.is_int() {
                Err(bad(
                    span,
                    format!("an {dtype} arange needs integer arguments"),
                    "non-integer arguments",
                    "give integers, or drop dtype= to get float64",
                ))
            } else {
                let f = |l: Option<Literal>, d: f64| match l {
                    Some(Literal::Int(v)) => v as f64,
                    Some(Literal::Float(v)) => v,
                    _ => d,
                };
                let (s, e, st) = (f(lits[0], 0.0), f(lits[1], 0.0), f(lits[2], 1.0));
                let step_span = p[2].as_ref().map_or(span, |a| a.span);
                if st == 0.0 {
                    return Err(bad(
                        step_span,
                        "arange's step must not be zero",
                        "zero step",
                        "give a non-zero step",
                    ));
                }
                let n = ((e - s) / st).ceil();
                if !n.is_finite() {
                    return Err(bad(
                        span,
                        "arange's length is not finite",
                        "start, stop or step is inf or nan",
                        "give finite numbers",
                    ));
                }
                let n = if n <= 0.0 {
                    0
                } else if n >= usize::MAX as f64 {
                    usize::MAX
                } else {
                    n as usize
                };
                let len = checked_len(&[n], dtype, span)?;
                // NumPy's fill: the first two values, then start + i*delta.
                let delta = (s + st) - s;
                let y = move |i: usize| match i {
                    0 => s,
                    1 => s + st,
                    _ => s + i as f64 * delta,
                };
                Ok(Made::Value(Value::Owned(match dtype {
                    DType::Float32 => build(&[len], len, span, |i| y(i) as f32)?,
                    _ => build(&[len], len, span, y)?,
                })))
            }
        }
        "zeros" | "ones" => {
            let a = Args::new(stmt, call, &["shape", "dtype"])?;
            let dtype = a.dtype(&DType::ALL)?.unwrap_or(DType::Float64);
            let shape_args = shape_args(&a)?;
            let shape = a.shape_from(session, &shape_args)?;
            let one = if call.name == "ones" {
                Literal::Int(1)
            } else {
                Literal::Int(0)
            };
            let s = lit_scalar(one, dtype, span)?;
            Ok(Made::Value(Value::Owned(filled(&shape, s, span)?)))
        }
        "full" => {
            let a = Args::new(stmt, call, &["shape", "fill_value", "dtype"])?;
            let p = a.bind(&["shape", "fill_value"], 2)?;
            let dtype = a.dtype(&DType::ALL)?;
            let (Some(sh), Some(fill)) = (&p[0], &p[1]) else {
                return Err(internal("bound argument missing"));
            };
            let shape = a.shape_from(session, std::slice::from_ref(sh))?;
            let l = a.literal(session, fill)?;
            let s = lit_scalar(l, dtype.unwrap_or(l.default_dtype()), fill.span)?;
            Ok(Made::Value(Value::Owned(filled(&shape, s, span)?)))
        }
        "random" | "normal" => {
            let normal = call.name == "normal";
            let keys: &[&str] = if normal {
                &["shape", "loc", "scale", "seed", "dtype"]
            } else {
                &["shape", "seed", "dtype"]
            };
            let a = Args::new(stmt, call, keys)?;
            let dtype = a.dtype(FLOATS)?.unwrap_or(DType::Float64);
            let shape = a.shape_from(session, &shape_args(&a)?)?;
            let seed = a.seed(session)?.unwrap_or_else(|| session.fresh_seed());
            let len = checked_len(&shape, dtype, span)?;
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
            let arr = if normal {
                let loc = a
                    .keyword("loc")
                    .map(|l| a.float(session, l, "loc"))
                    .transpose()?
                    .unwrap_or(0.0);
                let scale_arg = a.keyword("scale");
                let scale = scale_arg
                    .map(|l| a.float(session, l, "scale"))
                    .transpose()?
                    .unwrap_or(1.0);
                let dist = Normal::new(loc, scale).map_err(|e| {
                    bad(
                        scale_arg.map_or(span, |s| s.span),
                        format!("cannot draw from normal(loc={loc}, scale={scale}): {e}"),
                        "bad parameters",
                        "scale must be finite and non-negative",
                    )
                })?;
                match dtype {
                    DType::Float32 => build(&shape, len, span, |_| dist.sample(&mut rng) as f32)?,
                    _ => build(&shape, len, span, |_| dist.sample(&mut rng))?,
                }
            } else {
                match dtype {
                    DType::Float32 => build(&shape, len, span, |_| rng.random::<f32>())?,
                    _ => build(&shape, len, span, |_| rng.random::<f64>())?,
                }
            };
            Ok(Made::Value(Value::Owned(arr)))
        }
        "load" => {
            let a = Args::new(stmt, call, &["path"])?;
            let p = a.bind(&["path"], 1)?;
            let Some(arg) = &p[0] else {
                return Err(internal("bound argument missing"));
            };
            let path = a.string(arg, "the path")?;
            load_npy(Path::new(path))
                .map(Made::Value)
                .map_err(|e| label_file(e, arg.span))
        }
        "save" => {
            let a = Args::new(stmt, call, &["arr", "path"])?;
            let p = a.bind(&["arr", "path"], 2)?;
            let (Some(arr), Some(path_arg)) = (&p[0], &p[1]) else {
                return Err(internal("bound argument missing"));
            };
            let path = a.string(path_arg, "the path")?;
            let value = session.value_span(stmt, arr.span)?;
            numjit::npy::write_npy(Path::new(path), &value)
                .map_err(|e| label_file(e, path_arg.span))?;
            Ok(Made::Saved(format!(
                "saved {} to {path}",
                numjit::format::describe(&value)
            )))
        }
        other => Err(internal(format!("`{other}` is not a constructor"))),
    }
}

/// The shape arguments of `zeros`/`ones`/`random`/`normal`: the positional ones, or
/// `shape=`.
fn shape_args(a: &Args<'_>) -> Result<Vec<Arg>, Error> {
    match (a.positional.is_empty(), a.keyword("shape")) {
        (_, None) => Ok(a.positional.clone()),
        (true, Some(s)) => Ok(vec![s.clone()]),
        (false, Some(s)) => Err(bad(
            s.key.as_ref().map_or(s.span, |k| k.1),
            "the shape is given both by position and by keyword",
            "again",
            format!("give the shape once: {}", a.sig()),
        )),
    }
}

/// File errors carry no span; point them at the path the user typed.
fn label_file(e: Error, span: Span) -> Error {
    if e.labels.is_empty() {
        e.at(span, "this file")
    } else {
        e
    }
}

/// NumPy's `linspace` formula: `i*step + start`, the last value exactly `stop`.
fn linspace(start: f64, stop: f64, num: usize, endpoint: bool) -> impl Fn(usize) -> f64 {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let step = if div > 0 {
        delta / div as f64
    } else {
        f64::NAN
    };
    move |i| {
        if endpoint && num > 1 && i == num - 1 {
            return stop;
        }
        if div == 0 {
            i as f64 * delta + start
        } else if step == 0.0 {
            i as f64 / div as f64 * delta + start
        } else {
            i as f64 * step + start
        }
    }
}

fn arange_int(
    start: i128,
    stop: i128,
    step: i128,
    dtype: DType,
    span: Span,
    step_span: Span,
) -> Result<Array, Error> {
    if step == 0 {
        return Err(bad(
            step_span,
            "arange's step must not be zero",
            "zero step",
            "give a non-zero step",
        ));
    }
    let (lo, hi) = if dtype == DType::Int32 {
        (i32::MIN as i128, i32::MAX as i128)
    } else {
        (i64::MIN as i128, i64::MAX as i128)
    };
    for v in [start, stop] {
        if v < lo || v > hi {
            return Err(bad(
                span,
                format!("{v} does not fit in {dtype}"),
                "out of range",
                "use smaller numbers, or dtype=float64",
            ));
        }
    }
    let (q, r) = ((stop - start) / step, (stop - start) % step);
    // ceil((stop - start) / step) for any signs
    let n = if r != 0 && (r > 0) == (step > 0) {
        q + 1
    } else {
        q
    };
    let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
    let len = checked_len(&[n], dtype, span)?;
    let at = move |i: usize| start + i as i128 * step;
    match dtype {
        DType::Int32 => build(&[len], len, span, |i| at(i) as i32),
        _ => build(&[len], len, span, |i| at(i) as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_matches_numpy() {
        // np.linspace(0, 1, 5), np.linspace(0, 1, 4, endpoint=False), np.linspace(2, 3, 1)
        let v: Vec<f64> = (0..5).map(linspace(0.0, 1.0, 5, true)).collect();
        assert_eq!(v, [0.0, 0.25, 0.5, 0.75, 1.0]);
        let v: Vec<f64> = (0..4).map(linspace(0.0, 1.0, 4, false)).collect();
        assert_eq!(v, [0.0, 0.25, 0.5, 0.75]);
        let v: Vec<f64> = (0..1).map(linspace(2.0, 3.0, 1, true)).collect();
        assert_eq!(v, [2.0]);
        // np.linspace(0, 1, 7)[3] == 0.5, [5] == 0.8333333333333333 (5 * (1/6))
        let f = linspace(0.0, 1.0, 7, true);
        assert_eq!(f(5), 5.0 * (1.0 / 6.0));
        assert_eq!(f(6), 1.0);
    }

    #[test]
    fn int_arange_lengths() {
        let len = |s, e, st| {
            arange_int(s, e, st, DType::Int64, Span::default(), Span::default())
                .unwrap()
                .len()
        };
        assert_eq!(len(0, 10, 1), 10);
        assert_eq!(len(0, 10, 3), 4);
        assert_eq!(len(10, 0, -3), 4);
        assert_eq!(len(-10, 0, 3), 4);
        assert_eq!(len(0, -10, -3), 4);
        assert_eq!(len(-10, 0, -3), 0);
        assert_eq!(len(0, 10, -1), 0);
        assert_eq!(len(5, 5, 1), 0);
        assert!(arange_int(0, 1, 0, DType::Int64, Span::default(), Span::default()).is_err());
    }
}
