//! Writing results for machines (JSON) and people (Markdown).

use std::path::Path;

use crate::{LabError, Result};

/// Writes `text` to `dir/name`, creating `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let io = |source| LabError::Io {
        path: dir.join(name).display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::write(dir.join(name), text).map_err(io)
}

/// Writes a JSON value, pretty-printed.
pub fn write_json(dir: &Path, name: &str, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    write(dir, name, &text)
}

/// A Markdown table from a header and rows.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        s.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    s
}
