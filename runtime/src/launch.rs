//! Runs a kernel over a [`Plan`]: splits the iteration space into blocks (runs of at
//! most `block_len` elements along the innermost dimension, or several short rows),
//! and runs blocks serially or on numjit's pool. Knows nothing about what the kernel
//! computes; results cannot depend on thread count or block length because every
//! output element is written by exactly one kernel call, from the same inputs.

use crate::plan::Plan;
use crate::{threads, KernelFn, MAX_INPUTS};
use rayon::prelude::*;
use smallvec::SmallVec;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

/// Default number of elements per kernel call: long enough to amortise the call and
/// the per-block pointer arithmetic, short enough to balance load (see benches).
pub const DEFAULT_BLOCK_LEN: usize = 8192;
/// Below this many elements an evaluation stays on the calling thread: waking the pool
/// costs ~20–25 µs on this VM, which a 2-thread split repays only above it. Measured
/// (`examples/threshold_probe.rs`, polynomial, quiet machine, 2T ÷ 1T medians in three
/// runs): 64 K 1.15–1.51, 128 K 0.86–0.99, 256 K 0.73–1.29, 512 K 0.69–0.71.
pub const DEFAULT_SERIAL_BELOW: usize = 128 * 1024;

/// Operands (inputs + out) whose per-block pointer tables live on the stack.
const OPERANDS_INLINE: usize = 8;

/// Knobs for one launch; zeros mean "the default".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    /// Worker threads (0: [`threads::num_threads`]).
    pub threads: usize,
    /// Maximum elements per kernel call (0: [`DEFAULT_BLOCK_LEN`]).
    pub block_len: usize,
    /// Serial below this many elements (0: [`DEFAULT_SERIAL_BELOW`]).
    pub serial_below: usize,
}

thread_local! {
    // One scratch buffer per thread, grown on demand and kept: O(threads) memory.
    // u128 elements make it 16-byte aligned for vector loads and stores.
    static SCRATCH: RefCell<Vec<u128>> = const { RefCell::new(Vec::new()) };
}

/// Everything a worker needs; raw pointers are shared across threads (see `Send`).
struct Job<'a> {
    plan: &'a Plan,
    out: *mut u8,
    ins: &'a [*const u8],
    kernel: KernelFn,
    scratch_per_elem: usize,
    /// Elements per innermost segment, segments per row, total rows.
    seg_len: usize,
    segs_per_row: usize,
    rows: usize,
    /// Row-segments per unit of work.
    per_unit: usize,
}

// SAFETY: the raw pointers are only dereferenced by the kernel inside `run_unit`, and
// distinct units write disjoint output elements (each (row, segment) pair belongs to
// exactly one unit, and the plan maps distinct indices to distinct output bytes, which
// `launch`'s caller guarantees). Inputs are only read.
unsafe impl Send for Job<'_> {}
// SAFETY: as above; `Job` has no interior mutability.
unsafe impl Sync for Job<'_> {}

