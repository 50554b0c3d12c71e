//! Prints a checked program, one node per line, e.g. `%3 = add.float64 %1, %2`.

use super::{NodeKind, Program};
use crate::array::Scalar;
use std::fmt;

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Scalar::Int32(v) => v.to_string(),
        Scalar::Int64(v) => v.to_string(),
        Scalar::Float32(v) => format!("{v:?}"),
        Scalar::Float64(v) => format!("{v:?}"),
        Scalar::Complex128(c) => format!("({:?}{:+?}j)", c.re, c.im),
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.inputs.iter().enumerate() {
            writeln!(f, "input {i}: {} {}", d.name, d.dtype)?;
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let args: Vec<String> = n.args.iter().map(|a| format!("%{a}")).collect();
            match &n.kind {
                NodeKind::Input(k) => writeln!(
                    f,
                    "%{i} = input.{} {}",
                    n.dtype, self.inputs[*k as usize].name
                )?,
                NodeKind::Const(s) => writeln!(f, "%{i} = const.{} {}", n.dtype, scalar(s))?,
                NodeKind::Op(op) => {
                    writeln!(f, "%{i} = {}.{} {}", op.name(), n.dtype, args.join(", "))?
                }
                NodeKind::Reduce(r) => {
                    let axis = match r.axis {
                        crate::ir::Axes::All => String::new(),
                        crate::ir::Axes::One(k) => format!(", axis={k}"),
                        t => {
                            let e: Vec<String> =
                                t.entries().iter().map(|k| k.to_string()).collect();
                            format!(", axis=({},)", e.join(", "))
                        }
                    };
                    let keep = if r.keepdims { ", keepdims" } else { "" };
                    writeln!(
                        f,
                        "%{i} = {}.{} {}{axis}{keep}",
                        r.op.name(),
                        n.dtype,
                        args.join(", ")
                    )?
                }
            }
        }
        write!(f, "return %{}", self.root)
    }
}
