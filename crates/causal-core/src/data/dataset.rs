//! The [`Dataset`] type.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::parse::parse_table;
use crate::error::{CoreError, Result};

/// Named `f64` columns of equal length, with optional discrete and environment annotations.
///
/// Every constructor validates: names are unique and non-empty, columns have equal length,
/// there is at least one row, and every value is finite. Errors name the row and column.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
///
/// let d = Dataset::new(vec!["x".into(), "e".into()], vec![vec![0.5, 1.5], vec![0.0, 1.0]])?
///     .with_environment("e")?;
/// assert_eq!(d.environment_name(), Some("e"));
/// assert!(d.is_discrete("e")?);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
    discrete: Vec<bool>,
    environment: Option<usize>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Dataset {
    /// Builds a data set from column names and column-major values.
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] with no columns or no rows, [`CoreError::Duplicate`] for a repeated
    /// name, [`CoreError::InvalidArgument`] for unequal lengths, [`CoreError::BadValue`] for a
    /// NaN or infinite value.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self> {
        if names.is_empty() {
            return Err(CoreError::Empty("the data set has no columns".into()));
        }
        if names.len() != columns.len() {
            return Err(CoreError::InvalidArgument(format!(
                "{} names for {} columns",
                names.len(),
                columns.len()
            )));
        }
        let mut index = HashMap::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(CoreError::InvalidArgument(format!(
                    "column {} has an empty name",
                    j + 1
                )));
            }
            if index.insert(name.clone(), j).is_some() {
                return Err(CoreError::Duplicate(name.clone()));
            }
        }
        let n = columns[0].len();
        if n == 0 {
            return Err(CoreError::Empty("the data set has no rows".into()));
        }
        for (name, col) in names.iter().zip(&columns) {
            if col.len() != n {
                return Err(CoreError::InvalidArgument(format!(
                    "column '{name}' has {} rows, expected {n}",
                    col.len()
                )));
            }
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(CoreError::BadValue {
                    row: i + 1,
                    column: name.clone(),
                    message: format!("value {} is not finite", col[i]),
                });
            }
        }
        let discrete = vec![false; names.len()];
        Ok(Self {
            names,
            columns,
            discrete,
            environment: None,
            index,
        })
    }

    /// Parses CSV, tab- or whitespace-separated text with a header line.
    /// Blank lines and lines starting with `#` are skipped.
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] for ragged rows (naming the line), [`CoreError::BadValue`] for
    /// fields that are not numbers, plus every error of [`Dataset::new`].
    pub fn from_text(text: &str) -> Result<Self> {
        let (names, columns) = parse_table(text)?;
        Self::new(names, columns)
    }

    /// Reads a data file (see [`Dataset::from_text`]).
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path, and every error of [`Dataset::from_text`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CoreError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_text(&text)
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns[0].len()
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of a column.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.lookup(name)
            .ok_or_else(|| CoreError::UnknownColumn(name.to_owned()))
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        if self.index.is_empty() {
            // After deserialisation the index is not populated.
            self.names.iter().position(|n| n == name)
        } else {
            self.index.get(name).copied()
        }
    }

    /// The values of a column by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column.
    pub fn column(&self, name: &str) -> Result<&[f64]> {
        Ok(&self.columns[self.index_of(name)?])
    }

    /// The values of column `j`. Panics if `j >= n_cols()`, like slice indexing.
    pub fn col(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// All columns, column-major.
    pub fn columns(&self) -> &[Vec<f64>] {
        &self.columns
    }

    /// Marks columns as discrete (categorical codes).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], or [`CoreError::BadValue`] for a non-integer value.
    pub fn with_discrete(mut self, names: &[&str]) -> Result<Self> {
        for name in names {
            let j = self.index_of(name)?;
            if let Some(i) = self.columns[j].iter().position(|v| v.fract() != 0.0) {
                return Err(CoreError::BadValue {
                    row: i + 1,
                    column: (*name).to_owned(),
                    message: format!(
                        "value {} is not an integer code, so the column cannot be discrete",
                        self.columns[j][i]
                    ),
                });
            }
            self.discrete[j] = true;
        }
        Ok(self)
    }

    /// Marks as discrete every column whose values are all integers with at most
    /// `max_levels` distinct values.
    pub fn infer_discrete(mut self, max_levels: usize) -> Self {
        for (j, col) in self.columns.iter().enumerate() {
            if col.iter().all(|v| v.fract() == 0.0) {
                let levels: HashSet<i64> = col.iter().map(|&v| v as i64).collect();
                self.discrete[j] = levels.len() <= max_levels;
            }
        }
        self
    }

    /// Whether a column is marked discrete.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column.
    pub fn is_discrete(&self, name: &str) -> Result<bool> {
        Ok(self.discrete[self.index_of(name)?])
    }

    /// Discrete flags per column, in column order.
    pub fn discrete_flags(&self) -> &[bool] {
        &self.discrete
    }

    /// Declares the column that labels environments (it is also marked discrete).
    ///
    /// # Errors
    ///
    /// As [`Dataset::with_discrete`].
    pub fn with_environment(self, name: &str) -> Result<Self> {
        let mut d = self.with_discrete(&[name])?;
        d.environment = Some(d.index_of(name)?);
        Ok(d)
    }

    /// The environment column's name, if one was declared.
    pub fn environment_name(&self) -> Option<&str> {
        self.environment.map(|j| self.names[j].as_str())
    }

    /// A new data set with the named columns, in the given order (annotations kept).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], [`CoreError::Duplicate`].
    pub fn select(&self, names: &[&str]) -> Result<Self> {
        let idx = names
            .iter()
            .map(|n| self.index_of(n))
            .collect::<Result<Vec<_>>>()?;
        let mut d = Self::new(
            idx.iter().map(|&j| self.names[j].clone()).collect(),
            idx.iter().map(|&j| self.columns[j].clone()).collect(),
        )?;
        for (k, &j) in idx.iter().enumerate() {
            d.discrete[k] = self.discrete[j];
            if self.environment == Some(j) {
                d.environment = Some(k);
            }
        }
        Ok(d)
    }

    /// A new data set with the given rows, in the given order (repeats allowed, as in a bootstrap).
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] for no rows, [`CoreError::InvalidArgument`] for an index out of range.
    pub fn take_rows(&self, rows: &[usize]) -> Result<Self> {
        if let Some(&bad) = rows.iter().find(|&&i| i >= self.n_rows()) {
            return Err(CoreError::InvalidArgument(format!(
                "row index {bad} is out of range for {} rows",
                self.n_rows()
            )));
        }
        let columns = self
            .columns
            .iter()
            .map(|c| rows.iter().map(|&i| c[i]).collect())
            .collect();
        let mut d = Self::new(self.names.clone(), columns)?;
        d.discrete.clone_from(&self.discrete);
        d.environment = self.environment;
        Ok(d)
    }

    /// The data as an `n_rows × n_cols` matrix.
    pub fn to_matrix(&self) -> DMatrix<f64> {
        DMatrix::from_fn(self.n_rows(), self.n_cols(), |i, j| self.columns[j][i])
    }

    /// Whether the data set has a column of this name.
    pub fn has_column(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Appends a column (not discrete).
    ///
    /// # Errors
    ///
    /// [`CoreError::Duplicate`] if the name exists, [`CoreError::InvalidArgument`] for a wrong
    /// length or an empty name, [`CoreError::BadValue`] for a NaN or infinite value.
    pub fn with_column(mut self, name: &str, values: Vec<f64>) -> Result<Self> {
        if self.has_column(name) {
            return Err(CoreError::Duplicate(name.to_owned()));
        }
        if name.is_empty() {
            return Err(CoreError::InvalidArgument("a column needs a name".into()));
        }
        check_column(name, &values, self.n_rows())?;
        self.index.insert(name.to_owned(), self.names.len());
        self.names.push(name.to_owned());
        self.columns.push(values);
        self.discrete.push(false);
        Ok(self)
    }

    /// Replaces the values of an existing column, keeping its annotations unless the new values
    /// are not integers (then the discrete flag is dropped).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], and the value errors of [`Dataset::with_column`].
    pub fn replace_column(mut self, name: &str, values: Vec<f64>) -> Result<Self> {
        let j = self.index_of(name)?;
        check_column(name, &values, self.n_rows())?;
        if values.iter().any(|v| v.fract() != 0.0) {
            self.discrete[j] = false;
            if self.environment == Some(j) {
                self.environment = None;
            }
        }
        self.columns[j] = values;
        Ok(self)
    }

    /// Checks that a column holds only 0 and 1 (a binary treatment, say).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], or [`CoreError::BadValue`] naming the first row whose
    /// value is neither 0 nor 1, or [`CoreError::InvalidArgument`] when one of the two values
    /// never occurs.
    pub fn check_binary(&self, name: &str) -> Result<&[f64]> {
        let col = self.column(name)?;
        if let Some(i) = col.iter().position(|&v| v != 0.0 && v != 1.0) {
            return Err(CoreError::BadValue {
                row: i + 1,
                column: name.to_owned(),
                message: format!(
                    "value {} is not 0 or 1, but a binary column is required",
                    col[i]
                ),
            });
        }
        let ones = col.iter().filter(|&&v| v == 1.0).count();
        if ones == 0 || ones == col.len() {
            return Err(CoreError::InvalidArgument(format!(
                "binary column '{name}' takes only the value {}",
                if ones == 0 { 0 } else { 1 }
            )));
        }
        Ok(col)
    }

    /// Writes the data as CSV with a header.
    pub fn to_csv(&self) -> String {
        let mut out = self.names.join(",");
        out.push('\n');
        for i in 0..self.n_rows() {
            let row: Vec<String> = self.columns.iter().map(|c| c[i].to_string()).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

fn check_column(name: &str, values: &[f64], n: usize) -> Result<()> {
    if values.len() != n {
        return Err(CoreError::InvalidArgument(format!(
            "column '{name}' has {} rows, expected {n}",
            values.len()
        )));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(CoreError::BadValue {
            row: i + 1,
            column: name.to_owned(),
            message: format!("value {} is not finite", values[i]),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_data_round_trips_through_csv() {
        let d = Dataset::from_text("a b c\n1 2 3\n4 5 6\n").unwrap();
        assert_eq!(d.n_rows(), 2);
        assert_eq!(d.n_cols(), 3);
        let again = Dataset::from_text(&d.to_csv()).unwrap();
        assert_eq!(d, again);
    }

    #[test]
    fn nan_is_rejected_with_row_and_column() {
        let err = Dataset::from_text("x,y\n1,2\n3,NaN\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 2") && err.contains("'y'"), "{err}");
    }

    #[test]
    fn non_number_is_rejected() {
        let err = Dataset::from_text("x,y\n1,abc\n").unwrap_err().to_string();
        assert!(err.contains("'abc'") && err.contains("'y'"), "{err}");
    }

    #[test]
    fn duplicate_and_empty_are_rejected() {
        assert!(matches!(
            Dataset::from_text("x,x\n1,2\n"),
            Err(CoreError::Duplicate(n)) if n == "x"
        ));
        assert!(matches!(
            Dataset::from_text("x,y\n"),
            Err(CoreError::Empty(_))
        ));
        assert!(matches!(Dataset::from_text(""), Err(CoreError::Empty(_))));
    }

    #[test]
    fn unknown_column_is_named() {
        let d = Dataset::from_text("x\n1\n").unwrap();
        assert_eq!(d.column("z").unwrap_err().to_string(), "unknown column 'z'");
    }

    #[test]
    fn discrete_inference_and_selection() {
        let d = Dataset::from_text("x,t,e\n0.5,0,1\n1.5,1,2\n2.5,1,1\n")
            .unwrap()
            .infer_discrete(10)
            .with_environment("e")
            .unwrap();
        assert_eq!(d.discrete_flags(), &[false, true, true]);
        let s = d.select(&["e", "x"]).unwrap();
        assert_eq!(s.environment_name(), Some("e"));
        assert_eq!(s.discrete_flags(), &[true, false]);
        let r = d.take_rows(&[2, 2, 0]).unwrap();
        assert_eq!(r.column("x").unwrap(), &[2.5, 2.5, 0.5]);
        assert!(d.take_rows(&[3]).is_err());
        assert!(d.with_discrete(&["x"]).is_err());
    }

    #[test]
    fn columns_are_added_replaced_and_checked_binary() {
        let d = Dataset::from_text("t,y\n0,1.5\n1,2.5\n").unwrap();
        let d = d.with_column("u", vec![3.0, 4.0]).unwrap();
        assert_eq!(d.column("u").unwrap(), &[3.0, 4.0]);
        assert!(d.clone().with_column("u", vec![1.0, 1.0]).is_err());
        assert!(d.clone().with_column("v", vec![1.0]).is_err());
        assert!(d.clone().with_column("v", vec![1.0, f64::NAN]).is_err());
        assert!(d.check_binary("t").is_ok());
        let err = d.check_binary("y").unwrap_err().to_string();
        assert!(err.contains("row 1") && err.contains("'y'"), "{err}");
        let d = d.replace_column("t", vec![1.0, 1.0]).unwrap();
        assert!(
            d.check_binary("t")
                .unwrap_err()
                .to_string()
                .contains("only the value 1")
        );
        assert!(d.replace_column("zz", vec![1.0, 1.0]).is_err());
    }

    #[test]
    fn matrix_is_row_major_view() {
        let d = Dataset::from_text("x,y\n1,2\n3,4\n").unwrap();
        let m = d.to_matrix();
        assert_eq!(m[(1, 0)], 3.0);
        assert_eq!(m[(0, 1)], 2.0);
    }
}
