//! Memory maps of whole files (memmap2) for out-of-core evaluation, block reservation
//! (`posix_fallocate`), paging hints (`madvise`) and the process-wide signal guard that
//! removes a half-written output when the process dies. Every `unsafe` that mapping
//! needs lives here. Knows nothing of `.npy` headers or dtypes beyond "plain element
//! types" ([`Plain`]) and `bool`.
//!
//! # The hazard of mapping a file, and what numjit does about it
//! A mapped file can be changed by another process while it is mapped:
//! * **Truncated**: touching a page past the new end raises `SIGBUS`. numjit checks the
//!   file's length against what the header promises *before* mapping (so a file that is
//!   already short is an ordinary error), and [`install_signal_guard`] turns a `SIGBUS`
//!   during the run into a one-line error, removes the temporary output file and exits
//!   with status 1 — never a half-written output under the final name.
//! * **Written to**: the values read are then whatever happens to be there, as with
//!   `np.load(mmap_mode='r')`. Rust cannot rule this out (it is the caveat of every
//!   memory map); numjit's part is that no memory safety depends on the *values*: the
//!   kernels compute on raw bytes, element types accept every bit pattern ([`Plain`]),
//!   and `bool` bytes are validated when a view is made. The documented rule is: do not
//!   modify an input while numjit runs.

use memmap2::{Advice, Mmap, MmapMut, MmapOptions, UncheckedAdvice};
use num_complex::Complex;
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Element types for which every bit pattern of the right size is a valid value, with
/// no padding: a mapped byte range of the right length and alignment can be viewed
/// as a slice of them.
///
/// # Safety
/// Implement only for types with no invalid bit patterns and no padding bytes.
pub unsafe trait Plain: Copy + 'static {}
// SAFETY: integers and floats of these widths accept every bit pattern, no padding.
unsafe impl Plain for u8 {}
// SAFETY: as above.
unsafe impl Plain for i32 {}
// SAFETY: as above.
unsafe impl Plain for i64 {}
// SAFETY: as above.
unsafe impl Plain for f32 {}
// SAFETY: as above.
unsafe impl Plain for f64 {}
// SAFETY: `Complex<f64>` is `#[repr(C)] { re: f64, im: f64 }`: 16 bytes, no padding.
unsafe impl Plain for Complex<f64> {}

/// The byte range `[offset, offset + n * size_of::<T>())` of `len` bytes at `base`,
/// if it is in range and `base + offset` is aligned for `T`.
fn checked_range<T>(base: *const u8, len: usize, offset: usize, n: usize) -> Option<usize> {
    let bytes = n.checked_mul(std::mem::size_of::<T>())?;
    let end = offset.checked_add(bytes)?;
    if end > len || !(base as usize + offset).is_multiple_of(std::mem::align_of::<T>()) {
        return None;
    }
    Some(bytes)
}

/// A read-only shared mapping of a whole file.
#[derive(Debug)]
pub struct ReadMap {
    map: Mmap,
}

impl ReadMap {
    /// Maps all of `file`, which must be at least `min_len` bytes long *now* (its
    /// length is checked right before mapping, so a short file is an error and never a
    /// `SIGBUS`). An empty file cannot be mapped and is reported as `InvalidInput`.
    pub fn open(file: &File, min_len: u64) -> io::Result<ReadMap> {
        let len = file.metadata()?.len();
        if len < min_len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than its header says",
            ));
        }
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty file"));
        }
        // SAFETY: mapping a file is sound as long as nobody truncates or writes it
        // while it is mapped; see the module docs for how numjit handles both (length
        // checked just above, SIGBUS guard, no reliance on values for memory safety).
        let map = unsafe { MmapOptions::new().map(file)? };
        Ok(ReadMap { map })
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `n` elements of `T` starting `offset` bytes into the file; `None` when out of
    /// range or misaligned for `T` (the caller then falls back to reading).
    pub fn typed<T: Plain>(&self, offset: usize, n: usize) -> Option<&[T]> {
        checked_range::<T>(self.map.as_ptr(), self.map.len(), offset, n)?;
        // SAFETY: the range is inside the mapping (checked), aligned for T (checked),
        // and T accepts every bit pattern (`Plain`). The slice borrows `self`, so the
        // mapping outlives it.
        Some(unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(offset).cast(), n) })
    }

    /// `n` bools starting at `offset`, if every byte is 0 or 1 (a byte other than
    /// those is not a valid `bool`); `None` otherwise or when out of range.
    pub fn bools(&self, offset: usize, n: usize) -> Option<&[bool]> {
        let bytes = self.typed::<u8>(offset, n)?;
        if bytes.iter().any(|&b| b > 1) {
            return None;
        }
        // SAFETY: every byte was just checked to be 0 or 1, the valid `bool` values;
        // same size and alignment as u8.
        Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), n) })
    }

    /// Tells the kernel the file will be read front to back (more read-ahead).
    pub fn advise_sequential(&self) {
        let _ = self.map.advise(Advice::Sequential);
    }

    /// Drops this process's page-table entries for the whole pages inside
    /// `[offset, offset + len)`, which it has finished reading (the data stays in the
    /// file and in the page cache; a later read faults it back in).
    pub fn release(&self, offset: usize, len: usize) {
        if let Some((o, l)) = whole_pages(offset, len, self.map.len()) {
            // SAFETY: the mapping is a read-only shared file mapping: MADV_DONTNEED
            // only drops page-table entries, and the next access reads the same bytes
            // from the file, so no live reference observes a change.
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(UncheckedAdvice::DontNeed, o, l)
            };
        }
    }
}

