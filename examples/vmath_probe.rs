//! Measurement probe for the vector math kernels alone (no JIT): ns per element of
//! `numjit::codegen::mathcall::call_f64` on a block that stays in L1. Run with
//! `cargo run --release --example vmath_probe [n] [reps] [func…]`. Prints medians of 7
//! runs of on-CPU time; asserts nothing. Each line also gives, measured in the same run,
//! the per-element loop over the scalar rule (`Math::float`, i.e. libm) that a kernel
//! replaces. Inputs are in [0.01, 1.01), moved into the domain where needed (arccosh:
//! +1, arctanh: ×0.98). A name ending in `:f32` (`exp:f32`) measures the float32 routine.
use numjit::codegen::mathcall::{call_f32, call_f64};
use numjit::math::Math;

/// Nanoseconds this thread has spent on a CPU (so time-slicing on a loaded machine does
/// not count), from /proc/thread-self/schedstat.
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: usize = a.get(1).map(|s| s.parse().unwrap()).unwrap_or(4096);
    let reps: usize = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(2000);
    let names: Vec<String> = if a.len() > 3 {
        a[3..].to_vec()
    } else {
        ["sin", "cos", "exp", "log", "exp2", "expm1", "log1p"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let x: Vec<f64> = (0..n).map(|i| 0.01 + (i as f64 * 0.618034) % 1.0).collect();
    let mut out = vec![0.0; n];
    for name in names {
        let (base, single) = match name.strip_suffix(":f32") {
            Some(b) => (b, true),
            None => (name.as_str(), false),
        };
        let f = numjit::math::TABLE
            .iter()
            .find(|e| e.0.name() == base)
            .map(|e| e.0)
            .unwrap_or_else(|| panic!("no function {name}"));
        let x: Vec<f64> = match f {
            Math::Arccosh => x.iter().map(|v| v + 1.0).collect(),
            Math::Arctanh => x.iter().map(|v| v * 0.98).collect(),
            _ => x.clone(),
        };
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![0.0f32; n];
        let time = |libm: bool, out: &mut [f64], out32: &mut [f32]| {
            let mut runs = Vec::new();
            for _ in 0..7 {
                let t = cpu_ns();
                for _ in 0..reps {
                    match (libm, single) {
                        (true, false) => {
                            for (o, &v) in out.iter_mut().zip(&x) {
                                *o = f.float(v, v);
                            }
                        }
                        (true, true) => {
                            for (o, &v) in out32.iter_mut().zip(&x32) {
                                *o = f.float(v, v);
                            }
                        }
                        (false, false) => call_f64(f, &x, &x, out),
                        (false, true) => call_f32(f, &x32, &x32, out32),
                    }
                    std::hint::black_box(&mut *out);
                    std::hint::black_box(&mut *out32);
                }
                runs.push((cpu_ns() - t) as f64 / (reps * n) as f64);
            }
            runs.sort_by(f64::total_cmp);
            runs[3]
        };
        let k = time(false, &mut out, &mut out32);
        let l = time(true, &mut out, &mut out32);
        println!("{name:8} {k:.3} ns/elem   (libm loop {l:.3})");
    }
}
