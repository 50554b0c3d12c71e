//! Results of `numjit bench`: the measurement record (also the `--json` format and what
//! the peers script prints), the table, and writing files whole. Owns no timing.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// One measurement: a case, an engine and a thread count.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    pub case: String,
    /// Elements of the result (cells for the 2-D cases).
    pub n: usize,
    /// `naive`, `fused`, `copy`; with `--peers` also `numpy`, `numexpr`, `numba`.
    pub engine: String,
    pub threads: usize,
    pub median_ns_per_elem: f64,
    pub min_ns_per_elem: f64,
    /// Minimal bytes moved per element over the median time; absent when meaningless.
    pub gb_per_s: Option<f64>,
    /// What one "element" of time is: `element`, `cell per iteration` (diffusion),
    /// `cell, all iterations` (Mandelbrot).
    #[serde(default)]
    pub unit: String,
    /// naive median / this median (same run); absent without a naive measurement.
    #[serde(default)]
    pub speedup_vs_naive: Option<f64>,
}

/// A line of the table: a measurement or a case that could not run.
#[derive(Clone, Debug)]
pub enum Row {
    Measured(Record),
    Unsupported {
        case: String,
        n_label: String,
        why: String,
    },
}

/// Fills in `speedup_vs_naive` of every record from the naive record of its case.
pub fn add_speedups(records: &mut [Record]) {
    let naive: Vec<(String, f64)> = records
        .iter()
        .filter(|r| r.engine == "naive")
        .map(|r| (r.case.clone(), r.median_ns_per_elem))
        .collect();
    for r in records.iter_mut() {
        r.speedup_vs_naive = naive
            .iter()
            .find(|(c, _)| *c == r.case)
            .map(|(_, t)| t / r.median_ns_per_elem);
    }
}

fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// The table, as Markdown with aligned columns (readable in a terminal, pastable into
/// a README). `n_labels` maps case names to their N column.
pub fn table(rows: &[Row], n_labels: &dyn Fn(&str) -> String) -> String {
    let header = [
        "case",
        "N",
        "engine",
        "threads",
        "median ns/elem",
        "min ns/elem",
        "GB/s",
        "vs naive",
    ];
    let mut cells: Vec<Vec<String>> = Vec::new();
    for row in rows {
        cells.push(match row {
            Row::Measured(r) => vec![
                r.case.clone(),
                n_labels(&r.case),
                r.engine.clone(),
                r.threads.to_string(),
                num(r.median_ns_per_elem),
                num(r.min_ns_per_elem),
                r.gb_per_s.map_or("-".into(), |g| format!("{g:.1}")),
                r.speedup_vs_naive
                    .map_or("-".into(), |s| format!("{}x", num(s))),
            ],
            Row::Unsupported { case, n_label, why } => vec![
                case.clone(),
                n_label.clone(),
                format!("unsupported: {why}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        });
    }
    let width = |i: usize| {
        cells
            .iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let right = |i: usize| i != 0 && i != 2;
    let mut out = String::new();
    let line = |out: &mut String, r: &[String]| {
        out.push('|');
        for (i, c) in r.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if right(i) {
                let _ = write!(out, " {}{c} |", " ".repeat(pad));
            } else {
                let _ = write!(out, " {c}{} |", " ".repeat(pad));
            }
        }
        out.push('\n');
    };
    line(
        &mut out,
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    out.push('|');
    for (i, w) in widths.iter().enumerate() {
        let dashes = "-".repeat((*w).max(3));
        if right(i) {
            let _ = write!(out, " {}: |", &dashes[1..]);
        } else {
            let _ = write!(out, " {dashes} |");
        }
    }
    out.push('\n');
    for r in &cells {
        line(&mut out, r);
    }
    out
}

/// The summary: one line per case, median ns per element of each engine (the fastest
/// thread count for `copy`, all threads for the multi-threaded engines) and fused's
/// speed-up (its faster thread count) over naive and over the fastest peer. Columns nobody measured are left out.
pub fn summary(records: &[Record], order: &[String], n_labels: &dyn Fn(&str) -> String) -> String {
    let max_t = records.iter().map(|r| r.threads).max().unwrap_or(1);
    let get = |case: &str, engine: &str, threads: Option<usize>| {
        records
            .iter()
            .filter(|r| r.case == case && r.engine == engine)
            .filter(|r| threads.is_none_or(|t| r.threads == t))
            .map(|r| r.median_ns_per_elem)
            .min_by(f64::total_cmp)
    };
    let all = format!("{max_t}T");
    let columns: Vec<(String, &str, Option<usize>)> = vec![
        ("naive".into(), "naive", Some(1)),
        ("fused 1T".into(), "fused", Some(1)),
        (format!("fused {all}"), "fused", Some(max_t)),
        ("copy".into(), "copy", None),
        ("numpy".into(), "numpy", Some(1)),
        (format!("numexpr {all}"), "numexpr", Some(max_t)),
        (format!("numba {all}"), "numba", Some(max_t)),
    ];
    let cases: Vec<&String> = order
        .iter()
        .filter(|c| records.iter().any(|r| &r.case == *c))
        .collect();
    let mut columns: Vec<_> = columns
        .into_iter()
        .filter(|(_, e, t)| cases.iter().any(|c| get(c, e, *t).is_some()))
        .collect();
    columns.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    let peers = columns
        .iter()
        .any(|(_, e, _)| ["numpy", "numexpr", "numba"].contains(e));
    let mut head: Vec<String> = vec!["case".into(), "N".into()];
    head.extend(columns.iter().map(|(h, _, _)| h.clone()));
    head.push("fused vs naive".into());
    if peers {
        head.push("fused vs best peer".into());
    }
    let mut out = format!("| {} |\n|", head.join(" | "));
    for i in 0..head.len() {
        out.push_str(if i == 0 { "---|" } else { "---:|" });
    }
    out.push('\n');
    for c in cases {
        let mut line = vec![c.clone(), n_labels(c)];
        for (_, e, t) in &columns {
            line.push(get(c, e, *t).map_or("-".into(), num));
        }
        let fused = get(c, "fused", None);
        let ratio = |other: Option<f64>| match (other, fused) {
            (Some(o), Some(f)) => format!("{}x", num(o / f)),
            _ => "-".into(),
        };
        line.push(ratio(get(c, "naive", None)));
        if peers {
            let best = ["numpy", "numexpr", "numba"]
                .iter()
                .filter_map(|e| get(c, e, None))
                .min_by(f64::total_cmp);
            line.push(ratio(best));
        }
        out.push_str(&format!("| {} |\n", line.join(" | ")));
    }
    out
}

/// Writes `bytes` to `path` through a temporary file in the same directory, renamed
/// when complete: a failed run never leaves a partial file.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(case: &str, engine: &str, t: f64) -> Record {
        Record {
            case: case.into(),
            n: 10,
            engine: engine.into(),
            threads: 1,
            median_ns_per_elem: t,
            min_ns_per_elem: t,
            gb_per_s: Some(16.0 / t),
            unit: "element".into(),
            speedup_vs_naive: None,
        }
    }

    #[test]
    fn speedups_and_table() {
        let mut rs = vec![rec("a", "naive", 4.0), rec("a", "fused", 1.0)];
        add_speedups(&mut rs);
        assert_eq!(rs[1].speedup_vs_naive, Some(4.0));
        let mut rows: Vec<Row> = rs.into_iter().map(Row::Measured).collect();
        rows.push(Row::Unsupported {
            case: "b".into(),
            n_label: "1e3".into(),
            why: "unknown function `sin`".into(),
        });
        let t = table(&rows, &|_| "10".into());
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[3].contains("| fused ") && lines[3].contains("4.00x"));
        assert!(lines[4].contains("unsupported: unknown function `sin`"));
    }

    #[test]
    fn summary_has_one_line_per_case() {
        let mut rs = vec![
            rec("a", "naive", 4.0),
            rec("a", "fused", 1.0),
            rec("a", "numba", 0.5),
            rec("b", "naive", 2.0),
        ];
        rs[2].threads = 1;
        let s = summary(&rs, &["a".into(), "b".into(), "c".into()], &|_| "10".into());
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 4, "{s}");
        assert_eq!(
            lines[0],
            "| case | N | naive | fused 1T | numba 1T | fused vs naive | fused vs best peer |"
        );
        assert_eq!(
            lines[2],
            "| a | 10 | 4.00 | 1.00 | 0.500 | 4.00x | 0.500x |"
        );
        assert_eq!(lines[3], "| b | 10 | 2.00 | - | - | - | - |");
    }
}
