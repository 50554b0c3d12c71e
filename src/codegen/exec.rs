//! Glue between a checked `ir::Program`, the caller's arrays and the machine code:
//! binds shapes (broadcasting), allocates or checks `out`, picks the kernel variant for
//! the operands' stride classes (compiling through a bounded, thread-safe cache) and
//! hands blocks to the runtime. Knows nothing of syntax; never touches Cranelift
//! directly (that is `codegen`) nor threads (that is `numjit_runtime`).

use crate::array::{internal, AnyView, AnyViewMut, Array};
use crate::codegen::{self, Kernel, KernelSpec, Stride};
use crate::error::{Error, ErrorKind};
use crate::ir::{NodeKind, Program};
use crate::types::DType;
use ndarray::{ArrayD, IxDyn};
use numjit_runtime::{overlap, Extent, LaunchOptions, Overlap, Plan};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Per-call vectors that stay on the stack for typical shapes and input counts.
type Dims<T> = SmallVec<[T; 4]>;

pub use numjit_runtime::{num_threads, set_num_threads};

/// How a run is split; zeros mean defaults. Results never depend on these.
pub type RunOptions = LaunchOptions;

/// Most kernels kept by the process-wide cache; past it, the cache is cleared (handles
/// keep their own kernels alive, so clearing never invalidates a running call).
pub const CACHE_CAPACITY: usize = 512;

/// A canonical byte encoding of a program: equal encodings ⇔ same machine code.
fn encode(p: &Program) -> Vec<u8> {
    let mut e = Vec::with_capacity(p.nodes.len() * 16);
    let put = |e: &mut Vec<u8>, x: u64| e.extend_from_slice(&x.to_le_bytes());
    put(&mut e, p.root as u64);
    for inp in &p.inputs {
        put(&mut e, inp.dtype as u64);
    }
    e.push(0xff);
    for n in &p.nodes {
        e.push(n.dtype as u8);
        match &n.kind {
            NodeKind::Input(k) => {
                e.push(0);
                put(&mut e, *k as u64);
            }
            NodeKind::Const(s) => {
                e.push(1);
                use crate::array::Scalar::*;
                match *s {
                    Bool(v) => put(&mut e, v as u64),
                    Int32(v) => put(&mut e, v as u32 as u64),
                    Int64(v) => put(&mut e, v as u64),
                    Float32(v) => put(&mut e, v.to_bits() as u64),
                    Float64(v) => put(&mut e, v.to_bits()),
                    Complex128(c) => {
                        put(&mut e, c.re.to_bits());
                        put(&mut e, c.im.to_bits());
                    }
                }
            }
            NodeKind::Op(op) => {
                e.push(2);
                e.push(op.code());
            }
            NodeKind::Reduce(r) => {
                e.push(3);
                e.push(r.op as u8);
                match r.axis {
                    crate::ir::Axes::All => e.push(0),
                    crate::ir::Axes::One(k) => {
                        e.push(1);
                        put(&mut e, k as u64);
                    }
                    crate::ir::Axes::Tuple { pos, neg, far } => {
                        e.push(2);
                        put(&mut e, pos);
                        put(&mut e, neg);
                        e.push(far.is_some() as u8);
                        put(&mut e, far.unwrap_or(0) as u64);
                    }
                }
                e.push(r.keepdims as u8);
            }
        }
        put(&mut e, n.args.len() as u64);
        for &a in &n.args {
            put(&mut e, a as u64);
        }
    }
    e
}

type CacheKey = (Arc<[u8]>, KernelSpec);

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<Kernel>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Kernel>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn debug_clif() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("NUMJIT_DEBUG").is_ok_and(|v| v.split(',').any(|s| s.trim() == "clif"))
    })
}

pub(crate) fn kernel_for(
    p: &Program,
    enc: &Arc<[u8]>,
    spec: &KernelSpec,
) -> Result<Arc<Kernel>, Error> {
    cached_kernel(p, enc, spec, None)
}

