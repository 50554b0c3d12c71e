//! The naive evaluator: runs a checked program one operation at a time over whole
//! arrays, allocating one full temporary per operation — what NumPy does. It is the
//! reference semantics the JIT is tested against, and the benchmark baseline.
//! Kept simple and obviously right: every element goes through `semantics`.

use crate::array::{internal, AnyView, AnyViewMut, Array, Element, Scalar};
use crate::error::{Error, ErrorKind};
use crate::ir::{NodeKind, Program};
use crate::math::{Math, Rule};
use crate::ops::Op;
use crate::semantics as sem;
use crate::span::Span;
use crate::types::literal::cast_scalar;
use crate::types::shape::{self, fmt_shape};
use crate::types::DType;
use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};
use num_complex::Complex64;

/// Why one operation failed at run time.
#[derive(Clone, Debug, PartialEq)]
pub enum OpError {
    /// An integer raised to a negative integer (NumPy raises ValueError).
    NegativePower,
    /// Operands that `check` should never have produced.
    Unsupported(&'static str, DType),
    /// Operand shapes that `shape::infer` should have rejected.
    Shape,
}

impl OpError {
    /// The user-facing error, pointing at the node's span.
    pub fn at_node(self, span: Span) -> Error {
        match self {
            OpError::NegativePower => Error::new(
                ErrorKind::NegativeIntPowerAtRuntime,
                "integers to negative integer powers are not allowed",
            )
            .at(span, "the exponent array holds a negative value")
            .help("cast the base to a float first, e.g. `float64(a) ** b`"),
            OpError::Unsupported(op, t) => {
                internal(format!("op `{op}` reached the evaluator with {t} operands"))
            }
            OpError::Shape => internal("operands reached the evaluator with incompatible shapes"),
        }
    }
}

/// Evaluates `program` over `inputs` (in the order of `program.inputs`).
pub fn eval(program: &Program, inputs: &[AnyView]) -> Result<Array, Error> {
    if inputs.len() != program.inputs.len() {
        return Err(internal("wrong number of inputs for the program"));
    }
    for (decl, v) in program.inputs.iter().zip(inputs) {
        if decl.dtype != v.dtype() {
            return Err(internal(format!(
                "input `{}` has dtype {} but the program expects {}",
                decl.name,
                v.dtype(),
                decl.dtype
            )));
        }
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|v| v.shape()).collect();
    shape::infer(program, &shapes)?;

    // Free each temporary after its last use, as NumPy's reference counting would.
    let n = program.nodes.len();
    let mut last_use = vec![0usize; n];
    for (j, node) in program.nodes.iter().enumerate() {
        for &a in &node.args {
            last_use[a as usize] = j;
        }
    }
    let mut values: Vec<Option<Array>> = vec![None; n];
    for (j, node) in program.nodes.iter().enumerate() {
        let value = match &node.kind {
            NodeKind::Input(_) => None,
            NodeKind::Const(s) => Some(Array::from_scalar(*s)),
            NodeKind::Op(_) | NodeKind::Reduce(_) => {
                let views: Vec<AnyView> = node
                    .args
                    .iter()
                    .map(
                        |&a| match (&values[a as usize], &program.nodes[a as usize].kind) {
                            (Some(arr), _) => Ok(arr.view()),
                            (None, NodeKind::Input(i)) => Ok(inputs[*i as usize].reborrow()),
                            _ => Err(internal("operand freed before its last use")),
                        },
                    )
                    .collect::<Result<_, _>>()?;
                match &node.kind {
                    NodeKind::Reduce(r) => {
                        let x = views
                            .first()
                            .ok_or_else(|| internal("reduction without operand"))?;
                        let axes = shape::reduced_axes(r, node.span, x.shape())?;
                        let v = crate::reduce::naive(r.op, axes, x)?;
                        Some(if r.keepdims {
                            v.into_shape(&shape::result_shape(x.shape(), axes, true))?
                        } else {
                            v
                        })
                    }
                    NodeKind::Op(op) => {
                        Some(eval_op(*op, node.dtype, &views).map_err(|e| e.at_node(node.span))?)
                    }
                    _ => None,
                }
            }
        };
        values[j] = value;
        for &a in &node.args {
            if last_use[a as usize] == j && a as usize != program.root as usize {
                values[a as usize] = None;
            }
        }
    }
    let root = program.root as usize;
    let result = match (&mut values[root], &program.nodes[root].kind) {
        (Some(a), _) => std::mem::replace(a, Array::from_scalar(Scalar::Bool(false))),
        (None, NodeKind::Input(i)) => inputs[*i as usize].to_owned(),
        _ => return Err(internal("the result was never computed")),
    };
    Ok(standard_layout(result))
}

/// Evaluates into a caller's view: `out` must have the result's shape, and the result
/// is cast into `out`'s dtype under NumPy's `same_kind` rule. The whole result is
/// computed before `out` is touched, so `out` may alias any input.
pub fn eval_into(program: &Program, inputs: &[AnyView], mut out: AnyViewMut) -> Result<(), Error> {
    let shapes: Vec<&[usize]> = inputs.iter().map(|v| v.shape()).collect();
    let shape = shape::infer(program, &shapes)?;
    check_out(program, &shape, out.dtype(), out.shape())?;
    let result = eval(program, inputs)?;
    assign(&mut out, &result.view());
    Ok(())
}

/// The `out` checks shared by every engine: exact shape (E0402), `same_kind` cast (E0403).
pub fn check_out(
    program: &Program,
    shape: &[usize],
    out_dtype: DType,
    out_shape: &[usize],
) -> Result<(), Error> {
    let span = program.node(program.root).span;
    if out_shape != shape {
        return Err(Error::new(
            ErrorKind::OutShape,
            format!(
                "`out` has shape {} but the result has shape {}",
                fmt_shape(out_shape),
                fmt_shape(shape)
            ),
        )
        .at(span, format!("this has shape {}", fmt_shape(shape)))
        .help(format!("pass an `out` array of shape {}", fmt_shape(shape))));
    }
    let dt = program.dtype();
    if !DType::can_cast_same_kind(dt, out_dtype) {
        return Err(Error::new(
            ErrorKind::OutCast,
            format!(
                "cannot cast the {dt} result into {} {out_dtype} `out` under the same_kind rule",
                article(out_dtype)
            ),
        )
        .at(span, format!("this is {dt}"))
        .help(format!(
            "pass {} {dt} `out`, or cast explicitly, e.g. `{}(…)`",
            article(dt),
            out_dtype.name()
        )));
    }
    Ok(())
}

fn article(t: DType) -> &'static str {
    if t.name().starts_with('i') {
        "an"
    } else {
        "a"
    }
}

