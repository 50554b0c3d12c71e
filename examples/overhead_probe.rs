//! Measurement probe behind a figure in ARCHITECTURE.md ("Loop shape"); run with
//! `cargo run --release --example overhead_probe`. Prints medians; asserts nothing.
use ndarray::Array1;
use numjit::Vars;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let expr = a
        .get(1)
        .cloned()
        .unwrap_or("((.25*x + .75)*x - 1.5)*x - 2".into());
    let n: usize = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(1000);
    let iters: usize = a.get(3).map(|s| s.parse().unwrap()).unwrap_or(100000);
    let arrs: Vec<Array1<f64>> = (0..4)
        .map(|k| Array1::from_shape_fn(n, |i| 0.5 + (i * (k + 1)) as f64 * 1e-3))
        .collect();
    let mut out = Array1::<f64>::zeros(n);
    let mut vars = Vars::new();
    for (name, arr) in ["x", "a", "b", "c"].iter().zip(&arrs) {
        if expr.contains(name) {
            vars.insert(name, arr);
        }
    }
    numjit::evaluate_into(&expr, &vars, &mut out).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..iters {
        numjit::evaluate_into(&expr, &vars, &mut out).unwrap();
    }
    let dt = t.elapsed().as_secs_f64() / iters as f64;
    println!("{:.3}", dt * 1e9 / n.max(1) as f64);
}