impl Job<'_> {
    fn units(&self) -> usize {
        (self.rows * self.segs_per_row).div_ceil(self.per_unit)
    }

    /// # Safety
    /// The contract of [`launch`].
    unsafe fn run_unit(&self, u: usize, status: &AtomicU32) {
        let plan = self.plan;
        let nd = plan.dims.len();
        let inner = plan.dims[nd - 1];
        let nin = self.ins.len();
        // Per-call operand tables, on the stack for up to `OPERANDS_INLINE` operands.
        let mut ptrs: SmallVec<[*const u8; OPERANDS_INLINE]> =
            SmallVec::from_elem(std::ptr::null(), nin);
        let strides: SmallVec<[isize; OPERANDS_INLINE]> =
            (1..=nin).map(|k| plan.inner_stride(k)).collect();
        let mut off: SmallVec<[isize; OPERANDS_INLINE]> = SmallVec::from_elem(0, nin + 1);
        let out_stride = plan.inner_stride(0);
        let first = u * self.per_unit;
        let last = (first + self.per_unit).min(self.rows * self.segs_per_row);
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let need = (self.seg_len * self.scratch_per_elem).div_ceil(16);
            if scratch.len() < need {
                scratch.resize(need, 0);
            }
            let scratch_ptr = scratch.as_mut_ptr() as *mut u8;
            for rs in first..last {
                let (row, seg) = (rs / self.segs_per_row, rs % self.segs_per_row);
                // Byte offset of (row, segment start) for every operand.
                off.copy_from_slice(&plan.offsets);
                let mut r = row;
                for d in (0..nd - 1).rev() {
                    let i = (r % plan.dims[d]) as isize;
                    r /= plan.dims[d];
                    for (k, o) in off.iter_mut().enumerate() {
                        *o += i * plan.stride(k, d);
                    }
                }
                let start = seg * self.seg_len;
                let n = self.seg_len.min(inner - start);
                for (k, o) in off.iter_mut().enumerate() {
                    *o += start as isize * plan.stride(k, nd - 1);
                }
                for (k, p) in ptrs.iter_mut().enumerate() {
                    *p = self.ins[k].wrapping_offset(off[k + 1]);
                }
                let out = self.out.wrapping_offset(off[0]);
                // SAFETY: `launch`'s caller guarantees every index of the plan maps to
                // valid input/output bytes; `n` elements from these pointers with these
                // strides are indices of the plan. Scratch holds `n * scratch_per_elem`
                // bytes since n <= seg_len.
                let code = unsafe {
                    (self.kernel)(
                        n,
                        ptrs.as_ptr(),
                        strides.as_ptr(),
                        out,
                        out_stride,
                        scratch_ptr,
                    )
                };
                if code != 0 {
                    status.fetch_min(code, Ordering::Relaxed);
                }
            }
        });
    }
}

/// Runs `kernel` over every element of `plan`. Returns `Err(code)` with the smallest
/// nonzero status any block returned (the lowest failing node, independent of the
/// split, because every block is run to completion).
///
/// # Safety
/// * `plan` has `ins.len() + 1` operands (out first), and for every index of the plan,
///   `out + offsets[0] + Σ idx·strides[0]` is valid for writes of one output element and
///   `ins[k] + offsets[k+1] + Σ idx·strides[k+1]` valid for reads of one input element;
/// * distinct indices map to distinct output elements, and no input byte that is
///   read at one index is written at another (exact aliasing of out and an input,
///   index for index, is fine);
/// * `kernel` implements the ABI of [`KernelFn`] and needs at most `scratch_per_elem`
///   scratch bytes per element.
pub unsafe fn launch(
    plan: &Plan,
    out: *mut u8,
    ins: &[*const u8],
    kernel: KernelFn,
    scratch_per_elem: usize,
    opts: &LaunchOptions,
) -> Result<(), u32> {
    let total = plan.len();
    if total == 0 {
        return Ok(());
    }
    if ins.len() > MAX_INPUTS || plan.operands() != ins.len() + 1 {
        return Err(u32::MAX);
    }
    let block_len = match opts.block_len {
        0 => DEFAULT_BLOCK_LEN,
        b => b,
    };
    let inner = plan.dims[plan.dims.len() - 1];
    let seg_len = inner.min(block_len).max(1);
    let segs_per_row = inner.div_ceil(seg_len);
    let rows = total / inner;
    let per_unit = if segs_per_row == 1 {
        (block_len / inner).max(1)
    } else {
        1
    };
    let job = Job {
        plan,
        out,
        ins,
        kernel,
        scratch_per_elem,
        seg_len,
        segs_per_row,
        rows,
        per_unit,
    };
    let units = job.units();
    let status = AtomicU32::new(u32::MAX);
    let nthreads = match opts.threads {
        0 => threads::num_threads(),
        t => t,
    };
    let serial_below = match opts.serial_below {
        0 => DEFAULT_SERIAL_BELOW,
        s => s,
    };
    let pool = if nthreads > 1 && units > 1 && total >= serial_below {
        threads::pool(nthreads)
    } else {
        None
    };
    if pool.is_none() && plan.dims.len() == 1 && scratch_per_elem == 0 {
        // SAFETY: forwarded contract of `launch`.
        return unsafe { run_row_serial(plan, out, ins, kernel, seg_len) };
    }
    match pool {
        Some(pool) => pool.install(|| {
            (0..units).into_par_iter().for_each(|u| {
                // SAFETY: forwarded contract of `launch`; units are disjoint.
                unsafe { job.run_unit(u, &status) }
            })
        }),
        None => {
            for u in 0..units {
                // SAFETY: forwarded contract of `launch`.
                unsafe { job.run_unit(u, &status) }
            }
        }
    }
    match status.into_inner() {
        u32::MAX => Ok(()),
        code => Err(code),
    }
}

