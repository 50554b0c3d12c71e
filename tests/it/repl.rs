//! Integration tests: the REPL in script mode (`numjit` with stdin not a terminal) —
//! transcripts of constructors, assignments, printing and commands; the first error
//! stops the script with a rendered, coded report and exit status 2 (1 for files).

use ndarray::{array, ArrayD};
use ndarray_npy::{read_npy, write_npy};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `numjit` (no arguments) in `dir` with `script` on stdin.
fn repl_in(dir: &Path, script: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_numjit"))
        .current_dir(dir)
        .env("NUMJIT_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the numjit binary starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // The REPL may stop reading early (first error): a broken pipe here is expected.
    let _ = stdin.write_all(script.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().expect("numjit runs");
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn repl(script: &str) -> Run {
    let dir = TempDir::new().unwrap();
    repl_in(dir.path(), script)
}

#[track_caller]
fn ok(script: &str) -> String {
    let r = repl(script);
    assert_eq!(
        r.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    r.stdout
}

#[test]
fn transcript_of_constructors_and_expressions() {
    let out = ok("\
# comments and blank lines are skipped

x = linspace(0, 1, 7)
x
y = ((.25*x + .75)*x - 1.5)*x - 2
y
s = 2.5
x32 = linspace(0, 1, 3, dtype=float32)
x32 * s
arange(5)
arange(1, 2, 0.25)
arange(10, 0, -3, dtype=int32)
linspace(0, 1, 4, endpoint=False)
zeros(2, 3)
ones((2,), dtype=int32)
full((2, 2), 1+2j)
full(3, True)
full(2, 7, dtype=float32)
y > -2.5
where(y > -2.5, y, 0)
2**10
:vars
");
    insta::assert_snapshot!("transcript", out);
}

#[test]
fn commands_ast_ir_clif_threads_help() {
    let out = ok("x = linspace(0, 1, 3)\n:ast 2*x + 1\n:ir 2*x + 1\n:threads 1\n:threads\n");
    insta::assert_snapshot!("commands", out);
    let clif = ok("x = linspace(0, 1, 3)\n:clif 2*x + 1\n");
    assert!(clif.contains("function"), "{clif}");
    assert!(clif.contains("fmul") || clif.contains("fma"), "{clif}");
    let help = ok(":help\n");
    // the help lists every function of numjit's table, every constructor and command
    for (f, _, _) in numjit::ops::FUNCTIONS {
        assert!(help.contains(f), "{f} missing from :help");
    }
    for word in [
        "linspace(",
        "arange(",
        "random(",
        "normal(",
        "load(",
        "save(",
        ":time",
        ":vars",
        ":quit",
    ] {
        assert!(help.contains(word), "{word} missing from :help");
    }
}

#[test]
fn time_shows_fused_and_naive_side_by_side() {
    let out = ok("x = linspace(0, 1, 1000)\n:time ((.25*x + .75)*x - 1.5)*x - 2\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[1]
            .split_whitespace()
            .eq(["median", "ns/elem", "GB/s", "runs"]),
        "{out}"
    );
    for (line, name) in lines[2..4].iter().zip(["fused", "naive"]) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], name, "{out}");
        // median with a unit, then ns/elem, GB/s and a run count that parse as numbers
        assert!(["ns", "µs", "ms", "s"].contains(&cells[2]), "{out}");
        assert!(cells[3].parse::<f64>().unwrap() > 0.0, "{out}");
        assert!(cells[4].parse::<f64>().unwrap() > 0.0, "{out}");
        assert!(cells[5].parse::<usize>().unwrap() >= 1, "{out}");
    }
    assert!(lines[4].starts_with("speed-up "), "{out}");
    assert!(
        lines[4].contains("1000 elements, 16.0 KB moved per run"),
        "{out}"
    );
}

#[test]
fn random_and_normal_are_reproducible_with_a_seed() {
    let script = "\
r = random(1000, seed=42)
n = normal(2, 3, seed=7, loc=10, scale=0.5, dtype=float32)
save(r, \"r.npy\")
save(n, \"n.npy\")
";
    let dir = TempDir::new().unwrap();
    let first = repl_in(dir.path(), script);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let r1: ArrayD<f64> = read_npy(dir.path().join("r.npy")).unwrap();
    let n1: ArrayD<f32> = read_npy(dir.path().join("n.npy")).unwrap();
    let again = repl_in(dir.path(), script);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(
        r1,
        read_npy::<_, ArrayD<f64>>(dir.path().join("r.npy")).unwrap()
    );
    assert_eq!(
        n1,
        read_npy::<_, ArrayD<f32>>(dir.path().join("n.npy")).unwrap()
    );
    assert_eq!(r1.shape(), &[1000]);
    assert!(r1.iter().all(|v| (0.0..1.0).contains(v)));
    let mean = r1.iter().sum::<f64>() / 1000.0;
    assert!((0.4..0.6).contains(&mean), "uniform mean {mean}");
    assert_eq!(n1.shape(), &[2, 3]);
    assert!(n1.iter().all(|v| (7.0..13.0).contains(v)), "{n1}");
    // another seed, other numbers
    let other = repl_in(dir.path(), "save(random(1000, seed=43), \"r.npy\")\n");
    assert_eq!(other.code, Some(0), "{}", other.stderr);
    assert_ne!(
        r1,
        read_npy::<_, ArrayD<f64>>(dir.path().join("r.npy")).unwrap()
    );
}

#[test]
fn load_and_save_round_trip() {
    let dir = TempDir::new().unwrap();
    let a = array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
    write_npy(dir.path().join("a.npy"), &a).unwrap();
    let r = repl_in(
        dir.path(),
        "a = load(\"a.npy\")\nsave(2*a + 1, 'b.npy')\nb = load('b.npy')\nb\n:vars\n",
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    insta::assert_snapshot!("load_save", r.stdout);
    let b: ArrayD<f64> = read_npy(dir.path().join("b.npy")).unwrap();
    assert_eq!(b, a.mapv(|v| 2.0 * v + 1.0));
}

#[test]
fn open_parentheses_continue_a_statement() {
    let out = ok("x = linspace(0,\n  1,\n  3)\ny = (x +\n1)\ny\n");
    assert_eq!(
        out,
        "x: shape (3,) float64\ny: shape (3,) float64\n[1.  1.5 2. ]\nshape (3,) float64\n"
    );
    // the input ends inside the parenthesis: the statement is reported as unfinished
    let r = repl("x = (1 +\n 2 +\n");
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("E0104"), "{}", r.stderr);
    assert!(r.stderr.contains("2 │  2 +"), "{}", r.stderr);
}

#[test]
fn quit_stops_reading() {
    assert_eq!(
        ok("a = 1\n:quit\nthis is never read\n"),
        "a: 1 (weak literal, int)\n"
    );
}

/// Each script fails on its last line: the report goes to stderr, nothing after the
/// error runs, the exit status is 2 (1 for file errors).
#[test]
fn first_error_stops_the_script() {
    let cases: &[(&str, i32, &str)] = &[
        ("x = linspace(0, 1, 5)\ny = x + q", 2, "E0201"),
        ("y = x +", 2, "E0104"),
        ("2x = 3", 2, "E0205"),
        ("where = 1", 2, "E0205"),
        ("linspace = 1", 2, "E0205"),
        ("= 3", 2, "E0205"),
        ("x =", 2, "E0109"),
        ("x = linspace(0, 1, 5) * 2", 2, "E0604"),
        ("sqrt(linspace(0, 1, 3))", 2, "E0604"),
        ("sqrt(random(3, seed=1))", 2, "E0604"),
        ("random(3, sed=1)", 2, "E0604"),
        ("random(3, seed=-1)", 2, "E0604"),
        ("zeros(-1)", 2, "E0604"),
        ("zeros(2**62, 2**62)", 2, "E0604"),
        ("arange(0, 10, 0)", 2, "E0604"),
        ("linspace(0, 1, 3, 4, 5)", 2, "E0203"),
        ("linspace(0)", 2, "E0203"),
        ("zeros(3, dtype=float16)", 2, "E0604"),
        ("full(3, 2**70, dtype=int32)", 2, "E0302"),
        ("linspace(0, \"1\")", 2, "E0604"),
        ("load(a.npy)", 2, "E0604"),
        ("load(\"missing.npy)", 2, "E0104"),
        ("load(\"missing.npy\")", 1, "E0601"),
        ("save(1, \"no/such/dir/a.npy\")", 1, "E0601"),
        ("y = save(1, \"a.npy\")", 2, "E0604"),
        (":tme 1", 2, "E0604"),
        (":time", 2, "E0604"),
        (":threads 0", 2, "E0604"),
        (":vars 1", 2, "E0604"),
    ];
    let mut all = String::new();
    for (script, exit, code) in cases {
        let r = repl(&format!("{script}\n:vars\n"));
        assert_eq!(r.code, Some(*exit), "{script}\nstderr:\n{}", r.stderr);
        assert!(
            r.stderr.contains(code),
            "{script}: expected {code}\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("help:"),
            "{script}: no help line\n{}",
            r.stderr
        );
        assert!(
            !r.stdout.contains("name  dtype"),
            "{script}: ran past the error"
        );
        all.push_str(&format!("$ {script}\n{}\n", r.stderr));
    }
    insta::assert_snapshot!("errors", all);
}

#[test]
fn error_spans_point_into_the_typed_line() {
    let r = repl("a = 1\n\nb = 2\ny   =   a + nope\n");
    assert_eq!(r.code, Some(2));
    // line 4 of the input, column 13 (the `nope` after `y   =   a + `)
    assert!(r.stderr.contains("<stdin>:4:13"), "{}", r.stderr);
    assert!(r.stderr.contains("4 │ y   =   a + nope\n"), "{}", r.stderr);
    assert!(r.stderr.contains("^^^^ not defined"), "{}", r.stderr);
}

/// Random lines made of the REPL's own vocabulary: every one ends in a result or a
/// coded error, never a crash.
#[test]
fn random_lines_never_crash() {
    const WORDS: &[&str] = &[
        "x",
        "y",
        "=",
        "==",
        "(",
        ")",
        ",",
        "1",
        "-3",
        "2.5",
        "1e308",
        "2**70",
        "0",
        "linspace",
        "arange",
        "zeros",
        "full",
        "random",
        "normal",
        "load",
        "save",
        "seed=",
        "dtype=",
        "float32",
        "int32",
        "\"a.npy\"",
        "'",
        "\"",
        "+",
        "*",
        "//",
        "where",
        "sqrt",
        ":time",
        ":ast",
        ":ir",
        ":vars",
        ":threads",
        "#",
        "\u{e9}",
        "\0",
        "[",
        "]",
        "True",
        "_",
        " ",
    ];
    let cases: usize = std::env::var("NUMJIT_REPL_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    // xorshift: a fixed, reproducible sequence of scripts
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..cases {
        let mut script = String::from("x = linspace(0, 1, 5)\ny = arange(5)\n");
        let n = 1 + (next() % 12) as usize;
        for _ in 0..n {
            script.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
        }
        script.push('\n');
        let r = repl(&script);
        assert!(
            matches!(r.code, Some(0..=2)),
            "script {script:?}: status {:?}\n{}",
            r.code,
            r.stderr
        );
        if r.code != Some(0) {
            assert!(
                r.stderr.contains("error[E"),
                "script {script:?}:\n{}",
                r.stderr
            );
        }
    }
}
