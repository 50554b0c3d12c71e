//! Measurement probe behind a figure in ARCHITECTURE.md ("Loop shape"); run with
//! `cargo run --release --example mixed_probe`. Prints medians; asserts nothing.
use ndarray::Array1;
use numjit::Vars;
fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let a = Array1::from_shape_fn(n, |i| (i % 1000) as i32);
    let f = Array1::from_shape_fn(n, |i| (i % 777) as f32 * 0.5);
    let x = Array1::from_shape_fn(n, |i| i as f64 * 1e-7);
    let mut out = Array1::<f64>::zeros(n);
    let mut vars = Vars::new();
    vars.insert("a", &a).insert("f", &f).insert("x", &x);
    for e in ["a*2.5 + x", "where(f > 3, x, f*2)"] {
        numjit::evaluate_into(e, &vars, &mut out).unwrap();
        let mut ts = vec![];
        for _ in 0..(2_000_000_000 / n).clamp(15, 20001) {
            let t = std::time::Instant::now();
            numjit::evaluate_into(e, &vars, &mut out).unwrap();
            ts.push(t.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
        ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{e}: median {:.3} ns/elem min {:.3}",
            ts[ts.len() / 2],
            ts[0]
        );
    }
}