/// `[offset, offset+len)` shrunk to whole pages, clamped to `total`.
fn whole_pages(offset: usize, len: usize, total: usize) -> Option<(usize, usize)> {
    let page = page_size();
    let start = offset.next_multiple_of(page);
    let end = (offset.saturating_add(len)).min(total) / page * page;
    (end > start).then(|| (start, end - start))
}

fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let p = if p > 0 { p as usize } else { 4096 };
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// A writable shared mapping of a whole file: numjit's `--out` (a fresh file) or an
/// input updated in place.
#[derive(Debug)]
pub struct WriteMap {
    map: MmapMut,
    /// Created by [`WriteMap::create`]: every byte past what the caller wrote is 0.
    fresh: bool,
}

/// Reserves the blocks for the first `len` bytes of `file` (growing it to `len`), so
/// that writing through a map later cannot fail for lack of space: a full disk is an
/// `ENOSPC` error here instead of a `SIGBUS` in the middle of the computation. A file
/// size limit (`ulimit -f`) gives `EFBIG` (the `SIGXFSZ` signal must be ignored, see
/// [`install_signal_guard`]).
pub fn reserve(file: &File, len: u64) -> io::Result<()> {
    let Ok(l) = libc::off_t::try_from(len) else {
        return Err(io::Error::from_raw_os_error(libc::EFBIG));
    };
    if l == 0 {
        return Ok(());
    }
    // SAFETY: plain system call on an open descriptor we borrow for its duration.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, l) };
    match rc {
        0 => Ok(()),
        // Filesystems without fallocate: fall back to a sparse length (the blocks are
        // then only allocated as the map is written).
        libc::EOPNOTSUPP | libc::EINVAL => file.set_len(len),
        e => Err(io::Error::from_raw_os_error(e)),
    }
}

