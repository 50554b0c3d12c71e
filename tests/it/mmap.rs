//! Integration tests: memory-mapped `.npy` inputs and outputs of `numjit eval` —
//! zero-copy and fallback reading, slab streaming with broadcasting, `--in-place`,
//! bounded anonymous memory on big files, and every kind of bad input or failed
//! output (coded error, exit status, inputs untouched, nothing under the final name).

use ndarray::{array, Array, ArrayD, ShapeBuilder};
use ndarray_npy::{read_npy, write_npy};
use num_complex::Complex64;
use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_numjit");

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("the numjit binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

fn p(path: &Path) -> String {
    path.to_str().expect("UTF-8 temp path").to_string()
}

/// A v1.0 `.npy` header for `dict`, padded so that the data starts at a multiple of
/// `pad` bytes (NumPy pads to 64).
fn header(dict: &str, pad: usize) -> Vec<u8> {
    let mut h = dict.as_bytes().to_vec();
    // `pad` 64: NumPy's layout; 4: data starts 4 bytes past a multiple of 8.
    let fits = |len: usize| match pad {
        4 => len % 8 == 4,
        _ => len.is_multiple_of(pad),
    };
    while !fits(10 + h.len() + 1) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(h.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&h);
    out
}

/// The names in `dir`, sorted (to check that no temporary file is left behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn f64s(path: &Path) -> ArrayD<f64> {
    read_npy(path).expect("a float64 .npy file")
}

#[test]
fn mapped_and_fallback_inputs_give_the_same_result() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 / 3.0).into_dyn();
    write_npy(d.join("c.npy"), &x).unwrap();
    // Fortran order, mapped as is.
    let f = Array::from_shape_vec((3, 4).f(), x.t().iter().copied().collect()).unwrap();
    assert_eq!(f.clone().into_dyn(), x);
    write_npy(d.join("f.npy"), &f).unwrap();
    // Big-endian: read into memory.
    let mut be = header(
        "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 4), }",
        64,
    );
    x.iter()
        .for_each(|v| be.extend_from_slice(&v.to_be_bytes()));
    fs::write(d.join("be.npy"), &be).unwrap();
    // Data starting at an offset that is not a multiple of 8: read into memory.
    let mut odd = header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
        4,
    );
    assert_eq!(odd.len() % 8, 4);
    x.iter()
        .for_each(|v| odd.extend_from_slice(&v.to_le_bytes()));
    fs::write(d.join("odd.npy"), &odd).unwrap();
    let b = array![true, false, true, true].into_dyn();
    write_npy(d.join("b.npy"), &b).unwrap();
    let z = array![Complex64::new(1.0, -1.0), Complex64::new(0.5, 2.0)].into_dyn();
    write_npy(d.join("z.npy"), &z).unwrap();

    let args = |out: &str| {
        vec![
            "eval".to_string(),
            "c + 2*f - be*odd + where(b, 1, 0)".to_string(),
            format!("c={}", p(&d.join("c.npy"))),
            format!("f={}", p(&d.join("f.npy"))),
            format!("be={}", p(&d.join("be.npy"))),
            format!("odd={}", p(&d.join("odd.npy"))),
            format!("b={}", p(&d.join("b.npy"))),
            "--out".to_string(),
            p(&d.join(out)),
        ]
    };
    let a: Vec<String> = args("y.npy");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    ok(&run(&a, &[]));
    let want = &x + &(&x * 2.0) - &x * &x + array![1.0, 0.0, 1.0, 1.0];
    assert_eq!(f64s(&d.join("y.npy")), want);
    // Tiny slabs: many kernel calls over sliced, broadcast inputs give the same bytes.
    let a2: Vec<String> = args("y2.npy");
    let a2: Vec<&str> = a2.iter().map(String::as_str).collect();
    ok(&run(&a2, &[("NUMJIT_SLAB_BYTES", "16")]));
    assert_eq!(
        fs::read(d.join("y.npy")).unwrap(),
        fs::read(d.join("y2.npy")).unwrap()
    );

    // --explain says which inputs are mapped and why the others are not; writes nothing.
    let mut e = a.clone();
    let last = e.len() - 1;
    e[last] = "never.npy";
    e.push("--explain");
    let o = run(&e, &[]);
    ok(&o);
    let text = stdout(&o);
    for want in [
        "c = ",
        "memory-mapped (zero-copy)",
        "(Fortran order), memory-mapped (zero-copy)",
        "read into memory (its byte order is not this machine's)",
        "read into memory (its data is not aligned for the element type)",
        "result: shape (3, 4) float64 (96 bytes)",
        "output: memory-mapped never.npy",
        "ir:",
        "clif:",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert!(!Path::new("never.npy").exists());

    // Complex and bool outputs are written through the map as well.
    let zo = d.join("zo.npy");
    ok(&run(
        &[
            "eval",
            "z*1j",
            &format!("z={}", p(&d.join("z.npy"))),
            "-o",
            &p(&zo),
        ],
        &[],
    ));
    let got: ArrayD<Complex64> = read_npy(&zo).unwrap();
    assert_eq!(got, z.mapv(|v| v * Complex64::new(0.0, 1.0)));
    let bo = d.join("bo.npy");
    ok(&run(
        &[
            "eval",
            "~b",
            &format!("b={}", p(&d.join("b.npy"))),
            "-o",
            &p(&bo),
        ],
        &[],
    ));
    let got: ArrayD<bool> = read_npy(&bo).unwrap();
    assert_eq!(got, b.mapv(|v| !v));
}

