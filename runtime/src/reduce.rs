//! Reductions: the one combination order every engine uses (NumPy's pairwise tree,
//! fixed by the sequence length alone), and the driver that runs a fused elementwise
//! kernel block by block into per-thread scratch and folds the blocks along that tree,
//! serially or on numjit's pool. Generic over the element type and its fold; knows
//! nothing of dtypes, IR or which operation is folded.
//!
//! The order: a sequence of `n` values is folded as NumPy's `pairwise_sum` adds: fewer
//! than 8 values left to right from the identity; up to [`LEAF`] values with 8 lane
//! accumulators (`r[j]` takes values `j, j+8, …`) combined as
//! `((r0∘r1)∘(r2∘r3))∘((r4∘r5)∘(r6∘r7))`, then the remainder left to right; longer
//! sequences split at `n/2` rounded down to a multiple of 8, each half folded the same
//! way. Threads and blocks only decide *who* folds a subtree, never the tree, so
//! results are bitwise independent of the thread count and block length.

use crate::{threads, FoldFn, KernelFn, LaunchOptions, MAX_INPUTS};
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

/// Leaves of the tree: at most this many values are folded with 8 lane accumulators
/// (NumPy's `PW_BLOCKSIZE`).
pub const LEAF: usize = 128;
/// Default number of values a kernel call computes into scratch before folding.
pub const DEFAULT_REDUCE_BLOCK: usize = 4096;
/// Default number of values one fold-kernel call folds (no scratch: only its leaf
/// values, one per <= `LEAF` values, are written).
pub const DEFAULT_FOLD_BLOCK: usize = 16384;
/// Subtrees at least this long are split across threads.
const PAR_MIN: usize = 1 << 15;

/// An associative-by-contract fold: `identity` and a binary `combine`.
pub trait Fold: Copy + Send + Sync {
    type T: Copy + Send + Sync;
    fn identity(self) -> Self::T;
    fn combine(self, a: Self::T, b: Self::T) -> Self::T;
}

/// Where the tree splits a sequence of `n > LEAF` values.
#[inline]
pub fn split(n: usize) -> usize {
    let h = n / 2;
    h - h % 8
}

/// Folds `xs` in the fixed order described in the module docs.
pub fn pairwise<F: Fold>(f: F, xs: &[F::T]) -> F::T {
    let n = xs.len();
    if n < 8 {
        let mut r = f.identity();
        for &x in xs {
            r = f.combine(r, x);
        }
        r
    } else if n <= LEAF {
        let mut r: [F::T; 8] = std::array::from_fn(|j| xs[j]);
        let end = n - n % 8;
        for c in xs[8..end].chunks_exact(8) {
            for j in 0..8 {
                r[j] = f.combine(r[j], c[j]);
            }
        }
        let mut res = f.combine(
            f.combine(f.combine(r[0], r[1]), f.combine(r[2], r[3])),
            f.combine(f.combine(r[4], r[5]), f.combine(r[6], r[7])),
        );
        for &x in &xs[end..] {
            res = f.combine(res, x);
        }
        res
    } else {
        let n2 = split(n);
        f.combine(pairwise(f, &xs[..n2]), pairwise(f, &xs[n2..]))
    }
}

/// Where the values folded come from.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// The elements of the single input themselves.
    Input,
    /// An elementwise kernel computes them, a block at a time, into scratch.
    Map(KernelFn),
    /// A fold kernel computes and folds them leaf by leaf (only for layouts with one
    /// reduced dimension, [`Layout::is_single_run`]).
    Fold(FoldFn),
}

/// The tree of `n >= 1` values above its leaves, flattened: the leaf lengths in order,
/// and after each leaf the number of combines of the two topmost partial results that
/// follow it in post-order. Folding the leaf values with [`Schedule::combine`] is
/// exactly the recursion of [`pairwise`], without the recursion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    n: usize,
    pub lens: Vec<usize>,
    combines: Vec<u8>,
}

impl Schedule {
    pub fn new(n: usize) -> Schedule {
        let mut s = Schedule {
            n,
            ..Schedule::default()
        };
        s.walk(n);
        s
    }