impl WriteMap {
    /// Reserves `len` bytes for the fresh, empty `file` (opened read + write) and maps
    /// it. The bytes read as zeros until written.
    pub fn create(file: &File, len: u64) -> io::Result<WriteMap> {
        if file.metadata()?.len() != 0 {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the output file is not empty",
            ));
        }
        reserve(file, len)?;
        if file.metadata()?.len() != len {
            return Err(io::Error::other("the output file has the wrong length"));
        }
        let mut w = WriteMap::open(file, len)?;
        w.fresh = true;
        Ok(w)
    }

    /// Maps all of the existing `file` (opened read + write) for updating in place;
    /// it must be at least `min_len` bytes long.
    pub fn open(file: &File, min_len: u64) -> io::Result<WriteMap> {
        let len = file.metadata()?.len();
        if len < min_len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than its header says",
            ));
        }
        if len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty file"));
        }
        // SAFETY: as for `ReadMap::open`: the length was checked just before mapping,
        // a later truncation by another process is caught by the SIGBUS guard, and
        // concurrent writers can only change values, not make numjit unsound (bools
        // are validated before they are viewed).
        let map = unsafe { MmapOptions::new().map_mut(file)? };
        Ok(WriteMap { map, fresh: false })
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The whole mapping as bytes (to write a header).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.map
    }

    /// Read-only typed view, as [`ReadMap::typed`].
    pub fn typed<T: Plain>(&self, offset: usize, n: usize) -> Option<&[T]> {
        checked_range::<T>(self.map.as_ptr(), self.map.len(), offset, n)?;
        // SAFETY: in range, aligned, T accepts every bit pattern; borrows self.
        Some(unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(offset).cast(), n) })
    }

    /// Mutable typed view, as [`ReadMap::typed`].
    pub fn typed_mut<T: Plain>(&mut self, offset: usize, n: usize) -> Option<&mut [T]> {
        checked_range::<T>(self.map.as_ptr(), self.map.len(), offset, n)?;
        // SAFETY: in range, aligned, T accepts every bit pattern; the slice borrows
        // `self` mutably, so it is the only reference into the mapping.
        Some(unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(offset).cast(), n) })
    }

    /// Read-only bool view, as [`ReadMap::bools`].
    pub fn bools(&self, offset: usize, n: usize) -> Option<&[bool]> {
        let bytes = self.typed::<u8>(offset, n)?;
        if bytes.iter().any(|&b| b > 1) {
            return None;
        }
        // SAFETY: every byte is 0 or 1 (checked); bool has u8's size and alignment.
        Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), n) })
    }

    /// Mutable bool view. A fresh file is all zeros (`false`) wherever the caller has
    /// not written; an existing file is validated first.
    pub fn bools_mut(&mut self, offset: usize, n: usize) -> Option<&mut [bool]> {
        let fresh = self.fresh;
        let bytes = self.typed_mut::<u8>(offset, n)?;
        if !fresh && bytes.iter().any(|&b| b > 1) {
            return None;
        }
        // SAFETY: every byte is 0 or 1: checked above, or the file was created empty
        // and reserved by `create` (reads as zeros) and callers only store bools.
        Some(unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast(), n) })
    }

    /// Writes the dirty pages in `[offset, offset+len)` back to the file and waits.
    pub fn flush_range(&self, offset: usize, len: usize) -> io::Result<()> {
        let end = offset.saturating_add(len).min(self.map.len());
        if end > offset {
            self.map.flush_range(offset, end - offset)
        } else {
            Ok(())
        }
    }

    /// Starts writing the dirty pages in `[offset, offset+len)` back, without waiting.
    pub fn flush_async_range(&self, offset: usize, len: usize) -> io::Result<()> {
        let end = offset.saturating_add(len).min(self.map.len());
        if end > offset {
            self.map.flush_async_range(offset, end - offset)
        } else {
            Ok(())
        }
    }

    /// Writes every dirty page back and waits.
    pub fn flush(&self) -> io::Result<()> {
        self.map.flush()
    }

    /// Drops this process's page-table entries for the whole pages inside the range,
    /// which it has finished writing (dirty pages stay in the page cache and reach the
    /// file; see [`ReadMap::release`]).
    pub fn release(&self, offset: usize, len: usize) {
        if let Some((o, l)) = whole_pages(offset, len, self.map.len()) {
            // SAFETY: a shared file mapping: MADV_DONTNEED drops page-table entries
            // and hands their dirty state to the page cache, so the file keeps every
            // byte written and a later access reads the same bytes back. No live
            // reference is invalidated (the caller holds none into the range).
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(UncheckedAdvice::DontNeed, o, l)
            };
        }
    }
}

// ---- signal guard -------------------------------------------------------------------

/// The temporary output file to remove if the process dies: a leaked C string.
static CLEANUP: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());
/// The message for a `SIGBUS`: pointer and length of a `'static` str.
static BUS_MSG: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static BUS_LEN: AtomicUsize = AtomicUsize::new(0);

/// Sets (or with `None` clears) the file to remove when the process is killed by
/// `SIGINT`, `SIGTERM`, `SIGHUP` or dies of a `SIGBUS` while the guard is installed.
/// A `SIGKILL` cannot be caught: the temporary file then stays behind (under its
/// hidden temporary name — never under the final one).
pub fn set_cleanup_path(path: Option<&Path>) {
    let new = path
        .and_then(|p| CString::new(p.as_os_str().as_bytes()).ok())
        .map_or(std::ptr::null_mut(), CString::into_raw);
    // The previous string is leaked on purpose: a signal handler may be reading it.
    CLEANUP.swap(new, Ordering::SeqCst);
}