/// The common small call: a one-dimensional plan, on this thread, a kernel that needs
/// no scratch. Blocks of `seg_len` in order, the pointer table updated in place.
///
/// # Safety
/// The contract of [`launch`], with `plan.dims.len() == 1` and a kernel that never
/// touches its scratch pointer.
unsafe fn run_row_serial(
    plan: &Plan,
    out: *mut u8,
    ins: &[*const u8],
    kernel: KernelFn,
    seg_len: usize,
) -> Result<(), u32> {
    let total = plan.dims[0];
    // With one dimension the stride table is one stride per operand, out first.
    let (out_stride, strides) = (plan.strides[0], &plan.strides[1..]);
    let mut ptrs: SmallVec<[*const u8; OPERANDS_INLINE]> = SmallVec::from_slice(ins);
    for (p, &o) in ptrs.iter_mut().zip(&plan.offsets[1..]) {
        *p = p.wrapping_offset(o);
    }
    let mut out = out.wrapping_offset(plan.offsets[0]);
    let mut status = u32::MAX;
    let mut start = 0;
    while start < total {
        let n = seg_len.min(total - start);
        // SAFETY: `launch`'s caller guarantees every index of the plan maps to valid
        // input/output bytes; these `n` elements from these pointers are indices
        // `start..start + n` of the plan. The kernel needs no scratch.
        let code = unsafe {
            kernel(
                n,
                ptrs.as_ptr(),
                strides.as_ptr(),
                out,
                out_stride,
                std::ptr::null_mut(),
            )
        };
        if code != 0 {
            status = status.min(code);
        }
        start += n;
        for (p, &s) in ptrs.iter_mut().zip(strides) {
            *p = p.wrapping_offset(n as isize * s);
        }
        out = out.wrapping_offset(n as isize * out_stride);
    }
    match status {
        u32::MAX => Ok(()),
        code => Err(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// out[i] = in[i] * 2 (f64); returns 7 if it sees a negative input.
    unsafe extern "C" fn double(
        n: usize,
        ins: *const *const u8,
        strides: *const isize,
        out: *mut u8,
        out_stride: isize,
        _scratch: *mut u8,
    ) -> u32 {
        let mut status = 0;
        // SAFETY: the ABI: one input, n elements at the given byte strides.
        unsafe {
            for i in 0..n as isize {
                let v = (((*ins).offset(i * *strides)) as *const f64).read_unaligned();
                if v < 0.0 {
                    status = 7;
                }
                (out.offset(i * out_stride) as *mut f64).write_unaligned(v * 2.0);
            }
        }
        status
    }

    #[test]
    fn any_split_gives_the_same_result_and_lowest_status() {
        let x: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        // A 2-d (10, 100) transposed walk, so rows and segments both matter.
        let plan = Plan::new(&[100, 10], &[&[80, 8], &[8, 800]]).unwrap();
        for threads in [1, 2, 3] {
            for block_len in [1, 3, 10, 64, 0] {
                let mut out = vec![0.0f64; 1000];
                let opts = LaunchOptions {
                    threads,
                    block_len,
                    serial_below: 1,
                };
                // SAFETY: the plan maps indices inside both 1000-element buffers.
                let r = unsafe {
                    launch(
                        &plan,
                        out.as_mut_ptr() as *mut u8,
                        &[x.as_ptr() as *const u8],
                        double,
                        0,
                        &opts,
                    )
                };
                assert_eq!(r, Ok(()));
                for i in 0..100 {
                    for j in 0..10 {
                        assert_eq!(out[i * 10 + j], x[j * 100 + i] * 2.0);
                    }
                }
            }
        }
        let mut y = x.clone();
        y[999] = -1.0;
        let mut out = vec![0.0f64; 1000];
        let plan = Plan::new(&[1000], &[&[8], &[8]]).unwrap();
        let opts = LaunchOptions {
            threads: 2,
            block_len: 16,
            serial_below: 1,
        };
        // SAFETY: as above.
        let r = unsafe {
            launch(
                &plan,
                out.as_mut_ptr() as *mut u8,
                &[y.as_ptr() as *const u8],
                double,
                0,
                &opts,
            )
        };
        assert_eq!(r, Err(7));
    }
}
