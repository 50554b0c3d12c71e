//! AST + signature → typed `ir::Program`. Resolves names, applies NumPy 2 (NEP 50)
//! promotion with weak literals, inserts explicit casts, and folds constants with the
//! naive evaluator's own kernels (so folding gives exactly what run time would).
//! Knows nothing about shapes: those are bound when the program runs.

use crate::array::{internal, Array, Scalar, Var, Vars};
use crate::error::{Error, ErrorKind};
use crate::ir::{Axes, InputDecl, Node, NodeId, NodeKind, Program, Reduction};
use crate::limits::MAX_INPUTS;
use crate::math::{Math, Rule};
use crate::ops::{function_names, lookup_function, Func, Op};
use crate::span::Span;
use crate::syntax::{BinaryOp, Expr, ExprKind, Keyword, UnaryOp};
use crate::types::literal::{self, LitError};
use crate::types::{DType, Literal};
use std::collections::HashMap;

/// What each name is: an array of a dtype (strong) or a weak literal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signature {
    entries: Vec<(String, SigType)>,
}

/// The type of one name in a [`Signature`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SigType {
    /// An array (or 0-d array) of this dtype.
    Strong(DType),
    /// A weak literal, substituted as if written in the expression.
    Weak(Literal),
}

impl Signature {
    pub fn new() -> Signature {
        Signature::default()
    }

    /// Adds an array input of `dtype`.
    pub fn with(mut self, name: &str, dtype: DType) -> Signature {
        self.insert(name, SigType::Strong(dtype));
        self
    }

    /// Adds a weak literal input.
    pub fn with_literal(mut self, name: &str, lit: Literal) -> Signature {
        self.insert(name, SigType::Weak(lit));
        self
    }

    pub fn insert(&mut self, name: &str, t: SigType) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 = t,
            None => self.entries.push((name.to_string(), t)),
        }
    }

    pub fn get(&self, name: &str) -> Option<SigType> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The signature of some inputs: arrays are strong, literals weak.
    pub fn of(vars: &Vars) -> Signature {
        let mut s = Signature::new();
        for (name, v) in vars.iter() {
            let t = match v {
                Var::View(v) => SigType::Strong(v.dtype()),
                Var::Owned(a) => SigType::Strong(a.dtype()),
                Var::Literal(l) => SigType::Weak(*l),
            };
            s.insert(name, t);
        }
        s
    }
}

/// Type-checks `ast` against `sig`.
pub fn check(ast: &Expr, sig: &Signature) -> Result<Program, Error> {
    let mut c = Checker {
        sig,
        nodes: Vec::new(),
        inputs: Vec::new(),
        input_ids: HashMap::new(),
    };
    let v = c.expr(ast)?;
    let root = c.strong(v, None)?;
    Ok(Program {
        nodes: c.nodes,
        root,
        inputs: c.inputs,
    })
}

/// Folds an expression made only of literals (e.g. a command-line `NAME=1+2j`) to a
/// weak literal. Anything else is an error.
pub fn fold_literal(ast: &Expr) -> Result<Literal, Error> {
    let sig = Signature::new();
    let mut c = Checker {
        sig: &sig,
        nodes: Vec::new(),
        inputs: Vec::new(),
        input_ids: HashMap::new(),
    };
    match c.expr(ast)? {
        Val::Weak(l, _) => Ok(l),
        Val::Strong(_) => Err(
            Error::new(ErrorKind::BadArgument, "expected a literal value")
                .at(ast.span, "this is not a plain literal")
                .help("give a number such as `2.5`, `3`, `True` or `1+2j`"),
        ),
    }
}

/// A checked subexpression: a weak literal, or a node with a dtype.
#[derive(Clone, Copy, Debug)]
enum Val {
    Weak(Literal, Span),
    Strong(NodeId),
}

struct Checker<'s> {
    sig: &'s Signature,
    nodes: Vec<Node>,
    inputs: Vec<InputDecl>,
    input_ids: HashMap<String, NodeId>,
}

fn lit_err(e: LitError, span: Span) -> Error {
    let label = match e.kind {
        ErrorKind::LiteralOutOfRange => "this literal",
        _ => "in this literal arithmetic",
    };
    let mut err = Error::new(e.kind, e.message).at(span, label);
    err.help = e.help;
    err
}

