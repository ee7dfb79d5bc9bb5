//! Conversion between causal-core's [`Dataset`] (and nalgebra matrices) and tensors, and
//! seeded shuffled mini-batches.
//!
//! [`to_tensor`] is the one path from a [`Dataset`] into LibTorch: row-major `n × k`, written
//! once in the dtype the model trains in. For `f32`, a value that does not fit (|v| > 3.4e38)
//! is an error naming its row and column rather than a silent `inf`.

use causal_core::CoreError;
use causal_core::data::Dataset;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::error::{Result, TorchError};

fn to_f32(v: f64, row: usize, column: &str) -> Result<f32> {
    let x = v as f32;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(CoreError::BadValue {
            row: row + 1,
            column: column.to_string(),
            message: format!("value {v} is not a finite f32"),
        }
        .into())
    }
}

/// The named columns of `data` as a row-major `n × k` tensor of `kind` on `device`, in the
/// order given: the one way data enters LibTorch. The values are written once, straight in the
/// target dtype (`Kind::Double` copies the `f64` values exactly; `Kind::Float` rounds each to
/// `f32`), so a model that trains in `f64` never sees `f32`-rounded data.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_torch::data::to_tensor;
/// use tch::{Device, Kind};
///
/// let d = Dataset::new(vec!["a".into(), "b".into()], vec![vec![0.1, 2.0], vec![3.0, 4.0]])?;
/// let t = to_tensor(&d, &["b", "a"], Kind::Double, Device::Cpu)?;
/// assert_eq!(t.size(), vec![2, 2]);
/// assert_eq!(t.double_value(&[0, 1]), 0.1);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// [`CoreError::UnknownColumn`] (wrapped) for a name `data` lacks, [`CoreError::Missing`] for
/// a column with missing cells, [`CoreError::InvalidParameter`] for a categorical column of more
/// than two levels (one-hot encode it first), [`CoreError::Empty`] for an empty name list,
/// [`CoreError::BadValue`] for a value outside the `f32` range, [`TorchError::InvalidParameter`]
/// for a `kind` other than `Float` or `Double`, and LibTorch errors (device).
pub fn to_tensor<S: AsRef<str>>(
    data: &Dataset,
    columns: &[S],
    kind: Kind,
    device: Device,
) -> Result<Tensor> {
    if columns.is_empty() {
        return Err(CoreError::Empty("no columns selected for the tensor".into()).into());
    }
    let names: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
    data.require_numeric(&names)?;
    let cols = names
        .iter()
        .map(|c| data.column(c))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let n = data.n_rows();
    let k = cols.len();
    let t = match kind {
        Kind::Double => {
            let mut flat = vec![0.0f64; n * k];
            for (j, col) in cols.iter().enumerate() {
                for (i, &v) in col.iter().enumerate() {
                    flat[i * k + j] = v;
                }
            }
            Tensor::f_from_slice(&flat)?
        }
        Kind::Float => {
            let mut flat = vec![0.0f32; n * k];
            for (j, col) in cols.iter().enumerate() {
                for (i, &v) in col.iter().enumerate() {
                    flat[i * k + j] = to_f32(v, i, names[j])?;
                }
            }
            Tensor::f_from_slice(&flat)?
        }
        other => {
            return Err(TorchError::InvalidParameter(format!(
                "data enter LibTorch as Float or Double, not {other:?}"
            )));
        }
    };
    Ok(t.f_view([n as i64, k as i64])?.f_to_device(device)?)
}

/// The named columns of `data` as an `n × k` `f32` tensor on `device`, in the order given
/// ([`to_tensor`] with `Kind::Float`).
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_torch::data::dataset_to_tensor;
///
/// let d = Dataset::new(vec!["a".into(), "b".into()], vec![vec![1.0, 2.0], vec![3.0, 4.0]])?;
/// let t = dataset_to_tensor(&d, &["b", "a"], tch::Device::Cpu)?;
/// assert_eq!(t.size(), vec![2, 2]);
/// assert_eq!(t.double_value(&[0, 0]), 3.0);
/// assert!(dataset_to_tensor(&d, &["c"], tch::Device::Cpu).is_err());
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// As [`to_tensor`].
pub fn dataset_to_tensor<S: AsRef<str>>(
    data: &Dataset,
    columns: &[S],
    device: Device,
) -> Result<Tensor> {
    to_tensor(data, columns, Kind::Float, device)
}

/// Every column of `data`, in order, as an `n × d` `f32` tensor.
///
/// # Errors
///
/// As [`dataset_to_tensor`].
pub fn dataset_tensor(data: &Dataset, device: Device) -> Result<Tensor> {
    dataset_to_tensor(data, data.names(), device)
}

/// One column of `data` as a 1-D `f32` tensor of length `n`.
///
/// # Errors
///
/// As [`dataset_to_tensor`].
pub fn column_tensor(data: &Dataset, column: &str, device: Device) -> Result<Tensor> {
    Ok(dataset_to_tensor(data, &[column], device)?.f_view([-1])?)
}

