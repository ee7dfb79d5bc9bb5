//! Tabular data: [`Dataset`], named typed columns (continuous, binary, categorical) in one
//! column-major buffer (or shared per-column buffers, [`SharedColumn`]) with a missing mask,
//! its readers and writers (CSV/TSV text; Arrow record batches with the `arrow` feature;
//! Parquet and Arrow IPC files with the `parquet` feature; [`DataFormat`] picks one from the
//! extension), [`MissingPolicy`], and [`ColumnRoles`] viewed through [`RoleView`].

#[cfg(feature = "arrow")]
mod arrow;
mod column;
#[cfg(feature = "parquet")]
mod columnar;
#[cfg(all(test, feature = "parquet"))]
mod columnar_tests;
mod dataset;
mod format;
mod parse;
mod roles;
mod storage;
#[cfg(test)]
mod tests;

pub use column::{ColumnKind, MissingPolicy};
pub use dataset::Dataset;
pub use format::DataFormat;
pub use roles::{ColumnRoles, RoleView};
pub use storage::SharedColumn;
