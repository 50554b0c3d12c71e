//! JIT glue for programs with reductions: runs the stages of `ir::stage::split` in
//! order. A reduction stage compiles its elementwise body into an ordinary fused kernel
//! (contiguous output) and hands it to `numjit_runtime::reduce`, which computes the body
//! block by block into per-thread scratch and folds it in the fixed pairwise order, so
//! the body is never materialised. The last stage is an ordinary elementwise run with
//! the reduced results bound as inputs. Value rules are `crate::reduce`'s.

use super::exec::{self, Executable, RunOptions};
use super::{FoldOp, KernelSpec, Stride};
use crate::array::{internal, AnyView, AnyViewMut, Array, Element};
use crate::error::Error;
use crate::ir::stage::{self, Source, Stage};
use crate::ir::{NodeKind, Program, Reduction};
use crate::ops::ReduceOp;
use crate::reduce::{dispatch, mean_divide, Visit};
use crate::span::Span;
use crate::types::shape;
use ndarray::{ArrayD, IxDyn};
use numjit_runtime::reduce::{Body, Fold, Layout};
use smallvec::SmallVec;

/// A program with reductions split into its stages once, each stage's program held
/// as an [`exec::Executable`] (so repeat calls reuse its kernels without encoding or
/// looking anything up in the global cache).
pub struct Staged {
    stages: Vec<(Stage, Executable)>,
}

impl Staged {
    pub fn new(p: &Program) -> Staged {
        Staged {
            stages: stage::split(p)
                .into_iter()
                .map(|st| {
                    let exe = Executable::new(st.program.clone());
                    (st, exe)
                })
                .collect(),
        }
    }
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("stages", &self.stages.len())
            .finish()
    }
}

/// Evaluates `p` (which has reductions; `staged` is its split): errors first, exactly
/// as the evaluator reports them (shapes, axes, empty `min`/`max`), then stage by stage.
pub fn run_staged(
    staged: &Staged,
    p: &Program,
    inputs: &[AnyView],
    out: Option<AnyViewMut>,
    opts: &RunOptions,
) -> Result<Option<Array>, Error> {
    if inputs.len() != p.inputs.len() {
        return Err(internal("wrong number of inputs for the program"));
    }
    let shapes: SmallVec<[&[usize]; 4]> = inputs.iter().map(|v| v.shape()).collect();
    shape::infer(p, &shapes)?;
    let mut results: SmallVec<[Array; 2]> = SmallVec::new();
    for (st, exe) in &staged.stages {
        let views: SmallVec<[AnyView; 4]> = st
            .sources
            .iter()
            .map(|s| match *s {
                Source::Input(k) => inputs
                    .get(k as usize)
                    .map(|v| v.reborrow())
                    .ok_or_else(|| internal("stage input out of range")),
                Source::Stage(j) => results
                    .get(j)
                    .map(|a| a.view())
                    .ok_or_else(|| internal("stage used before it ran")),
            })
            .collect::<Result<_, _>>()?;
        let Some((red, span)) = st.reduce else {
            // The last stage. A bare reduction with no `out` is already the result.
            if let (None, [Source::Stage(j)], NodeKind::Input(0)) = (
                &out,
                st.sources.as_slice(),
                &st.program.node(st.program.root).kind,
            ) {
                let j = *j;
                drop(views);
                return Ok(Some(results.swap_remove(j)));
            }
            return match out {
                None => exe.eval(&views, opts).map(Some),
                Some(o) => exe.eval_into(&views, o, opts).map(|_| None),
            };
        };
        let r = reduce_stage(exe, red, span, &views, opts)?;
        drop(views);
        results.push(r);
    }
    Err(internal("a staged program without a last stage"))
}