/// The fold kernel of `p`'s values with `fold`, through the same cache; `enc` must be
/// [`fold_encoding`]`(p, fold)`, so fold and elementwise kernels never share a key.
pub(crate) fn fold_kernel_for(
    p: &Program,
    enc: &Arc<[u8]>,
    spec: &KernelSpec,
    fold: codegen::FoldOp,
) -> Result<Arc<Kernel>, Error> {
    cached_kernel(p, enc, spec, Some(fold))
}

/// The cache key encoding of the fold kernel of `p` with `fold`.
pub(crate) fn fold_encoding(p: &Program, fold: codegen::FoldOp) -> Arc<[u8]> {
    let mut e = encode(p);
    // Every node of an encoding takes at least 11 bytes, so an elementwise program's
    // encoding never equals another's plus this 2-byte suffix: distinct cache keys.
    e.extend_from_slice(&[0xfe, 0xf0 | fold as u8]);
    e.into()
}

fn cached_kernel(
    p: &Program,
    enc: &Arc<[u8]>,
    spec: &KernelSpec,
    fold: Option<codegen::FoldOp>,
) -> Result<Arc<Kernel>, Error> {
    let key: CacheKey = (enc.clone(), spec.clone());
    if let Some(k) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(k.clone());
    }
    // Compile outside the lock: other threads keep hitting the cache meanwhile. Two
    // threads racing on one key both compile; the first insert wins.
    let want = debug_clif();
    let k = Arc::new(match fold {
        None => codegen::compile(p, spec, want)?,
        Some(f) => codegen::compile_fold(p, spec, f, want)?,
    });
    if let Some(text) = k.clif() {
        eprintln!("numjit: CLIF for {spec:?}\n{text}");
    }
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= CACHE_CAPACITY {
        c.clear();
    }
    Ok(c.entry(key).or_insert(k).clone())
}

/// A checked program ready to run many times (what `api::Compiled` should hold).
/// `Send + Sync`: one handle can be used from many threads at once.
pub struct Executable {
    program: Program,
    enc: Arc<[u8]>,
    /// Kernel variants this handle has used, so repeat calls skip the global cache.
    /// Append-only slots: filled slots always form a prefix (a thread fills the first
    /// empty slot it sees, and a slot never empties), so lookups are lock-free reads.
    variants: [OnceLock<(KernelSpec, Arc<Kernel>)>; VARIANTS],
    /// Fold-kernel variants (this program as a reduction's body), likewise.
    fold_variants: [OnceLock<(KernelSpec, codegen::FoldOp, Arc<Kernel>)>; FOLD_VARIANTS],
    /// A program with reductions, split into stages once, on first use.
    staged: OnceLock<crate::codegen::reduce::Staged>,
}

/// Fold-kernel variants one handle remembers.
const FOLD_VARIANTS: usize = 4;

/// Kernel variants one handle remembers; more still work, through the global cache.
const VARIANTS: usize = 16;

/// The stride classes and out dtype of one call: a borrowed [`KernelSpec`].
#[derive(Clone, Copy)]
struct SpecRef<'a> {
    inputs: &'a [Stride],
    out: Stride,
    out_dtype: DType,
}

impl SpecRef<'_> {
    fn matches(&self, s: &KernelSpec) -> bool {
        s.out == self.out && s.out_dtype == self.out_dtype && s.inputs == self.inputs
    }

    fn to_spec(self) -> KernelSpec {
        KernelSpec {
            inputs: self.inputs.to_vec(),
            out: self.out,
            out_dtype: self.out_dtype,
        }
    }
}

impl std::fmt::Debug for Executable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executable")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

impl Executable {
    pub fn new(program: Program) -> Executable {
        let enc: Arc<[u8]> = encode(&program).into();
        Executable {
            program,
            enc,
            variants: Default::default(),
            fold_variants: Default::default(),
            staged: OnceLock::new(),
        }
    }