fn standard_layout(a: Array) -> Array {
    fn fix<T: Element>(a: ArrayD<T>) -> Array {
        if a.is_standard_layout() {
            T::owned(a)
        } else {
            T::owned(a.as_standard_layout().into_owned())
        }
    }
    crate::dispatch!(Array, a, x => fix(x))
}

/// Writes `src` into `out` (same shape), casting element by element.
pub fn assign(out: &mut AnyViewMut, src: &AnyView) {
    fn go<A: Element, B: Element>(o: &mut ndarray::ArrayViewMutD<B>, s: &ArrayViewD<A>) {
        Zip::from(o).and(s).for_each(|o, &x| *o = conv::<A, B>(x));
    }
    macro_rules! inner {
        ($o:expr) => {
            crate::dispatch!(AnyView, src, s => go($o, s))
        };
    }
    crate::dispatch!(AnyViewMut, out, o => inner!(o))
}

#[inline(always)]
fn conv<A: Element, B: Element>(x: A) -> B {
    B::from_scalar(cast_scalar(x.to_scalar(), B::DTYPE)).unwrap_or_default()
}

fn m1<A: Element, R: Element>(a: &ArrayViewD<A>, f: impl Fn(A) -> R) -> Result<Array, OpError> {
    Ok(R::owned(a.map(|&x| f(x))))
}

