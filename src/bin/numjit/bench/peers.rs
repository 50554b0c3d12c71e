//! `numjit bench --peers`: finds a Python with NumPy (and ideally numexpr and Numba),
//! runs `benches/peers/peers.py` (embedded in the binary) on the selected cases in the
//! same run, and reads its records back. Never fails the run: without a suitable
//! Python it says how to get one and the suite goes on without peers.

use super::cases::{Case, Kind};
use super::mandel::LIMIT;
use super::measure::Settings;
use super::report::Record;
use serde::Deserialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const SCRIPT: &str = include_str!("../../../../benches/peers/peers.py");
const MARKER: &str = "NUMJIT_PEERS_JSON ";

/// How to get a Python for the peers.
pub const HOW: &str = "python3 -m venv ~/.cache/numjit-peers/venv && \
     ~/.cache/numjit-peers/venv/bin/pip install -r benches/peers/requirements.txt \
     (or point NUMJIT_PYTHON at a python that has numpy, numexpr and numba)";

#[derive(Deserialize)]
struct Output {
    records: Vec<Record>,
    notes: Vec<String>,
}

/// Candidates in order: `$NUMJIT_PYTHON`, the venv `~/.cache/numjit-peers/venv`, `python3`.
fn candidates() -> Vec<PathBuf> {
    let mut c = Vec::new();
    if let Some(p) = std::env::var_os("NUMJIT_PYTHON") {
        c.push(PathBuf::from(p));
    }
    if let Some(home) = std::env::var_os("HOME") {
        c.push(PathBuf::from(home).join(".cache/numjit-peers/venv/bin/python"));
    }
    c.push(PathBuf::from("python3"));
    c
}

/// The first candidate that can import numpy.
fn find_python() -> Option<PathBuf> {
    candidates().into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import numpy"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Measures the peers on `cases`; returns their records and notes for the report.
pub fn run(cases: &[Case], settings: &Settings, threads: usize) -> (Vec<Record>, Vec<String>) {
    let Some(python) = find_python() else {
        let note = format!("no Python with NumPy found, peers skipped; to get one: {HOW}");
        eprintln!("bench: {note}");
        return (Vec::new(), vec![note]);
    };
    eprintln!("bench: measuring peers with {}", python.display());
    let spec = serde_json::json!({
        "quick": settings.quick,
        "threads": threads,
        "limit": LIMIT,
        "iters": if settings.quick { 20 } else { 100 },
        "cases": cases.iter().map(|c| serde_json::json!({
            "case": c.name(),
            "family": c.family.name,
            "size": c.size,
            "n": c.elems(),
            "bytes_per_elem": match c.family.kind {
                Kind::Mandel => c.family.bytes_per_elem * LIMIT as f64,
                _ => c.family.bytes_per_elem,
            },
            "unit": super::unit(c.family.kind),
        })).collect::<Vec<_>>(),
    });
    let child = Command::new(&python)
        .arg("-")
        .arg(spec.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("cannot run {}: {e}", python.display())],
            )
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(SCRIPT.as_bytes());
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return (Vec::new(), vec![format!("peers script failed: {e}")]),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(MARKER))
        .map(serde_json::from_str::<Output>);
    match parsed {
        Some(Ok(o)) => (o.records, o.notes),
        Some(Err(e)) => (
            Vec::new(),
            vec![format!("cannot read the peers' results: {e}")],
        ),
        None => (
            Vec::new(),
            vec![format!(
                "the peers script printed no results (exit status {}); see its messages above",
                out.status
            )],
        ),
    }
}