    /// The stages of a program with reductions (split on first use).
    pub(crate) fn staged(&self) -> &crate::codegen::reduce::Staged {
        self.staged
            .get_or_init(|| crate::codegen::reduce::Staged::new(&self.program))
    }

    /// The fold kernel of this program's values for `spec`, from the handle's slots or
    /// the global cache.
    pub(crate) fn fold_kernel(
        &self,
        spec: &KernelSpec,
        fold: codegen::FoldOp,
    ) -> Result<KernelRef<'_>, Error> {
        for slot in &self.fold_variants {
            match slot.get() {
                Some((s, f, k)) if s == spec && *f == fold => return Ok(KernelRef::Borrowed(k)),
                Some(_) => {}
                None => break,
            }
        }
        let enc = fold_encoding(&self.program, fold);
        let k = fold_kernel_for(&self.program, &enc, spec, fold)?;
        let mut entry = Some((spec.clone(), fold, k.clone()));
        for slot in &self.fold_variants {
            if let Some(e) = entry.take() {
                if let Err(e) = slot.set(e) {
                    entry = Some(e);
                }
            }
        }
        Ok(KernelRef::Owned(k))
    }

    /// The elementwise kernel of this program for `spec` (handle slots, then cache).
    pub(crate) fn kernel_for_spec(&self, spec: &KernelSpec) -> Result<KernelRef<'_>, Error> {
        self.kernel(SpecRef {
            inputs: &spec.inputs,
            out: spec.out,
            out_dtype: spec.out_dtype,
        })
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    fn kernel(&self, spec: SpecRef) -> Result<KernelRef<'_>, Error> {
        for slot in &self.variants {
            match slot.get() {
                Some((s, k)) if spec.matches(s) => return Ok(KernelRef::Borrowed(k)),
                Some(_) => {}
                None => break,
            }
        }
        let full = spec.to_spec();
        let k = kernel_for(&self.program, &self.enc, &full)?;
        let mut entry = Some((full, k.clone()));
        for slot in &self.variants {
            if let Some(e) = entry.take() {
                match slot.set(e) {
                    Ok(()) => break,
                    Err(e) => entry = Some(e),
                }
            }
        }
        Ok(KernelRef::Owned(k))
    }

    /// Evaluates into a fresh array (C order, shape = broadcast of the inputs).
    pub fn eval(&self, inputs: &[AnyView], opts: &RunOptions) -> Result<Array, Error> {
        run_with(self, inputs, None, opts)?.ok_or_else(|| internal("no result array"))
    }

    /// Evaluates into `out` (same shape as the broadcast result; `same_kind` cast).
    pub fn eval_into(
        &self,
        inputs: &[AnyView],
        out: AnyViewMut,
        opts: &RunOptions,
    ) -> Result<(), Error> {
        run_with(self, inputs, Some(out), opts).map(|_| ())
    }

    /// The CLIF of the kernel for contiguous inputs and a fresh output.
    pub fn explain_clif(&self) -> Result<String, Error> {
        if self.program.has_reductions() {
            return crate::codegen::reduce::explain_clif(&self.program);
        }
        let spec = KernelSpec {
            inputs: vec![Stride::Contiguous; self.program.inputs.len()],
            out: Stride::Contiguous,
            out_dtype: self.program.dtype(),
        };
        let k = codegen::compile(&self.program, &spec, true)?;
        Ok(format!(
            "; isa: {}\n{}",
            codegen::isa_name(),
            k.clif().unwrap_or_default()
        ))
    }
}

/// Like [`run`], with explicit run options (used for the stages of a reduction).
pub fn run_with_options(
    program: &Program,
    inputs: &[AnyView],
    out: Option<AnyViewMut>,
    opts: &RunOptions,
) -> Result<Option<Array>, Error> {
    let enc: Arc<[u8]> = encode(program).into();
    run_inner(program, inputs, out, opts, &|spec| {
        kernel_for(program, &enc, &spec.to_spec()).map(KernelRef::Owned)
    })
}