fn m2<A: Element, B: Element, R: Element>(
    a: &ArrayViewD<A>,
    b: &ArrayViewD<B>,
    f: impl Fn(A, B) -> R,
) -> Result<Array, OpError> {
    let shape = shape::broadcast_pair(a.shape(), b.shape()).ok_or(OpError::Shape)?;
    let a = a.broadcast(IxDyn(&shape)).ok_or(OpError::Shape)?;
    let b = b.broadcast(IxDyn(&shape)).ok_or(OpError::Shape)?;
    Ok(R::owned(
        Zip::from(&a).and(&b).map_collect(|&x, &y| f(x, y)),
    ))
}

fn m3<R: Element>(
    c: &ArrayViewD<bool>,
    a: &ArrayViewD<R>,
    b: &ArrayViewD<R>,
) -> Result<Array, OpError> {
    let s = shape::broadcast_pair(c.shape(), a.shape()).ok_or(OpError::Shape)?;
    let s = shape::broadcast_pair(&s, b.shape()).ok_or(OpError::Shape)?;
    let c = c.broadcast(IxDyn(&s)).ok_or(OpError::Shape)?;
    let a = a.broadcast(IxDyn(&s)).ok_or(OpError::Shape)?;
    let b = b.broadcast(IxDyn(&s)).ok_or(OpError::Shape)?;
    Ok(R::owned(
        Zip::from(&c)
            .and(&a)
            .and(&b)
            .map_collect(|&c, &x, &y| if c { x } else { y }),
    ))
}

