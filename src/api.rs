//! The public entry points: `evaluate`, `evaluate_into`, `compile` → `Compiled`.
//! Binds names to views and hands a checked program to an engine; owns no semantics.

use crate::array::{AnyView, Array, IntoOut, Var, Vars};
use crate::error::{Error, ErrorKind};
use crate::exec::{Executable, RunOptions};
use crate::ir::Program;
use crate::syntax::{Expr, ExprKind};
use crate::types::check::SigType;
use crate::types::{Literal, Signature};
use rustc_hash::FxHasher;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock, RwLock};

/// The bound inputs of one call; on the stack for up to four inputs.
type Bound<'v> = SmallVec<[AnyView<'v>; 4]>;

/// A parsed and checked expression, reusable across calls with inputs of the same dtypes.
///
/// ```
/// use ndarray::array;
/// use numjit::{DType, Signature, Vars};
/// let f = numjit::compile("a*b + c", &Signature::new()
///     .with("a", DType::Float64).with("b", DType::Float64).with("c", DType::Float64)).unwrap();
/// let (a, b, c) = (array![1.0, 2.0], array![3.0, 4.0], array![0.5, 0.5]);
/// let mut vars = Vars::new();
/// vars.insert("a", &a).insert("b", &b).insert("c", &c);
/// let y = f.run(&vars).unwrap();
/// assert_eq!(y.as_f64().unwrap().as_slice().unwrap(), &[3.5, 8.5]);
/// ```
#[derive(Debug, Clone)]
pub struct Compiled {
    src: String,
    ast: Expr,
    /// Weak literals the expression uses, folded into the code: a run must pass the same.
    literals: Vec<(String, crate::Literal)>,
    program: Program,
    /// The JIT side: compiled kernels per stride layout (shared by clones and threads).
    exec: Arc<Executable>,
}

impl Compiled {
    /// The expression text.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// The parsed syntax tree.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }

    /// The typed program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The result's dtype.
    pub fn dtype(&self) -> crate::DType {
        self.program.dtype()
    }

    /// Every stage as text: the source, the syntax tree, the typed IR and the CLIF of
    /// the kernel for contiguous inputs.
    pub fn explain(&self) -> String {
        let clif = self
            .exec
            .explain_clif()
            .unwrap_or_else(|e| format!("(no kernel: {e})"));
        format!(
            "source: {}\nast: {}\nir:\n{}\nclif:\n{}\n",
            self.src,
            crate::syntax::pretty::sexp(&self.ast),
            self.program,
            clif
        )
    }

