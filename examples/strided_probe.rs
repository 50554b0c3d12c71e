//! Measurement probe behind a figure in ARCHITECTURE.md ("Loop shape"); run with
//! `cargo run --release --example strided_probe`. Prints medians; asserts nothing.
use ndarray::{s, Array1};
use numjit::exec::RunOptions;
use numjit::{DType, Signature, Vars};
fn med(mut f: impl FnMut(), reps: usize) -> f64 {
    let mut ts = vec![];
    for _ in 0..11 {
        let t = std::time::Instant::now();
        for _ in 0..reps {
            f();
        }
        ts.push(t.elapsed().as_secs_f64() * 1e9 / reps as f64);
    }
    ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    ts[5]
}
fn main() {
    let c = numjit::compile("x*2 + 1", &Signature::new().with("x", DType::Float64)).unwrap();
    let o = RunOptions {
        threads: 1,
        block_len: 0,
        serial_below: 0,
    };
    for n in [4096usize, 1 << 20] {
        let base = Array1::from_shape_fn(2 * n, |i| i as f64);
        let mut out = Array1::<f64>::zeros(n);
        let mut buf = Array1::<f64>::zeros(n);
        let reps = (200_000_000 / n).max(5);
        let strided = {
            let v = base.slice(s![..;2]);
            let mut vars = Vars::new();
            vars.insert("x", &v);
            med(|| c.run_into_with(&vars, &mut out, &o).unwrap(), reps)
        };
        let gather = {
            let v = base.slice(s![..;2]);
            med(
                || {
                    buf.assign(&v);
                    let mut vars = Vars::new();
                    vars.insert("x", &buf);
                    c.run_into_with(&vars, &mut out, &o).unwrap()
                },
                reps,
            )
        };
        println!(
            "n={n}: strided lanes {:.3} ns/elem, gather+contiguous {:.3} ns/elem",
            strided / n as f64,
            gather / n as f64
        );
    }
}
