//! SVG plots for the report (plotters).

use std::path::Path;

use plotters::prelude::*;

use crate::{LabError, Result};

/// A plotting failure, naming the file.
pub fn plot_error(path: &Path, e: impl std::fmt::Display) -> LabError {
    LabError::Usage(format!("plotting {}: {e}", path.display()))
}

/// A white SVG canvas of `size` pixels drawing to `path`, whose folder is created; every chart
/// of the demo and the experiments starts here.
pub fn canvas(
    path: &Path,
    size: (u32, u32),
) -> Result<DrawingArea<SVGBackend<'_>, plotters::coord::Shift>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| LabError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    Ok(root)
}

/// The x-axis label at `x` for bar groups that sit on [i, i + 1): group i's label near its
/// centre, nothing elsewhere.
pub fn group_label(labels: &[String], x: f64) -> String {
    let i = x.floor() as usize;
    if (x - i as f64 - 0.5).abs() < 0.26 {
        labels.get(i).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// A horizontal bar chart of labelled values.
pub fn bars(path: &Path, title: &str, values: &[(String, f64)]) -> Result<()> {
    let height = 80 + 28 * values.len() as u32;
    let root = canvas(path, (760, height))?;
    let max = values
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.1;
    let n = values.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(230)
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_label_formatter(&|seg| match seg {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                values.get(*i).map(|(l, _)| l.clone()).unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .y_labels(n)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, (_, v))| {
            let style = if i % 2 == 0 {
                BLUE.mix(0.6).filled()
            } else {
                RED.mix(0.5).filled()
            };
            Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (*v, SegmentValue::Exact(i + 1)),
                ],
                style,
            )
        }))
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}

/// A scatter plot with the identity line.
pub fn scatter(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64)],
) -> Result<()> {
    let root = canvas(path, (520, 480))?;
    let lim = points
        .iter()
        .flat_map(|(x, y)| [x.abs(), y.abs()])
        .fold(0.0f64, f64::max)
        .max(1e-3)
        * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(-lim..lim, -lim..lim)
        .map_err(|e| plot_error(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .draw()
        .map_err(|e| plot_error(path, e))?;
    chart
        .draw_series(LineSeries::new([(-lim, -lim), (lim, lim)], BLACK.mix(0.4)))
        .map_err(|e| plot_error(path, e))?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 4, BLUE.filled())),
        )
        .map_err(|e| plot_error(path, e))?;
    root.present().map_err(|e| plot_error(path, e))?;
    Ok(())
}