extern "C" fn on_bus(_sig: libc::c_int) {
    // Only async-signal-safe calls: write, unlink, _exit.
    let msg = BUS_MSG.load(Ordering::SeqCst);
    let len = BUS_LEN.load(Ordering::SeqCst);
    // SAFETY: msg/len describe a 'static str set by `install_signal_guard` (or are
    // null/0); CLEANUP is null or a leaked NUL-terminated string.
    unsafe {
        if !msg.is_null() {
            libc::write(2, msg as *const libc::c_void, len);
        }
        let p = CLEANUP.load(Ordering::SeqCst);
        if !p.is_null() {
            libc::unlink(p);
        }
        libc::_exit(1);
    }
}

extern "C" fn on_stop(sig: libc::c_int) {
    // SAFETY: async-signal-safe calls only; CLEANUP is null or a leaked C string.
    // Restoring the default action and re-raising makes the exit status report the
    // signal, as if numjit had not caught it.
    unsafe {
        let p = CLEANUP.load(Ordering::SeqCst);
        if !p.is_null() {
            libc::unlink(p);
        }
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Installs the process-wide guard for a command-line run (not for library use):
/// * `SIGXFSZ` is ignored, so exceeding a file-size limit is an `EFBIG` error from the
///   write or reservation instead of killing the process;
/// * `SIGBUS` (a mapped file truncated under us) prints `bus_message` on stderr,
///   removes the temporary output and exits with status 1;
/// * `SIGINT`, `SIGTERM`, `SIGHUP` remove the temporary output, then terminate as
///   the signal would have.
pub fn install_signal_guard(bus_message: &'static str) {
    BUS_LEN.store(bus_message.len(), Ordering::SeqCst);
    BUS_MSG.store(bus_message.as_ptr() as *mut u8, Ordering::SeqCst);
    // SAFETY: installing handlers that only make async-signal-safe calls; the
    // sigaction struct is fully initialised (zeroed, then the fields we use).
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        for (sig, handler) in [
            (libc::SIGBUS, on_bus as extern "C" fn(libc::c_int)),
            (libc::SIGINT, on_stop),
            (libc::SIGTERM, on_stop),
            (libc::SIGHUP, on_stop),
        ] {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = 0;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn typed_views_check_range_and_alignment() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&[0u8; 64]).unwrap();
        f.write_all(&1.5f64.to_le_bytes()).unwrap();
        f.write_all(&[1, 0, 2]).unwrap();
        let m = ReadMap::open(&f, 75).unwrap();
        assert_eq!(
            m.typed::<f64>(64, 1).unwrap()[0].to_le_bytes(),
            1.5f64.to_le_bytes()
        );
        assert!(m.typed::<f64>(65, 1).is_none(), "misaligned");
        assert!(m.typed::<f64>(64, 2).is_none(), "past the end");
        assert_eq!(m.bools(72, 2).unwrap(), &[true, false]);
        assert!(m.bools(72, 3).is_none(), "2 is not a bool");
        assert!(ReadMap::open(&f, 76).is_err(), "shorter than promised");
    }

    #[test]
    fn create_reserves_and_maps_zeros() {
        let f = tempfile::tempfile().unwrap();
        let mut w = WriteMap::create(&f, 4096 + 24).unwrap();
        assert_eq!(f.metadata().unwrap().len(), 4096 + 24);
        assert!(w.bools_mut(4096, 24).unwrap().iter().all(|&b| !b));
        w.typed_mut::<i64>(4096, 3).unwrap()[2] = -7;
        w.flush().unwrap();
        w.release(0, w.len());
        assert_eq!(w.typed::<i64>(4096, 3).unwrap(), &[0, 0, -7]);
        assert!(WriteMap::create(&f, 10).is_err(), "not empty");
    }

    #[test]
    fn whole_pages_shrinks_inwards() {
        let p = page_size();
        assert_eq!(whole_pages(1, p, 10 * p), None);
        assert_eq!(whole_pages(1, 3 * p, 10 * p), Some((p, 2 * p)));
        assert_eq!(whole_pages(0, 20 * p, 10 * p), Some((0, 10 * p)));
    }
}