    /// Looks up every input in `vars`, checking it has the dtype this was compiled for.
    fn bind<'v>(&self, vars: &'v Vars) -> Result<Bound<'v>, Error> {
        for (name, t) in &self.literals {
            match vars.get(name) {
                Some(Var::Literal(l)) if same_literal(*l, *t) => {}
                Some(Var::Literal(l)) => {
                    return Err(Error::new(
                        ErrorKind::BadArgument,
                        format!("`{name}` was compiled as the literal {t} but is now {l}"),
                    )
                    .help(
                        "literals are folded into the compiled code; compile again to change them",
                    ))
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::BadArgument,
                        format!(
                        "`{name}` was compiled as the literal {t} but is now missing or an array"
                    ),
                    )
                    .help("compile again with the new inputs"))
                }
            }
        }
        let mut bound = Bound::new();
        for decl in &self.program.inputs {
            bound.push(match vars.get(&decl.name).and_then(|v| v.view()) {
                Some(v) if v.dtype() == decl.dtype => v,
                Some(v) => {
                    return Err(Error::new(
                        ErrorKind::BadArgument,
                        format!(
                            "`{}` is {} but the expression was compiled for {}",
                            decl.name,
                            v.dtype(),
                            decl.dtype
                        ),
                    )
                    .at(decl.span, format!("compiled as {}", decl.dtype))
                    .help(format!(
                        "pass a {} array, or compile again for {}",
                        decl.dtype,
                        v.dtype()
                    )))
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::UnknownName,
                        format!("no input named `{}`", decl.name),
                    )
                    .at(decl.span, "not given")
                    .help(format!("insert `{}` into the variables", decl.name)))
                }
            });
        }
        Ok(bound)
    }

    /// Evaluates over `vars` with the fused JIT kernel, returning a fresh C-contiguous array.
    pub fn run(&self, vars: &Vars) -> Result<Array, Error> {
        let inputs = self.bind(vars)?;
        self.exec.eval(&inputs, &RunOptions::default())
    }

    /// Evaluates into `out` (shape must equal the result's; dtype by `same_kind`),
    /// writing straight into it. `out` may be exactly one of the inputs.
    pub fn run_into<'o>(&self, vars: &Vars, out: impl IntoOut<'o>) -> Result<(), Error> {
        let inputs = self.bind(vars)?;
        self.exec
            .eval_into(&inputs, out.into_out(), &RunOptions::default())
    }

    /// Like [`Compiled::run`], with explicit launch options (e.g. `threads: 1` inside
    /// another scheduler's worker). Results never depend on the options.
    pub fn run_with(&self, vars: &Vars, opts: &RunOptions) -> Result<Array, Error> {
        let inputs = self.bind(vars)?;
        self.exec.eval(&inputs, opts)
    }

    /// Like [`Compiled::run_into`], with explicit launch options.
    pub fn run_into_with<'o>(
        &self,
        vars: &Vars,
        out: impl IntoOut<'o>,
        opts: &RunOptions,
    ) -> Result<(), Error> {
        let inputs = self.bind(vars)?;
        self.exec.eval_into(&inputs, out.into_out(), opts)
    }

    /// Like [`Compiled::run_into`], with the naive evaluator.
    pub fn run_into_naive<'o>(&self, vars: &Vars, out: impl IntoOut<'o>) -> Result<(), Error> {
        let inputs = self.bind(vars)?;
        crate::interp::eval_into(&self.program, &inputs, out.into_out())
    }

    /// Evaluates with the naive evaluator (one temporary per operation), whatever the
    /// default engine is. For tests and benchmarks.
    pub fn run_naive(&self, vars: &Vars) -> Result<Array, Error> {
        let inputs = self.bind(vars)?;
        crate::interp::eval(&self.program, &inputs)
    }
}

/// Parses and checks `expr` for inputs with the dtypes in `sig`.
pub fn compile(expr: &str, sig: &Signature) -> Result<Compiled, Error> {
    let ast = crate::syntax::parse(expr)?;
    let program = crate::types::check(&ast, sig)?;
    let literals = used_literals(&ast, sig);
    Ok(Compiled {
        src: expr.to_string(),
        ast,
        literals,
        exec: Arc::new(Executable::new(program.clone())),
        program,
    })
}

/// The weak-literal names of `sig` that `ast` refers to.
fn used_literals(ast: &Expr, sig: &Signature) -> Vec<(String, crate::Literal)> {
    let mut found = Vec::new();
    let mut stack = vec![ast];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name(n) => {
                if let Some(SigType::Weak(l)) = sig.get(n) {
                    if !found.iter().any(|(m, _)| m == n) {
                        found.push((n.clone(), l));
                    }
                }
            }
            ExprKind::Unary(_, a) => stack.push(a),
            ExprKind::Binary(_, a, b) => stack.extend([&**a, &**b]),
            ExprKind::Call { args, kwargs, .. } => {
                stack.extend(args.iter());
                stack.extend(kwargs.iter().map(|k| &k.value));
            }
            ExprKind::Tuple(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    found
}

/// Evaluates `expr` over `vars`.
///
/// ```
/// use ndarray::array;
/// let (a, b) = (array![1i32, 2, 3], array![[10.0f32], [20.0]]);
/// let mut vars = numjit::Vars::new();
/// vars.insert("a", &a).insert("b", &b);
/// let y = numjit::evaluate("a + b", &vars).unwrap();
/// assert_eq!(y.dtype(), numjit::DType::Float64); // int32 + float32 → float64, as NumPy 2
/// assert_eq!(y.shape(), &[2, 3]);
/// ```
pub fn evaluate(expr: &str, vars: &Vars) -> Result<Array, Error> {
    cached(expr, vars)?.compiled.run(vars)
}

/// Evaluates `expr` over `vars` into `out`, casting under NumPy's `same_kind` rule.
///
/// ```
/// use ndarray::{array, Array1};
/// let x = array![1.0, 2.0, 3.0];
/// let mut out = Array1::<f32>::zeros(3);
/// let mut vars = numjit::Vars::new();
/// vars.insert("x", &x);
/// numjit::evaluate_into("2*x + 1", &vars, &mut out).unwrap();
/// assert_eq!(out.to_vec(), vec![3.0f32, 5.0, 7.0]);
/// ```
pub fn evaluate_into<'o>(expr: &str, vars: &Vars, out: impl IntoOut<'o>) -> Result<(), Error> {
    cached(expr, vars)?.compiled.run_into(vars, out)
}

