//! Measurement probe behind a figure in ARCHITECTURE.md ("Loop shape"); run with
//! `cargo run --release --example threshold_probe`. Prints medians; asserts nothing.
use ndarray::Array1;
use numjit::exec::RunOptions;
use numjit::{DType, Signature, Vars};
fn main() {
    let e = "((.25*x + .75)*x - 1.5)*x - 2";
    let c = numjit::compile(e, &Signature::new().with("x", DType::Float64)).unwrap();
    for n in [8192usize, 16384, 32768, 65536, 131072, 262144, 524288] {
        let x = Array1::from_shape_fn(n, |i| i as f64 * 1e-3);
        let mut out = Array1::<f64>::zeros(n);
        let mut vars = Vars::new();
        vars.insert("x", &x);
        let mut res = vec![];
        for threads in [1usize, 2] {
            let o = RunOptions {
                threads,
                block_len: 0,
                serial_below: 1,
            };
            let reps = (400_000_000 / n).max(50);
            let mut ts = vec![];
            for _ in 0..9 {
                let t = std::time::Instant::now();
                for _ in 0..reps / 9 {
                    c.run_into_with(&vars, &mut out, &o).unwrap();
                }
                ts.push(t.elapsed().as_secs_f64() * 1e6 / (reps / 9) as f64);
            }
            ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
            res.push(ts[4]);
        }
        println!(
            "n={n:>7}: 1T {:>8.2} us  2T {:>8.2} us  2T/1T {:.2}",
            res[0],
            res[1],
            res[1] / res[0]
        );
    }
}
