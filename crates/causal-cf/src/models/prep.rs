//! Scaling fit on training units only, and the tensors every model trains on. Covariates go
//! from the table's f64 columns to one row-major f32 buffer (the dtype the networks train in),
//! scaled on the way, and enter LibTorch once.

use causal_torch::tch::{Device, Kind, Tensor};

use crate::data::units::Units;
use crate::error::Result;

/// Per-covariate centring and scaling fit on the training units; binary covariates are left as
/// they are unless `all` is set (Pyro's CEVAE whitens every feature).
#[derive(Clone, Debug)]
pub(crate) struct Scaler {
    loc: Vec<f64>,
    scale: Vec<f64>,
}

impl Scaler {
    pub(crate) fn fit(data: &Units<'_>, all: bool) -> Self {
        let (n, d) = (data.n(), data.d());
        let mut loc = vec![0.0; d];
        let mut scale = vec![1.0; d];
        for (j, col) in data.x.iter().enumerate() {
            if data.binary[j] && !all {
                continue;
            }
            let m = col.iter().sum::<f64>() / n as f64;
            let v = col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
            loc[j] = m;
            // A constant column is centred only.
            scale[j] = if v > 0.0 { v.sqrt() } else { 1.0 };
        }
        Self { loc, scale }
    }

    pub(crate) fn dim(&self) -> usize {
        self.loc.len()
    }

    /// Scaled covariate columns (each of `n` rows, [`Scaler::dim`] of them, checked finite by
    /// the caller) as an `n × d` Float tensor.
    pub(crate) fn tensor(&self, columns: &[&[f64]], device: Device) -> Result<Tensor> {
        let d = columns.len();
        let n = columns.first().map_or(0, |c| c.len());
        let mut v = Vec::with_capacity(n * d);
        for i in 0..n {
            v.extend(
                columns
                    .iter()
                    .enumerate()
                    .map(|(j, c)| ((c[i] - self.loc[j]) / self.scale[j]) as f32),
            );
        }
        Ok(Tensor::f_from_slice(&v)?
            .f_view([n as i64, d as i64])?
            .f_to_device(device)?)
    }
}

/// Outcome standardization fit on the training units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct YScale {
    pub(crate) mean: f64,
    pub(crate) sd: f64,
}

impl YScale {
    pub(crate) fn fit(y: &[f64]) -> Self {
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let v = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Self {
            mean,
            sd: if v > 0.0 { v.sqrt() } else { 1.0 },
        }
    }

    pub(crate) fn tensor(&self, y: &[f64], device: Device) -> Result<Tensor> {
        let v: Vec<f32> = y
            .iter()
            .map(|v| ((v - self.mean) / self.sd) as f32)
            .collect();
        Ok(Tensor::f_from_slice(&v)?.f_to_device(device)?)
    }

    pub(crate) fn back(&self, v: &[f64]) -> Vec<f64> {
        v.iter().map(|x| x * self.sd + self.mean).collect()
    }
}

/// A 1-D float tensor.
pub(crate) fn vec_tensor(v: &[f64], device: Device) -> Result<Tensor> {
    let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    Ok(Tensor::f_from_slice(&f)?.f_to_device(device)?)
}

/// A tensor's values as f64 (flattened).
pub(crate) fn to_vec(t: &Tensor) -> Result<Vec<f64>> {
    let flat = t
        .f_to_kind(Kind::Double)?
        .f_to_device(Device::Cpu)?
        .f_contiguous()?
        .f_view([-1])?;
    Ok(Vec::<f64>::try_from(&flat)?)
}

/// Training and validation tensors of one fit.
pub(crate) struct FitTensors {
    pub(crate) x: Tensor,
    pub(crate) t: Tensor,
    pub(crate) y: Tensor,
    pub(crate) x_val: Option<Tensor>,
    pub(crate) t_val: Option<Tensor>,
    pub(crate) y_val: Option<Tensor>,
}

impl FitTensors {
    pub(crate) fn new(
        train: &Units<'_>,
        valid: Option<&Units<'_>>,
        scaler: &Scaler,
        ys: &YScale,
        device: Device,
    ) -> Result<Self> {
        Ok(Self {
            x: scaler.tensor(&train.x, device)?,
            t: vec_tensor(train.t, device)?,
            y: ys.tensor(train.y, device)?,
            x_val: valid.map(|v| scaler.tensor(&v.x, device)).transpose()?,
            t_val: valid.map(|v| vec_tensor(v.t, device)).transpose()?,
            y_val: valid.map(|v| ys.tensor(v.y, device)).transpose()?,
        })
    }

    /// The training rows of a mini-batch: (x, t, y).
    pub(crate) fn batch(&self, rows: &Tensor) -> causal_torch::Result<(Tensor, Tensor, Tensor)> {
        Ok((
            self.x.f_index_select(0, rows)?,
            self.t.f_index_select(0, rows)?,
            self.y.f_index_select(0, rows)?,
        ))
    }

    /// The validation tensors (x, t, y), when there is validation data.
    pub(crate) fn valid(&self) -> Option<(&Tensor, &Tensor, &Tensor)> {
        match (&self.x_val, &self.t_val, &self.y_val) {
            (Some(x), Some(t), Some(y)) => Some((x, t, y)),
            _ => None,
        }
    }
}
