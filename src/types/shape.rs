//! Broadcasting by NumPy's rules, and the broadcast shape of a checked program given
//! the shapes of its inputs (errors name the operands and their shapes).

use crate::error::{Error, ErrorKind};
use crate::ir::{Axes, NodeKind, Program, Reduction};
use crate::limits::MAX_NDIM;
use crate::span::Span;

/// `np.broadcast_shapes(a, b)`, or `None` when they are incompatible.
pub fn broadcast_pair(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Formats a shape the way NumPy prints a tuple: `()`, `(5,)`, `(3, 4)`.
pub fn fmt_shape(s: &[usize]) -> String {
    match s.len() {
        0 => "()".into(),
        1 => format!("({},)", s[0]),
        _ => format!(
            "({})",
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The broadcast shape of every node of `program`, given its inputs' shapes; the last
/// entry is the result's shape. Errors (E0401) label the two operands that disagree.
pub fn infer(program: &Program, input_shapes: &[&[usize]]) -> Result<Vec<usize>, Error> {
    for (decl, s) in program.inputs.iter().zip(input_shapes) {
        if s.len() > MAX_NDIM {
            return Err(Error::new(
                ErrorKind::Broadcast,
                format!(
                    "`{}` has {} dimensions; numjit supports at most {MAX_NDIM}",
                    decl.name,
                    s.len()
                ),
            )
            .at(decl.span, "this input"));
        }
    }
    // Fast path for the common call: every input has the same shape (or there are
    // none). Constants are 0-d, so nothing can fail to broadcast and the result has
    // that shape; this skips one allocation per node on every evaluation. Reductions
    // change shapes, so they take the general path.
    if !program.has_reductions() {
        if let Some((first, rest)) = input_shapes.split_first() {
            if rest.iter().all(|s| s == first) && input_shapes.len() == program.inputs.len() {
                return Ok(first.to_vec());
            }
        } else if program.inputs.is_empty() {
            return Ok(Vec::new());
        }
    }
    let mut shapes: Vec<Vec<usize>> = Vec::with_capacity(program.nodes.len());
    for node in &program.nodes {
        let shape = match &node.kind {
            NodeKind::Input(i) => input_shapes
                .get(*i as usize)
                .map(|s| s.to_vec())
                .ok_or_else(|| crate::array::internal("missing input shape"))?,
            NodeKind::Const(_) => Vec::new(),
            NodeKind::Reduce(r) => {
                let s = node
                    .args
                    .first()
                    .map(|&a| &shapes[a as usize])
                    .ok_or_else(|| crate::array::internal("reduction without operand"))?;
                let axes = reduced_axes(r, node.span, s)?;
                result_shape(s, axes, r.keepdims)
            }
            NodeKind::Op(_) => {
                let mut acc: Vec<usize> = Vec::new();
                for (k, &a) in node.args.iter().enumerate() {
                    let s = &shapes[a as usize];
                    match broadcast_pair(&acc, s) {
                        Some(b) => acc = b,
                        None => {
                            // k > 0 here: the empty shape broadcasts with anything.
                            let prev = node.args[k.saturating_sub(1)];
                            let pshape = &shapes[prev as usize];
                            return Err(Error::new(
                                ErrorKind::Broadcast,
                                format!(
                                    "cannot broadcast shapes {} and {}",
                                    fmt_shape(&acc),
                                    fmt_shape(s)
                                ),
                            )
                            .at(
                                program.nodes[a as usize].span,
                                format!("this has shape {}", fmt_shape(s)),
                            )
                            .also(
                                program.nodes[prev as usize].span,
                                format!("this has shape {}", fmt_shape(pshape)),
                            )
                            .help(broadcast_help(&acc, s)));
                        }
                    }
                }
                acc
            }
        };
        shapes.push(shape);
    }
    Ok(shapes.pop().unwrap_or_default())
}

/// The axes a reduction of an operand of `shape` folds, as a bit mask (bit `d`:
/// dimension `d`; every axis of a 0-d operand is none), with NumPy's errors: an axis
/// out of range (E0410), one axis twice in a tuple (E0311) and `min`/`max` over
/// nothing (E0411).
pub fn reduced_axes(r: &Reduction, span: Span, shape: &[usize]) -> Result<u64, Error> {
    let nd = shape.len() as i64;
    let all = if nd >= 64 { u64::MAX } else { (1u64 << nd) - 1 };
    let out_of_range = |k: i64| {
        let help = if nd == 0 {
            format!(
                "the operand of `{}` is 0-d and has no axes; leave `axis` out",
                r.op.name()
            )
        } else {
            format!(
                "an array of dimension {nd} has axes {} to {} (or {} to -1)",
                0,
                nd - 1,
                -nd
            )
        };
        Error::new(
            ErrorKind::AxisOutOfRange,
            format!("axis {k} is out of bounds for array of dimension {nd}"),
        )
        .at(
            r.axis_span,
            format!("out of bounds for shape {}", fmt_shape(shape)),
        )
        .also(span, "in this reduction")
        .help(help)
    };
    // NumPy's ufunc reductions accept axis 0 and -1 on a 0-d operand (the value
    // itself); `mean` does not.
    let zero_d_ok = |k: i64| nd == 0 && (k == 0 || k == -1) && r.op != crate::ops::ReduceOp::Mean;
    let resolve = |k: i64| -> Result<u64, Error> {
        if zero_d_ok(k) {
            Ok(0)
        } else if (-nd..nd).contains(&k) {
            Ok(1u64 << (if k < 0 { k + nd } else { k }))
        } else {
            Err(out_of_range(k))
        }
    };
    let mask = match r.axis {
        Axes::All => all,
        Axes::One(k) => resolve(k)?,
        t @ Axes::Tuple { .. } => {
            let mut mask = 0u64;
            for k in t.entries() {
                let bit = resolve(k)?;
                if mask & bit != 0 {
                    let d = bit.trailing_zeros();
                    return Err(
                        Error::new(ErrorKind::DuplicateAxis, "duplicate value in 'axis'")
                            .at(
                                r.axis_span,
                                format!(
                                    "axis {k} is axis {d} again for an array of dimension {nd}"
                                ),
                            )
                            .also(span, "in this reduction")
                            .help(format!(
                                "list each axis once, e.g. `{}(x, axis=(0, 2))`; negative \
                                 entries count from the end",
                                r.op.name()
                            )),
                    );
                }
                mask |= bit;
            }
            mask
        }
    };
    let count: usize = shape
        .iter()
        .enumerate()
        .filter(|&(d, _)| mask >> d & 1 == 1)
        .map(|(_, &n)| n)
        .product();
    if count == 0 && r.op.needs_elements() {
        let what = match r.axis {
            Axes::One(_) if nd > 0 => format!(
                "axis {} of shape {} is empty",
                mask.trailing_zeros(),
                fmt_shape(shape)
            ),
            Axes::Tuple { .. } if nd > 0 => {
                format!("the reduced axes of shape {} are empty", fmt_shape(shape))
            }
            _ => format!("the operand has shape {}", fmt_shape(shape)),
        };
        return Err(Error::new(
            ErrorKind::EmptyReduction,
            format!(
                "zero-size array to reduction operation {} which has no identity",
                r.op.ufunc()
            ),
        )
        .at(span, what)
        .help(format!(
            "`{}` of nothing is undefined; make sure the array is not empty (`sum` and \
             `prod` of an empty array are 0 and 1)",
            r.op.name()
        )));
    }
    Ok(mask)
}

/// The shape of a reduction's result: [`reduced_shape`], or with `keepdims` the
/// reduced axes (bits of `mask`) kept with length 1.
pub fn result_shape(shape: &[usize], mask: u64, keepdims: bool) -> Vec<usize> {
    if !keepdims {
        return reduced_shape(shape, mask);
    }
    shape
        .iter()
        .enumerate()
        .map(|(d, &n)| if mask >> d & 1 == 1 { 1 } else { n })
        .collect()
}

/// The shape left after reducing `shape` along the axes in `mask`.
pub fn reduced_shape(shape: &[usize], mask: u64) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .filter(|&(d, _)| mask >> d & 1 == 0)
        .map(|(_, &n)| n)
        .collect()
}

fn broadcast_help(a: &[usize], b: &[usize]) -> String {
    if a.len() == 1 && b.len() == 1 {
        format!(
            "pass arrays of equal length, or reshape one to a column, e.g. {} so the result is {}",
            fmt_shape(&[b[0], 1]),
            fmt_shape(&[b[0], a[0]])
        )
    } else {
        "dimensions are compared from the last one backwards; each pair must be equal or one of them 1".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_rules() {
        assert_eq!(broadcast_pair(&[4, 1], &[3]), Some(vec![4, 3]));
        assert_eq!(broadcast_pair(&[], &[2, 3]), Some(vec![2, 3]));
        assert_eq!(broadcast_pair(&[0], &[1]), Some(vec![0]));
        assert_eq!(broadcast_pair(&[0], &[2]), None);
        assert_eq!(broadcast_pair(&[3], &[4]), None);
        assert_eq!(fmt_shape(&[5]), "(5,)");
    }
}