/// Applies one op to whole (broadcastable) operands, giving a fresh array of `out`'s dtype.
pub fn eval_op(op: Op, out: DType, args: &[AnyView]) -> Result<Array, OpError> {
    use AnyView as V;
    type C = Complex64;
    let bad = |t: DType| Err(OpError::Unsupported(op.name(), t));
    let t0 = args.first().map(|a| a.dtype()).unwrap_or(DType::Bool);

    macro_rules! unary {
        ($( $V:ident => $f:expr ),* $(,)?) => {
            match &args[0] {
                $( V::$V(x) => m1(x, $f), )*
                #[allow(unreachable_patterns)]
                _ => bad(t0),
            }
        };
    }
    macro_rules! binary {
        ($( $V:ident => $f:expr ),* $(,)?) => {
            match (&args[0], &args[1]) {
                $( (V::$V(x), V::$V(y)) => m2(x, y, $f), )*
                #[allow(unreachable_patterns)]
                _ => bad(t0),
            }
        };
    }
    macro_rules! compare {
        ($cmp:tt) => {
            binary!(
                Bool => |a: bool, b: bool| a $cmp b,
                Int32 => |a: i32, b: i32| a $cmp b,
                Int64 => |a: i64, b: i64| a $cmp b,
                Float32 => |a: f32, b: f32| a $cmp b,
                Float64 => |a: f64, b: f64| a $cmp b,
            )
        };
    }
    if args.len() != crate::ops::arity(op) {
        return bad(t0);
    }
    match op {
        Op::Cast => cast(&args[0], out),
        Op::Neg => unary!(
            Int32 => |a: i32| a.wrapping_neg(),
            Int64 => |a: i64| a.wrapping_neg(),
            Float32 => |a: f32| -a,
            Float64 => |a: f64| -a,
            Complex128 => |a: C| -a,
        ),
        Op::Invert => unary!(
            Bool => |a: bool| !a,
            Int32 => |a: i32| !a,
            Int64 => |a: i64| !a,
        ),
        Op::Abs => unary!(
            Bool => |a: bool| a,
            Int32 => |a: i32| a.wrapping_abs(),
            Int64 => |a: i64| a.wrapping_abs(),
            Float32 => |a: f32| a.abs(),
            Float64 => |a: f64| a.abs(),
            Complex128 => sem::c_abs,
        ),
        Op::Sqrt => unary!(
            Float32 => |a: f32| a.sqrt(),
            Float64 => |a: f64| a.sqrt(),
            // numjit's complex sqrt and `**` rules are its kernels (`vmath::complex`, the C
            // library's function for special values), so the engines agree bitwise.
            Complex128 => crate::vmath::sqrt_c128_one,
        ),
        Op::Reciprocal => unary!(
            Float32 => |a: f32| 1.0 / a,
            Float64 => |a: f64| 1.0 / a,
            Complex128 => sem::c_recip,
        ),
        Op::Add => binary!(
            Int32 => |a: i32, b: i32| a.wrapping_add(b),
            Int64 => |a: i64, b: i64| a.wrapping_add(b),
            Float32 => |a: f32, b: f32| a + b,
            Float64 => |a: f64, b: f64| a + b,
            Complex128 => |a: C, b: C| C::new(a.re + b.re, a.im + b.im),
        ),
        Op::Sub => binary!(
            Int32 => |a: i32, b: i32| a.wrapping_sub(b),
            Int64 => |a: i64, b: i64| a.wrapping_sub(b),
            Float32 => |a: f32, b: f32| a - b,
            Float64 => |a: f64, b: f64| a - b,
            Complex128 => |a: C, b: C| C::new(a.re - b.re, a.im - b.im),
        ),
        Op::Mul => binary!(
            Int32 => |a: i32, b: i32| a.wrapping_mul(b),
            Int64 => |a: i64, b: i64| a.wrapping_mul(b),
            Float32 => |a: f32, b: f32| a * b,
            Float64 => |a: f64, b: f64| a * b,
            Complex128 => sem::c_mul,
        ),
        Op::Div => binary!(
            Float32 => |a: f32, b: f32| a / b,
            Float64 => |a: f64, b: f64| a / b,
            Complex128 => sem::c_div,
        ),
        Op::FloorDiv => binary!(
            Int32 => sem::int_floordiv::<i32>,
            Int64 => sem::int_floordiv::<i64>,
            Float32 => sem::float_floordiv::<f32>,
            Float64 => sem::float_floordiv::<f64>,
        ),
        Op::Mod => binary!(
            Int32 => sem::int_mod::<i32>,
            Int64 => sem::int_mod::<i64>,
            Float32 => sem::float_mod::<f32>,
            Float64 => sem::float_mod::<f64>,
        ),
        Op::Pow => {
            let negative = match &args[1] {
                V::Int32(e) => e.iter().any(|&v| v < 0),
                V::Int64(e) => e.iter().any(|&v| v < 0),
                _ => false,
            };
            if negative {
                return Err(OpError::NegativePower);
            }
            binary!(
                Int32 => |a: i32, b: i32| sem::int_pow(a, b).unwrap_or(0),
                Int64 => |a: i64, b: i64| sem::int_pow(a, b).unwrap_or(0),
                Float32 => sem::float_pow::<f32>,
                Float64 => sem::float_pow::<f64>,
                Complex128 => crate::vmath::pow_c128_one,
            )
        }
        Op::Shl => binary!(
            Int32 => sem::int_shl::<i32>,
            Int64 => sem::int_shl::<i64>,
        ),
        Op::Shr => binary!(
            Int32 => sem::int_shr::<i32>,
            Int64 => sem::int_shr::<i64>,
        ),
        Op::BitAnd => binary!(
            Bool => |a: bool, b: bool| a & b,
            Int32 => |a: i32, b: i32| a & b,
            Int64 => |a: i64, b: i64| a & b,
        ),
        Op::BitOr => binary!(
            Bool => |a: bool, b: bool| a | b,
            Int32 => |a: i32, b: i32| a | b,
            Int64 => |a: i64, b: i64| a | b,
        ),
        Op::BitXor => binary!(
            Bool => |a: bool, b: bool| a ^ b,
            Int32 => |a: i32, b: i32| a ^ b,
            Int64 => |a: i64, b: i64| a ^ b,
        ),
        Op::Eq => match (&args[0], &args[1]) {
            (V::Complex128(x), V::Complex128(y)) => {
                m2(x, y, |a: C, b: C| a.re == b.re && a.im == b.im)
            }
            _ => compare!(==),
        },
        Op::Ne => match (&args[0], &args[1]) {
            (V::Complex128(x), V::Complex128(y)) => {
                m2(x, y, |a: C, b: C| a.re != b.re || a.im != b.im)
            }
            _ => compare!(!=),
        },
        Op::Lt => compare!(<),
        Op::Le => compare!(<=),
        Op::Gt => compare!(>),
        Op::Ge => compare!(>=),
        Op::Math(f) => eval_math(f, args),
        Op::Real => unary!(Complex128 => |a: C| a.re),
        Op::Imag => unary!(
            Bool => |_: bool| false,
            Int32 => |_: i32| 0i32,
            Int64 => |_: i64| 0i64,
            Float32 => |_: f32| 0f32,
            Float64 => |_: f64| 0f64,
            Complex128 => |a: C| a.im,
        ),
        Op::Conj => unary!(Complex128 => |a: C| a.conj()),
        Op::Complex => binary!(Float64 => |a: f64, b: f64| C::new(a, b)),
        Op::Where => {
            let V::Bool(c) = &args[0] else {
                return bad(args[0].dtype());
            };
            match (&args[1], &args[2]) {
                (V::Bool(x), V::Bool(y)) => m3(c, x, y),
                (V::Int32(x), V::Int32(y)) => m3(c, x, y),
                (V::Int64(x), V::Int64(y)) => m3(c, x, y),
                (V::Float32(x), V::Float32(y)) => m3(c, x, y),
                (V::Float64(x), V::Float64(y)) => m3(c, x, y),
                (V::Complex128(x), V::Complex128(y)) => m3(c, x, y),
                _ => bad(args[1].dtype()),
            }
        }
    }
}