/// A nalgebra matrix as an `f32` tensor of the same shape.
///
/// # Errors
///
/// [`CoreError::BadValue`] naming the row and column (`column j`, 1-based) of a value that is
/// NaN, infinite or outside the `f32` range; LibTorch errors.
pub fn matrix_to_tensor(m: &DMatrix<f64>, device: Device) -> Result<Tensor> {
    let (n, k) = m.shape();
    if n == 0 || k == 0 {
        return Err(CoreError::Empty(format!("the matrix is {n} × {k}")).into());
    }
    let mut flat = Vec::with_capacity(n * k);
    for i in 0..n {
        for j in 0..k {
            let v = m[(i, j)];
            let x = v as f32;
            if !x.is_finite() {
                // The column's name is formatted only for the error.
                return Err(to_f32(v, i, &format!("column {}", j + 1)).unwrap_err());
            }
            flat.push(x);
        }
    }
    Ok(Tensor::f_from_slice(&flat)?
        .f_view([n as i64, k as i64])?
        .f_to_device(device)?)
}

/// A 1-D or 2-D tensor as a nalgebra matrix of `f64` (a 1-D tensor becomes a column).
///
/// # Errors
///
/// [`TorchError::Shape`] for other ranks; LibTorch errors.
pub fn tensor_to_matrix(t: &Tensor) -> Result<DMatrix<f64>> {
    let size = t.size();
    let (n, k) = match size.as_slice() {
        [n] => (*n as usize, 1),
        [n, k] => (*n as usize, *k as usize),
        _ => {
            return Err(TorchError::Shape(format!(
                "expected a 1-D or 2-D tensor, got shape {size:?}"
            )));
        }
    };
    let v = tensor_to_vec(t)?;
    Ok(DMatrix::from_row_slice(n, k, &v))
}

/// All elements of a tensor, flattened row-major, as `f64`.
///
/// # Errors
///
/// LibTorch errors (e.g. a non-numeric tensor).
pub fn tensor_to_vec(t: &Tensor) -> Result<Vec<f64>> {
    let flat = t
        .f_detach()?
        .f_to_device(Device::Cpu)?
        .f_to_kind(Kind::Double)?
        .f_contiguous()?
        .f_view([-1])?;
    Ok(Vec::<f64>::try_from(&flat)?)
}

/// The rows `0..n` shuffled with a seeded ChaCha8 generator and cut into batches of at most
/// `batch_size` (the last one may be shorter).
///
/// # Examples
///
/// ```
/// let b = causal_torch::data::shuffled_batches(10, 4, 7)?;
/// assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
/// assert_eq!(b, causal_torch::data::shuffled_batches(10, 4, 7)?);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// [`TorchError::InvalidParameter`] when `n` or `batch_size` is 0.
pub fn shuffled_batches(n: usize, batch_size: usize, seed: u64) -> Result<Vec<Vec<i64>>> {
    if n == 0 || batch_size == 0 {
        return Err(TorchError::InvalidParameter(format!(
            "cannot batch {n} rows in batches of {batch_size}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows: Vec<i64> = (0..n as i64).collect();
    rows.shuffle(&mut rng);
    Ok(rows.chunks(batch_size).map(<[i64]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_round_trip_and_column_errors() {
        let d = Dataset::new(
            vec!["x".into(), "y".into()],
            vec![vec![1.0, 2.0, 3.0], vec![-1.0, 0.5, 1e300]],
        )
        .unwrap();
        let t = dataset_to_tensor(&d, &["x"], Device::Cpu).unwrap();
        assert_eq!(tensor_to_vec(&t).unwrap(), vec![1.0, 2.0, 3.0]);
        let err = dataset_tensor(&d, Device::Cpu).unwrap_err().to_string();
        assert!(err.contains("'y'") && err.contains("row 3"), "{err}");
        let err = dataset_to_tensor(&d, &["z"], Device::Cpu)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'z'"), "{err}");
    }

    #[test]
    fn to_tensor_writes_the_dtype_once_and_refuses_what_it_cannot_hold() {
        let d = Dataset::from_text("x,c,y\n0.1,a,\n0.2,b,1\n0.3,c,2\n").unwrap();
        let t = to_tensor(&d, &["x"], Kind::Double, Device::Cpu).unwrap();
        assert_eq!(t.kind(), Kind::Double);
        // Exact f64 values, not f32-rounded ones.
        assert_eq!(tensor_to_vec(&t).unwrap(), vec![0.1, 0.2, 0.3]);
        let f = to_tensor(&d, &["x"], Kind::Float, Device::Cpu).unwrap();
        assert_eq!(f.kind(), Kind::Float);
        assert_eq!(tensor_to_vec(&f).unwrap()[0], f64::from(0.1f32));
        let err = to_tensor(&d, &["c"], Kind::Double, Device::Cpu)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'c'") && err.contains("categorical"), "{err}");
        let err = to_tensor(&d, &["y"], Kind::Double, Device::Cpu)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'y'") && err.contains("1 missing"), "{err}");
        assert!(to_tensor(&d, &["x"], Kind::Int64, Device::Cpu).is_err());
    }

    #[test]
    fn matrix_round_trip() {
        let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let t = matrix_to_tensor(&m, Device::Cpu).unwrap();
        assert_eq!(t.size(), vec![2, 3]);
        assert_eq!(tensor_to_matrix(&t).unwrap(), m);
        let bad = DMatrix::from_row_slice(1, 2, &[1.0, f64::NAN]);
        let err = matrix_to_tensor(&bad, Device::Cpu).unwrap_err().to_string();
        assert!(err.contains("column 2"), "{err}");
    }

    #[test]
    fn batches_cover_every_row_once() {
        let b = shuffled_batches(103, 10, 1).unwrap();
        let mut all: Vec<i64> = b.concat();
        assert_ne!(all, (0..103).collect::<Vec<_>>(), "not shuffled");
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert!(shuffled_batches(0, 10, 1).is_err());
    }
}