#[test]
fn broadcasting_across_slabs_matches_one_shot() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = Array::from_shape_fn((3, 4, 5), |(i, j, k)| (i * 20 + j * 5 + k) as f64).into_dyn();
    let y = Array::from_shape_fn((4, 1), |(j, _)| j as f64 * 0.5).into_dyn();
    let z = Array::from_shape_fn((5,), |k| k as i32 - 2).into_dyn();
    write_npy(d.join("x.npy"), &x).unwrap();
    write_npy(d.join("y.npy"), &y).unwrap();
    write_npy(d.join("z.npy"), &z).unwrap();
    let ins = [
        format!("x={}", p(&d.join("x.npy"))),
        format!("y={}", p(&d.join("y.npy"))),
        format!("z={}", p(&d.join("z.npy"))),
    ];
    let want = &x * &y + &z.mapv(f64::from);
    for slab in ["8", "24", "100", "1000000"] {
        let out = d.join(format!("o{slab}.npy"));
        let o = run(
            &[
                "eval",
                "x*y + z",
                &ins[0],
                &ins[1],
                &ins[2],
                "-o",
                &p(&out),
                "--threads",
                "2",
            ],
            &[("NUMJIT_SLAB_BYTES", slab)],
        );
        ok(&o);
        assert_eq!(f64s(&out), want, "slab {slab}");
    }
}

#[test]
fn unused_inputs_and_literal_results_stream_too() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = Array::from_shape_fn((2, 3), |(i, j)| (i + j) as f64).into_dyn();
    write_npy(d.join("x.npy"), &x).unwrap();
    let xs = format!("x={}", p(&d.join("x.npy")));
    // The result has fewer axes than an input the expression does not use.
    let o1 = d.join("o1.npy");
    ok(&run(
        &["eval", "1.5 * s", &xs, "s=2", "-o", &p(&o1)],
        &[("NUMJIT_SLAB_BYTES", "8")],
    ));
    assert_eq!(f64s(&o1), ndarray::arr0(3.0).into_dyn());
    let o2 = d.join("o2.npy");
    ok(&run(
        &["eval", "x * s", &xs, "s=2", "-o", &p(&o2)],
        &[("NUMJIT_SLAB_BYTES", "8")],
    ));
    assert_eq!(f64s(&o2), x.mapv(|v| v * 2.0));
}

