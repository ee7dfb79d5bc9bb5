//! What a column of a [`Dataset`](super::Dataset) holds ([`ColumnKind`]) and what a caller
//! wants done with missing cells ([`MissingPolicy`]).

use serde::{Deserialize, Serialize};

/// The type of a column's values.
///
/// Values are stored as `f64` whatever the kind: a categorical column holds its level codes
/// `0, 1, …, k − 1`, which index [`ColumnKind::Categorical::levels`] (sorted by name, so
/// the codes are an ordinal encoding in that order). Code that needs numbers either uses the
/// codes knowingly (a discrete CI test, a binary treatment), one-hot encodes the column with
/// [`Dataset::one_hot`](super::Dataset::one_hot), or refuses it with
/// [`Dataset::require_numeric`](super::Dataset::require_numeric).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ColumnKind {
    /// Real numbers.
    Continuous,
    /// Numbers that are all 0 or 1.
    Binary,
    /// Text categories; the values are codes into `levels`.
    Categorical {
        /// Level names, sorted; code `i` means `levels[i]`.
        levels: Vec<String>,
    },
}

impl ColumnKind {
    /// The level names of a categorical column.
    pub fn levels(&self) -> Option<&[String]> {
        match self {
            Self::Categorical { levels } => Some(levels),
            _ => None,
        }
    }

    /// A short name: `continuous`, `binary` or `categorical`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Continuous => "continuous",
            Self::Binary => "binary",
            Self::Categorical { .. } => "categorical",
        }
    }
}

/// What to do with missing cells, chosen per call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingPolicy {
    /// Refuse: the error names the first column with missing cells and how many it has.
    #[default]
    Error,
    /// Drop every row with a missing cell in any of the columns used (listwise deletion).
    DropRows,
    /// Drop, for each test, the rows with a missing cell among that test's variables only
    /// (test-wise deletion, as causal-learn's `mv_fisherz`).
    TestWise,
}

impl MissingPolicy {
    /// Parses `error`, `drop-rows` (or `drop`) and `test-wise` (or `testwise`).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`](crate::CoreError::InvalidParameter) naming the text and
    /// the choices.
    pub fn from_name(name: &str) -> crate::Result<Self> {
        match name {
            "error" => Ok(Self::Error),
            "drop-rows" | "drop" => Ok(Self::DropRows),
            "test-wise" | "testwise" => Ok(Self::TestWise),
            other => Err(crate::CoreError::InvalidParameter(format!(
                "unknown missing-value policy '{other}' (choose error, drop-rows or test-wise)"
            ))),
        }
    }
}
