//! Grouped bar charts with error bars (SVG), shared by the invariance experiments.

use std::path::Path;

use plotters::prelude::*;

use crate::Result;
use crate::demo::plot::{canvas, group_label, plot_error};

/// One series of bars: a name and `(mean, sd)` per group.
pub struct Series<'a> {
    /// Legend entry.
    pub name: &'a str,
    /// Mean and standard deviation per group.
    pub values: Vec<(f64, f64)>,
}

/// Writes a grouped bar chart with ±sd whiskers to `path`.
pub fn bar_chart(
    path: &Path,
    title: &str,
    y_label: &str,
    groups: &[String],
    series: &[Series<'_>],
) -> Result<()> {
    let y_max = series
        .iter()
        .flat_map(|s| s.values.iter().map(|(m, sd)| m + sd))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.15;
    // Bars start at zero, so negative values (a gain that is a loss) extend the axis down.
    let y_min = series
        .iter()
        .flat_map(|s| s.values.iter().map(|(m, sd)| m - sd))
        .fold(0.0f64, f64::min)
        * 1.15;
    let root = canvas(path, (900, 480))?;
    let n_groups = groups.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..n_groups, y_min..y_max)
        .map_err(|e| plot_error(path, e))?;
    let labels = groups.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 1)
        .x_label_formatter(&|x| group_label(&labels, *x))
        .y_desc(y_label)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    let k = series.len().max(1) as f64;
    let width = 0.8 / k;
    for (si, s) in series.iter().enumerate() {
        let color = Palette99::pick(si).to_rgba();
        let bars = s.values.iter().enumerate().map(|(g, (m, _))| {
            let x0 = g as f64 + 0.1 + si as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *m)], color.filled())
        });
        chart
            .draw_series(bars)
            .map_err(|e| plot_error(path, e))?
            .label(s.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        let whiskers = s.values.iter().enumerate().map(|(g, (m, sd))| {
            let xc = g as f64 + 0.1 + si as f64 * width + width * 0.45;
            PathElement::new(vec![(xc, m - sd), (xc, m + sd)], BLACK.stroke_width(1))
        });
        chart
            .draw_series(whiskers)
            .map_err(|e| plot_error(path, e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}

/// Mean and sample standard deviation.
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, var.sqrt())
}

/// One line of a line chart: a name and `(x, y)` points.
pub struct Line<'a> {
    /// Legend entry.
    pub name: &'a str,
    /// The points, in order.
    pub points: Vec<(f64, f64)>,
}

/// Writes a line chart (one colour per line) to `path`.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[Line<'_>],
) -> Result<()> {
    let pts = lines.iter().flat_map(|l| l.points.iter());
    let (x_max, y_max) = pts.fold((1e-9f64, 1e-9f64), |(a, b), (x, y)| (a.max(*x), b.max(*y)));
    let root = canvas(path, (900, 520))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max * 1.05)
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    for (i, l) in lines.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                l.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| plot_error(path, e))?
            .label(l.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}
