//! Iteration plans: the broadcast output shape with per-operand byte strides, with
//! size-1 dimensions dropped, dimensions ordered by the output's memory order,
//! negative output strides flipped, and adjacent dimensions coalesced whenever every
//! operand steps through them as one. Deals in bytes; knows nothing of dtypes.

use smallvec::SmallVec;

/// Per-dimension or per-operand vectors: on the stack up to 4 entries, so typical
/// evaluations (≤ 4 dims, ≤ 3 inputs) build their plan without touching the allocator.
pub type Small<T> = SmallVec<[T; 4]>;
/// The stride table (operands × dims): on the stack up to 8 entries.
pub type Table = SmallVec<[isize; 8]>;

/// A normalised iteration space. Dimension 0 is outermost; the last one is the
/// innermost run handed to kernels. Never empty: a 0-d space is one dimension of 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Extent of every dimension.
    pub dims: Small<usize>,
    /// Byte strides, operand-major: operand `k`'s stride along dim `d` is
    /// `strides[k * dims.len() + d]` (see [`Plan::stride`]); operand 0 is the output.
    pub strides: Table,
    /// Byte offset added to each operand's base pointer (from flipping dimensions).
    pub offsets: Small<isize>,
}

impl Plan {
    /// Builds a plan for `shape`, where `strides[k]` are operand `k`'s byte strides
    /// (operand 0 = out; broadcast dimensions have stride 0), all of length `shape.len()`.
    /// Returns `None` if a stride vector has the wrong length or an offset overflows.
    pub fn new(shape: &[usize], strides: &[&[isize]]) -> Option<Plan> {
        if strides.iter().any(|s| s.len() != shape.len()) || strides.is_empty() {
            return None;
        }
        let ops = strides.len();
        let mut offsets: Small<isize> = smallvec::smallvec![0; ops];
        if shape.contains(&0) {
            return Some(Plan {
                dims: smallvec::smallvec![0],
                strides: smallvec::smallvec![0; ops],
                offsets,
            });
        }
        // Keep dims that matter; flip dims where the output walks backwards so that a
        // reversed output (and inputs reversed alike) become forward runs. `sign[d]`
        // is -1 for flipped dims.
        let mut keep: Small<usize> = (0..shape.len()).filter(|&d| shape[d] > 1).collect();
        let st = |k: usize, d: usize, sign: &[isize]| strides[k][d] * sign[d];
        let mut sign: Small<isize> = smallvec::smallvec![1; shape.len()];
        for &d in &keep {
            if strides[0][d] < 0 {
                let last = isize::try_from(shape[d] - 1).ok()?;
                for k in 0..ops {
                    offsets[k] = offsets[k].checked_add(last.checked_mul(strides[k][d])?)?;
                }
                sign[d] = -1;
            }
        }
        // Outer-to-inner by decreasing output stride (stable: ties keep logical order),
        // so the innermost run is the output's contiguous direction.
        keep.sort_by_key(|&d| std::cmp::Reverse(strides[0][d].unsigned_abs()));
        // Coalesce: `dims` are the merged extents, `inner[j]` the innermost source dim
        // of merged dim j (whose strides it steps with).
        let mut dims: Small<usize> = SmallVec::new();
        let mut inner: Small<usize> = SmallVec::new();
        for &d in &keep {
            let n = shape[d];
            if let (Some(last), Some(&prev)) = (dims.last_mut(), inner.last()) {
                // Merge d into the previous (outer) dim when, for every operand,
                // stepping the outer dim once equals stepping d n times.
                let merge = (0..ops).all(|k| {
                    isize::try_from(n)
                        .ok()
                        .and_then(|n| st(k, d, &sign).checked_mul(n))
                        .is_some_and(|v| v == st(k, prev, &sign))
                });
                if merge {
                    *last *= n;
                    *inner.last_mut().expect("same length as dims") = d;
                    continue;
                }
            }
            dims.push(n);
            inner.push(d);
        }
        let nd = dims.len().max(1);
        let mut out: Table = smallvec::smallvec![0; ops * nd];
        for k in 0..ops {
            for (j, &d) in inner.iter().enumerate() {
                out[k * nd + j] = st(k, d, &sign);
            }
        }
        if dims.is_empty() {
            dims.push(1);
        }
        Some(Plan {
            dims,
            strides: out,
            offsets,
        })
    }

    /// The plan of `n` elements that every operand walks contiguously (element size
    /// `itemsizes[k]` bytes for operand `k`, output first): what [`Plan::new`] gives for
    /// C-contiguous operands of one shape, without the sorting and coalescing.
    pub fn flat(n: usize, itemsizes: &[isize]) -> Plan {
        Plan {
            dims: smallvec::smallvec![n],
            strides: SmallVec::from_slice(itemsizes),
            offsets: smallvec::smallvec![0; itemsizes.len()],
        }
    }

    /// Total number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of operands (the output and every input).
    pub fn operands(&self) -> usize {
        self.offsets.len()
    }

    /// Byte stride of operand `k` along dimension `d`.
    pub fn stride(&self, k: usize, d: usize) -> isize {
        self.strides[k * self.dims.len() + d]
    }

    /// Byte stride of operand `k` along the innermost dimension.
    pub fn inner_stride(&self, k: usize) -> isize {
        self.stride(k, self.dims.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_2d_coalesces() {
        let p = Plan::new(&[3, 4], &[&[32, 8], &[32, 8]]).unwrap();
        assert_eq!(p.dims.as_slice(), [12]);
        assert_eq!(p.strides.as_slice(), [8, 8]);
    }

    #[test]
    fn broadcast_row_does_not_coalesce() {
        let p = Plan::new(&[3, 4], &[&[32, 8], &[0, 8]]).unwrap();
        assert_eq!(p.dims.as_slice(), [3, 4]);
        assert_eq!((p.stride(1, 0), p.inner_stride(1)), (0, 8));
    }

    #[test]
    fn reversed_flips() {
        let p = Plan::new(&[5], &[&[-8], &[-8]]).unwrap();
        assert_eq!(p.dims.as_slice(), [5]);
        assert_eq!(p.strides.as_slice(), [8, 8]);
        assert_eq!(p.offsets.as_slice(), [-32, -32]);
    }

    #[test]
    fn flat_equals_the_general_plan_of_contiguous_operands() {
        let p = Plan::new(&[3, 4, 5], &[&[160, 40, 8], &[80, 20, 4]]).unwrap();
        assert_eq!(Plan::flat(60, &[8, 4]), p);
        let e = Plan::new(&[3, 0], &[&[0, 8], &[0, 8]]).unwrap();
        assert_eq!(Plan::flat(0, &[8, 8]).len(), e.len());
    }

    #[test]
    fn zero_d_and_empty() {
        let p = Plan::new(&[], &[&[], &[]]).unwrap();
        assert_eq!(p.dims.as_slice(), [1]);
        let p = Plan::new(&[3, 0], &[&[0, 8], &[0, 8]]).unwrap();
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn fortran_out_iterates_in_memory_order() {
        let p = Plan::new(&[3, 4], &[&[8, 24], &[8, 24]]).unwrap();
        assert_eq!(p.dims.as_slice(), [12]);
    }
}
