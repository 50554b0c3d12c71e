//! Memory-overlap analysis between the output and each input, in bytes.
//! Decides only "disjoint / exactly the same elements / anything else"; what to do
//! about a partial overlap (compute into a temporary) is the caller's business.

/// An operand as it is iterated: base address, the output shape, its byte strides over
/// that shape (0 on broadcast dimensions) and its element size.
#[derive(Clone, Copy, Debug)]
pub struct Extent<'a> {
    pub addr: usize,
    pub shape: &'a [usize],
    pub strides: &'a [isize],
    pub itemsize: usize,
}

/// How an input's bytes relate to the output's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// No byte is shared.
    Disjoint,
    /// Index for index the same bytes: reading element i before writing element i is
    /// safe, so in-place evaluation is correct.
    Exact,
    /// Shared bytes in any other pattern (or possibly shared: the test is conservative).
    Partial,
}

impl Extent<'_> {
    /// Half-open byte range `[lo, hi)` touched, or `None` when there are no elements.
    fn range(&self) -> Option<(i128, i128)> {
        if self.shape.contains(&0) {
            return None;
        }
        let mut lo = self.addr as i128;
        let mut hi = self.addr as i128;
        for (&n, &s) in self.shape.iter().zip(self.strides) {
            let span = (n as i128 - 1) * s as i128;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        Some((lo, hi + self.itemsize as i128))
    }
}

/// Compares the output `out` with one input `input` (both over the same shape).
pub fn overlap(out: &Extent, input: &Extent) -> Overlap {
    let (Some((a0, a1)), Some((b0, b1))) = (out.range(), input.range()) else {
        return Overlap::Disjoint;
    };
    if a1 <= b0 || b1 <= a0 {
        return Overlap::Disjoint;
    }
    let same_walk = out.addr == input.addr
        && out.itemsize == input.itemsize
        && out.shape == input.shape
        && out
            .shape
            .iter()
            .zip(out.strides.iter().zip(input.strides))
            .all(|(&n, (&s, &t))| n <= 1 || s == t);
    if same_walk {
        Overlap::Exact
    } else {
        Overlap::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e<'a>(addr: usize, shape: &'a [usize], strides: &'a [isize]) -> Extent<'a> {
        Extent {
            addr,
            shape,
            strides,
            itemsize: 8,
        }
    }

    #[test]
    fn cases() {
        let sh = [10usize];
        assert_eq!(
            overlap(&e(0, &sh, &[8]), &e(80, &sh, &[8])),
            Overlap::Disjoint
        );
        assert_eq!(overlap(&e(0, &sh, &[8]), &e(0, &sh, &[8])), Overlap::Exact);
        assert_eq!(
            overlap(&e(8, &sh, &[8]), &e(0, &sh, &[8])),
            Overlap::Partial
        );
        assert_eq!(
            overlap(&e(72, &sh, &[-8]), &e(0, &sh, &[8])),
            Overlap::Partial
        );
        // broadcast input inside the output: partial.
        assert_eq!(
            overlap(&e(0, &sh, &[8]), &e(0, &sh, &[0])),
            Overlap::Partial
        );
        assert_eq!(
            overlap(&e(0, &[0], &[8]), &e(0, &[0], &[8])),
            Overlap::Disjoint
        );
    }
}
