//! numjit's runtime: the kernel ABI, N-d iteration over a broadcast output split into
//! blocks, the thread pool, `out` overlap analysis and allocation of big outputs.
//! It knows nothing of syntax, dtypes or IR: it sees byte pointers, byte strides and
//! one kernel function pointer.

pub mod alloc;
pub mod cmath;
pub mod copy;
pub mod launch;
pub mod mmap;
pub mod overlap;
pub mod plan;
pub mod reduce;
pub mod threads;

pub use launch::{launch, LaunchOptions};
pub use overlap::{overlap, Extent, Overlap};
pub use plan::Plan;
pub use threads::{num_threads, set_num_threads};

/// Most operands (inputs) one kernel call takes; pointers live in a stack array.
pub const MAX_INPUTS: usize = 128;

/// The kernel ABI. A kernel computes `n` consecutive output elements of one block:
/// element `i` of input `k` is at `ins[k] + i * strides[k]` (bytes), element `i` of
/// the output at `out + i * out_stride`. `scratch` points to at least
/// `n * scratch_bytes_per_elem` writable bytes, 16-byte aligned.
/// Returns 0 on success, or `node + 1` for the lowest IR node that failed at run time.
pub type KernelFn = unsafe extern "C" fn(
    n: usize,
    ins: *const *const u8,
    strides: *const isize,
    out: *mut u8,
    out_stride: isize,
    scratch: *mut u8,
) -> u32;

/// The ABI of a fold kernel (a reduction's fused body): computes the values of `n`
/// consecutive elements (addressed as for [`KernelFn`]) and folds them in leaves:
/// `lens` points to leaf lengths (each at most [`reduce::LEAF`]) summing to `n`, and
/// the folded value of leaf `k` (in the order of [`reduce::pairwise`]) is stored at
/// `out + k * size_of::<T>()`. `scratch` as for [`KernelFn`].
pub type FoldFn = unsafe extern "C" fn(
    n: usize,
    ins: *const *const u8,
    strides: *const isize,
    out: *mut u8,
    lens: *const usize,
    scratch: *mut u8,
) -> u32;
