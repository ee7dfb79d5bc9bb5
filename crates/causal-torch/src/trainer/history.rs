//! The per-epoch record of a training run, as JSON and as an SVG curve.

use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Result, TorchError};

/// One loss term's mean value per epoch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TermHistory {
    /// The term's name, as the objective returned it.
    pub name: String,
    /// Row-weighted mean over the epoch's mini-batches (`None` for epochs where the term was
    /// absent).
    pub values: Vec<Option<f64>>,
}

/// Train and validation losses per epoch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Mean training loss (sum of the terms) per epoch, weighted by batch size.
    pub train: Vec<f64>,
    /// Validation loss per epoch, where the objective gave one.
    pub validation: Vec<Option<f64>>,
    /// The epoch whose weights the model holds after fitting: the best validation epoch, or
    /// the last epoch without validation.
    pub best_epoch: usize,
    /// Whether early stopping ended training before the last epoch.
    pub stopped_early: bool,
    /// Each loss term's mean per epoch.
    pub terms: Vec<TermHistory>,
    /// The learning rate used in each epoch.
    pub learning_rate: Vec<f64>,
}

impl History {
    pub(crate) fn record(
        &mut self,
        epoch: usize,
        train: f64,
        validation: Option<f64>,
        lr: f64,
        names: &[String],
        sums: &[f64],
        rows: usize,
    ) {
        self.train.push(train);
        self.validation.push(validation);
        self.learning_rate.push(lr);
        for (name, sum) in names.iter().zip(sums) {
            let idx = match self.terms.iter().position(|t| &t.name == name) {
                Some(i) => i,
                None => {
                    self.terms.push(TermHistory {
                        name: name.clone(),
                        values: vec![None; epoch],
                    });
                    self.terms.len() - 1
                }
            };
            self.terms[idx].values.push(Some(sum / rows as f64));
        }
        for t in &mut self.terms {
            t.values.resize(epoch + 1, None);
        }
    }

    /// The number of epochs run.
    pub fn epochs(&self) -> usize {
        self.train.len()
    }

    /// The history as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Writes [`History::to_json`] to `path`.
    ///
    /// # Errors
    ///
    /// [`TorchError::Output`] naming the path.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|e| TorchError::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Draws the train, validation and per-term curves against the epoch as an SVG.
    ///
    /// # Errors
    ///
    /// [`TorchError::Output`] naming the path, also for a history with no epochs.
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let out = |message: String| TorchError::Output {
            path: path.display().to_string(),
            message,
        };
        if self.train.is_empty() {
            return Err(out("the history has no epochs to plot".into()));
        }
        let mut series: Vec<(String, Vec<(f64, f64)>)> = vec![(
            "train".into(),
            self.train
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v))
                .collect(),
        )];
        let val: Vec<(f64, f64)> = self
            .validation
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        if !val.is_empty() {
            series.push(("validation".into(), val));
        }
        if self.terms.len() > 1 {
            for t in &self.terms {
                let pts: Vec<(f64, f64)> = t
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
                    .collect();
                series.push((t.name.clone(), pts));
            }
        }
        let ys = series.iter().flat_map(|(_, p)| p.iter().map(|q| q.1));
        let (lo, hi) = ys
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let pad = ((hi - lo) * 0.05).max(1e-9);
        let x_max = (self.train.len().max(2) - 1) as f64;

        let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| out(e.to_string());
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption("training history", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_max, (lo - pad)..(hi + pad))
            .map_err(|e| draw(&e))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc("loss")
            .draw()
            .map_err(|e| draw(&e))?;
        for (i, (name, pts)) in series.into_iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(|e| draw(&e))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_terms_and_writes_outputs() {
        let mut h = History::default();
        h.record(
            0,
            3.0,
            Some(2.0),
            0.1,
            &["a".into(), "b".into()],
            &[10.0, 20.0],
            10,
        );
        h.record(1, 1.0, None, 0.1, &["a".into()], &[10.0], 10);
        assert_eq!(h.terms[0].values, vec![Some(1.0), Some(1.0)]);
        assert_eq!(h.terms[1].values, vec![Some(2.0), None]);
        let back: History = serde_json::from_str(&h.to_json()).unwrap();
        assert_eq!(back, h);
        let dir = std::env::temp_dir().join(format!("causal-torch-hist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let svg = dir.join("h.svg");
        h.write_svg(&svg).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("polyline"), "{text}");
        assert!(History::default().write_svg(&svg).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
