//! JIT glue for programs with reductions: runs the stages of `ir::stage::split` in
//! order. A reduction stage compiles its elementwise body into an ordinary fused kernel
//! (contiguous output) and hands it to `numjit_runtime::reduce`, which computes the body
//! block by block into per-thread scratch and folds it in the fixed pairwise order, so
//! the body is never materialised. The last stage is an ordinary elementwise run with
//! the reduced results bound as inputs. Value rules are `crate::reduce`'s.

use super::exec::{self, RunOptions};
use super::{KernelSpec, Stride};
use crate::array::{internal, AnyView, AnyViewMut, Array, Element};
use crate::error::Error;
use crate::ir::stage::{self, Source};
use crate::ir::{NodeKind, Program, Reduction};
use crate::ops::ReduceOp;
use crate::reduce::{dispatch, mean_divide, Visit};
use crate::span::Span;
use crate::types::shape;
use ndarray::{ArrayD, IxDyn};
use numjit_runtime::reduce::{Fold, Layout};

/// Evaluates `p` (which has reductions): errors first, exactly as the evaluator
/// reports them (shapes, axes, empty `min`/`max`), then stage by stage.
pub fn run_staged(
    p: &Program,
    inputs: &[AnyView],
    out: Option<AnyViewMut>,
    opts: &RunOptions,
) -> Result<Option<Array>, Error> {
    if inputs.len() != p.inputs.len() {
        return Err(internal("wrong number of inputs for the program"));
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|v| v.shape()).collect();
    shape::infer(p, &shapes)?;
    let stages = stage::split(p);
    let mut results: Vec<Array> = Vec::with_capacity(stages.len());
    for st in &stages {
        let views: Vec<AnyView> = st
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
            return exec::run_with_options(&st.program, &views, out, opts);
        };
        let r = reduce_stage(&st.program, red, span, &views, opts)?;
        drop(views);
        results.push(r);
    }
    Err(internal("a staged program without a last stage"))
}

/// Reduces the elementwise `body` over `inputs` with the fused kernel.
fn reduce_stage(
    body: &Program,
    red: Reduction,
    span: Span,
    inputs: &[AnyView],
    opts: &RunOptions,
) -> Result<Array, Error> {
    let shapes: Vec<&[usize]> = inputs.iter().map(|v| v.shape()).collect();
    let shape = shape::infer(body, &shapes)?;
    let axis = shape::reduced_axis(&red, span, &shape)?;
    if shape.contains(&0) && exec::has_int_pow(body) {
        // As in `exec`: the evaluator reports a negative integer exponent (E0501) in
        // intermediates of their own, possibly non-empty, shapes.
        crate::interp::eval(body, inputs)?;
    }
    let strides: Vec<Vec<isize>> = inputs
        .iter()
        .map(|v| exec::strides_over(&shape, v.shape(), v.strides(), v.dtype().size()).to_vec())
        .collect();
    let refs: Vec<&[isize]> = strides.iter().map(|s| s.as_slice()).collect();
    let lay = Layout::new(&shape, &refs, axis).ok_or_else(|| internal("bad reduction layout"))?;
    let dtype = body.dtype();
    let out_shape = shape::result_shape(&shape, axis, red.keepdims);
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
    // A bare input (`sum(x)`, no cast) needs no kernel: the runtime folds its elements
    // in place (contiguous leaves) or gathers them (strided ones).
    let bare = body.nodes.len() == 1 && matches!(body.node(body.root).kind, NodeKind::Input(0));
    let kernel = if bare {
        None
    } else {
        let enc = exec::encoding(body);
        Some(exec::kernel_for(body, &enc, &spec)?)
    };
    struct Go<'a> {
        lay: &'a Layout,
        ptrs: Vec<*const u8>,
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
            // (`dispatch` picks the fold by that dtype); without a kernel the body is
            // its one input, of that same dtype.
            unsafe {
                numjit_runtime::reduce::reduce(
                    f,
                    self.lay,
                    &self.ptrs,
                    self.kernel.map(|k| k.func()),
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
                Some(k) => format!("body of {} (axis={k})", r.op.name()),
                None => format!("body of {}", r.op.name()),
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
        let k = super::compile(prog, &spec, true)?;
        text.push_str(&format!(
            "; stage {i}: {what}\n{}\n",
            k.clif().unwrap_or_default()
        ));
    }
    Ok(text)
}
