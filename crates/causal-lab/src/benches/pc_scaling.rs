//! The PC scaling plot: seconds against the number of variables, ours and causal-learn's, from
//! the `pc_scaling.json` that `compare_pc.py --pc-scaling D,..` writes.

use std::path::Path;
use std::time::Instant;

use plotters::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::demo::plot::{canvas, plot_error};
use crate::{LabError, Result};

#[derive(Deserialize)]
struct Scaling {
    n: usize,
    load_avg_1min: f64,
    points: Vec<Point>,
}

#[derive(Deserialize)]
struct Point {
    d: usize,
    peer_s: f64,
    ours_s: f64,
}

/// `causal-lab bench plot-pc-scaling SCALING.json OUT.svg`: draws both curves on a log time
/// axis; prints the drawing time and the path.
pub fn plot(args: &[String]) -> Result<serde_json::Value> {
    let (Some(input), Some(out)) = (args.first(), args.get(1)) else {
        return Err(LabError::Usage(
            "bench plot-pc-scaling needs SCALING.json and OUT.svg".into(),
        ));
    };
    let io = |e: String| LabError::Io {
        path: input.clone(),
        source: std::io::Error::other(e),
    };
    let start = Instant::now();
    let text = std::fs::read_to_string(input).map_err(|e| io(e.to_string()))?;
    let s: Scaling = serde_json::from_str(&text).map_err(|e| io(e.to_string()))?;
    if s.points.is_empty() {
        return Err(LabError::Usage(format!("{input} has no points")));
    }
    draw(&s, Path::new(out))?;
    Ok(json!({"seconds": start.elapsed().as_secs_f64(), "svg": out}))
}

fn draw(s: &Scaling, path: &Path) -> Result<()> {
    let all = s.points.iter().flat_map(|p| [p.peer_s, p.ours_s]);
    let lo = all.clone().fold(f64::INFINITY, f64::min).max(1e-5) / 2.0;
    let hi = all.fold(0.0f64, f64::max).max(lo * 10.0) * 2.0;
    let d_max = s.points.iter().map(|p| p.d).max().unwrap_or(1) as f64 * 1.05;
    let root = canvas(path, (800, 500))?;
    let title = format!(
        "PC (Fisher-z, stable), n = {}: seconds vs d (load {:.1})",
        s.n, s.load_avg_1min
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..d_max, (lo..hi).log_scale())
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc("variables d")
        .y_desc("seconds (log)")
        .y_label_formatter(&|v| format!("{v:.3}"))
        .draw()
        .map_err(|e| plot_error(path, e))?;
    let series: [(&str, fn(&Point) -> f64, RGBColor); 2] = [
        ("causal-learn 0.1.4.8", |p| p.peer_s, RED),
        ("causal-rs", |p| p.ours_s, BLUE),
    ];
    for (name, value, color) in series {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|p| (p.d as f64, value(p))).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(|e| plot_error(path, e))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(|e| plot_error(path, e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}
