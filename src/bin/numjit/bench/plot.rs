//! `numjit bench --plot`: a grouped bar chart (SVG, log scale) of the median ns per
//! element of every case and engine. Owns the chart only.

use super::report::Record;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The bars drawn per case: (legend, engine, threads: 0 = the largest measured,
/// `usize::MAX` = the fastest of any thread count).
const SERIES: &[(&str, &str, usize, RGBColor)] = &[
    ("naive", "naive", 1, RGBColor(150, 150, 150)),
    ("fused 1T", "fused", 1, RGBColor(120, 170, 230)),
    ("fused all", "fused", 0, RGBColor(20, 80, 180)),
    (
        "copy (bandwidth reference)",
        "copy",
        usize::MAX,
        RGBColor(40, 40, 40),
    ),
    ("numpy", "numpy", 1, RGBColor(240, 160, 40)),
    ("numexpr all", "numexpr", 0, RGBColor(60, 170, 80)),
    ("numba all", "numba", 0, RGBColor(210, 60, 60)),
];

/// The SVG text. `order` lists the case names in table order.
pub fn svg(records: &[Record], order: &[String]) -> Result<String, String> {
    let max_threads = |engine: &str| {
        records
            .iter()
            .filter(|r| r.engine == engine)
            .map(|r| r.threads)
            .max()
            .unwrap_or(1)
    };
    let value = |case: &str, engine: &str, threads: usize| {
        let t = if threads == 0 {
            max_threads(engine)
        } else {
            threads
        };
        records
            .iter()
            .filter(|r| r.case == case && r.engine == engine)
            .filter(|r| threads == usize::MAX || r.threads == t)
            .map(|r| r.median_ns_per_elem)
            .filter(|v| v.is_finite() && *v > 0.0)
            .min_by(f64::total_cmp)
    };
    let cases: Vec<&String> = order
        .iter()
        .filter(|c| records.iter().any(|r| &r.case == *c))
        .collect();
    let series: Vec<_> = SERIES
        .iter()
        .filter(|(_, e, t, _)| cases.iter().any(|c| value(c, e, *t).is_some()))
        .collect();
    let values: Vec<f64> = cases
        .iter()
        .flat_map(|c| series.iter().filter_map(|(_, e, t, _)| value(c, e, *t)))
        .collect();
    let (lo, hi) = values.iter().fold((f64::INFINITY, 0f64), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    if values.is_empty() {
        return Err("nothing was measured".into());
    }
    let (lo, hi) = (lo / 2.0, hi * 2.0);
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut buf = String::new();
    {
        let width = (140 + cases.len() * (14 * series.len() as u32 as usize + 16)).max(700);
        let root = SVGBackend::with_string(&mut buf, (width as u32, 620)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "numjit bench: median ns per element (log scale; lower is better)",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(130)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..cases.len() as f64 - 0.5, (lo..hi).log_scale())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc("ns per element")
            .y_label_formatter(&|v| format!("{v}"))
            .draw()
            .map_err(|e| err(&e))?;
        let k = series.len() as f64;
        let bar = 0.84 / k;
        for (s, (label, engine, threads, color)) in series.iter().enumerate() {
            let color = *color;
            let bars: Vec<_> = cases
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let v = value(c, engine, *threads)?;
                    let x0 = i as f64 - 0.42 + s as f64 * bar;
                    Some(Rectangle::new(
                        [(x0, lo), (x0 + bar * 0.9, v)],
                        color.filled(),
                    ))
                })
                .collect();
            chart
                .draw_series(bars)
                .map_err(|e| err(&e))?
                .label(*label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
        // Case names under their group, rotated.
        let style = TextStyle::from(("sans-serif", 13).into_font())
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, c) in cases.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64, lo));
            root.draw(&Text::new(c.to_string(), (px, py + 8), style.clone()))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(buf)
}