#[test]
fn in_place_only_for_an_exact_alias() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = Array::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f64).into_dyn();
    let xp = d.join("x.npy");
    write_npy(&xp, &x).unwrap();
    let xs = format!("x={}", p(&xp));

    // --out naming an input without --in-place: E0605, input untouched.
    let before = fs::read(&xp).unwrap();
    let o = run(&["eval", "x + 1", &xs, "--out", &p(&xp)], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e0605 = stderr(&o);
    assert!(e0605.contains("E0605"), "{e0605}");
    assert_eq!(fs::read(&xp).unwrap(), before);

    // Result of another dtype or shape: E0606, input untouched.
    let yp = d.join("y.npy");
    write_npy(&yp, &array![1.0f32, 2.0, 3.0].into_dyn()).unwrap();
    let o = run(
        &[
            "eval",
            "x + y",
            &xs,
            &format!("y={}", p(&yp)),
            "--in-place",
            "y",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let e0606 = stderr(&o);
    assert!(e0606.contains("E0606"), "{e0606}");
    assert_eq!(fs::read(&xp).unwrap(), before);
    let o = run(&["eval", "x + 1", &xs, "--in-place", "s"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("E0606"));

    // The exact alias works, also slab by slab and with --out naming the same file.
    ok(&run(
        &["eval", "x * 2 + 1", &xs, "--in-place", "x"],
        &[("NUMJIT_SLAB_BYTES", "24")],
    ));
    assert_eq!(f64s(&xp), x.mapv(|v| v * 2.0 + 1.0));
    ok(&run(
        &["eval", "x - 1", &xs, "--in-place", "x", "--out", &p(&xp)],
        &[],
    ));
    assert_eq!(f64s(&xp), x.mapv(|v| v * 2.0));
    assert_eq!(listing(d), ["x.npy", "y.npy"]);

    let text = format!("{e0605}\n{e0606}").replace(&p(d), "[DIR]");
    insta::assert_snapshot!("out_is_input_and_in_place", text);
}

/// One bad-input case: what to run, the exit status and code expected.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
    exit: i32,
    code: &'static str,
}

#[test]
fn bad_inputs_are_coded_errors_and_touch_nothing() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let good = {
        let mut b = header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
            64,
        );
        [1.0f64, 2.0, 3.0, 4.0]
            .iter()
            .for_each(|v| b.extend_from_slice(&v.to_le_bytes()));
        b
    };
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 5);
    let typed = |descr: &str, item: usize| {
        let mut b = header(
            &format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (4,), }}"),
            64,
        );
        b.extend(std::iter::repeat_n(0u8, 4 * item));
        b
    };
    let other_shape = {
        let mut b = header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
            64,
        );
        b.extend([0u8; 24]);
        b
    };
    let at = |n: &str| p(&d.join(n));
    let out = at("out.npy");
    let eval = |expr: &str, ins: &[&str], out_path: &str| {
        let mut v = vec!["eval".to_string(), expr.to_string()];
        v.extend(ins.iter().map(|s| s.to_string()));
        v.extend(["--out".to_string(), out_path.to_string()]);
        v
    };
    let cases = vec![
        Case {
            name: "missing file",
            files: vec![],
            args: eval("a + 1", &[&format!("a={}", at("missing.npy"))], &out),
            exit: 1,
            code: "E0601",
        },
        Case {
            name: "not a .npy file",
            files: vec![("text.npy", b"just some text, not an array\n".to_vec())],
            args: eval("a + 1", &[&format!("a={}", at("text.npy"))], &out),
            exit: 2,
            code: "E0602",
        },
        Case {
            name: "truncated file",
            files: vec![("short.npy", truncated)],
            args: eval("a + 1", &[&format!("a={}", at("short.npy"))], &out),
            exit: 2,
            code: "E0602",
        },
        Case {
            name: "unicode strings",
            files: vec![("u.npy", typed("<U1", 4))],
            args: eval("a + 1", &[&format!("a={}", at("u.npy"))], &out),
            exit: 2,
            code: "E0603",
        },
        Case {
            name: "float16",
            files: vec![("h.npy", typed("<f2", 2))],
            args: eval("a + 1", &[&format!("a={}", at("h.npy"))], &out),
            exit: 2,
            code: "E0603",
        },
        Case {
            name: "object",
            files: vec![("o.npy", typed("|O", 8))],
            args: eval("a + 1", &[&format!("a={}", at("o.npy"))], &out),
            exit: 2,
            code: "E0603",
        },
        Case {
            name: "mismatched shapes",
            files: vec![("a.npy", good.clone()), ("b.npy", other_shape)],
            args: eval(
                "a * b",
                &[&format!("a={}", at("a.npy")), &format!("b={}", at("b.npy"))],
                &out,
            ),
            exit: 2,
            code: "E0401",
        },
        Case {
            // Robust even as root (permissions would not stop root): the output's
            // "directory" is a regular file.
            name: "output directory is a file",
            files: vec![("a.npy", good.clone()), ("plain", b"x".to_vec())],
            args: eval(
                "a + 1",
                &[&format!("a={}", at("a.npy"))],
                &p(&d.join("plain").join("out.npy")),
            ),
            exit: 1,
            code: "E0601",
        },
        Case {
            name: "output directory missing",
            files: vec![("a.npy", good.clone())],
            args: eval(
                "a + 1",
                &[&format!("a={}", at("a.npy"))],
                &p(&d.join("nodir").join("out.npy")),
            ),
            exit: 1,
            code: "E0601",
        },
    ];
    let mut all = String::new();
    for case in &cases {
        for entry in fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            fs::remove_file(path).unwrap();
        }
        for (name, bytes) in &case.files {
            fs::write(d.join(name), bytes).unwrap();
        }
        let before = listing(d);
        let contents: Vec<Vec<u8>> = before
            .iter()
            .map(|n| fs::read(d.join(n)).unwrap())
            .collect();
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let o = run(&args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(case.exit), "{}: {err}", case.name);
        assert!(err.contains(case.code), "{}: {err}", case.name);
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        // Nothing new (no output, no temporary file), every input unchanged.
        assert_eq!(listing(d), before, "{}", case.name);
        for (n, c) in before.iter().zip(&contents) {
            assert_eq!(
                &fs::read(d.join(n)).unwrap(),
                c,
                "{}: {n} changed",
                case.name
            );
        }
        all.push_str(&format!(
            "--- {}\n{}",
            case.name,
            err.replace(&p(d), "[DIR]")
        ));
    }
    insta::assert_snapshot!("bad_inputs", all);
}