/// One-shot evaluation of a checked program (compiles through the process-wide cache).
/// `out == None`: returns `Some(fresh array)`; otherwise writes into `out`, returns `None`.
pub fn run(
    program: &Program,
    inputs: &[AnyView],
    out: Option<AnyViewMut>,
) -> Result<Option<Array>, Error> {
    let enc: Arc<[u8]> = encode(program).into();
    run_inner(program, inputs, out, &RunOptions::default(), &|spec| {
        kernel_for(program, &enc, &spec.to_spec()).map(KernelRef::Owned)
    })
}

fn run_with(
    x: &Executable,
    inputs: &[AnyView],
    out: Option<AnyViewMut>,
    opts: &RunOptions,
) -> Result<Option<Array>, Error> {
    if x.program.has_reductions() {
        return crate::codegen::reduce::run_staged(x.staged(), &x.program, inputs, out, opts);
    }
    run_inner(&x.program, inputs, out, opts, &|spec| x.kernel(spec))
}

/// NumPy broadcasting of all input shapes (E0401 with spans, as the evaluator).
pub(crate) fn broadcast(p: &Program, inputs: &[AnyView]) -> Result<Dims<usize>, Error> {
    // The common call (every input has one shape) needs no per-node inference.
    if let Some((first, rest)) = inputs.split_first() {
        let s = first.shape();
        if s.len() <= crate::limits::MAX_NDIM && rest.iter().all(|v| v.shape() == s) {
            return Ok(SmallVec::from_slice(s));
        }
    }
    let shapes: Dims<&[usize]> = inputs.iter().map(|v| v.shape()).collect();
    crate::types::shape::infer(p, &shapes).map(SmallVec::from_vec)
}

/// Byte strides of a view over `shape` (right-aligned; 0 where it broadcasts).
pub(crate) fn strides_over(
    shape: &[usize],
    vshape: &[usize],
    vstrides: &[isize],
    size: usize,
) -> Dims<isize> {
    let lead = shape.len() - vshape.len();
    (0..shape.len())
        .map(|d| {
            if d < lead || vshape[d - lead] == 1 {
                0
            } else {
                vstrides[d - lead] * size as isize
            }
        })
        .collect()
}

pub(crate) fn runtime_error(p: &Program, code: u32) -> Error {
    if code == u32::MAX || code == 0 || code as usize > p.nodes.len() {
        return internal(format!("kernel returned status {code}"));
    }
    // The only run-time failure kernels report (block routines for integer `**`).
    crate::interp::OpError::NegativePower.at_node(p.node(code - 1).span)
}

/// A kernel borrowed from a handle's variant slots, or shared from the global cache.
pub(crate) enum KernelRef<'a> {
    Borrowed(&'a Kernel),
    Owned(Arc<Kernel>),
}

impl std::ops::Deref for KernelRef<'_> {
    type Target = Kernel;
    fn deref(&self) -> &Kernel {
        match self {
            KernelRef::Borrowed(k) => k,
            KernelRef::Owned(k) => k,
        }
    }
}

type KernelSource<'a> = dyn Fn(SpecRef) -> Result<KernelRef<'a>, Error> + 'a;