/// Reduces the elementwise body (`exe`'s program) over `inputs` with a fused kernel.
fn reduce_stage(
    exe: &Executable,
    red: Reduction,
    span: Span,
    inputs: &[AnyView],
    opts: &RunOptions,
) -> Result<Array, Error> {
    let body = exe.program();
    let shape = exec::broadcast(body, inputs)?;
    let axes = shape::reduced_axes(&red, span, &shape)?;
    if shape.contains(&0) && exec::has_int_pow(body) {
        // As in `exec`: the evaluator reports a negative integer exponent (E0501) in
        // intermediates of their own, possibly non-empty, shapes.
        crate::interp::eval(body, inputs)?;
    }
    let strides: SmallVec<[SmallVec<[isize; 4]>; 4]> = inputs
        .iter()
        .map(|v| exec::strides_over(&shape, v.shape(), v.strides(), v.dtype().size()))
        .collect();
    let refs: SmallVec<[&[isize]; 4]> = strides.iter().map(|s| s.as_slice()).collect();
    let lay = Layout::new(&shape, &refs, axes).ok_or_else(|| internal("bad reduction layout"))?;
    let dtype = body.dtype();
    let out_shape = shape::result_shape(&shape, axes, red.keepdims);
    let count = lay.len();
    let spec = KernelSpec {
        inputs: inputs
            .iter()
            .enumerate()
            .map(|(k, v)| Stride::of(lay.inner_stride(k), v.dtype().size()))
            .collect(),
        out: Stride::Contiguous,
        out_dtype: dtype,
    };
    // A bare contiguous input (`sum(x)`, no cast) needs no kernel: the runtime folds
    // its elements in place. Otherwise, when every folded sequence is one run and the
    // fold has a fused form, a fold kernel computes and folds the values in registers;
    // else an elementwise kernel computes blocks of values into scratch.
    let bare = body.nodes.len() == 1 && matches!(body.node(body.root).kind, NodeKind::Input(0));
    let fold = FoldOp::of(red.op, dtype).filter(|_| lay.is_single_run());
    // (`min`/`max` of a bare input still take the fold kernel: callgrind, 10^6 float64,
    // 8.3 instructions per element against 14.2 for the in-place Rust fold.)
    let in_place = bare
        && spec.inputs[0] == Stride::Contiguous
        && !matches!(fold, Some(FoldOp::Min | FoldOp::Max));
    let kernel = match fold {
        _ if in_place => None,
        Some(f) => Some(exe.fold_kernel(&spec, f)?),
        None if bare => None,
        None => Some(exe.kernel_for_spec(&spec)?),
    };
    struct Go<'a> {
        lay: &'a Layout,
        ptrs: SmallVec<[*const u8; 4]>,
        kernel: Option<&'a super::Kernel>,
        opts: &'a RunOptions,
        out_shape: &'a [usize],
        body: &'a Program,
    }
    impl Visit for Go<'_> {
        type Out = Result<Array, Error>;
        fn visit<F: Fold<T: Element>>(self, f: F) -> Self::Out {
            let mut vals = vec![f.identity(); self.lay.outputs()];
            // SAFETY: the layout was built from the inputs' own shapes and strides
            // (broadcast dims have stride 0), so every index maps into their memory;
            // the kernel was compiled for these inputs' stride classes with a
            // contiguous output of the body's dtype, whose element type is `F::T`
            // (`dispatch` picks the fold by that dtype); a fold kernel was compiled
            // for a single-run layout with this fold's operation (`FoldOp::of`, the
            // same pair `dispatch` maps); without a kernel the body is its one input,
            // of that same dtype.
            unsafe {
                numjit_runtime::reduce::reduce(
                    f,
                    self.lay,
                    &self.ptrs,
                    match self.kernel {
                        None => Body::Input,
                        Some(k) => match k.fold_func() {
                            Some(f) => Body::Fold(f),
                            None => Body::Map(k.func()),
                        },
                    },
                    self.kernel.map_or(0, |k| k.scratch_per_elem()),
                    &mut vals,
                    self.opts,
                )
            }
            .map_err(|c| exec::runtime_error(self.body, c))?;
            let a = ArrayD::from_shape_vec(IxDyn(self.out_shape), vals)
                .map_err(|e| internal(format!("reduction shape: {e}")))?;
            Ok(F::T::owned(a))
        }
    }
    let go = Go {
        lay: &lay,
        ptrs: inputs.iter().map(|v| v.as_ptr()).collect(),
        kernel: kernel.as_deref(),
        opts,
        out_shape: &out_shape,
        body,
    };
    let r = dispatch(red.op, dtype, go)
        .ok_or_else(|| internal(format!("{} of {dtype} has no fold", red.op.name())))??;
    if red.op == ReduceOp::Mean {
        mean_divide(r, count)
    } else {
        Ok(r)
    }
}

/// The CLIF of every stage's kernel for contiguous inputs, each under a header naming
/// the stage (a bare-input reduction has no kernel).
pub fn explain_clif(p: &Program) -> Result<String, Error> {
    let mut text = format!("; isa: {}\n", super::isa_name());
    for (i, st) in stage::split(p).iter().enumerate() {
        let what = match st.reduce {
            Some((r, _)) => match r.axis {
                crate::ir::Axes::All => format!("body of {}", r.op.name()),
                crate::ir::Axes::One(k) => format!("body of {} (axis={k})", r.op.name()),
                t => format!("body of {} (axis={:?})", r.op.name(), t.entries()),
            },
            None => "result".to_string(),
        };
        let prog = &st.program;
        if prog.nodes.len() == 1 && matches!(prog.node(prog.root).kind, NodeKind::Input(_)) {
            text.push_str(&format!("; stage {i}: {what}: an input, no kernel\n"));
            continue;
        }
        let spec = KernelSpec {
            inputs: vec![Stride::Contiguous; prog.inputs.len()],
            out: Stride::Contiguous,
            out_dtype: prog.dtype(),
        };
        // A fused fold when the sequences are single runs (contiguous inputs and every
        // axis, or one axis: the usual case); the elementwise body otherwise.
        let k = match st.reduce.and_then(|(r, _)| FoldOp::of(r.op, prog.dtype())) {
            Some(f) => super::compile_fold(prog, &spec, f, true)?,
            None => super::compile(prog, &spec, true)?,
        };
        text.push_str(&format!(
            "; stage {i}: {what}\n{}\n",
            k.clif().unwrap_or_default()
        ));
    }
    Ok(text)
}
