//! The text reader of [`Dataset`](super::Dataset): CSV and TSV through the `csv` crate, and
//! whitespace-separated text, each with a header line.
//!
//! What it accepts, because real files have it: a UTF-8 byte-order mark; `\n`, `\r\n` and
//! `\r`-only line endings; quoted fields (with commas, quotes and line breaks inside); blank
//! lines and `#` comment lines; a NumPy `savetxt` header (`# x,y,z` as the last comment line
//! before numeric rows) taken as the header; empty and `NA`-like cells as missing values; text
//! cells, which make their column categorical. Every error names the line, and the column
//! where there is one.

use std::borrow::Cow;

use crate::error::{CoreError, Result};

/// Cell texts read as a missing value (after trimming), besides the empty cell.
pub(crate) const MISSING_TOKENS: &[&str] = &["NA", "N/A", "NaN", "nan", "NAN", "null", "NULL"];

/// The field separator, picked from the header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Separator {
    Comma,
    Tab,
    Whitespace,
}

impl Separator {
    /// Picks the separator from the header line, outside quotes: a comma wins, then a tab,
    /// then runs of spaces; a single name is read as CSV (so it may be quoted).
    pub(crate) fn detect(header: &str) -> Self {
        let (mut quoted, mut tab, mut space) = (false, false, false);
        for c in header.trim().chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => return Self::Comma,
                '\t' if !quoted => tab = true,
                ' ' if !quoted => space = true,
                _ => {}
            }
        }
        if tab {
            Self::Tab
        } else if space {
            Self::Whitespace
        } else {
            Self::Comma
        }
    }

    fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Tab | Self::Whitespace => b'\t',
        }
    }

    /// Splits an unquoted line (used only to test whether a line is all numbers).
    fn split_plain(self, line: &str) -> Vec<&str> {
        match self {
            Self::Comma => line.split(',').map(str::trim).collect(),
            Self::Tab => line.split('\t').map(str::trim).collect(),
            Self::Whitespace => line.split_whitespace().collect(),
        }
    }
}

/// One column as read: numbers (NaN marks a missing cell) until a text cell turns it into text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawColumn {
    /// Every cell a number or missing (NaN).
    Numeric(Vec<f64>),
    /// At least one text cell: each cell's text, `None` when missing.
    Text(Vec<Option<String>>),
}

/// A parsed table: names and columns of equal length.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawTable {
    pub(crate) names: Vec<String>,
    pub(crate) columns: Vec<RawColumn>,
}

/// What one cell holds.
enum Cell<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn classify(field: &[u8]) -> std::result::Result<Cell<'_>, ()> {
    let t = trim_bytes(field);
    if t.is_empty() {
        return Ok(Cell::Missing);
    }
    // fast-float2 parses the bytes as Rust's `str::parse::<f64>` would (same grammar, correctly
    // rounded), without a UTF-8 check first: the hot path of reading a large numeric file.
    if let Ok(v) = fast_float2::parse::<f64, _>(t) {
        if v.is_nan() {
            // "NaN" and "nan" parse as numbers; they are the common spellings of a missing cell.
            return Ok(Cell::Missing);
        }
        return Ok(Cell::Number(v));
    }
    let s = std::str::from_utf8(t).map_err(|_| ())?;
    if MISSING_TOKENS.contains(&s) {
        return Ok(Cell::Missing);
    }
    Ok(Cell::Text(s))
}

/// Whether a cell reads as a number or a missing value (a data row, not a header).
fn is_numeric_cell(field: &str) -> bool {
    matches!(
        classify(field.as_bytes()),
        Ok(Cell::Missing | Cell::Number(_))
    )
}

/// Columns under construction.
struct Builder<'n> {
    names: &'n [String],
    columns: Vec<RawColumn>,
    rows: usize,
}

impl<'n> Builder<'n> {
    fn new(names: &'n [String]) -> Self {
        Self {
            names,
            columns: vec![RawColumn::Numeric(Vec::new()); names.len()],
            rows: 0,
        }
    }