fn run_inner(
    p: &Program,
    inputs: &[AnyView],
    mut out: Option<AnyViewMut>,
    opts: &RunOptions,
    kernels: &KernelSource,
) -> Result<Option<Array>, Error> {
    if p.has_reductions() {
        let staged = crate::codegen::reduce::Staged::new(p);
        return crate::codegen::reduce::run_staged(&staged, p, inputs, out, opts);
    }
    if inputs.len() != p.inputs.len() {
        return Err(internal(format!(
            "program takes {} inputs, got {}",
            p.inputs.len(),
            inputs.len()
        )));
    }
    if inputs.len() > numjit_runtime::MAX_INPUTS {
        return Err(internal("too many inputs for one kernel"));
    }
    for (v, d) in inputs.iter().zip(&p.inputs) {
        if v.dtype() != d.dtype {
            return Err(internal(format!(
                "input `{}` has dtype {}, expected {}",
                d.name,
                v.dtype(),
                d.dtype
            )));
        }
    }
    let shape = broadcast(p, inputs)?;
    if shape.contains(&0) && has_int_pow(p) {
        // Kernels never run on an empty result, but the evaluator computes every
        // intermediate over its own (possibly non-empty) shape and reports a negative
        // integer exponent there (E0501). Match it: the spec is the evaluator.
        crate::interp::eval(p, inputs)?;
    }
    let dtype = p.dtype();
    // The common call: every operand C-contiguous over the result shape. One flat run,
    // a byte-range overlap test, and nothing else to build (the general path below
    // gives the same plan, more slowly).
    let n: usize = shape.iter().product();
    let flat = inputs
        .iter()
        .all(|v| v.shape() == shape.as_slice() && c_contiguous(v.shape(), v.strides()))
        && match &mut out {
            None => true,
            Some(o) => {
                o.shape() == shape.as_slice()
                    && c_contiguous(o.shape(), o.strides())
                    && !flat_partial_overlap(inputs, o.as_mut_ptr() as usize, o.dtype(), n)
            }
        };
    if flat {
        let run = Run {
            p,
            inputs,
            istrides: &[],
            shape: &shape,
            opts,
            kernels,
        };
        return match out {
            None => {
                let mut fresh = Fresh::new(dtype, &shape)?;
                run.execute_flat(n, fresh.ptr(), dtype)?;
                Ok(Some(fresh.finish(&shape)?))
            }
            Some(mut o) => {
                let odt = o.dtype();
                crate::interp::check_out(p, &shape, odt, o.shape())?;
                run.execute_flat(n, o.as_mut_ptr(), odt).map(|_| None)
            }
        };
    }
    let istrides: SmallVec<[Dims<isize>; 4]> = inputs
        .iter()
        .map(|v| strides_over(&shape, v.shape(), v.strides(), v.dtype().size()))
        .collect();
    let run = Run {
        p,
        inputs,
        istrides: &istrides,
        shape: &shape,
        opts,
        kernels,
    };
    match out {
        None => {
            let mut fresh = Fresh::new(dtype, &shape)?;
            let ostrides = c_strides(&shape, dtype.size());
            run.execute(fresh.ptr(), &ostrides, dtype)?;
            Ok(Some(fresh.finish(&shape)?))
        }
        Some(mut o) => {
            let odt = o.dtype();
            crate::interp::check_out(p, &shape, odt, o.shape())?;
            let ostrides = strides_over(&shape, o.shape(), o.strides(), odt.size());
            let optr = o.as_mut_ptr();
            let out_ext = Extent {
                addr: optr as usize,
                shape: &shape,
                strides: &ostrides,
                itemsize: odt.size(),
            };
            let partial = inputs.iter().zip(&istrides).any(|(v, s)| {
                let e = Extent {
                    addr: v.as_ptr() as usize,
                    shape: &shape,
                    strides: s,
                    itemsize: v.dtype().size(),
                };
                overlap(&out_ext, &e) == Overlap::Partial
            });
            if !partial {
                return run.execute(optr, &ostrides, odt).map(|_| None);
            }
            // `out` shares memory with an input in a pattern other than index for
            // index: compute into a temporary, then copy (never a wrong result).
            let mut tmp = Fresh::new(odt, &shape)?;
            let tstrides = c_strides(&shape, odt.size());
            run.execute(tmp.ptr(), &tstrides, odt)?;
            let plan = Plan::new(&shape, &[&ostrides, &tstrides])
                .ok_or_else(|| internal("bad copy plan"))?;
            let copy = numjit_runtime::copy::copy_kernel(odt.size())
                .ok_or_else(|| internal("no copy kernel"))?;
            // SAFETY: `tmp` holds every element of `shape` in C order (tstrides), `out`
            // is a live mutable view of `shape` (ostrides), and they are distinct
            // allocations; the copy kernel reads and writes one element per index.
            unsafe { numjit_runtime::launch(&plan, optr, &[tmp.ptr()], copy, 0, opts) }
                .map_err(|c| runtime_error(p, c))?;
            drop(tmp);
            Ok(None)
        }
    }
}