    fn walk(&mut self, n: usize) {
        if n <= LEAF {
            self.lens.push(n);
            self.combines.push(0);
        } else {
            let n2 = split(n);
            self.walk(n2);
            self.walk(n - n2);
            if let Some(c) = self.combines.last_mut() {
                *c += 1;
            }
        }
    }

    /// Folds one value per leaf (`vals.len() == self.lens.len()`) in the tree's order.
    pub fn combine<F: Fold>(&self, f: F, vals: &[F::T]) -> F::T {
        // Depth <= log2(n / 64) + 2 < 64 for any `usize` n.
        let mut stack = [f.identity(); 64];
        let mut sp = 0usize;
        for (&v, &c) in vals.iter().zip(&self.combines) {
            stack[sp] = v;
            sp += 1;
            for _ in 0..c {
                sp -= 1;
                stack[sp - 1] = f.combine(stack[sp - 1], stack[sp]);
            }
        }
        stack[0]
    }
}

/// How a reduction walks its operands: every output position (C order over the kept
/// dimensions) folds one sequence (C order over the reduced dimensions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub kept: Vec<usize>,
    /// `kept_strides[input][dim]`, bytes.
    pub kept_strides: Vec<Vec<isize>>,
    /// Never empty; size-1 dimensions dropped and contiguous runs coalesced.
    pub red: Vec<usize>,
    pub red_strides: Vec<Vec<isize>>,
}

impl Layout {
    /// `shape` is the broadcast shape of the elementwise body; `strides[k]` input `k`'s
    /// byte strides over it (0 where it broadcasts); bit `d` of `mask` set if dimension
    /// `d` is reduced. Returns `None` if `mask` or a stride vector does not fit `shape`.
    pub fn new(shape: &[usize], strides: &[&[isize]], mask: u64) -> Option<Layout> {
        if strides.iter().any(|s| s.len() != shape.len())
            || shape.len() > 64
            || (shape.len() < 64 && mask >> shape.len() != 0)
        {
            return None;
        }
        let is_red = |d: usize| mask >> d & 1 == 1;
        let kept: Vec<usize> = (0..shape.len()).filter(|&d| !is_red(d)).collect();
        let kept_strides = strides
            .iter()
            .map(|s| kept.iter().map(|&d| s[d]).collect())
            .collect();
        let mut red: Vec<usize> = Vec::new();
        let mut red_strides: Vec<Vec<isize>> = vec![Vec::new(); strides.len()];
        if (0..shape.len()).any(|d| is_red(d) && shape[d] == 0) {
            red.push(0);
            for s in &mut red_strides {
                s.push(0);
            }
        } else {
            for d in (0..shape.len()).filter(|&d| is_red(d) && shape[d] > 1) {
                let n = shape[d];
                // Merge into the previous (outer) reduced dim when every input steps
                // through both as one run.
                let merge = !red.is_empty()
                    && strides.iter().zip(&red_strides).all(|(s, rs)| {
                        isize::try_from(n)
                            .ok()
                            .and_then(|n| s[d].checked_mul(n))
                            .is_some_and(|v| Some(&v) == rs.last())
                    });
                if merge {
                    let last = red.len() - 1;
                    red[last] *= n;
                    for (s, rs) in strides.iter().zip(&mut red_strides) {
                        rs[last] = s[d];
                    }
                } else {
                    red.push(n);
                    for (s, rs) in strides.iter().zip(&mut red_strides) {
                        rs.push(s[d]);
                    }
                }
            }
            if red.is_empty() {
                red.push(1);
                for s in &mut red_strides {
                    s.push(0);
                }
            }
        }
        Some(Layout {
            kept: kept.iter().map(|&d| shape[d]).collect(),
            kept_strides,
            red,
            red_strides,
        })
    }

    /// Number of output positions.
    pub fn outputs(&self) -> usize {
        self.kept.iter().product()
    }