impl Checker<'_> {
    fn dtype(&self, id: NodeId) -> DType {
        self.nodes[id as usize].dtype
    }

    fn span_of(&self, v: Val) -> Span {
        match v {
            Val::Weak(_, s) => s,
            Val::Strong(id) => self.nodes[id as usize].span,
        }
    }

    fn push(&mut self, kind: NodeKind, args: Vec<NodeId>, dtype: DType, span: Span) -> NodeId {
        self.nodes.push(Node {
            kind,
            args,
            dtype,
            span,
        });
        (self.nodes.len() - 1) as NodeId
    }

    fn constant(&mut self, s: Scalar, span: Span) -> NodeId {
        self.push(NodeKind::Const(s), Vec::new(), s.dtype(), span)
    }

    /// Makes `v` a node of dtype `to` (or of its own dtype when `to` is `None`; a weak
    /// literal then takes its default dtype).
    fn strong(&mut self, v: Val, to: Option<DType>) -> Result<NodeId, Error> {
        match v {
            Val::Weak(l, span) => {
                let dt = to.unwrap_or(l.default_dtype());
                let s = l.to_scalar(dt).map_err(|e| lit_err(e, span))?;
                Ok(self.constant(s, span))
            }
            Val::Strong(id) => match to {
                Some(t) if t != self.dtype(id) => {
                    let span = self.nodes[id as usize].span;
                    self.op(Op::Cast, vec![id], t, span)
                }
                _ => Ok(id),
            },
        }
    }

    /// Pushes an op node, folding it when every operand is a constant.
    fn op(&mut self, op: Op, args: Vec<NodeId>, dtype: DType, span: Span) -> Result<NodeId, Error> {
        let consts: Option<Vec<Scalar>> = args
            .iter()
            .map(|&a| match self.nodes[a as usize].kind {
                NodeKind::Const(s) => Some(s),
                _ => None,
            })
            .collect();
        if let Some(consts) = consts {
            let arrays: Vec<Array> = consts.into_iter().map(Array::from_scalar).collect();
            let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
            let r = crate::interp::eval_op(op, dtype, &views).map_err(|e| e.at_node(span))?;
            let s = r
                .get_flat(0)
                .ok_or_else(|| internal("folding gave an empty array"))?;
            // Drop the folded operands if they are the newest nodes (keeps programs small).
            while args.iter().any(|&a| a as usize + 1 == self.nodes.len())
                && matches!(self.nodes.last().map(|n| &n.kind), Some(NodeKind::Const(_)))
            {
                self.nodes.pop();
            }
            return Ok(self.constant(s, span));
        }
        Ok(self.push(NodeKind::Op(op), args, dtype, span))
    }

    fn expr(&mut self, e: &Expr) -> Result<Val, Error> {
        Ok(match &e.kind {
            ExprKind::Int(i) => Val::Weak(Literal::Int(*i), e.span),
            ExprKind::Float(f) => Val::Weak(Literal::Float(*f), e.span),
            ExprKind::Imag(f) => Val::Weak(
                Literal::Complex(num_complex::Complex64::new(0.0, *f)),
                e.span,
            ),
            ExprKind::Bool(b) => Val::Weak(Literal::Bool(*b), e.span),
            ExprKind::Name(n) => self.name(n, e.span)?,
            ExprKind::Unary(op, a) => {
                let v = self.expr(a)?;
                self.unary(*op, v, e.span)?
            }
            ExprKind::Binary(op, a, b) => {
                let va = self.expr(a)?;
                let vb = self.expr(b)?;
                self.binary(*op, va, vb, e.span)?
            }
            ExprKind::Call {
                func,
                name_span,
                args,
                kwargs,
            } => self.call(func, *name_span, args, kwargs, e.span)?,
            ExprKind::Tuple(_) => {
                return Err(Error::new(
                    ErrorKind::BadAxis,
                    "a tuple is only accepted as the value of `axis=`",
                )
                .at(e.span, "a tuple here")
                .help(
                    "numjit expressions compute arrays; tuples only list the axes of a \
                       reduction, e.g. `sum(x, axis=(0, 2))`",
                ))
            }
        })
    }

    fn name(&mut self, n: &str, span: Span) -> Result<Val, Error> {
        match self.sig.get(n) {
            Some(SigType::Weak(l)) => Ok(Val::Weak(l, span)),
            Some(SigType::Strong(dt)) => {
                if let Some(&id) = self.input_ids.get(n) {
                    // Reuse the input node; a fresh span would be nicer but ids are shared.
                    return Ok(Val::Strong(id));
                }
                if self.inputs.len() >= MAX_INPUTS {
                    return Err(Error::new(
                        ErrorKind::TooManyInputs,
                        format!("more than {MAX_INPUTS} distinct inputs"),
                    )
                    .at(span, "one too many")
                    .help(format!("numjit accepts at most {MAX_INPUTS} inputs per expression; split the expression")));
                }
                let idx = self.inputs.len() as u32;
                self.inputs.push(InputDecl {
                    name: n.to_string(),
                    dtype: dt,
                    span,
                });
                let id = self.push(NodeKind::Input(idx), Vec::new(), dt, span);
                self.input_ids.insert(n.to_string(), id);
                Ok(Val::Strong(id))
            }
            None => {
                let mut err = Error::new(ErrorKind::UnknownName, format!("unknown name `{n}`"));
                if lookup_function(n).is_some() {
                    err = err
                        .at(span, "this is a function")
                        .help(format!("call it: `{n}(…)`"));
                } else if let Some(s) = crate::suggest::closest(n, self.sig.names()) {
                    err = err
                        .at(span, "not defined")
                        .help(format!("did you mean `{s}`?"));
                } else {
                    let known: Vec<String> = self.sig.names().map(|s| format!("`{s}`")).collect();
                    err = err.at(span, "not defined").help(if known.is_empty() {
                        format!("no variables were given; pass `{n}` as an input")
                    } else {
                        format!(
                            "pass `{n}` as an input; the known names are {}",
                            known.join(", ")
                        )
                    });
                }
                Err(err)
            }
        }
    }

    fn unary(&mut self, op: UnaryOp, v: Val, span: Span) -> Result<Val, Error> {
        let id = match v {
            Val::Weak(l, _) => {
                return literal::unary(op, l)
                    .map(|l| Val::Weak(l, span))
                    .map_err(|e| lit_err(e, span))
            }
            Val::Strong(id) => id,
        };
        let dt = self.dtype(id);
        let bad = |msg: String, help: &str| {
            Err(Error::new(ErrorKind::UnsupportedOperand, msg)
                .at(span, format!("this operand is {dt}"))
                .help(help.to_string()))
        };
        match op {
            UnaryOp::Pos if dt == DType::Bool => bad(
                "the unary `+` operator is not supported for bool".into(),
                "NumPy has no `positive` for bool; drop the `+`, or cast with `int64(…)`",
            ),
            UnaryOp::Pos => Ok(Val::Strong(id)),
            UnaryOp::Neg if dt == DType::Bool => bad(
                "the unary `-` operator is not supported for bool".into(),
                "use `~` for logical not",
            ),
            UnaryOp::Neg => Ok(Val::Strong(self.op(Op::Neg, vec![id], dt, span)?)),
            UnaryOp::Invert if !Op::Invert.supports(dt) => bad(
                format!("`~` needs bool or integer operands, found {dt}"),
                "use `-x` to negate, or `x == 0` to test for zero",
            ),
            UnaryOp::Invert => Ok(Val::Strong(self.op(Op::Invert, vec![id], dt, span)?)),
        }
    }

    fn binary(&mut self, bop: BinaryOp, a: Val, b: Val, span: Span) -> Result<Val, Error> {
        if let (Val::Weak(x, _), Val::Weak(y, _)) = (a, b) {
            return literal::binary(bop, x, y)
                .map(|l| Val::Weak(l, span))
                .map_err(|e| lit_err(e, span));
        }
        let mut t = match (a, b) {
            (Val::Strong(x), Val::Strong(y)) => DType::promote(self.dtype(x), self.dtype(y)),
            (Val::Strong(x), Val::Weak(l, _)) | (Val::Weak(l, _), Val::Strong(x)) => {
                l.promote_with(self.dtype(x))
            }
            _ => return Err(internal("unreachable literal pair")),
        };
        // NumPy 2 compares an int array with an out-of-range Python int exactly
        // (`int32_array < 3000000000` is all True); comparing in int64 does the same.
        if bop.is_comparison() && t == DType::Int32 {
            if let (Val::Weak(Literal::Int(v), _), _) | (_, Val::Weak(Literal::Int(v), _)) = (a, b)
            {
                if i32::try_from(v).is_err() {
                    t = DType::Int64;
                }
            }
        }
        let sym = bop.symbol();
        let (sa, sb) = (self.span_of(a), self.span_of(b));
        let da = self.describe(a);
        let db = self.describe(b);
        let unsupported = |msg: String, help: String| {
            Err(Error::new(ErrorKind::UnsupportedOperand, msg)
                .at(span, format!("`{sym}` with {da} and {db}"))
                .help(help))
        };
        let op = match bop {
            BinaryOp::Add if t == DType::Bool => Op::BitOr,
            BinaryOp::Mul if t == DType::Bool => Op::BitAnd,
            BinaryOp::Add => Op::Add,
            BinaryOp::Mul => Op::Mul,
            BinaryOp::Sub if t == DType::Bool => {
                return unsupported(
                    "numpy boolean subtract, the `-` operator, is not supported".into(),
                    "use `^` (exclusive or) or `a & ~b` instead".into(),
                )
            }
            BinaryOp::Sub => Op::Sub,
            BinaryOp::Div => {
                if matches!(t, DType::Bool | DType::Int32 | DType::Int64) {
                    t = DType::Float64;
                }
                Op::Div
            }
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr
                if t == DType::Bool =>
            {
                return unsupported(
                    format!("`{sym}` on two bool operands gives int8 in NumPy, which numjit does not have"),
                    format!("cast an operand to an integer type, e.g. `int32(a) {sym} b`"),
                )
            }
            BinaryOp::FloorDiv => Op::FloorDiv,
            BinaryOp::Mod => Op::Mod,
            BinaryOp::Pow => Op::Pow,
            BinaryOp::Shl => Op::Shl,
            BinaryOp::Shr => Op::Shr,
            BinaryOp::BitAnd => Op::BitAnd,
            BinaryOp::BitOr => Op::BitOr,
            BinaryOp::BitXor => Op::BitXor,
            BinaryOp::Eq => Op::Eq,
            BinaryOp::Ne => Op::Ne,
            BinaryOp::Lt => Op::Lt,
            BinaryOp::Le => Op::Le,
            BinaryOp::Gt => Op::Gt,
            BinaryOp::Ge => Op::Ge,
        };
        if !op.supports(t) {
            let help = match op {
                Op::BitAnd | Op::BitOr | Op::BitXor | Op::Shl | Op::Shr => {
                    "these operators need bool or integer operands; combine conditions as `(a > 0) & (b > 0)`, or cast with `int64(…)`".to_string()
                }
                Op::Lt | Op::Le | Op::Gt | Op::Ge => "complex numbers have no order; compare `abs(z)` instead".to_string(),
                _ => format!("`{sym}` is not defined for {t}; cast the operands, e.g. `float64(…)`"),
            };
            return unsupported(format!("`{sym}` is not supported for {t} operands"), help);
        }
        // An integer raised to a negative integer literal: NumPy raises.
        if op == Op::Pow && t.is_int() {
            if let Val::Weak(Literal::Int(e), _) = b {
                if e < 0 {
                    return Err(Error::new(
                        ErrorKind::NegativeIntPower,
                        "integers to negative integer powers are not allowed",
                    )
                    .at(sb, "negative exponent")
                    .also(sa, format!("this is {da}"))
                    .help(format!(
                        "use a float exponent, e.g. `{}.0`, or cast the base with `float64(…)`",
                        e
                    )));
                }
            }
        }
        // NumPy's fast paths for an array raised to a scalar: x**2 is a square,
        // x**0.5 a square root, x**-1 a reciprocal (floats and complex; square also for ints).
        if op == Op::Pow {
            if let (Val::Strong(_), Val::Weak(l, _)) = (a, b) {
                let e = match l {
                    // NumPy squares complex arrays only for an int exponent; `z**2.0` is cpow.
                    Literal::Float(f) if t.is_complex() && f == 2.0 => None,
                    Literal::Int(i) => Some(i as f64),
                    Literal::Float(f) => Some(f),
                    Literal::Bool(_) | Literal::Complex(_) => None,
                };
                // Decide first, so no cast node is left dangling when no fast path applies.
                let fast = match e {
                    Some(2.0) => Some(Op::Mul),
                    Some(0.5) if t.is_float() || t.is_complex() => Some(Op::Sqrt),
                    Some(-1.0) if t.is_complex() && matches!(l, Literal::Int(_)) => {
                        Some(Op::Reciprocal)
                    }
                    Some(-1.0) if t.is_float() => Some(Op::Div),
                    _ => None,
                };
                if let Some(fop) = fast {
                    let x = self.strong(a, Some(t))?;
                    let args = match fop {
                        Op::Mul => vec![x, x],
                        Op::Div => vec![self.strong(Val::Weak(Literal::Int(1), sb), Some(t))?, x],
                        _ => vec![x],
                    };
                    return Ok(Val::Strong(self.op(fop, args, t, span)?));
                }
            }
        }
        let x = self.strong(a, Some(t))?;
        let y = self.strong(b, Some(t))?;
        Ok(Val::Strong(self.op(
            op,
            vec![x, y],
            op.result_dtype(t),
            span,
        )?))
    }

    fn describe(&self, v: Val) -> String {
        match v {
            Val::Weak(l, _) => format!("a Python {}", l.py_type()),
            Val::Strong(id) => self.dtype(id).name().to_string(),
        }
    }

    /// Checks the keyword arguments of a call to `f`; for a reduction, returns `axis=`
    /// (value, `None` for every axis, and span; absent when not given) and `keepdims=`.
    #[allow(clippy::type_complexity)]
    fn keywords(
        &mut self,
        func: &str,
        f: Func,
        kwargs: &[Keyword],
    ) -> Result<(Option<(Axes, Span)>, bool), Error> {
        let mut axis = None;
        let mut keepdims = false;
        for k in kwargs {
            if !matches!(f, Func::Reduce(_)) {
                return Err(Error::new(
                    ErrorKind::UnknownKeyword,
                    format!("`{func}` takes no keyword arguments"),
                )
                .at(k.name_span, "unexpected keyword argument")
                .help(format!("pass the arguments by position: `{func}(…)`")));
            }
            if k.name == "keepdims" {
                let ExprKind::Bool(b) = k.value.kind else {
                    let v = self.expr(&k.value)?;
                    return Err(Error::new(
                        ErrorKind::BadAxis,
                        "`keepdims` must be `True` or `False`",
                    )
                    .at(k.value.span, format!("this is {}", self.describe(v)))
                    .help(format!(
                        "write `{func}(x, axis=1, keepdims=True)` to keep the reduced axis \
                         with length 1"
                    )));
                };
                keepdims = b;
                continue;
            }
            if k.name != "axis" {
                let mut err = Error::new(
                    ErrorKind::UnknownKeyword,
                    format!("`{func}` got an unexpected keyword argument `{}`", k.name),
                )
                .at(k.name_span, "not accepted");
                err = match crate::suggest::closest(&k.name, ["axis", "keepdims"]) {
                    Some(s) => err.help(format!("did you mean `{s}`?")),
                    None => err.help(format!(
                        "`{func}` accepts only `axis=` (an integer or `None`) and \
                         `keepdims=`; NumPy's other keywords (`dtype`, `out`, `initial`, \
                         `where`) are not supported"
                    )),
                };
                return Err(err);
            }
            if matches!(&k.value.kind, ExprKind::Name(n) if n == "None") {
                axis = Some((Axes::All, k.span));
                continue;
            }
            if let ExprKind::Tuple(items) = &k.value.kind {
                axis = Some((self.axis_tuple(func, items)?, k.span));
                continue;
            }
            let v = self.expr(&k.value)?;
            let value = match v {
                Val::Weak(Literal::Int(i), _) => i64::try_from(i).ok(),
                _ => None,
            };
            let Some(value) = value else {
                return Err(Error::new(
                    ErrorKind::BadAxis,
                    "`axis` must be an integer literal or `None`",
                )
                .at(k.value.span, format!("this is {}", self.describe(v)))
                .help(format!(
                    "write an axis number such as `{func}(x, axis=0)` or `axis=-1`, \
                     or `axis=None` (or no `axis`) to reduce over every axis"
                )));
            };
            axis = Some((Axes::One(value), k.span));
        }
        Ok((axis, keepdims))
    }

    /// `axis=(a, b, …)`: integer literals, no value twice.
    fn axis_tuple(&mut self, func: &str, items: &[Expr]) -> Result<Axes, Error> {
        let (mut pos, mut neg, mut far) = (0u64, 0u64, None);
        let mut seen: Vec<(i64, Span)> = Vec::new();
        for item in items {
            let v = self.expr(item)?;
            let Val::Weak(Literal::Int(i), _) = v else {
                return Err(Error::new(
                    ErrorKind::BadAxis,
                    "the entries of an `axis` tuple must be integer literals",
                )
                .at(item.span, format!("this is {}", self.describe(v)))
                .help(format!("write axis numbers, e.g. `{func}(x, axis=(0, 2))`")));
            };
            let k = i64::try_from(i).unwrap_or(i64::MAX);
            if let Some(&(_, first)) = seen.iter().find(|s| s.0 == k) {
                return Err(duplicate_axis(func, k, item.span, first));
            }
            seen.push((k, item.span));
            match k {
                0..=63 => pos |= 1 << k,
                -64..=-1 => neg |= 1 << (-k - 1),
                _ => far = far.or(Some(k)),
            }
        }
        Ok(Axes::Tuple { pos, neg, far })
    }

    fn call(
        &mut self,
        func: &str,
        name_span: Span,
        args: &[Expr],
        kwargs: &[Keyword],
        span: Span,
    ) -> Result<Val, Error> {
        let Some((arity, f)) = lookup_function(func) else {
            let mut err = Error::new(
                ErrorKind::UnknownFunction,
                format!("unknown function `{func}`"),
            )
            .at(name_span, "not a numjit function");
            if self.sig.get(func).is_some() {
                err = err.help(format!(
                    "`{func}` is a variable, not a function; to multiply write `{func} * (…)`"
                ));
            } else if let Some(s) = crate::suggest::closest(func, function_names()) {
                err = err.help(format!("did you mean `{s}`?"));
            } else {
                let names: Vec<&str> = function_names().collect();
                err = err.help(format!("the functions are: {}", names.join(", ")));
            }
            return Err(err);
        };
        let (axis, keepdims) = self.keywords(func, f, kwargs)?;
        let round_decimals = f == Func::Round && args.len() == 2;
        if args.len() != arity && !round_decimals {
            let plural = if arity == 1 { "" } else { "s" };
            let were = if args.len() == 1 { "was" } else { "were" };
            return Err(Error::new(
                ErrorKind::WrongArity,
                format!(
                    "`{func}` takes {arity} argument{plural} but {} {were} given",
                    args.len()
                ),
            )
            .at(span, format!("expected {arity} argument{plural}"))
            .help(match f {
                Func::Op(Op::Where) => "write `where(condition, x, y)`".to_string(),
                Func::Reduce(_) if args.len() == 2 => {
                    format!("pass the axis as a keyword: `{func}(x, axis=…)`")
                }
                Func::Reduce(_) => format!("write `{func}(x)` or `{func}(x, axis=0)`"),
                Func::Round => "write `round(x)` or `round(x, decimals)`".to_string(),
                _ if arity == 2 => format!("write `{func}(x, y)`"),
                _ => format!("write `{func}(x)`"),
            }));
        }
        let vals = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<Vec<_>, _>>()?;
        match f {
            Func::Cast(t) => {
                let x = self.strong(vals[0], None)?;
                if self.dtype(x) == t {
                    // Still a separate node, so its span covers the call.
                    return Ok(Val::Strong(x));
                }
                Ok(Val::Strong(self.op(Op::Cast, vec![x], t, span)?))
            }
            Func::Op(Op::Sqrt) => {
                let x = self.strong(vals[0], None)?;
                let t = self.dtype(x).to_inexact();
                let x = self.strong(Val::Strong(x), Some(t))?;
                Ok(Val::Strong(self.op(Op::Sqrt, vec![x], t, span)?))
            }
            Func::Op(Op::Abs) => {
                let x = self.strong(vals[0], None)?;
                let t = self.dtype(x);
                Ok(Val::Strong(self.op(
                    Op::Abs,
                    vec![x],
                    Op::Abs.result_dtype(t),
                    span,
                )?))
            }
            Func::Op(Op::Where) => {
                let c = self.strong(vals[0], None)?;
                let c = self.strong(Val::Strong(c), Some(DType::Bool))?;
                let t = self.promote_vals(vals[1], vals[2]);
                let x = self.strong(vals[1], Some(t))?;
                let y = self.strong(vals[2], Some(t))?;
                Ok(Val::Strong(self.op(Op::Where, vec![c, x, y], t, span)?))
            }
            Func::Reduce(r) => {
                let x = self.strong(vals[0], None)?;
                let t = self.dtype(x);
                let Some(acc) = r.dtype(t) else {
                    return Err(Error::new(
                        ErrorKind::UnsupportedOperand,
                        format!("`{func}` is not supported for {t}"),
                    )
                    .at(span, format!("the operand is {t}"))
                    .help("complex numbers have no order; reduce `abs(z)` or `real(z)` instead"));
                };
                // The accumulator cast is an elementwise node, fused into the body.
                let x = self.strong(Val::Strong(x), Some(acc))?;
                let (axis, axis_span) = axis.unwrap_or((Axes::All, span));
                let red = Reduction {
                    op: r,
                    axis,
                    axis_span,
                    keepdims,
                };
                Ok(Val::Strong(self.push(
                    NodeKind::Reduce(red),
                    vec![x],
                    acc,
                    span,
                )))
            }
            Func::Op(Op::Math(m)) => self.math(m, &vals, span),
            Func::Op(op @ (Op::Real | Op::Imag | Op::Conj)) => self.complex_part(op, vals[0], span),
            Func::Op(Op::Complex) => {
                let args = vals
                    .iter()
                    .map(|&v| self.real_operand("complex", v, DType::Float64))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Val::Strong(self.op(
                    Op::Complex,
                    args,
                    DType::Complex128,
                    span,
                )?))
            }
            Func::Angle => {
                // NumPy's `angle`: `arctan2(z.imag, z.real)`, or `arctan2(0, x)` for real `x`.
                let x = self.strong(vals[0], None)?;
                if self.dtype(x) == DType::Complex128 {
                    // Folding drops the newest constant operand: give `imag` its own copy.
                    let xi = match self.nodes[x as usize].kind {
                        NodeKind::Const(s) => self.constant(s, self.nodes[x as usize].span),
                        _ => x,
                    };
                    let im = self.op(Op::Imag, vec![xi], DType::Float64, span)?;
                    let re = self.op(Op::Real, vec![x], DType::Float64, span)?;
                    self.math(Math::Arctan2, &[Val::Strong(im), Val::Strong(re)], span)
                } else {
                    let zero = Val::Weak(Literal::Int(0), span);
                    self.math(Math::Arctan2, &[zero, Val::Strong(x)], span)
                }
            }
            Func::Round => self.round(&vals, span),
            Func::Copy => Ok(Val::Strong(self.strong(vals[0], None)?)),
            Func::OnesLike => {
                let x = self.strong(vals[0], None)?;
                let t = self.dtype(x);
                let one = match t {
                    DType::Bool => Scalar::Bool(true),
                    DType::Int32 => Scalar::Int32(1),
                    DType::Int64 => Scalar::Int64(1),
                    DType::Float32 => Scalar::Float32(1.0),
                    DType::Float64 => Scalar::Float64(1.0),
                    DType::Complex128 => Scalar::Complex128(num_complex::Complex64::new(1.0, 0.0)),
                };
                // `x == x` only carries x's shape: both branches are 1 (NaN included).
                let shape = self.op(Op::Eq, vec![x, x], DType::Bool, span)?;
                let one = self.constant(one, span);
                Ok(Val::Strong(self.op(
                    Op::Where,
                    vec![shape, one, one],
                    t,
                    span,
                )?))
            }
            Func::Op(other) => Err(internal(format!(
                "function table names op `{}` without a rule",
                other.name()
            ))),
        }
    }
}