/// Is a view with these element strides C-contiguous? (Size-1 dims may have any stride.)
fn c_contiguous(shape: &[usize], strides: &[isize]) -> bool {
    let mut expect = 1isize;
    for (&n, &s) in shape.iter().zip(strides).rev() {
        if n != 1 && s != expect {
            return false;
        }
        expect = expect.saturating_mul(n as isize);
    }
    true
}

/// For C-contiguous operands of `n` elements: does `out` (at `addr`) share bytes with
/// an input other than exactly, element for element?
fn flat_partial_overlap(inputs: &[AnyView], addr: usize, odt: DType, n: usize) -> bool {
    let a1 = addr.saturating_add(n.saturating_mul(odt.size()));
    n > 0
        && inputs.iter().any(|v| {
            let b0 = v.as_ptr() as usize;
            let b1 = b0.saturating_add(n.saturating_mul(v.dtype().size()));
            addr < b1 && b0 < a1 && !(b0 == addr && v.dtype().size() == odt.size())
        })
}

pub(crate) fn has_int_pow(p: &Program) -> bool {
    p.nodes.iter().any(|n| {
        n.kind == NodeKind::Op(crate::ops::Op::Pow)
            && n.args.first().is_some_and(|&a| p.node(a).dtype.is_int())
    })
}

fn c_strides(shape: &[usize], size: usize) -> Dims<isize> {
    let mut s: Dims<isize> = smallvec::smallvec![0isize; shape.len()];
    let mut acc = size as isize;
    for d in (0..shape.len()).rev() {
        s[d] = acc;
        acc = acc.saturating_mul(shape[d].max(1) as isize);
    }
    s
}

/// One evaluation's bound inputs, with their byte strides over the result `shape`.
struct Run<'r, 'v, 'k> {
    p: &'r Program,
    inputs: &'r [AnyView<'v>],
    istrides: &'r [Dims<isize>],
    shape: &'r [usize],
    opts: &'r RunOptions,
    kernels: &'r KernelSource<'k>,
}

impl Run<'_, '_, '_> {
    /// Runs the kernel for these operands' stride classes into `out` (of `odt`, with
    /// byte strides `ostrides` over the result shape).
    fn execute(&self, out: *mut u8, ostrides: &[isize], odt: DType) -> Result<(), Error> {
        let Run {
            inputs,
            istrides,
            shape,
            ..
        } = *self;
        let mut all: Dims<&[isize]> = SmallVec::with_capacity(inputs.len() + 1);
        all.push(ostrides);
        all.extend(istrides.iter().map(|s| s.as_slice()));
        let plan = Plan::new(shape, &all).ok_or_else(|| internal("strides overflow"))?;
        self.launch_plan(&plan, out, odt)
    }

    /// Runs the kernel over `n` elements that every operand walks contiguously.
    fn execute_flat(&self, n: usize, out: *mut u8, odt: DType) -> Result<(), Error> {
        let mut sizes: Dims<isize> = SmallVec::with_capacity(self.inputs.len() + 1);
        sizes.push(odt.size() as isize);
        for v in self.inputs {
            sizes.push(v.dtype().size() as isize);
        }
        self.launch_plan(&Plan::flat(n, &sizes), out, odt)
    }

    /// Picks the kernel for `plan`'s stride classes and runs it into `out`.
    fn launch_plan(&self, plan: &Plan, out: *mut u8, odt: DType) -> Result<(), Error> {
        let Run {
            p,
            inputs,
            opts,
            kernels,
            ..
        } = *self;
        if plan.is_empty() {
            return Ok(());
        }
        let classes: Dims<Stride> = inputs
            .iter()
            .enumerate()
            .map(|(k, v)| Stride::of(plan.inner_stride(k + 1), v.dtype().size()))
            .collect();
        let spec = SpecRef {
            inputs: &classes,
            out: match Stride::of(plan.inner_stride(0), odt.size()) {
                Stride::Broadcast => Stride::Strided,
                s => s,
            },
            out_dtype: odt,
        };
        let kernel = kernels(spec)?;
        let ptrs: Dims<*const u8> = inputs.iter().map(|v| v.as_ptr()).collect();
        // SAFETY: the plan was built from the views' own shapes and strides (broadcast
        // dims get stride 0) and from `out`'s, so every index maps into the views' memory;
        // `out` is a live mutable view (or a fresh buffer) of exactly `shape`; partial
        // overlap with inputs was excluded by the caller (exact aliasing is allowed); the
        // kernel was compiled for these stride classes and dtypes.
        unsafe {
            numjit_runtime::launch(
                plan,
                out,
                &ptrs,
                kernel.func(),
                kernel.scratch_per_elem(),
                opts,
            )
        }
        .map_err(|c| runtime_error(p, c))
    }
}

