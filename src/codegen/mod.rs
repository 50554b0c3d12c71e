//! Cranelift code generation: turns a checked `ir::Program` plus a [`KernelSpec`]
//! (stride class of every operand, out dtype) into one native kernel with the
//! `numjit_runtime::KernelFn` ABI. The only module that imports `cranelift_*`.
//! Knows nothing about parsing, shapes, threads or allocation.

pub mod exec;
mod lower;
pub mod mathcall;
pub(crate) mod reduce;
mod routines;

use crate::array::internal;
use crate::error::Error;
use crate::ir::Program;
use crate::types::DType;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};
use numjit_runtime::{FoldFn, KernelFn};
use std::mem::ManuallyDrop;
use std::sync::OnceLock;

/// How an operand walks memory along the innermost dimension of a block, baked into
/// the kernel: contiguous operands get vector loads, broadcast ones are loaded once
/// per block, strided ones are loaded lane by lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stride {
    /// Byte stride equals the element size.
    Contiguous,
    /// Byte stride 0: one element for the whole block.
    Broadcast,
    /// Any other stride (negative, gapped), passed at run time.
    Strided,
}

impl Stride {
    /// The class of a byte stride for elements of `size` bytes.
    pub fn of(stride: isize, size: usize) -> Stride {
        if stride == 0 {
            Stride::Broadcast
        } else if stride == size as isize {
            Stride::Contiguous
        } else {
            Stride::Strided
        }
    }
}

/// Everything besides the program that shapes the machine code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelSpec {
    /// One per `Program::inputs` entry.
    pub inputs: Vec<Stride>,
    pub out: Stride,
    /// The dtype stored to `out`; if it differs from the program's, the kernel casts
    /// (NumPy `astype` rules, as the `Cast` op).
    pub out_dtype: DType,
}

/// The element operation a fused reduction kernel folds with (`mean` folds with `Sum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldOp {
    Sum,
    Prod,
    Any,
    All,
    Min,
    Max,
}

impl FoldOp {
    /// The fused fold of a reduction of values of `dt`, if there is one.
    pub fn of(op: crate::ops::ReduceOp, dt: DType) -> Option<FoldOp> {
        use crate::ops::ReduceOp as R;
        match (op, dt) {
            (
                R::Sum | R::Mean,
                DType::Int64 | DType::Float32 | DType::Float64 | DType::Complex128,
            ) => Some(FoldOp::Sum),
            (R::Prod, DType::Int64 | DType::Float32 | DType::Float64 | DType::Complex128) => {
                Some(FoldOp::Prod)
            }
            (
                R::Min,
                DType::Bool | DType::Int32 | DType::Int64 | DType::Float32 | DType::Float64,
            ) => Some(FoldOp::Min),
            (
                R::Max,
                DType::Bool | DType::Int32 | DType::Int64 | DType::Float32 | DType::Float64,
            ) => Some(FoldOp::Max),
            (R::Any, DType::Bool) => Some(FoldOp::Any),
            (R::All, DType::Bool) => Some(FoldOp::All),
            _ => None,
        }
    }
}

/// A compiled kernel. Owns its `JITModule`; the code is freed when this is dropped.
pub struct Kernel {
    func: KernelFn,
    /// `Some`: a fold kernel (`FoldFn` ABI; `func` must not be called).
    fold: Option<FoldFn>,
    scratch_per_elem: usize,
    clif: Option<String>,
    module: ManuallyDrop<JITModule>,
}

// SAFETY: `JITModule` is Send but not Sync (RefCells used while defining functions).
// After `finalize_definitions` in `compile`, the module is never touched again except
// by `Drop`, which has `&mut self`; the only shared state used concurrently is the
// function pointer into immutable, executable memory.
unsafe impl Sync for Kernel {}

