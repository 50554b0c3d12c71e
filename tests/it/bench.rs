//! Integration tests: `numjit bench` as a smoke test — it runs cheap cases (including
//! diffusion and Mandelbrot at small sizes), its validation passes, and it writes JSON,
//! SVG and PNG. No timing is asserted, only that times are measured.

use serde_json::Value;
use std::process::Command;
use tempfile::TempDir;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn bench(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_numjit"));
    cmd.arg("bench").args(args).env("NUMJIT_NUM_THREADS", "2");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the numjit binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const SMOKE: &str = "poly_1e3,triad_1e4,select_1e4,bcast_col_1e4,strided_1e4,complex_1e3,\
                     poly_f32_1e4,diffusion_periodic_32,diffusion_fixed_32,mandel_48";

#[test]
fn smoke_runs_validates_and_writes_every_output() {
    let dir = TempDir::new().unwrap();
    let json = dir.path().join("b.json");
    let svg = dir.path().join("b.svg");
    let images = dir.path().join("img");
    let r = bench(
        &[
            "--quick",
            "--cases",
            SMOKE,
            "--json",
            json.to_str().unwrap(),
            "--plot",
            svg.to_str().unwrap(),
            "--images",
            images.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stdout.contains("validation: every engine agrees"),
        "{}",
        r.stdout
    );
    let records: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    for case in SMOKE.split(',') {
        for (engine, threads) in [
            ("naive", 1),
            ("fused", 1),
            ("fused", 2),
            ("copy", 1),
            ("copy", 2),
        ] {
            let rec = records
                .iter()
                .find(|r| r["case"] == case && r["engine"] == engine && r["threads"] == threads)
                .unwrap_or_else(|| panic!("no {engine} {threads}T record for {case}"));
            for key in ["median_ns_per_elem", "min_ns_per_elem", "gb_per_s"] {
                let v = rec[key].as_f64().unwrap();
                assert!(v.is_finite() && v > 0.0, "{case} {engine} {key} = {v}");
            }
            assert!(rec["n"].as_u64().unwrap() > 0);
            // The table has a row for it too.
            assert!(
                r.stdout
                    .lines()
                    .any(|l| l.starts_with(&format!("| {case} "))
                        && l.contains(&format!("| {engine} "))),
                "{}",
                r.stdout
            );
        }
    }
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.contains("mandel_48") && plot.contains("fused all"));
    let png = std::fs::read(images.join("mandel_48.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24.
    assert_eq!(&png[16..24], &[0, 0, 0, 48, 0, 0, 0, 48]);
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(&images).unwrap())
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn math_and_reduction_cases_are_measured_and_validated() {
    // `sin`/`cos` go through the vector math routines and `sum` through the staged
    // reduction path; both are checked against the naive evaluator by the suite.
    let r = bench(&["--quick", "--cases", "trig_1e3,sum_1e3"], &[]);
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    for case in ["trig_1e3", "sum_1e3"] {
        let rows: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with(&format!("| {case} ")))
            .collect();
        assert!(
            rows.iter().any(|l| l.contains("| fused "))
                && rows.iter().any(|l| l.contains("| naive ")),
            "{case} was not measured:\n{}",
            r.stdout
        );
        assert!(
            !rows.iter().any(|l| l.contains("unsupported")),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn bad_arguments_fail_before_any_work() {
    let r = bench(&["--cases", "poly,nosuch"], &[]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("E0604") && r.stderr.contains("unknown case `nosuch`"));
    assert!(r.stderr.contains("help:") && r.stderr.contains("diffusion_periodic"));
    let r = bench(&["--cases", "mandel_2"], &[]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("between 3 and"), "{}", r.stderr);
    let r = bench(&["--json", "/nonexistent-dir/b.json"], &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("E0601") && r.stderr.contains("does not exist"));
    assert!(r.stdout.is_empty());
}

#[test]
fn peers_without_python_say_how_to_get_one() {
    let home = TempDir::new().unwrap();
    let r = bench(
        &["--quick", "--peers", "--cases", "poly_1e3"],
        &[
            ("NUMJIT_PYTHON", "/nonexistent/python"),
            ("HOME", home.path().to_str().unwrap()),
            ("PATH", ""),
        ],
    );
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("peers: no Python with NumPy found"));
    assert!(r.stdout.contains("benches/peers/requirements.txt"));
    assert!(r.stdout.contains("| poly_1e3 "));
}
