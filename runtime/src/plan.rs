//! Iteration plans: the broadcast output shape with per-operand byte strides, with
//! size-1 dimensions dropped, dimensions ordered by the output's memory order,
//! negative output strides flipped, and adjacent dimensions coalesced whenever every
//! operand steps through them as one. Deals in bytes; knows nothing of dtypes.

/// A normalised iteration space. Dimension 0 is outermost; the last one is the
/// innermost run handed to kernels. Never empty: a 0-d space is one dimension of 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Extent of every dimension.
    pub dims: Vec<usize>,
    /// Byte strides, `strides[operand][dim]`; operand 0 is the output, then inputs.
    pub strides: Vec<Vec<isize>>,
    /// Byte offset added to each operand's base pointer (from flipping dimensions).
    pub offsets: Vec<isize>,
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
        let mut offsets = vec![0isize; ops];
        if shape.contains(&0) {
            return Some(Plan {
                dims: vec![0],
                strides: vec![vec![0]; ops],
                offsets,
            });
        }
        // Keep dims that matter; flip dims where the output walks backwards so that a
        // reversed output (and inputs reversed alike) become forward runs.
        let mut keep: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] > 1).collect();
        let mut st: Vec<Vec<isize>> = strides.iter().map(|s| s.to_vec()).collect();
        for &d in &keep {
            if st[0][d] < 0 {
                let last = isize::try_from(shape[d] - 1).ok()?;
                for k in 0..ops {
                    offsets[k] = offsets[k].checked_add(last.checked_mul(st[k][d])?)?;
                    st[k][d] = -st[k][d];
                }
            }
        }
        // Outer-to-inner by decreasing output stride (stable: ties keep logical order),
        // so the innermost run is the output's contiguous direction.
        keep.sort_by_key(|&d| std::cmp::Reverse(st[0][d].unsigned_abs()));
        let mut dims: Vec<usize> = Vec::with_capacity(keep.len().max(1));
        let mut out: Vec<Vec<isize>> = vec![Vec::with_capacity(keep.len().max(1)); ops];
        for &d in &keep {
            let n = shape[d];
            if !dims.is_empty() {
                // Merge d into the previous (outer) dim when, for every operand,
                // stepping the outer dim once equals stepping d n times.
                let merge = (0..ops).all(|k| {
                    let outer = *out[k].last().unwrap_or(&0);
                    isize::try_from(n)
                        .ok()
                        .and_then(|n| st[k][d].checked_mul(n))
                        .is_some_and(|v| v == outer)
                });
                if merge {
                    let last = dims.len() - 1;
                    dims[last] *= n;
                    for k in 0..ops {
                        let l = out[k].len() - 1;
                        out[k][l] = st[k][d];
                    }
                    continue;
                }
            }
            dims.push(n);
            for k in 0..ops {
                out[k].push(st[k][d]);
            }
        }
        if dims.is_empty() {
            dims.push(1);
            for s in &mut out {
                s.push(0);
            }
        }
        Some(Plan {
            dims,
            strides: out,
            offsets,
        })
    }

    /// Total number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Byte stride of operand `k` along the innermost dimension.
    pub fn inner_stride(&self, k: usize) -> isize {
        *self.strides[k].last().unwrap_or(&0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_2d_coalesces() {
        let p = Plan::new(&[3, 4], &[&[32, 8], &[32, 8]]).unwrap();
        assert_eq!(p.dims, vec![12]);
        assert_eq!(p.strides, vec![vec![8], vec![8]]);
    }

    #[test]
    fn broadcast_row_does_not_coalesce() {
        let p = Plan::new(&[3, 4], &[&[32, 8], &[0, 8]]).unwrap();
        assert_eq!(p.dims, vec![3, 4]);
    }

    #[test]
    fn reversed_flips() {
        let p = Plan::new(&[5], &[&[-8], &[-8]]).unwrap();
        assert_eq!(p.dims, vec![5]);
        assert_eq!(p.strides, vec![vec![8], vec![8]]);
        assert_eq!(p.offsets, vec![-32, -32]);
    }

    #[test]
    fn zero_d_and_empty() {
        let p = Plan::new(&[], &[&[], &[]]).unwrap();
        assert_eq!(p.dims, vec![1]);
        let p = Plan::new(&[3, 0], &[&[0, 8], &[0, 8]]).unwrap();
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn fortran_out_iterates_in_memory_order() {
        let p = Plan::new(&[3, 4], &[&[8, 24], &[8, 24]]).unwrap();
        assert_eq!(p.dims, vec![12]);
    }
}