/// Most entries the source-text cache behind [`evaluate`] and [`evaluate_into`] keeps;
/// past it, the cache is cleared (running calls hold their entry, so nothing breaks).
pub const SOURCE_CACHE_CAPACITY: usize = 256;

/// One compiled expression in the source-text cache, with the key it was built from.
struct Cached {
    src: Box<str>,
    /// Every variable's name and type, in `Vars` order (what `Signature::of` saw).
    sig: Box<[(Box<str>, SigType)]>,
    compiled: Compiled,
}

type SourceCache = RwLock<HashMap<u64, Arc<Cached>, BuildHasherDefault<FxHasher>>>;

fn source_cache() -> &'static SourceCache {
    static CACHE: OnceLock<SourceCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn sig_type(v: &Var) -> SigType {
    match v {
        Var::View(v) => SigType::Strong(v.dtype()),
        Var::Owned(a) => SigType::Strong(a.dtype()),
        Var::Literal(l) => SigType::Weak(*l),
    }
}

/// Literal equality by bits (a NaN literal equals itself; 0.0 and -0.0 differ).
fn same_literal(a: Literal, b: Literal) -> bool {
    match (a, b) {
        (Literal::Float(x), Literal::Float(y)) => x.to_bits() == y.to_bits(),
        (Literal::Complex(x), Literal::Complex(y)) => {
            x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()
        }
        (a, b) => a == b,
    }
}

fn same_type(a: SigType, b: SigType) -> bool {
    match (a, b) {
        (SigType::Strong(x), SigType::Strong(y)) => x == y,
        (SigType::Weak(x), SigType::Weak(y)) => same_literal(x, y),
        _ => false,
    }
}

/// Hash of the cache key: the text and every variable's name and type.
fn key_hash(src: &str, vars: &Vars) -> u64 {
    let mut h = FxHasher::default();
    h.write(src.as_bytes());
    h.write_u8(0xff);
    for (name, v) in vars.iter() {
        h.write(name.as_bytes());
        h.write_u8(0xff);
        match sig_type(v) {
            SigType::Strong(d) => h.write_u8(d as u8),
            SigType::Weak(l) => match l {
                Literal::Bool(b) => h.write_u8(0x10 | b as u8),
                Literal::Int(i) => h.write_i128(i),
                Literal::Float(f) => h.write_u64(f.to_bits()),
                Literal::Complex(c) => {
                    h.write_u64(c.re.to_bits());
                    h.write_u64(c.im.to_bits());
                }
            },
        }
    }
    h.finish()
}

impl Cached {
    fn matches(&self, src: &str, vars: &Vars) -> bool {
        *self.src == *src
            && self.sig.len() == vars.len()
            && self
                .sig
                .iter()
                .zip(vars.iter())
                .all(|((n, t), (name, v))| **n == *name && same_type(*t, sig_type(v)))
    }
}

/// The compiled handle for `src` over inputs typed like `vars`: from the cache when
/// the text and every variable's name and type match, else compiled and cached.
/// A hit takes a shared lock, hashes the text and compares it: no allocation.
fn cached(src: &str, vars: &Vars) -> Result<Arc<Cached>, Error> {
    let key = key_hash(src, vars);
    {
        let cache = source_cache().read().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = cache.get(&key).filter(|e| e.matches(src, vars)) {
            return Ok(e.clone());
        }
    }
    let entry = Arc::new(Cached {
        src: src.into(),
        sig: vars.iter().map(|(n, v)| (n.into(), sig_type(v))).collect(),
        compiled: compile(src, &Signature::of(vars))?,
    });
    let mut cache = source_cache().write().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= SOURCE_CACHE_CAPACITY {
        cache.clear();
    }
    // A colliding key replaces the older entry; lookups compare the full key.
    cache.insert(key, entry.clone());
    Ok(entry)
}