    /// Length of each folded sequence.
    pub fn len(&self) -> usize {
        self.red.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Is every folded sequence one run (one reduced dimension after coalescing)?
    pub fn is_single_run(&self) -> bool {
        self.red.len() == 1
    }

    /// Byte stride of input `k` along the innermost reduced dimension.
    pub fn inner_stride(&self, k: usize) -> isize {
        *self.red_strides[k].last().unwrap_or(&0)
    }
}

thread_local! {
    // Per-thread buffer for one block of values and the kernel's own scratch; kept
    // between calls (O(threads) memory). u128 elements: 16-byte aligned.
    static BUF: RefCell<Vec<u128>> = const { RefCell::new(Vec::new()) };
    // Per-thread schedules of the last few subtree lengths the fold kernel was called
    // for (a long sequence has at most three distinct block-level subtree lengths).
    static SCHEDULES: RefCell<Vec<Schedule>> = const { RefCell::new(Vec::new()) };
}

struct Job<'a, F: Fold> {
    f: F,
    lay: &'a Layout,
    ins: &'a [*const u8],
    body: Body,
    scratch_per_elem: usize,
    block: usize,
    status: &'a AtomicU32,
}

// SAFETY: the raw input pointers are only read (by the kernel, inside `leaf`); every
// thread writes only its own thread-local scratch and its own output slots.
unsafe impl<F: Fold> Sync for Job<'_, F> {}
// SAFETY: as above.
unsafe impl<F: Fold> Send for Job<'_, F> {}