impl Kernel {
    /// The machine-code entry point of an elementwise kernel.
    pub fn func(&self) -> KernelFn {
        self.func
    }
    /// The entry point of a fold kernel (`None` for an elementwise one).
    pub fn fold_func(&self) -> Option<FoldFn> {
        self.fold
    }
    /// Scratch bytes per block element the kernel needs (0 if no block routines).
    pub fn scratch_per_elem(&self) -> usize {
        self.scratch_per_elem
    }
    /// The CLIF text, if it was requested at compile time.
    pub fn clif(&self) -> Option<&str> {
        self.clif.as_deref()
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        // SAFETY: `self` is being dropped, so nobody can call `self.func` any more
        // (every caller holds `&Kernel` or an `Arc<Kernel>` for the whole call), and
        // the module is not used after this.
        unsafe {
            let module = ManuallyDrop::take(&mut self.module);
            module.free_memory();
        }
    }
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel")
            .field("scratch_per_elem", &self.scratch_per_elem)
            .finish_non_exhaustive()
    }
}

/// The host ISA, built once: native flags, `opt_level=speed`, verifier in debug builds.
fn isa() -> Result<&'static OwnedTargetIsa, Error> {
    static ISA: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        let set =
            |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| e.to_string());
        set(&mut flags, "opt_level", "speed")?;
        set(&mut flags, "is_pic", "false")?;
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        set(&mut flags, "enable_verifier", verify)?;
        let builder = cranelift_native::builder().map_err(|e| e.to_string())?;
        builder
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| internal(format!("cannot set up the native code generator: {e}")))
}

/// A short description of the ISA (part of cache keys and `explain`).
pub fn isa_name() -> String {
    match isa() {
        Ok(isa) => format!(
            "{} {}",
            isa.triple(),
            isa.isa_flags()
                .iter()
                .filter(|f| f.as_bool() == Some(true))
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Err(_) => "unavailable".into(),
    }
}

/// Compiles `program` for `spec`. `want_clif` keeps the CLIF text for `explain`.
pub fn compile(program: &Program, spec: &KernelSpec, want_clif: bool) -> Result<Kernel, Error> {
    compile_with(program, spec, None, want_clif)
}

/// Compiles the fold kernel of a reduction of `program`'s values with `fold`
/// (`numjit_runtime::FoldFn` ABI; `spec.out` is ignored, `spec.out_dtype` must be the
/// program's dtype).
pub fn compile_fold(
    program: &Program,
    spec: &KernelSpec,
    fold: FoldOp,
    want_clif: bool,
) -> Result<Kernel, Error> {
    compile_with(program, spec, Some(fold), want_clif)
}

fn compile_with(
    program: &Program,
    spec: &KernelSpec,
    fold: Option<FoldOp>,
    want_clif: bool,
) -> Result<Kernel, Error> {
    if spec.inputs.len() != program.inputs.len() {
        return Err(internal("kernel spec and program disagree on inputs"));
    }
    let isa = isa()?.clone();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let mut ctx = module.make_context();
    let lowered = lower::lower(program, spec, fold, &mut ctx.func, module.target_config())?;
    let clif = want_clif.then(|| ctx.func.display().to_string());
    let id = module
        .declare_anonymous_function(&ctx.func.signature)
        .map_err(|e| internal(format!("cranelift declare: {e}")))?;
    module
        .define_function(id, &mut ctx)
        .map_err(|e| internal(format!("cranelift codegen: {e:?}")))?;
    module
        .finalize_definitions()
        .map_err(|e| internal(format!("cranelift finalize: {e}")))?;
    let ptr = module.get_finalized_function(id);
    // SAFETY: `lower` built the function with exactly the `KernelFn` signature in the
    // ISA's default (C) calling convention, and the module is finalized, so `ptr`
    // points to executable code that stays valid until `free_memory` in `Drop`.
    let func = unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) };
    // SAFETY: with a fold, `lower` built the `FoldFn` signature instead (the same six
    // pointer-sized parameters and `u32` result; only the fifth parameter's meaning
    // differs). Fold kernels are only made here, cached under their own keys
    // (`codegen::reduce`), and only ever called through `fold_func`.
    let fold = fold.map(|_| unsafe { std::mem::transmute::<*const u8, FoldFn>(ptr) });
    Ok(Kernel {
        func,
        fold,
        scratch_per_elem: lowered.scratch_per_elem,
        clif,
        module: ManuallyDrop::new(module),
    })
}