/// A dense `.npy` file of `n` float64 values `i as f64`, written in one go.
fn dense_input(path: &Path, n: usize) {
    let mut b = header(
        &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({n},), }}"),
        64,
    );
    b.reserve(n * 8);
    (0..n).for_each(|i| b.extend_from_slice(&(i as f64).to_le_bytes()));
    fs::write(path, b).unwrap();
}

#[test]
fn disk_full_is_a_clean_error() {
    // `ulimit -f` (RLIMIT_FSIZE) stands in for a full disk: reserving the output's
    // blocks fails with EFBIG (numjit ignores SIGXFSZ, which would otherwise kill it).
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = d.join("x.npy");
    dense_input(&x, 1 << 17); // 1 MiB in, 1 MiB out; the limit allows 256 KiB
    let before = fs::read(&x).unwrap();
    let out = d.join("y.npy");
    let script = format!(
        "ulimit -f 256 && exec '{BIN}' eval 'x * 2' 'x={}' --out '{}'",
        p(&x),
        p(&out)
    );
    let o = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0601") && err.contains("file too large"),
        "{err}"
    );
    assert_eq!(listing(d), ["x.npy"], "no output, no temporary file");
    assert_eq!(fs::read(&x).unwrap(), before);
    insta::assert_snapshot!("disk_full", err.replace(&p(d), "[DIR]"));
}

/// Starts a slow job writing `out` (inside `dir`) and waits until its temporary file
/// exists, i.e. the output is being written.
fn start_slow_job(dir: &Path, input: &Path, out: &Path) -> std::process::Child {
    let expr = "sqrt(sqrt(sqrt(sqrt(abs(x) + 1) + 1) + 1) + 1) / 3";
    let child = Command::new(BIN)
        .args([
            "eval",
            expr,
            &format!("x={}", p(input)),
            "--out",
            &p(out),
            "--threads",
            "1",
        ])
        .env("NUMJIT_SLAB_BYTES", "65536")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !listing(dir).iter().any(|n| n.contains(".numjit-")) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

#[test]
fn killed_mid_write_leaves_nothing_under_the_final_name() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let x = d.join("x.npy");
    // A sparse 1 GiB input (no disk blocks): seconds of work on one thread in small
    // slabs; the job is killed as soon as its output exists under the temporary name.
    sparse_input(&x, 1 << 27, &[]);
    let out = d.join("y.npy");

    // SIGTERM: the guard removes the temporary file, then dies of the signal.
    let mut child = start_slow_job(d, &x, &out);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(listing(d), ["x.npy"], "temporary file removed on SIGTERM");

    // SIGKILL cannot be caught: the temporary file stays, but not the final name.
    let mut child = start_slow_job(d, &x, &out);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists());
    let left = listing(d);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left[0].starts_with(".y.npy.numjit-"), "{left:?}");

    // An input truncated under a running job: SIGBUS becomes a reported error, and
    // the partial output is removed.
    fs::remove_file(d.join(&left[0])).unwrap();
    let child = start_slow_job(d, &x, &out);
    fs::OpenOptions::new()
        .write(true)
        .open(&x)
        .unwrap()
        .set_len(4096)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("E0601") && err.contains("truncated"), "{err}");
    assert_eq!(listing(d), ["x.npy"]);
}

