//! Tabular data: [`Dataset`], named typed columns (continuous, binary, categorical) in one
//! column-major buffer with a missing mask, its text reader and writer, [`MissingPolicy`], and
//! [`ColumnRoles`] viewed through [`RoleView`].

mod column;
mod dataset;
mod parse;
mod roles;
#[cfg(test)]
mod tests;

pub use column::{ColumnKind, MissingPolicy};
pub use dataset::Dataset;
pub use roles::{ColumnRoles, RoleView};
