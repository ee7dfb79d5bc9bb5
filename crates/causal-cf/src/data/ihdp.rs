//! The IHDP npci replications (Hill 2011, response surface B, as used by CEVAE and CFR).
//!
//! Each file has no header and 30 comma-separated columns: treatment, y_factual, y_cfactual,
//! mu0, mu1, then covariates x1..x25 (x1..x6 continuous, x7..x25 binary; x14 is coded {1,2}
//! and shifted here to {0,1}, as CEVAE's loader does).
//!
//! A replication loads as an [`IteSample`]: a table of columns `treatment`, `y_factual` and
//! `x1`..`x25` with the roles naming them, and the truth (`mu0`, `mu1`, `y_cfactual`).

use std::path::Path;

use causal_core::CoreError;

use super::{IteSample, Truth};
use crate::error::Result;

const COLUMNS: usize = 30;
const N_COVARIATES: usize = 25;
/// 0-based covariate index of x14, coded {1, 2} in the files.
const X14: usize = 13;

/// The treatment column of a loaded replication.
const TREATMENT: &str = "treatment";
/// The factual outcome column of a loaded replication.
const OUTCOME: &str = "y_factual";

/// Parses one npci replication from its text.
///
/// # Examples
///
/// ```
/// use causal_cf::data::parse_npci;
///
/// // Four units: treatment, y_factual, y_cfactual, mu0, mu1, then x1..x25.
/// let line = |t: u8, mu1: f64| {
///     let mut f = vec![t.to_string(), "2".into(), "1".into(), "1".into(), mu1.to_string()];
///     f.extend((1..=25).map(|j| if j == 14 { "2".into() } else { (j % 2).to_string() }));
///     f.join(",")
/// };
/// let text = [line(1, 3.0), line(0, 2.0), line(1, 4.0), line(0, 1.0)].join("\n");
/// let sample = parse_npci(&text)?;
/// assert_eq!(sample.roles().treatment.as_deref(), Some("treatment"));
/// assert_eq!(sample.roles().covariates.len(), 25);
/// assert_eq!(sample.data().column("x14")?, &[1.0; 4]); // {1, 2} shifted to {0, 1}
/// assert_eq!(sample.true_ite(), [2.0, 1.0, 3.0, 0.0]);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// [`CoreError::Parse`] (wrapped) naming the line for a row without 30 fields or a field that is
/// not a number; core's errors for no rows or a non-finite value (naming the column); every
/// error of [`IteSample::new`].
pub fn parse_npci(text: &str) -> Result<IteSample> {
    let (mut rows, mut t, mut yf) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ycf, mut mu0, mut mu1) = (Vec::new(), Vec::new(), Vec::new());
    for (k, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields = line
            .split(',')
            .map(|f| {
                f.trim().parse::<f64>().map_err(|_| CoreError::Parse {
                    line: k + 1,
                    message: format!("'{}' is not a number", f.trim()),
                })
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if fields.len() != COLUMNS {
            return Err(CoreError::Parse {
                line: k + 1,
                message: format!("{} fields, expected {COLUMNS}", fields.len()),
            }
            .into());
        }
        t.push(fields[0]);
        yf.push(fields[1]);
        ycf.push(fields[2]);
        mu0.push(fields[3]);
        mu1.push(fields[4]);
        rows.push(fields[5..].to_vec());
    }
    if rows.iter().all(|r| r[X14] == 1.0 || r[X14] == 2.0) {
        for r in &mut rows {
            r[X14] -= 1.0;
        }
    }
    let covariates = (0..N_COVARIATES)
        .map(|j| (format!("x{}", j + 1), rows.iter().map(|r| r[j]).collect()))
        .collect();
    let truth = Truth {
        mu0,
        mu1,
        y_cf: Some(ycf),
    };
    IteSample::from_columns((TREATMENT, t), (OUTCOME, yf), covariates, truth)
}

/// Reads one npci replication file (see [`parse_npci`]).
///
/// # Errors
///
/// [`CoreError::Io`] (wrapped) naming the path, and every error of [`parse_npci`].
pub fn load_npci(path: impl AsRef<Path>) -> Result<IteSample> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| CoreError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_npci(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CfError;
    use causal_core::data::ColumnKind;

    /// (units, covariates, treated, binary covariates) of a loaded replication.
    fn shape(s: &IteSample) -> (usize, usize, usize, usize) {
        let covs = &s.roles().covariates;
        let binary = covs
            .iter()
            .filter(|c| s.data().kind(c).unwrap() == &ColumnKind::Binary)
            .count();
        let treated = s.treatment().unwrap().iter().filter(|&&t| t == 1.0).count();
        (s.n(), covs.len(), treated, binary)
    }

    fn line(t: f64, x14: f64) -> String {
        let mut v = vec![t, 1.0, 2.0, 1.5, 4.0, 0.3, -0.2, 0.1, 0.0, 1.2, -1.0];
        v.extend((7..=25).map(|j| if j == 14 { x14 } else { (j % 2) as f64 }));
        v.iter().map(f64::to_string).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn parses_and_shifts_x14() {
        let text = [line(1., 2.), line(0., 1.), line(1., 1.), line(0., 2.)].join("\n");
        let d = parse_npci(&text).unwrap();
        let (n, d_, treated, _) = shape(&d);
        assert_eq!((n, d_, treated), (4, 25, 2));
        assert_eq!(d.data().column("x14").unwrap(), &[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(d.data().kind("x14").unwrap(), &ColumnKind::Binary);
        assert_eq!(d.data().kind("x1").unwrap(), &ColumnKind::Continuous);
        assert_eq!(d.true_ite(), vec![2.5; 4]);
    }

    #[test]
    fn ragged_line_is_named() {
        let text = format!("{}\n1,2,3\n", line(1., 2.));
        let err = parse_npci(&text).unwrap_err();
        assert!(
            matches!(err, CfError::Core(CoreError::Parse { line: 2, .. })),
            "{err}"
        );
    }

    #[test]
    fn shared_data_ihdp_replications_have_the_documented_shape() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ihdp");
        if !dir.exists() {
            eprintln!("skipping: {} is absent", dir.display());
            return;
        }
        for r in 1..=10 {
            let d = load_npci(dir.join(format!("ihdp_npci_{r}.csv"))).unwrap();
            assert_eq!(shape(&d), (747, 25, 139, 19), "replication {r}");
        }
    }
}