    /// Adds one row of fields read on file line `line`.
    fn push<'f>(
        &mut self,
        fields: impl ExactSizeIterator<Item = &'f [u8]>,
        line: usize,
    ) -> Result<()> {
        self.rows += 1;
        if fields.len() != self.names.len() {
            return Err(CoreError::Parse {
                line,
                message: format!(
                    "row {} has {} fields but the header has {}",
                    self.rows,
                    fields.len(),
                    self.names.len()
                ),
            });
        }
        for (j, field) in fields.enumerate() {
            let cell = classify(field).map_err(|()| CoreError::Parse {
                line,
                message: format!("column '{}': the field is not valid UTF-8", self.names[j]),
            })?;
            match (&mut self.columns[j], cell) {
                (RawColumn::Numeric(v), Cell::Number(x)) => {
                    if !x.is_finite() {
                        return Err(CoreError::Parse {
                            line,
                            message: format!(
                                "row {}, column '{}': value {} is not finite",
                                self.rows,
                                self.names[j],
                                String::from_utf8_lossy(trim_bytes(field))
                            ),
                        });
                    }
                    v.push(x);
                }
                (RawColumn::Numeric(v), Cell::Missing) => v.push(f64::NAN),
                (RawColumn::Text(t), Cell::Missing) => t.push(None),
                (RawColumn::Text(t), Cell::Number(_) | Cell::Text(_)) => {
                    let s = std::str::from_utf8(trim_bytes(field)).unwrap_or_default();
                    t.push(Some(s.to_owned()));
                }
                (col @ RawColumn::Numeric(_), Cell::Text(s)) => {
                    // The first text cell: the numbers so far become level names too.
                    let RawColumn::Numeric(v) = col else {
                        unreachable!("matched Numeric above")
                    };
                    let mut t: Vec<Option<String>> = v
                        .iter()
                        .map(|x| (!x.is_nan()).then(|| x.to_string()))
                        .collect();
                    t.push(Some(s.to_owned()));
                    *col = RawColumn::Text(t);
                }
            }
        }
        Ok(())
    }
}

/// The header: names, where the data start (byte offset) and how many lines precede them.
struct Header {
    names: Vec<String>,
    separator: Separator,
    data_start: usize,
    lines_before_data: usize,
}

/// Reads the fields of one record from `text` (comma or tab separated, quotes allowed), up to
/// and including its line end: the names, the bytes consumed and the line breaks consumed.
/// Unquoted fields are trimmed; quoted ones are kept exactly.
fn parse_record(text: &str, delim: u8, line: usize) -> Result<(Vec<String>, usize, usize)> {
    let b = text.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    let mut breaks = 0;
    loop {
        // One field.
        while i < b.len() && (b[i] == b' ' || (b[i] == b'\t' && delim != b'\t')) {
            i += 1;
        }
        let mut field = Vec::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(CoreError::Parse {
                            line,
                            message: "a quoted header name is not closed".into(),
                        });
                    }
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        field.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                            breaks += 1;
                        }
                        field.push(c);
                        i += 1;
                    }
                }
            }
            while i < b.len() && b[i] != delim && b[i] != b'\n' && b[i] != b'\r' {
                if !b[i].is_ascii_whitespace() {
                    return Err(CoreError::Parse {
                        line,
                        message: format!(
                            "header field {}: text after the closing quote",
                            fields.len() + 1
                        ),
                    });
                }
                i += 1;
            }
        } else {
            let start = i;
            while i < b.len() && b[i] != delim && b[i] != b'\n' && b[i] != b'\r' {
                i += 1;
            }
            field.extend_from_slice(trim_bytes(&b[start..i]));
        }
        // Field bytes are whole UTF-8 sequences: every split point is an ASCII byte.
        fields.push(String::from_utf8_lossy(&field).into_owned());
        match b.get(i) {
            Some(&c) if c == delim => i += 1,
            Some(b'\r') => {
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                breaks += 1;
                break;
            }
            Some(b'\n') => {
                i += 1;
                breaks += 1;
                break;
            }
            _ => break,
        }
    }
    Ok((fields, i, breaks))
}

