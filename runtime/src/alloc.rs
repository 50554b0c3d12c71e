//! Allocation of big fresh outputs so that first-touch page faults don't dominate:
//! the buffer comes from the global allocator (so it is an ordinary `Vec`), and the
//! range is advised `MADV_HUGEPAGE` before anything touches it, which lets the kernel
//! back it with 2 MiB pages (this machine runs THP in `madvise` mode). Owns nothing
//! about what is stored in the buffer.

/// Outputs at least this big are advised to use huge pages.
pub const HUGEPAGE_MIN_BYTES: usize = 4 << 20;

/// A `Vec<T>` with capacity for exactly `n` elements and length 0. The caller writes
/// all `n` elements through `as_mut_ptr()` and then calls `set_len(n)`.
/// `T` must be a plain-old-data element type (every byte pattern the kernel writes is
/// a valid `T`).
pub fn output_buffer<T: Copy>(n: usize) -> Vec<T> {
    let v: Vec<T> = Vec::with_capacity(n);
    let bytes = n.saturating_mul(std::mem::size_of::<T>());
    if bytes >= HUGEPAGE_MIN_BYTES {
        advise_hugepages(v.as_ptr() as usize, bytes);
    }
    v
}

#[cfg(target_os = "linux")]
fn advise_hugepages(addr: usize, bytes: usize) {
    const HUGE: usize = 2 << 20;
    // Only whole 2 MiB pages inside the buffer can be huge; advise exactly those.
    let start = addr.next_multiple_of(HUGE);
    let end = (addr + bytes) & !(HUGE - 1);
    if end > start {
        // SAFETY: [start, end) lies inside the allocation we own and hasn't been handed
        // out; MADV_HUGEPAGE only changes how future faults are served, never the
        // contents or validity of the mapping. Failure (e.g. THP disabled) is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_hugepages(_addr: usize, _bytes: usize) {}
