//! Integration tests: the `numjit` binary — `.npy` inputs and `--out`, weak literals,
//! printing, exit codes and error reports. Every test makes its own files in a TempDir.

use ndarray::{array, ArrayD, IxDyn};
use ndarray_npy::{read_npy, write_npy, ReadableElement, WritableElement};
use num_complex::Complex64;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn assert_ok(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts the exit status and that stderr names `code`.
    #[track_caller]
    fn assert_err(&self, exit: i32, code: &str) -> &Run {
        assert_eq!(
            self.code,
            Some(exit),
            "exit status\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(
            self.stderr.contains(code),
            "stderr lacks {code}:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }
}

fn numjit<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_numjit"))
        .args(args)
        .output()
        .expect("the numjit binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> String {
    p.to_str().expect("temp paths are UTF-8").to_string()
}

/// `NAME=path` for an argument list.
fn bind(name: &str, p: &Path) -> String {
    format!("{name}={}", s(p))
}

fn save<T: WritableElement>(dir: &TempDir, name: &str, a: &ArrayD<T>) -> PathBuf {
    let p = dir.path().join(name);
    write_npy(&p, a).expect("test input written");
    p
}

fn load<T: ReadableElement>(p: &Path) -> ArrayD<T> {
    read_npy(p).expect("numjit's output reads back")
}

/// A v1.0 `.npy` header for `dict`, padded to 64 bytes as NumPy does.
fn npy_header(dict: &str) -> Vec<u8> {
    let mut h = dict.as_bytes().to_vec();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(h.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&h);
    out
}

/// `numjit eval "a" a=in.npy --out out.npy`, then the output read back.
fn identity_round_trip<T: WritableElement + ReadableElement>(
    a: &ArrayD<T>,
    file: &str,
) -> ArrayD<T> {
    let dir = TempDir::new().unwrap();
    let input = save(&dir, file, a);
    let out = dir.path().join("out.npy");
    numjit(&[
        "eval".to_string(),
        "a".to_string(),
        bind("a", &input),
        "--out".to_string(),
        s(&out),
    ])
    .assert_ok();
    load(&out)
}

#[test]
fn all_six_dtypes_round_trip_through_out() {
    let b = array![[true, false, true], [false, false, true]].into_dyn();
    assert_eq!(identity_round_trip(&b, "b.npy"), b);
    let i4 = array![1i32, -2, i32::MAX, i32::MIN].into_dyn();
    assert_eq!(identity_round_trip(&i4, "i4.npy"), i4);
    let i8 = array![[i64::MIN], [0], [i64::MAX]].into_dyn();
    assert_eq!(identity_round_trip(&i8, "i8.npy"), i8);
    let f4 = array![1.5f32, -0.25, 3e38].into_dyn();
    assert_eq!(identity_round_trip(&f4, "f4.npy"), f4);
    let f8 = ArrayD::from_shape_vec(
        IxDyn(&[2, 3, 4]),
        (0..24).map(|i| f64::from(i) / 7.0).collect(),
    )
    .unwrap();
    assert_eq!(identity_round_trip(&f8, "f8.npy"), f8);
    let c = array![Complex64::new(1.0, 2.0), Complex64::new(-0.5, 0.0)].into_dyn();
    assert_eq!(identity_round_trip(&c, "c.npy"), c);
    let scalar = ArrayD::from_elem(IxDyn(&[]), 2.5f64);
    assert_eq!(identity_round_trip(&scalar, "s.npy"), scalar);
}

#[test]
fn big_endian_and_fortran_order_inputs() {
    let dir = TempDir::new().unwrap();
    // >f8, C order, shape (2, 3)
    let mut be = npy_header("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }");
    for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.5] {
        be.extend_from_slice(&v.to_be_bytes());
    }
    let be_path = dir.path().join("be.npy");
    fs::write(&be_path, be).unwrap();
    // <i4, Fortran order, shape (2, 3): column-major data for [[1, 2, 3], [4, 5, 6]]
    let mut fo = npy_header("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }");
    for v in [1i32, 4, 2, 5, 3, 6] {
        fo.extend_from_slice(&v.to_le_bytes());
    }
    let fo_path = dir.path().join("f.npy");
    fs::write(&fo_path, fo).unwrap();
    // >i8, Fortran order, shape (3, 2)
    let mut bf = npy_header("{'descr': '>i8', 'fortran_order': True, 'shape': (3, 2), }");
    for v in [10i64, 20, 30, 40, 50, 60] {
        bf.extend_from_slice(&v.to_be_bytes());
    }
    let bf_path = dir.path().join("bf.npy");
    fs::write(&bf_path, bf).unwrap();

    let out = dir.path().join("out.npy");
    let args = [
        "eval".into(),
        "a + b".into(),
        bind("a", &be_path),
        bind("b", &fo_path),
        "--out".into(),
        s(&out),
    ];
    numjit(&args).assert_ok();
    assert_eq!(
        load::<f64>(&out),
        array![[2.0, 4.0, 6.0], [8.0, 10.0, 12.5]].into_dyn()
    );

    let args = [
        "eval".into(),
        "c".into(),
        bind("c", &bf_path),
        "--out".into(),
        s(&out),
    ];
    numjit(&args).assert_ok();
    assert_eq!(
        load::<i64>(&out),
        array![[10i64, 40], [20, 50], [30, 60]].into_dyn()
    );
}

#[test]
fn arithmetic_on_files() {
    let dir = TempDir::new().unwrap();
    let a = save(&dir, "a.npy", &array![1.0f64, 2.0, 3.0].into_dyn());
    let b = save(&dir, "b.npy", &array![[10.0f64], [20.0]].into_dyn());
    let c = save(&dir, "c.npy", &ArrayD::from_elem(IxDyn(&[]), 0.5f64));
    let out = dir.path().join("r.npy");
    let args = [
        "eval".into(),
        "a*b + c".into(),
        bind("a", &a),
        bind("b", &b),
        bind("c", &c),
        "--out".into(),
        s(&out),
    ];
    let run = numjit(&args);
    run.assert_ok();
    assert!(
        run.stdout.is_empty(),
        "--out prints nothing on stdout: {}",
        run.stdout
    );
    assert_eq!(
        load::<f64>(&out),
        array![[10.5, 20.5, 30.5], [20.5, 40.5, 60.5]].into_dyn()
    );
}

#[test]
fn literal_inputs_are_weak() {
    let dir = TempDir::new().unwrap();
    let a_f4 = save(&dir, "a_f4.npy", &array![1.0f32, 2.0].into_dyn());
    let a_i4 = save(&dir, "a_i4.npy", &array![1i32, 2].into_dyn());
    let out = dir.path().join("out.npy");

    // A Python float meeting float32 stays float32 (NEP 50).
    numjit(&[
        "eval".into(),
        "a * s".into(),
        bind("a", &a_f4),
        "s=2.5".into(),
        "--out".into(),
        s(&out),
    ])
    .assert_ok();
    assert_eq!(load::<f32>(&out), array![2.5f32, 5.0].into_dyn());

    // A Python int meeting int32 stays int32 ...
    numjit(&[
        "eval".into(),
        "a * s".into(),
        bind("a", &a_i4),
        "s=3".into(),
        "--out".into(),
        s(&out),
    ])
    .assert_ok();
    assert_eq!(load::<i32>(&out), array![3i32, 6].into_dyn());

    // ... and one that does not fit is an error, as it would be written in the expression.
    fs::remove_file(&out).unwrap();
    let run = numjit(&[
        "eval".into(),
        "a * s".into(),
        bind("a", &a_i4),
        "s=3000000000".into(),
        "--out".into(),
        s(&out),
    ]);
    run.assert_err(2, "E0302");
    assert!(!out.exists(), "a failed run leaves no output file");

    // Negative, bool and complex literals.
    let run = numjit(&[
        "eval".to_string(),
        "a + n".into(),
        bind("a", &a_i4),
        "n=-4".into(),
    ]);
    run.assert_ok();
    assert!(
        run.stdout.contains("int32") && run.stdout.contains("[-3 -2]"),
        "{}",
        run.stdout
    );
    let run = numjit(&[
        "eval".to_string(),
        "a * z".into(),
        bind("a", &a_f4),
        "z=1+2j".into(),
    ]);
    run.assert_ok();
    assert!(run.stdout.contains("complex"), "{}", run.stdout);
    let run = numjit(&["eval", "where(t, 1, 2)", "t=True"]);
    run.assert_ok();
    assert!(run.stdout.contains("shape ()"), "{}", run.stdout);
}

#[test]
fn prints_shape_dtype_and_values() {
    let dir = TempDir::new().unwrap();
    let x = save(
        &dir,
        "x.npy",
        &array![0.0f64, 0.25, 0.5, 0.75, 1.0].into_dyn(),
    );
    let run = numjit(&[
        "eval".to_string(),
        "((.25*x + .75)*x - 1.5)*x - 2".into(),
        bind("x", &x),
    ]);
    run.assert_ok();
    assert_eq!(
        run.stdout,
        "shape (5,) float64\n[-2.         -2.32421875 -2.53125    -2.59765625 -2.5       ]\n"
    );

    let m = save(&dir, "m.npy", &array![[1i64, 2], [3, 4]].into_dyn());
    let run = numjit(&["eval".to_string(), "m > 2".into(), bind("m", &m)]);
    run.assert_ok();
    assert_eq!(
        run.stdout,
        "shape (2, 2) bool\n[[False False]\n [ True  True]]\n"
    );

    let run = numjit(&["eval", "2.5 * 2"]);
    run.assert_ok();
    assert_eq!(run.stdout, "shape () float64\n5.0\n");
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("nope.npy");
    let run = numjit(&["eval".to_string(), "a".into(), bind("a", &missing)]);
    run.assert_err(1, "E0601");
    assert!(run.stderr.contains("nope.npy"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn malformed_files_are_bad_npy() {
    let dir = TempDir::new().unwrap();
    let text = dir.path().join("text.npy");
    fs::write(&text, "a,b,c\n1,2,3\n").unwrap();
    numjit(&["eval".to_string(), "a".into(), bind("a", &text)]).assert_err(2, "E0602");

    let good = save(
        &dir,
        "good.npy",
        &ArrayD::from_shape_vec(IxDyn(&[100]), vec![1.5f64; 100]).unwrap(),
    );
    let bytes = fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.npy");
    fs::write(&truncated, &bytes[..bytes.len() - 9]).unwrap();
    let run = numjit(&["eval".to_string(), "a".into(), bind("a", &truncated)]);
    run.assert_err(2, "E0602");
    assert!(run.stderr.contains("truncated"), "{}", run.stderr);

    let header_only = dir.path().join("header_only.npy");
    fs::write(&header_only, &bytes[..30]).unwrap();
    numjit(&["eval".to_string(), "a".into(), bind("a", &header_only)]).assert_err(2, "E0602");

    let empty = dir.path().join("empty.npy");
    fs::write(&empty, b"").unwrap();
    numjit(&["eval".to_string(), "a".into(), bind("a", &empty)]).assert_err(2, "E0602");

    // A header promising far more data than the file holds is an error, not an allocation.
    let mut huge =
        npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }");
    huge.extend_from_slice(&[0; 8]);
    let huge_path = dir.path().join("huge.npy");
    fs::write(&huge_path, huge).unwrap();
    numjit(&["eval".to_string(), "a".into(), bind("a", &huge_path)]).assert_err(2, "E0602");
}

#[test]
fn unsupported_dtypes_are_named() {
    let dir = TempDir::new().unwrap();
    for (descr, item) in [("<U1", 4), ("<f2", 2), ("|i1", 1), ("<u4", 4)] {
        let mut bytes = npy_header(&format!(
            "{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}"
        ));
        bytes.extend(std::iter::repeat_n(0u8, 2 * item));
        let p = dir.path().join("x.npy");
        fs::write(&p, bytes).unwrap();
        let run = numjit(&["eval".to_string(), "a".into(), bind("a", &p)]);
        run.assert_err(2, "E0603");
        assert!(run.stderr.contains(descr), "{descr}: {}", run.stderr);
        assert!(
            run.stderr.contains("float64"),
            "help lists the supported dtypes: {}",
            run.stderr
        );
    }
}

#[test]
fn shape_mismatch_between_files() {
    let dir = TempDir::new().unwrap();
    let a = save(&dir, "a.npy", &array![1.0f64, 2.0, 3.0].into_dyn());
    let b = save(&dir, "b.npy", &array![1.0f64, 2.0, 3.0, 4.0].into_dyn());
    let out = dir.path().join("out.npy");
    let run = numjit(&[
        "eval".into(),
        "a * b".into(),
        bind("a", &a),
        bind("b", &b),
        "--out".into(),
        s(&out),
    ]);
    run.assert_err(2, "E0401");
    assert!(!out.exists(), "a failed run leaves no output file");
}

#[test]
fn bad_expression_is_underlined() {
    let run = numjit(&["eval", "1 +* 2"]);
    run.assert_err(2, "E01");
    assert!(run.stderr.contains('^'), "{}", run.stderr);
    assert!(run.stderr.contains("1 +* 2"), "{}", run.stderr);

    let run = numjit(&["eval", "a + 1"]);
    run.assert_err(2, "E0201");
    assert!(run.stderr.contains('^'), "{}", run.stderr);
}

#[test]
fn out_into_missing_directory_fails_cleanly() {
    let dir = TempDir::new().unwrap();
    let a = save(&dir, "a.npy", &array![1i32, 2].into_dyn());
    let out = dir.path().join("no_such_dir").join("out.npy");
    let run = numjit(&[
        "eval".into(),
        "a + 1".into(),
        bind("a", &a),
        "--out".into(),
        s(&out),
    ]);
    run.assert_err(1, "E0601");
    assert!(run.stderr.contains("out.npy"), "{}", run.stderr);
    assert!(!out.exists());
    assert!(!dir.path().join("no_such_dir").exists());
}

#[test]
fn failed_run_leaves_existing_out_untouched() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.npy");
    fs::write(&out, b"previous contents").unwrap();
    let missing = dir.path().join("missing.npy");
    let run = numjit(&[
        "eval".into(),
        "a".into(),
        bind("a", &missing),
        "--out".into(),
        s(&out),
    ]);
    run.assert_err(1, "E0601");
    assert_eq!(fs::read(&out).unwrap(), b"previous contents");
    let run = numjit(&["eval".into(), "a +".into(), "--out".into(), s(&out)]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(fs::read(&out).unwrap(), b"previous contents");
    // nothing else (no temporary file) is left in the directory
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn out_overwrites_an_input_only_in_place() {
    let dir = TempDir::new().unwrap();
    let a = save(&dir, "a.npy", &array![1.0f64, 2.0].into_dyn());
    let args = |extra: &[&str]| {
        let mut v = vec![
            "eval".to_string(),
            "a * 10".to_string(),
            bind("a", &a),
            "--out".to_string(),
            s(&a),
        ];
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    numjit(&args(&[])).assert_err(2, "E0605");
    assert_eq!(load::<f64>(&a), array![1.0, 2.0].into_dyn());
    numjit(&args(&["--in-place", "a"])).assert_ok();
    assert_eq!(load::<f64>(&a), array![10.0, 20.0].into_dyn());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_bindings_are_usage_errors() {
    let run = numjit(&["eval", "x", "x"]);
    run.assert_err(2, "E0604");
    assert!(run.stderr.contains("NAME=VALUE"), "{}", run.stderr);

    let run = numjit(&["eval", "x", "x=1", "x=2"]);
    run.assert_err(2, "E0604");
    assert!(run.stderr.contains("twice"), "{}", run.stderr);

    let run = numjit(&["eval", "x", "x=hello"]);
    run.assert_err(2, "E0604");
    assert!(run.stderr.contains("help"), "{}", run.stderr);

    let run = numjit(&["eval", "x", "x=99999999999999999999"]);
    run.assert_err(2, "E0102");
}

#[test]
fn invalid_input_names_are_rejected() {
    for name in ["1x", "sqrt", "a-b", "if", ""] {
        let run = numjit(&["eval".to_string(), "x".into(), format!("{name}=1")]);
        run.assert_err(2, "E0205");
    }
}

#[test]
fn clap_errors_help_and_version() {
    let run = numjit(&["eval"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("EXPR"), "{}", run.stderr);

    let run = numjit(&["frobnicate"]);
    assert_eq!(run.code, Some(2));

    let run = numjit(&["eval", "x", "--bogus"]);
    assert_eq!(run.code, Some(2));

    let run = numjit(&["--version"]);
    run.assert_ok();
    assert!(run.stdout.starts_with("numjit "), "{}", run.stdout);

    for args in [
        &["help"][..],
        &["--help"],
        &["help", "eval"],
        &["eval", "--help"],
    ] {
        let run = numjit(args);
        run.assert_ok();
        assert!(run.stdout.contains("eval"), "{}", run.stdout);
    }
    let run = numjit(&["eval", "--help"]);
    assert!(
        run.stdout.contains("NAME=VALUE") && run.stdout.contains("--out"),
        "{}",
        run.stdout
    );
}

#[test]
fn expression_may_start_with_minus() {
    let run = numjit(&["eval", "-x", "x=2"]);
    run.assert_ok();
    assert_eq!(run.stdout, "shape () int64\n-2\n");
}

/// No arguments opens the REPL (tests/it/repl.rs); with empty stdin it ends at once.
#[test]
fn no_arguments_opens_the_repl() {
    let run = numjit::<&str>(&[]);
    run.assert_ok();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
}