/// NumPy's `power_of_ten` for `around`: exact up to 1e22, then repeated multiplication.
fn power_of_ten(n: u32) -> f64 {
    let mut r = 10f64.powi(n.min(8) as i32);
    for _ in 8..n {
        r *= 10.0;
    }
    r
}

impl Checker<'_> {
    /// The dtype two operands of a function promote to (weak literals as in NEP 50).
    fn promote_vals(&self, a: Val, b: Val) -> DType {
        match (a, b) {
            (Val::Strong(x), Val::Strong(y)) => DType::promote(self.dtype(x), self.dtype(y)),
            (Val::Strong(x), Val::Weak(l, _)) | (Val::Weak(l, _), Val::Strong(x)) => {
                l.promote_with(self.dtype(x))
            }
            (Val::Weak(l, _), Val::Weak(m, _)) => {
                if l.kind() >= m.kind() {
                    l.default_dtype()
                } else {
                    m.default_dtype()
                }
            }
        }
    }

    fn refuse_function(&self, name: &str, t: DType, span: Span) -> Error {
        let help = match t {
            DType::Complex128 => {
                format!("`{name}` is not available for complex128 yet; apply it to `real(…)`-like float parts")
            }
            DType::Bool => format!("cast the operand first, e.g. `{name}(int32(…))`"),
            _ => format!("cast the operand first, e.g. `{name}(float64(…))`"),
        };
        Error::new(
            ErrorKind::UnsupportedOperand,
            format!("`{name}` is not supported for {t} operands"),
        )
        .at(span, format!("`{name}` of {t}"))
        .help(help)
    }

    /// `real(x)`, `imag(x)`, `conj(x)` (also `x.real`, `x.imag`): NumPy's rules, so on a
    /// real dtype `real` and `conj` are `x` itself and `imag` is zero of `x`'s dtype.
    fn complex_part(&mut self, op: Op, v: Val, span: Span) -> Result<Val, Error> {
        let x = self.strong(v, None)?;
        let t = self.dtype(x);
        if t != DType::Complex128 && op != Op::Imag {
            return Ok(Val::Strong(x));
        }
        Ok(Val::Strong(self.op(
            op,
            vec![x],
            op.result_dtype(t),
            span,
        )?))
    }

    /// An operand of `complex(a, b)`: any real dtype, cast to `to`; complex is refused.
    fn real_operand(&mut self, name: &str, v: Val, to: DType) -> Result<NodeId, Error> {
        let x = self.strong(v, None)?;
        let t = self.dtype(x);
        if t == DType::Complex128 {
            return Err(Error::new(
                ErrorKind::UnsupportedOperand,
                format!("`{name}` takes real parts, not complex128"),
            )
            .at(self.span_of(v), "this is complex128")
            .help(format!(
                "pass `real(…)` and `imag(…)` of it: `{name}(real(z), imag(z))`"
            )));
        }
        self.strong(Val::Strong(x), Some(to))
    }

    /// The float64 parts of complex node `z`. A constant `z` gives two constants (folding
    /// `real(z)` would drop `z`'s node, which `imag` still needs).
    fn complex_parts(&mut self, z: NodeId, span: Span) -> Result<(NodeId, NodeId), Error> {
        if let NodeKind::Const(Scalar::Complex128(c)) = self.nodes[z as usize].kind {
            let re = self.constant(Scalar::Float64(c.re), span);
            let im = self.constant(Scalar::Float64(c.im), span);
            return Ok((re, im));
        }
        let re = self.op(Op::Real, vec![z], DType::Float64, span)?;
        let im = self.op(Op::Imag, vec![z], DType::Float64, span)?;
        Ok((re, im))
    }

    /// A call of a math function, typed by its `Rule` (NumPy's ufunc loops).
    fn math(&mut self, f: Math, vals: &[Val], span: Span) -> Result<Val, Error> {
        let name = f.name();
        let t = match f.rule() {
            Rule::Float | Rule::Exact | Rule::Sign | Rule::Predicate => {
                let x = self.strong(vals[0], None)?;
                self.dtype(x)
            }
            _ => self.promote_vals(vals[0], vals[1]),
        };
        if t == DType::Complex128 && matches!(f, Math::Isnan | Math::Isinf | Math::Isfinite) {
            // NumPy: NaN (inf) if either part is; finite if both parts are.
            let z = self.strong(vals[0], None)?;
            let (re, im) = self.complex_parts(z, span)?;
            let a = self.op(Op::Math(f), vec![re], DType::Bool, span)?;
            let b = self.op(Op::Math(f), vec![im], DType::Bool, span)?;
            let join = if f == Math::Isfinite {
                Op::BitAnd
            } else {
                Op::BitOr
            };
            return Ok(Val::Strong(self.op(join, vec![a, b], DType::Bool, span)?));
        }
        let t = match f.rule() {
            _ if t == DType::Complex128 && !f.supports(t) => {
                return Err(self.refuse_function(name, t, span))
            }
            Rule::Exact if t.is_int() || t == DType::Bool => {
                // NumPy ≥ 2.1: `ceil`, `floor`, `trunc` of an integer is itself.
                return Ok(Val::Strong(self.strong(vals[0], None)?));
            }
            Rule::Sign | Rule::Numeric2 if t == DType::Bool => {
                return Err(self.refuse_function(name, t, span))
            }
            Rule::Sign | Rule::Numeric2 | Rule::Any2 => t,
            _ => t.to_inexact(),
        };
        let args = vals[..f.arity()]
            .iter()
            .map(|&v| self.strong(v, Some(t)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Val::Strong(self.op(
            Op::Math(f),
            args,
            f.result_dtype(t),
            span,
        )?))
    }

    /// `round(x)` and `round(x, decimals)` as NumPy's `around`: ints are unchanged for
    /// `decimals >= 0`; floats become `rint(x * 10**d) / 10**d` (`rint(x / 10**-d) * 10**-d`
    /// for negative `d`), with `10**d` in the operand's dtype.
    fn round(&mut self, vals: &[Val], span: Span) -> Result<Val, Error> {
        let d = match vals.get(1) {
            None => 0,
            Some(Val::Weak(Literal::Int(d), _)) if (-400..=400).contains(d) => *d as i32,
            Some(&v) => {
                return Err(Error::new(
                    ErrorKind::UnsupportedOperand,
                    "`decimals` must be an integer literal",
                )
                .at(self.span_of(v), format!("this is {}", self.describe(v)))
                .help("write e.g. `round(x, 2)`"))
            }
        };
        let x = self.strong(vals[0], None)?;
        let t0 = self.dtype(x);
        if t0 == DType::Complex128 {
            // NumPy rounds each part.
            let (re, im) = self.complex_parts(x, span)?;
            let mut parts = Vec::new();
            for part in [re, im] {
                let mut v = vec![Val::Strong(part)];
                v.extend(vals.get(1).copied());
                match self.round(&v, span)? {
                    Val::Strong(id) => parts.push(id),
                    other => parts.push(self.strong(other, Some(DType::Float64))?),
                }
            }
            return Ok(Val::Strong(self.op(
                Op::Complex,
                parts,
                DType::Complex128,
                span,
            )?));
        }
        if t0.is_int() && d >= 0 {
            return Ok(Val::Strong(x));
        }
        // Ints with negative decimals round in float64 and come back (NumPy keeps the dtype).
        let t = if t0.is_int() {
            DType::Float64
        } else {
            t0.to_inexact()
        };
        let x = self.strong(Val::Strong(x), Some(t))?;
        let scaled = if d == 0 {
            x
        } else {
            let f = self.strong(
                Val::Weak(Literal::Float(power_of_ten(d.unsigned_abs())), span),
                Some(t),
            )?;
            let op = if d > 0 { Op::Mul } else { Op::Div };
            self.op(op, vec![x, f], t, span)?
        };
        let r = self.op(Op::Math(Math::Rint), vec![scaled], t, span)?;
        let r = if d == 0 {
            r
        } else {
            let f = self.strong(
                Val::Weak(Literal::Float(power_of_ten(d.unsigned_abs())), span),
                Some(t),
            )?;
            let op = if d > 0 { Op::Div } else { Op::Mul };
            self.op(op, vec![r, f], t, span)?
        };
        if t0.is_int() {
            return Ok(Val::Strong(self.op(Op::Cast, vec![r], t0, span)?));
        }
        Ok(Val::Strong(r))
    }
}