impl<F: Fold> Job<'_, F> {
    /// Byte offset of output position `o` for every input.
    fn base(&self, o: usize) -> [isize; MAX_INPUTS] {
        let mut off = [0isize; MAX_INPUTS];
        let mut r = o;
        for d in (0..self.lay.kept.len()).rev() {
            let i = (r % self.lay.kept[d]) as isize;
            r /= self.lay.kept[d];
            for (k, x) in off.iter_mut().enumerate().take(self.ins.len()) {
                *x += i * self.lay.kept_strides[k][d];
            }
        }
        off
    }

    /// Folds values `a .. a+n` of output `o`'s sequence, in the fixed tree order.
    ///
    /// # Safety
    /// The contract of [`reduce`].
    unsafe fn tree(&self, base: &[isize; MAX_INPUTS], a: usize, n: usize, par: bool) -> F::T {
        if n <= self.block {
            // SAFETY: forwarded.
            return unsafe {
                match self.body {
                    Body::Fold(k) => self.fold(k, base, a, n),
                    _ => self.leaf(base, a, n),
                }
            };
        }
        let n2 = split(n);
        let (l, r) = if par && n >= PAR_MIN {
            rayon::join(
                // SAFETY: forwarded.
                || unsafe { self.tree(base, a, n2, true) },
                // SAFETY: forwarded.
                || unsafe { self.tree(base, a + n2, n - n2, true) },
            )
        } else {
            // SAFETY: forwarded.
            unsafe {
                (
                    self.tree(base, a, n2, false),
                    self.tree(base, a + n2, n - n2, false),
                )
            }
        };
        self.f.combine(l, r)
    }

    /// Folds values `a .. a+n` (n <= block) of a single-run layout with the fold
    /// kernel: it folds each leaf, the tree above the leaves is folded here.
    ///
    /// # Safety
    /// The contract of [`reduce`].
    unsafe fn fold(&self, kernel: FoldFn, base: &[isize; MAX_INPUTS], a: usize, n: usize) -> F::T {
        let size = std::mem::size_of::<F::T>();
        let nin = self.ins.len();
        let mut strides = [0isize; MAX_INPUTS];
        let mut ptrs = [std::ptr::null::<u8>(); MAX_INPUTS];
        for k in 0..nin {
            strides[k] = self.lay.inner_stride(k);
            ptrs[k] = self.ins[k].wrapping_offset(base[k] + a as isize * strides[k]);
        }
        SCHEDULES.with(|cache| {
            let mut cache = cache.borrow_mut();
            let at = match cache.iter().position(|s| s.n == n) {
                Some(i) => i,
                None => {
                    if cache.len() >= 4 {
                        cache.remove(0);
                    }
                    cache.push(Schedule::new(n));
                    cache.len() - 1
                }
            };
            let sched = &cache[at];
            BUF.with(|cell| {
                let mut buf = cell.borrow_mut();
                let vals = (sched.lens.len() * size).div_ceil(16);
                let need = vals + (n * self.scratch_per_elem).div_ceil(16);
                if buf.len() < need {
                    buf.resize(need, 0);
                }
                let dst = buf.as_mut_ptr() as *mut u8;
                let kscratch = buf[vals..].as_mut_ptr() as *mut u8;
                // SAFETY: `reduce`'s caller guarantees the layout's indices map to
                // valid input bytes (one run here: element `a + i` of input `k` is at
                // `ptrs[k] + i * strides[k]`) and that `kernel` implements `FoldFn`
                // writing `F::T`s; `dst` has room for one value per leaf, the scratch
                // for `n` elements; the leaf lengths sum to `n`.
                let code = unsafe {
                    kernel(
                        n,
                        ptrs.as_ptr(),
                        strides.as_ptr(),
                        dst,
                        sched.lens.as_ptr(),
                        kscratch,
                    )
                };
                if code != 0 {
                    self.status.fetch_min(code, Ordering::Relaxed);
                }
                // SAFETY: the kernel wrote one `F::T` per leaf at `dst` (16-byte aligned).
                let xs =
                    unsafe { std::slice::from_raw_parts(dst as *const F::T, sched.lens.len()) };
                sched.combine(self.f, xs)
            })
        })
    }

    /// Computes values `a .. a+n` (n <= block) with the kernel into scratch, then folds.
    ///
    /// # Safety
    /// The contract of [`reduce`].
    unsafe fn leaf(&self, base: &[isize; MAX_INPUTS], a: usize, n: usize) -> F::T {
        let size = std::mem::size_of::<F::T>();
        let lay = self.lay;
        let nin = self.ins.len();
        let nd = lay.red.len();
        let inner = lay.red[nd - 1];
        let mut strides = [0isize; MAX_INPUTS];
        for (k, s) in strides.iter_mut().enumerate().take(nin) {
            *s = lay.inner_stride(k);
        }
        BUF.with(|cell| {
            let mut buf = cell.borrow_mut();
            let vals = (self.block * size).div_ceil(16);
            let need = vals + (self.block * self.scratch_per_elem).div_ceil(16);
            if buf.len() < need {
                buf.resize(need, 0);
            }
            let dst = buf.as_mut_ptr() as *mut u8;
            let kscratch = buf[vals..].as_mut_ptr() as *mut u8;
            let mut ptrs = [std::ptr::null::<u8>(); MAX_INPUTS];
            let (mut done, mut pos) = (0usize, a);
            while done < n {
                let (mut row, j) = (pos / inner, pos % inner);
                let run = (inner - j).min(n - done);
                let mut off = *base;
                for d in (0..nd - 1).rev() {
                    let i = (row % lay.red[d]) as isize;
                    row /= lay.red[d];
                    for (k, o) in off.iter_mut().enumerate().take(nin) {
                        *o += i * lay.red_strides[k][d];
                    }
                }
                for (k, p) in ptrs.iter_mut().enumerate().take(nin) {
                    *p = self.ins[k].wrapping_offset(off[k] + j as isize * strides[k]);
                }
                match self.body {
                    Body::Fold(_) => {
                        self.status.fetch_min(u32::MAX - 1, Ordering::Relaxed);
                        return self.f.identity();
                    }
                    // The whole leaf is one contiguous run of the input: fold it in place.
                    Body::Input if run == n && strides[0] == size as isize => {
                        // SAFETY: `reduce`'s caller guarantees the `n` elements of this
                        // run are valid `F::T` values of input 0, contiguous here.
                        let xs = unsafe { std::slice::from_raw_parts(ptrs[0] as *const F::T, n) };
                        return pairwise(self.f, xs);
                    }
                    Body::Input => {
                        for i in 0..run {
                            // SAFETY: as above, element `i` of the run, possibly unaligned
                            // (strided views); `dst` has room for `block >= n` values.
                            unsafe {
                                let v = (ptrs[0].wrapping_offset(i as isize * strides[0])
                                    as *const F::T)
                                    .read_unaligned();
                                (dst.add((done + i) * size) as *mut F::T).write(v);
                            }
                        }
                    }
                    Body::Map(kernel) => {
                        // SAFETY: `reduce`'s caller guarantees every index of the layout
                        // maps to valid input bytes and `kernel` implements the ABI; `dst`
                        // has room for `block >= n` values and the kernel scratch for
                        // `block` elements.
                        let code = unsafe {
                            kernel(
                                run,
                                ptrs.as_ptr(),
                                strides.as_ptr(),
                                dst.add(done * size),
                                size as isize,
                                kscratch,
                            )
                        };
                        if code != 0 {
                            self.status.fetch_min(code, Ordering::Relaxed);
                        }
                    }
                }
                done += run;
                pos += run;
            }
            // SAFETY: the kernel wrote `n` values of `F::T` at `dst` (16-byte aligned,
            // which suffices since `reduce` checked the alignment of `F::T`).
            let xs = unsafe { std::slice::from_raw_parts(dst as *const F::T, n) };
            pairwise(self.f, xs)
        })
    }
}