/// A math function on whole operands, with the scalar rules of `crate::math` (std/libm).
fn eval_math(f: Math, args: &[AnyView]) -> Result<Array, OpError> {
    use AnyView as V;
    let bad = |t: DType| Err(OpError::Unsupported(f.name(), t));
    let t0 = args[0].dtype();
    if f.rule() == Rule::Predicate {
        return match &args[0] {
            V::Float32(x) => m1(x, |a: f32| f.predicate(a)),
            V::Float64(x) => m1(x, |a: f64| f.predicate(a)),
            _ => bad(t0),
        };
    }
    if f.arity() == 1 {
        return match &args[0] {
            V::Int32(x) if f.supports(t0) => m1(x, |a: i32| f.int(a, a)),
            V::Int64(x) if f.supports(t0) => m1(x, |a: i64| f.int(a, a)),
            V::Float32(x) => m1(x, |a: f32| f.float(a, a)),
            V::Float64(x) => m1(x, |a: f64| f.float(a, a)),
            V::Complex128(x) if f.supports(t0) => m1(x, |a: Complex64| f.complex(a)),
            _ => bad(t0),
        };
    }
    match (&args[0], &args[1]) {
        (V::Bool(x), V::Bool(y)) if f.supports(t0) => m2(x, y, |a, b| f.boolean(a, b)),
        (V::Int32(x), V::Int32(y)) if f.supports(t0) => m2(x, y, |a: i32, b| f.int(a, b)),
        (V::Int64(x), V::Int64(y)) if f.supports(t0) => m2(x, y, |a: i64, b| f.int(a, b)),
        (V::Float32(x), V::Float32(y)) => m2(x, y, |a: f32, b| f.float(a, b)),
        (V::Float64(x), V::Float64(y)) => m2(x, y, |a: f64, b| f.float(a, b)),
        _ => bad(t0),
    }
}

fn cast(a: &AnyView, to: DType) -> Result<Array, OpError> {
    fn go<A: Element>(x: &ArrayViewD<A>, to: DType) -> Result<Array, OpError> {
        match to {
            DType::Bool => m1(x, conv::<A, bool>),
            DType::Int32 => m1(x, conv::<A, i32>),
            DType::Int64 => m1(x, conv::<A, i64>),
            DType::Float32 => m1(x, conv::<A, f32>),
            DType::Float64 => m1(x, conv::<A, f64>),
            DType::Complex128 => m1(x, conv::<A, Complex64>),
        }
    }
    crate::dispatch!(AnyView, a, x => go(x, to))
}