/// E0311: axis `k` given twice (`first` the earlier entry), as NumPy's "duplicate
/// value in 'axis'".
pub(crate) fn duplicate_axis(func: &str, k: i64, span: Span, first: Span) -> Error {
    Error::new(ErrorKind::DuplicateAxis, "duplicate value in 'axis'")
        .at(span, format!("axis {k} again"))
        .also(first, "first given here")
        .help(format!(
            "list each axis once, e.g. `{func}(x, axis=(0, 2))`; negative entries count \
             from the end, so `-1` is the same axis as `ndim - 1`"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Expr;

    fn e(kind: ExprKind) -> Expr {
        Expr::new(kind, Span::new(0, 1))
    }
    fn name(n: &str) -> Expr {
        e(ExprKind::Name(n.into()))
    }
    fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
        e(ExprKind::Binary(op, Box::new(a), Box::new(b)))
    }
    fn int(i: i128) -> Expr {
        e(ExprKind::Int(i))
    }
    fn float(f: f64) -> Expr {
        e(ExprKind::Float(f))
    }

    fn dtype_of(ast: &Expr, sig: &Signature) -> Result<DType, ErrorKind> {
        check(ast, sig).map(|p| p.dtype()).map_err(|e| e.kind)
    }

    #[test]
    fn nep50_table() {
        use DType::*;
        let sig = Signature::new()
            .with("b", Bool)
            .with("i4", Int32)
            .with("i8", Int64)
            .with("f4", Float32)
            .with("f8", Float64)
            .with("c", Complex128);
        let add = |a: Expr, b: Expr| dtype_of(&bin(BinaryOp::Add, a, b), &sig);
        assert_eq!(add(name("f4"), float(2.0)), Ok(Float32));
        assert_eq!(add(name("i4"), int(2)), Ok(Int32));
        assert_eq!(add(name("i4"), float(2.5)), Ok(Float64));
        assert_eq!(add(name("i4"), name("f4")), Ok(Float64));
        assert_eq!(add(name("b"), int(1)), Ok(Int64));
        assert_eq!(add(name("b"), name("b")), Ok(Bool));
        assert_eq!(
            add(name("i4"), int(3_000_000_000)),
            Err(ErrorKind::LiteralOutOfRange)
        );
        assert_eq!(
            dtype_of(&bin(BinaryOp::Div, name("i4"), name("i4")), &sig),
            Ok(Float64)
        );
        assert_eq!(
            dtype_of(&bin(BinaryOp::Div, name("f4"), int(2)), &sig),
            Ok(Float32)
        );
        assert_eq!(
            dtype_of(&bin(BinaryOp::Lt, name("c"), name("c")), &sig),
            Err(ErrorKind::UnsupportedOperand)
        );
        assert_eq!(
            dtype_of(&bin(BinaryOp::Pow, name("i8"), int(-1)), &sig),
            Err(ErrorKind::NegativeIntPower)
        );
        assert_eq!(dtype_of(&int(2), &sig), Ok(Int64));
    }

    #[test]
    fn folding_matches_runtime() {
        let sig = Signature::new();
        let p = check(&bin(BinaryOp::Pow, int(2), int(-1)), &sig).unwrap();
        assert_eq!(p.is_constant(), Some(Scalar::Float64(0.5)));
        let p = check(&bin(BinaryOp::FloorDiv, int(7), int(-2)), &sig).unwrap();
        assert_eq!(p.is_constant(), Some(Scalar::Int64(-4)));
        // a cast of a constant folds through the evaluator
        let call = e(ExprKind::Call {
            func: "int32".into(),
            name_span: Span::new(0, 5),
            args: vec![float(f64::NAN)],
            kwargs: Vec::new(),
        });
        let p = check(&call, &sig).unwrap();
        assert_eq!(p.is_constant(), Some(Scalar::Int32(i32::MIN)));
        assert_eq!(p.nodes.len(), 1);
    }
}

#[cfg(test)]
mod dangling {
    use super::*;

    #[test]
    fn every_node_is_used() {
        for src in [
            "int32(x) ** 3.5",
            "x ** 3",
            "x ** 2",
            "x ** -1",
            "x ** 0.5",
            "where(x > 0, x, 2) + int32(x) ** 3",
        ] {
            let ast = crate::syntax::parse(src).unwrap();
            let p = check(&ast, &Signature::new().with("x", DType::Float32)).unwrap();
            let mut used = vec![false; p.nodes.len()];
            used[p.root as usize] = true;
            for n in &p.nodes {
                for &a in &n.args {
                    used[a as usize] = true;
                }
            }
            assert!(used.iter().all(|&u| u), "{src}:\n{p}");
        }
    }
}