/// A sparse `.npy` file of `n` float64 zeros (no disk blocks), except `i as f64` at
/// each index in `marks`. Returns the header.
fn sparse_input(path: &Path, n: usize, marks: &[usize]) -> Vec<u8> {
    let h = header(
        &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({n},), }}"),
        64,
    );
    let mut f = fs::File::create(path).unwrap();
    f.write_all(&h).unwrap();
    f.set_len((h.len() + n * 8) as u64).unwrap();
    for &i in marks {
        f.seek(SeekFrom::Start((h.len() + i * 8) as u64)).unwrap();
        f.write_all(&(i as f64).to_le_bytes()).unwrap();
    }
    h
}

/// Peak `RssAnon` (kB) of a running child, sampled every millisecond until it exits.
fn peak_anon_kb(child: &mut std::process::Child) -> u64 {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = fs::read_to_string(&status) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn out_of_core_anonymous_memory_stays_bounded() {
    // A sparse input (no disk blocks, reads as zeros) with a few real values; the
    // default is 256 MiB so CI stays fast, NUMJIT_BIG_FILE_GB=8 makes it 8 GiB.
    let gib: f64 = std::env::var("NUMJIT_BIG_FILE_GB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.25);
    let n = (gib * (1u64 << 30) as f64) as usize / 8;
    let dir = TempDir::new().unwrap();
    let x = dir.path().join("x.npy");
    let marks = [0, 1, n / 3, n / 2 + 7, n - 1];
    let h = sparse_input(&x, n, &marks);
    let out: PathBuf = dir.path().join("y.npy");
    let mut child = Command::new(BIN)
        .args([
            "eval",
            "2*x + 1",
            &format!("x={}", p(&x)),
            "--out",
            &p(&out),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let peak = peak_anon_kb(&mut child);
    let o = child.wait_with_output().unwrap();
    ok(&o);
    eprintln!(
        "out-of-core: {} MiB in, {} MiB out, peak RssAnon {peak} kB",
        (n * 8) >> 20,
        (n * 8) >> 20
    );
    // Reading the input or building the result in memory would take n*8 bytes.
    let bound_kb = 64 * 1024;
    assert!(
        peak < bound_kb && peak * 1024 < (n as u64 * 8) / 4,
        "peak RssAnon {peak} kB for {} MiB in and out",
        (n * 8) >> 20
    );
    // Spot-check the output: zeros became 1, the marks 2*i + 1.
    assert_eq!(fs::metadata(&out).unwrap().len(), (h.len() + n * 8) as u64);
    let mut f = fs::File::open(&out).unwrap();
    let mut at = |i: usize| {
        use std::io::Read;
        let mut b = [0u8; 8];
        f.seek(SeekFrom::Start((h.len() + i * 8) as u64)).unwrap();
        f.read_exact(&mut b).unwrap();
        f64::from_le_bytes(b)
    };
    for &i in &marks {
        assert_eq!(at(i), 2.0 * i as f64 + 1.0, "element {i}");
    }
    assert_eq!(at(2), 1.0);
    assert_eq!(at(n - 2), 1.0);
    // The output header is what NumPy writes: readable by ndarray-npy's parser.
    let mut head = vec![0u8; h.len()];
    use std::io::Read;
    fs::File::open(&out).unwrap().read_exact(&mut head).unwrap();
    assert!(String::from_utf8_lossy(&head).contains(&format!("'shape': ({n},)")));
}