fn split_whitespace_names(line: &str) -> Vec<String> {
    line.split_whitespace()
        .map(|f| {
            f.strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(f)
                .to_owned()
        })
        .collect()
}

/// Finds the header: the first line that is neither blank nor a comment, unless the last
/// comment before it has as many fields and that line is all numbers (NumPy `savetxt`'s
/// `# x,y,z`), in which case the comment is the header.
fn find_header(text: &str) -> Result<Header> {
    let mut pos = 0;
    let mut line_no = 0;
    let mut last_comment: Option<&str> = None;
    let first = loop {
        if pos >= text.len() {
            break None;
        }
        let end = text[pos..].find('\n').map_or(text.len(), |k| pos + k);
        let line = text[pos..end].trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() {
        } else if let Some(c) = trimmed.strip_prefix('#') {
            last_comment = Some(c.trim());
        } else {
            break Some(line);
        }
        line_no += 1;
        pos = (end + 1).min(text.len());
    };
    if let (Some(comment), Some(line)) = (last_comment, first) {
        let sep = Separator::detect(comment);
        let fields = sep.split_plain(line);
        if !comment.is_empty()
            && fields.iter().all(|f| is_numeric_cell(f))
            && !sep.split_plain(comment).iter().all(|f| is_numeric_cell(f))
        {
            let names = match sep {
                Separator::Whitespace => split_whitespace_names(comment),
                _ => parse_record(comment, sep.byte(), line_no)?.0,
            };
            if names.len() == fields.len() {
                return Ok(Header {
                    names,
                    separator: sep,
                    data_start: pos,
                    lines_before_data: line_no,
                });
            }
        }
    }
    let Some(line) = first else {
        return Err(CoreError::Empty("no header line".into()));
    };
    let sep = Separator::detect(line);
    let header_line = line_no + 1;
    let (names, used, breaks) = match sep {
        Separator::Whitespace => {
            let used = text[pos..].find('\n').map_or(text.len() - pos, |k| k + 1);
            (split_whitespace_names(line), used, 1)
        }
        _ => parse_record(&text[pos..], sep.byte(), header_line)?,
    };
    if let Some(k) = names.iter().position(String::is_empty) {
        return Err(CoreError::Parse {
            line: header_line,
            message: format!("header field {} is empty", k + 1),
        });
    }
    Ok(Header {
        names,
        separator: sep,
        data_start: pos + used,
        lines_before_data: line_no + breaks,
    })
}

