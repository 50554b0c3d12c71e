//! Strided element copies written in Rust with the kernel ABI, so that [`crate::launch`]
//! can copy a temporary into an overlapping `out`. Copies bytes; knows no dtypes.

use crate::KernelFn;

macro_rules! copy_kernel {
    ($name:ident, $t:ty) => {
        /// # Safety
        /// The [`KernelFn`] ABI with one input of this element size.
        unsafe extern "C" fn $name(
            n: usize,
            ins: *const *const u8,
            strides: *const isize,
            out: *mut u8,
            out_stride: isize,
            _scratch: *mut u8,
        ) -> u32 {
            // SAFETY: the ABI guarantees one input pointer and stride, and that element
            // i of input and output is valid at base + i*stride; unaligned accesses
            // are used because strided views need not be aligned.
            unsafe {
                let src = *ins;
                let s = *strides;
                for i in 0..n as isize {
                    let v = (src.offset(i * s) as *const $t).read_unaligned();
                    (out.offset(i * out_stride) as *mut $t).write_unaligned(v);
                }
            }
            0
        }
    };
}
copy_kernel!(copy1, u8);
copy_kernel!(copy4, u32);
copy_kernel!(copy8, u64);
copy_kernel!(copy16, u128);

/// The copy kernel for elements of `itemsize` bytes (1, 4, 8 or 16).
pub fn copy_kernel(itemsize: usize) -> Option<KernelFn> {
    Some(match itemsize {
        1 => copy1,
        4 => copy4,
        8 => copy8,
        16 => copy16,
        _ => return None,
    })
}
