//! Measurement probe: median ns per element of `numjit::evaluate_into` for the expressions
//! given on the command line over 10^7 float64 inputs `x`, `a`, `b` in [0, 1) (N=… to
//! change the length; NUMJIT_NUM_THREADS to pin the thread count). Asserts nothing.
//! `cargo run --release --example fused_probe -- 'sin(x)**2 + cos(x)**2'`
use ndarray::Array1;
use numjit::Vars;
fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let x = Array1::from_shape_fn(n, |i| (i as f64 * 0.618034) % 1.0);
    let b = Array1::from_shape_fn(n, |i| (i as f64 * 0.414214) % 1.0);
    let mut out = Array1::<f64>::zeros(n);
    let mut vars = Vars::new();
    vars.insert("x", &x).insert("a", &x).insert("b", &b);
    for e in std::env::args().skip(1) {
        numjit::evaluate_into(&e, &vars, &mut out).unwrap();
        let mut ts = vec![];
        for _ in 0..(1_000_000_000 / n).clamp(15, 20001) {
            let t = std::time::Instant::now();
            numjit::evaluate_into(&e, &vars, &mut out).unwrap();
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