/// Parses a whole table. See the module documentation for what is accepted.
pub(crate) fn parse_table(text: &str) -> Result<RawTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `\r`-only files (old Mac exports): the csv crate splits them, but counts lines by `\n`.
    let text: Cow<'_, str> = if text.contains('\r') && !text.contains('\n') {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let header = find_header(&text)?;
    let rest = &text[header.data_start..];
    let mut builder = Builder::new(&header.names);
    let n = header.names.len();
    match header.separator {
        Separator::Whitespace => {
            for (k, line) in rest.lines().enumerate() {
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let fields: Vec<&[u8]> = t
                    .split_whitespace()
                    .map(|f| {
                        f.strip_prefix('"')
                            .and_then(|s| s.strip_suffix('"'))
                            .unwrap_or(f)
                            .as_bytes()
                    })
                    .collect();
                builder.push(fields.into_iter(), header.lines_before_data + k + 1)?;
            }
        }
        sep => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(sep.byte())
                .comment(Some(b'#'))
                .from_reader(rest.as_bytes());
            let mut record = csv::ByteRecord::new();
            loop {
                let more = reader.read_byte_record(&mut record).map_err(|e| {
                    let line = e
                        .position()
                        .map_or(0, |p| header.lines_before_data + p.line() as usize);
                    CoreError::Parse {
                        line,
                        message: e.to_string(),
                    }
                })?;
                if !more {
                    break;
                }
                let line =
                    header.lines_before_data + record.position().map_or(0, |p| p.line() as usize);
                // A line of spaces only is blank, not a row of one empty field.
                if n > 1 && record.len() == 1 && trim_bytes(&record[0]).is_empty() {
                    continue;
                }
                builder.push(record.iter(), line)?;
            }
        }
    }
    let columns = builder.columns;
    Ok(RawTable {
        names: header.names,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(t: &RawTable) -> Vec<Vec<f64>> {
        t.columns
            .iter()
            .map(|c| match c {
                RawColumn::Numeric(v) => v.clone(),
                RawColumn::Text(_) => panic!("text column"),
            })
            .collect()
    }

    #[test]
    fn detects_separators() {
        assert_eq!(Separator::detect("a,b"), Separator::Comma);
        assert_eq!(Separator::detect("a\tb"), Separator::Tab);
        assert_eq!(Separator::detect("a  b"), Separator::Whitespace);
        assert_eq!(Separator::detect("\" a b\""), Separator::Comma);
        assert_eq!(Separator::detect("\"a\tb\" c"), Separator::Whitespace);
    }

    #[test]
    fn ragged_row_names_the_line() {
        let err = parse_table("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("row 2"), "{err}");
    }

    #[test]
    fn quoted_header_and_comments() {
        let t = parse_table("# comment\n\"x\",\"y\"\n1,2\n").unwrap();
        assert_eq!(t.names, ["x", "y"]);
        assert_eq!(nums(&t), vec![vec![1.0], vec![2.0]]);
    }

    #[test]
    fn savetxt_header_is_the_header() {
        let t = parse_table("# x,y,z\n1,2,3\n4,5,6\n").unwrap();
        assert_eq!(t.names, ["x", "y", "z"]);
        assert_eq!(
            nums(&t),
            vec![vec![1.0, 4.0], vec![2.0, 5.0], vec![3.0, 6.0]]
        );
        // Whitespace-separated savetxt with a header.
        let t = parse_table("# a b\n1 2\n").unwrap();
        assert_eq!(t.names, ["a", "b"]);
    }

    #[test]
    fn bom_crlf_and_cr_only() {
        for text in [
            "\u{feff}x,y\r\n1,2\r\n3,4\r\n",
            "x,y\r1,2\r3,4\r",
            "\u{feff}x,y\n1,2\n\n3,4",
        ] {
            let t = parse_table(text).unwrap();
            assert_eq!(t.names, ["x", "y"], "{text:?}");
            assert_eq!(nums(&t), vec![vec![1.0, 3.0], vec![2.0, 4.0]], "{text:?}");
        }
        let err = parse_table("x,y\r1,2\r3\r").unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn quoted_fields_missing_cells_and_text() {
        let t =
            parse_table("\"a,b\",t,y\n1,\"treated, early\",\n2,control,NA\n,control,3\n").unwrap();
        assert_eq!(t.names, ["a,b", "t", "y"]);
        let RawColumn::Numeric(a) = &t.columns[0] else {
            panic!("a,b is numeric")
        };
        assert_eq!(a[..2], [1.0, 2.0]);
        assert!(a[2].is_nan());
        assert_eq!(
            t.columns[1],
            RawColumn::Text(vec![
                Some("treated, early".into()),
                Some("control".into()),
                Some("control".into())
            ])
        );
        let RawColumn::Numeric(y) = &t.columns[2] else {
            panic!("y is numeric")
        };
        assert!(y[0].is_nan() && y[1].is_nan() && y[2] == 3.0);
    }

    #[test]
    fn infinite_value_names_line_row_and_column() {
        let err = parse_table("x,y\n1,2\n3,inf\n").unwrap_err().to_string();
        assert!(
            err.contains("line 3") && err.contains("row 2") && err.contains("'y'"),
            "{err}"
        );
    }

    #[test]
    fn tab_and_whitespace_files() {
        let t = parse_table("a\tb\n1\t2\n").unwrap();
        assert_eq!(t.names, ["a", "b"]);
        let t = parse_table("a  b\n 1   2 \n# note\n3 4\n").unwrap();
        assert_eq!(nums(&t), vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
    }
}
