//! [`DataFormat`]: which reader a data file needs, picked from its extension.

use std::path::Path;

/// The file formats a [`Dataset`](super::Dataset) is read from and written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    /// CSV, TSV or whitespace-separated text with a header (the separator is detected).
    Text,
    /// Apache Parquet (`.parquet`, `.pq`); needs the `parquet` feature.
    Parquet,
    /// Arrow IPC file or stream, also Feather v2 (`.arrow`, `.ipc`, `.feather`, `.arrows`);
    /// needs the `parquet` feature.
    ArrowIpc,
}

impl DataFormat {
    /// The format for a path by its extension, case-insensitively: `.parquet`/`.pq` Parquet,
    /// `.arrow`/`.ipc`/`.feather`/`.arrows` Arrow IPC, anything else (`.csv`, `.tsv`, `.tab`,
    /// `.txt`, none) text.
    pub fn from_path(path: &Path) -> Self {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet" | "pq") => Self::Parquet,
            Some("arrow" | "ipc" | "feather" | "arrows") => Self::ArrowIpc,
            _ => Self::Text,
        }
    }

    /// The format's name in messages: `text`, `Parquet` or `Arrow IPC`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Parquet => "Parquet",
            Self::ArrowIpc => "Arrow IPC",
        }
    }

    /// Whether this build can read and write the format (Parquet and Arrow IPC need the
    /// `parquet` feature).
    pub fn is_available(self) -> bool {
        matches!(self, Self::Text) || cfg!(feature = "parquet")
    }
}