/// Reduces: `out[o]` = the fold of output position `o`'s sequence of kernel values.
/// Returns `Err(code)` with the smallest nonzero kernel status (`u32::MAX` for a bad
/// call). The value of every output is bitwise independent of `opts`.
///
/// # Safety
/// * `lay` was built for `ins.len()` inputs, and for every (kept, reduced) index,
///   `ins[k] + Σ idx·strides` is valid for reads of one element of input `k`;
/// * `Body::Map(kernel)` implements [`KernelFn`] for those inputs, writes one `F::T` per
///   element (its output dtype has `F::T`'s layout) and needs at most
///   `scratch_per_elem` bytes of scratch per element; `Body::Fold(kernel)` implements
///   [`FoldFn`] likewise, folding with `f`'s operation and identity; `Body::Input`
///   means there is exactly one input and its elements are the values (of type
///   `F::T`), read in place.
pub unsafe fn reduce<F: Fold>(
    f: F,
    lay: &Layout,
    ins: &[*const u8],
    body: Body,
    scratch_per_elem: usize,
    out: &mut [F::T],
    opts: &LaunchOptions,
) -> Result<(), u32> {
    if ins.len() > MAX_INPUTS
        || lay.red_strides.len() != ins.len()
        || lay.kept_strides.len() != ins.len()
        || out.len() != lay.outputs()
        || std::mem::align_of::<F::T>() > 16
        || (matches!(body, Body::Input) && ins.len() != 1)
        || (matches!(body, Body::Fold(_)) && !lay.is_single_run())
    {
        return Err(u32::MAX);
    }
    let len = lay.len();
    if out.is_empty() {
        return Ok(());
    }
    if len == 0 {
        out.fill(f.identity());
        return Ok(());
    }
    let block = match (opts.block_len, body) {
        (0, Body::Fold(_)) => DEFAULT_FOLD_BLOCK,
        (0, _) => DEFAULT_REDUCE_BLOCK,
        (b, _) => b,
    }
    .max(LEAF);
    let status = AtomicU32::new(u32::MAX);
    let job = Job {
        f,
        lay,
        ins,
        body,
        scratch_per_elem,
        block,
        status: &status,
    };
    let nthreads = match opts.threads {
        0 => threads::num_threads(),
        t => t,
    };
    let serial_below = match opts.serial_below {
        0 => crate::launch::DEFAULT_SERIAL_BELOW,
        s => s,
    };
    let total = len.saturating_mul(out.len());
    let pool = if nthreads > 1 && total >= serial_below {
        threads::pool(nthreads)
    } else {
        None
    };
    let one = |o: usize, slot: &mut F::T, par: bool| {
        let base = job.base(o);
        // SAFETY: forwarded contract of `reduce`.
        *slot = unsafe { job.tree(&base, 0, len, par) };
    };
    match pool {
        // One long sequence (or few): split the tree itself across threads.
        Some(pool) if out.len() < nthreads => pool.install(|| {
            for (o, slot) in out.iter_mut().enumerate() {
                one(o, slot, true);
            }
        }),
        // Many outputs: each is folded by one thread; outputs are split in chunks.
        Some(pool) => {
            let per = (block * 4 / len).max(1);
            pool.install(|| {
                out.par_chunks_mut(per).enumerate().for_each(|(c, chunk)| {
                    for (i, slot) in chunk.iter_mut().enumerate() {
                        one(c * per + i, slot, false);
                    }
                })
            })
        }
        None => {
            for (o, slot) in out.iter_mut().enumerate() {
                one(o, slot, false);
            }
        }
    }
    match status.into_inner() {
        u32::MAX => Ok(()),
        code => Err(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    struct Add;
    impl Fold for Add {
        type T = f64;
        fn identity(self) -> f64 {
            0.0
        }
        fn combine(self, a: f64, b: f64) -> f64 {
            a + b
        }
    }

    /// out[i] = in[i] (f64).
    unsafe extern "C" fn copy(
        n: usize,
        ins: *const *const u8,
        strides: *const isize,
        out: *mut u8,
        out_stride: isize,
        _scratch: *mut u8,
    ) -> u32 {
        // SAFETY: the ABI: one input, n elements at the given byte strides.
        unsafe {
            for i in 0..n as isize {
                let v = (((*ins).offset(i * *strides)) as *const f64).read_unaligned();
                (out.offset(i * out_stride) as *mut f64).write_unaligned(v);
            }
        }
        0
    }

    /// The fold ABI over one f64 input: each leaf folded by `pairwise`.
    unsafe extern "C" fn fold_sum(
        n: usize,
        ins: *const *const u8,
        strides: *const isize,
        out: *mut u8,
        lens: *const usize,
        _scratch: *mut u8,
    ) -> u32 {
        let (mut i, mut k) = (0usize, 0usize);
        while i < n {
            // SAFETY: the ABI: leaf lengths sum to `n`; one input at the given stride.
            unsafe {
                let m = *lens.add(k);
                let xs: Vec<f64> = (i..i + m)
                    .map(|j| ((*ins).offset(j as isize * *strides) as *const f64).read_unaligned())
                    .collect();
                (out as *mut f64).add(k).write(pairwise(Add, &xs));
                i += m;
            }
            k += 1;
        }
        0
    }

    #[test]
    fn schedules_follow_the_tree() {
        for n in [1usize, 7, 8, 128, 129, 1000, 100_003] {
            let s = Schedule::new(n);
            assert_eq!(s.lens.iter().sum::<usize>(), n);
            assert!(s.lens.iter().all(|&m| m <= LEAF));
            let x: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 1.0)).collect();
            let mut vals = Vec::new();
            let mut at = 0;
            for &m in &s.lens {
                vals.push(pairwise(Add, &x[at..at + m]));
                at += m;
            }
            let got = s.combine(Add, &vals);
            assert_eq!(got.to_bits(), pairwise(Add, &x).to_bits(), "{n}");
        }
    }

    #[test]
    fn layout_coalesces_and_keeps() {
        let l = Layout::new(&[3, 4], &[&[32, 8]], 0b11).unwrap();
        assert_eq!((l.red.clone(), l.outputs()), (vec![12], 1));
        let l = Layout::new(&[3, 4], &[&[32, 8]], 0b01).unwrap();
        assert_eq!((l.kept.clone(), l.red.clone()), (vec![4], vec![3]));
        assert_eq!(l.inner_stride(0), 32);
        let l = Layout::new(&[3, 0], &[&[0, 8]], 0b10).unwrap();
        assert!(l.is_empty());
        assert!(Layout::new(&[3], &[&[8]], 0b10).is_none());
        // Two reduced axes around a kept one: two runs per sequence.
        let l = Layout::new(&[2, 3, 4], &[&[96, 32, 8]], 0b101).unwrap();
        assert_eq!((l.kept.clone(), l.red.clone()), (vec![3], vec![2, 4]));
    }

    #[test]
    fn kernel_driver_equals_pairwise_for_any_split() {
        let x: Vec<f64> = (0..100_003)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.1)
            .collect();
        let want = pairwise(Add, &x);
        let lay = Layout::new(&[x.len()], &[&[8]], 1).unwrap();
        for threads in [1, 2, 3] {
            for block_len in [1, 200, 4096, 0] {
                let opts = LaunchOptions {
                    threads,
                    block_len,
                    serial_below: 1,
                };
                // With the copy kernel, and without a kernel (values read in place).
                for kernel in [Body::Map(copy), Body::Input, Body::Fold(fold_sum)] {
                    let mut out = [0.0f64];
                    // SAFETY: the layout maps indices inside `x`; `copy` writes f64.
                    let r = unsafe {
                        reduce(
                            Add,
                            &lay,
                            &[x.as_ptr() as *const u8],
                            kernel,
                            0,
                            &mut out,
                            &opts,
                        )
                    };
                    assert_eq!(r, Ok(()));
                    assert_eq!(out[0].to_bits(), want.to_bits(), "{threads} {block_len}");
                }
            }
        }
    }
}