/// A fresh, uninitialised output of one dtype; becomes an `Array` once written.
enum Fresh {
    Bool(Vec<bool>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float32(Vec<f32>),
    Float64(Vec<f64>),
    Complex128(Vec<num_complex::Complex64>),
}

impl Fresh {
    fn new(dtype: DType, shape: &[usize]) -> Result<Fresh, Error> {
        let n = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .filter(|n| {
                n.checked_mul(dtype.size())
                    .is_some_and(|b| b <= isize::MAX as usize)
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Broadcast,
                    format!(
                        "the result shape {} is too large",
                        crate::types::shape::fmt_shape(shape)
                    ),
                )
            })?;
        use numjit_runtime::alloc::output_buffer as buf;
        Ok(match dtype {
            DType::Bool => Fresh::Bool(buf(n)),
            DType::Int32 => Fresh::Int32(buf(n)),
            DType::Int64 => Fresh::Int64(buf(n)),
            DType::Float32 => Fresh::Float32(buf(n)),
            DType::Float64 => Fresh::Float64(buf(n)),
            DType::Complex128 => Fresh::Complex128(buf(n)),
        })
    }

    fn ptr(&mut self) -> *mut u8 {
        match self {
            Fresh::Bool(v) => v.as_mut_ptr() as *mut u8,
            Fresh::Int32(v) => v.as_mut_ptr() as *mut u8,
            Fresh::Int64(v) => v.as_mut_ptr() as *mut u8,
            Fresh::Float32(v) => v.as_mut_ptr() as *mut u8,
            Fresh::Float64(v) => v.as_mut_ptr() as *mut u8,
            Fresh::Complex128(v) => v.as_mut_ptr() as *mut u8,
        }
    }

    /// Call only after a successful `execute` wrote every element.
    fn finish(self, shape: &[usize]) -> Result<Array, Error> {
        let n: usize = shape.iter().product();
        macro_rules! done {
            ($v:expr, $var:ident) => {{
                let mut v = $v;
                // SAFETY: capacity is n (from `new`), and the kernel wrote all n
                // elements (the plan covers every index of `shape` exactly once) with
                // valid bit patterns of the element type (bools as 0/1 bytes).
                unsafe { v.set_len(n) };
                Array::$var(
                    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| internal(e.to_string()))?,
                )
            }};
        }
        Ok(match self {
            Fresh::Bool(v) => done!(v, Bool),
            Fresh::Int32(v) => done!(v, Int32),
            Fresh::Int64(v) => done!(v, Int64),
            Fresh::Float32(v) => done!(v, Float32),
            Fresh::Float64(v) => done!(v, Float64),
            Fresh::Complex128(v) => done!(v, Complex128),
        })
    }
}
