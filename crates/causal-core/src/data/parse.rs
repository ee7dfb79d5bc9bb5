//! Text parsing for [`Dataset`](super::Dataset): CSV or whitespace-separated, with a header.

use crate::error::{CoreError, Result};

/// Splits one line by the detected separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Separator {
    Comma,
    Tab,
    Whitespace,
}

impl Separator {
    /// Picks the separator from the header line: a comma wins, then a tab, then any whitespace.
    pub(crate) fn detect(header: &str) -> Self {
        if header.contains(',') {
            Self::Comma
        } else if header.contains('\t') {
            Self::Tab
        } else {
            Self::Whitespace
        }
    }

    pub(crate) fn split(self, line: &str) -> Vec<&str> {
        match self {
            Self::Comma => line.split(',').map(clean).collect(),
            Self::Tab => line.split('\t').map(clean).collect(),
            Self::Whitespace => line.split_whitespace().map(clean).collect(),
        }
    }
}

fn clean(field: &str) -> &str {
    let t = field.trim();
    t.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t)
}

/// Parses header and rows into names and column-major values.
pub(crate) fn parse_table(text: &str) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (_, header) = lines
        .next()
        .ok_or_else(|| CoreError::Empty("no header line".into()))?;
    let sep = Separator::detect(header);
    let names: Vec<String> = sep.split(header).into_iter().map(str::to_owned).collect();
    if let Some(pos) = names.iter().position(|n| n.is_empty()) {
        return Err(CoreError::Parse {
            line: 1,
            message: format!("header field {} is empty", pos + 1),
        });
    }
    let mut columns = vec![Vec::new(); names.len()];
    let mut row = 0;
    for (line_no, line) in lines {
        row += 1;
        let fields = sep.split(line);
        if fields.len() != names.len() {
            return Err(CoreError::Parse {
                line: line_no,
                message: format!(
                    "row {row} has {} fields but the header has {}",
                    fields.len(),
                    names.len()
                ),
            });
        }
        for (j, field) in fields.iter().enumerate() {
            let v: f64 = field.parse().map_err(|_| CoreError::BadValue {
                row,
                column: names[j].clone(),
                message: format!("'{field}' is not a number (line {line_no})"),
            })?;
            columns[j].push(v);
        }
    }
    Ok((names, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_separators() {
        assert_eq!(Separator::detect("a,b"), Separator::Comma);
        assert_eq!(Separator::detect("a\tb"), Separator::Tab);
        assert_eq!(Separator::detect("a  b"), Separator::Whitespace);
    }

    #[test]
    fn ragged_row_names_the_line() {
        let err = parse_table("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("row 2"), "{err}");
    }

    #[test]
    fn quoted_header_and_comments() {
        let (names, cols) = parse_table("# comment\n\"x\",\"y\"\n1,2\n").unwrap();
        assert_eq!(names, ["x", "y"]);
        assert_eq!(cols, vec![vec![1.0], vec![2.0]]);
    }
}
