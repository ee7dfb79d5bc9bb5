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
use std::io::{BufRead, Read};

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

/// A parsed table, column-major: `values[j * n_rows + i]` is row `i` of column `j`, NaN when
/// the cell is missing, and a level code for a text column, whose sorted distinct texts are
/// `levels[j]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ParsedTable {
    pub(crate) names: Vec<String>,
    pub(crate) n_rows: usize,
    pub(crate) values: Vec<f64>,
    pub(crate) levels: Vec<Option<Vec<String>>>,
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

/// Columns under construction, written straight into one column-major buffer with room for
/// `cap` rows per column: a large file is parsed into the buffer the data set keeps, with no
/// per-column vectors to grow and copy (on this machine, the kernel's zeroing of fresh pages
/// was a third of reading time). The buffer starts at the row count the file size suggests,
/// and untouched room costs no memory (the allocation is lazily zeroed).
struct Builder<'n> {
    names: &'n [String],
    values: Vec<f64>,
    cap: usize,
    /// A column that met a text cell: each cell's text, `None` when missing.
    text: Vec<Option<Vec<Option<String>>>>,
    rows: usize,
}

impl<'n> Builder<'n> {
    fn new(names: &'n [String], expected_rows: usize) -> Self {
        // At least one row; no more than the file can hold (`expected_rows`), so that a small
        // input costs little memory.
        let cap = expected_rows.max(1);
        Self {
            names,
            values: vec![0.0; cap * names.len()],
            cap,
            text: vec![None; names.len()],
            rows: 0,
        }
    }

    /// Makes room for half as many rows again (the row-count guess was short).
    fn grow(&mut self) {
        let (n, old) = (self.names.len(), self.cap);
        let cap = old + old / 2 + 16;
        let mut values = vec![0.0; cap * n];
        for j in 0..n {
            values[j * cap..j * cap + self.rows]
                .copy_from_slice(&self.values[j * old..j * old + self.rows]);
        }
        self.values = values;
        self.cap = cap;
    }

    /// Adds one row of fields read on file line `line`.
    fn push<'f>(
        &mut self,
        fields: impl ExactSizeIterator<Item = &'f [u8]>,
        line: usize,
    ) -> Result<()> {
        if fields.len() != self.names.len() {
            return Err(CoreError::Parse {
                line,
                message: format!(
                    "row {} has {} fields but the header has {}",
                    self.rows + 1,
                    fields.len(),
                    self.names.len()
                ),
            });
        }
        if self.rows == self.cap {
            self.grow();
        }
        let i = self.rows;
        self.rows += 1;
        for (j, field) in fields.enumerate() {
            let cell = classify(field).map_err(|()| CoreError::Parse {
                line,
                message: format!("column '{}': the field is not valid UTF-8", self.names[j]),
            })?;
            let column = j * self.cap;
            match (&mut self.text[j], cell) {
                (None, Cell::Number(x)) => {
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
                    self.values[column + i] = x;
                }
                (None, Cell::Missing) => self.values[column + i] = f64::NAN,
                (Some(t), Cell::Missing) => t.push(None),
                (Some(t), Cell::Number(_) | Cell::Text(_)) => {
                    let s = std::str::from_utf8(trim_bytes(field)).unwrap_or_default();
                    t.push(Some(s.to_owned()));
                }
                (t @ None, Cell::Text(s)) => {
                    // The first text cell: the numbers so far become level names too.
                    let mut texts: Vec<Option<String>> = self.values[column..column + i]
                        .iter()
                        .map(|x| (!x.is_nan()).then(|| x.to_string()))
                        .collect();
                    texts.push(Some(s.to_owned()));
                    *t = Some(texts);
                }
            }
        }
        Ok(())
    }

    /// The table: each column moved down to `rows` values (in place), text columns coded by
    /// their sorted distinct texts.
    fn finish(self, names: Vec<String>) -> ParsedTable {
        let Self {
            mut values,
            cap,
            text,
            rows,
            ..
        } = self;
        let n = names.len();
        if cap != rows {
            for j in 1..n {
                values.copy_within(j * cap..j * cap + rows, j * rows);
            }
            values.truncate(n * rows);
            values.shrink_to_fit();
        }
        let levels = text
            .into_iter()
            .enumerate()
            .map(|(j, t)| {
                let t = t?;
                let levels: Vec<String> = t
                    .iter()
                    .flatten()
                    .cloned()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                for (v, c) in values[j * rows..(j + 1) * rows].iter_mut().zip(&t) {
                    *v = c.as_ref().map_or(f64::NAN, |s| {
                        levels.binary_search(s).unwrap_or_default() as f64
                    });
                }
                Some(levels)
            })
            .collect();
        ParsedTable {
            names,
            n_rows: rows,
            values,
            levels,
        }
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

/// Parses a whole table held in memory. See the module documentation for what is accepted.
pub(crate) fn parse_table(text: &str) -> Result<ParsedTable> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `\r`-only files (old Mac exports): the csv crate splits them, but counts lines by `\n`.
    let text: Cow<'_, str> = if text.contains('\r') && !text.contains('\n') {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let header = find_header(&text)?;
    let rest = text[header.data_start..].as_bytes();
    parse_rows(header, rest, rest, rest.len())
}

/// How many bytes of a file [`read_table`] reads before it looks for the header: enough for
/// any header and a sample of rows to size the buffer by. (Small in unit tests, so that small
/// tables stream.)
const PREFIX: usize = if cfg!(test) { 1 << 12 } else { 1 << 20 };

/// Reads a table from a file, streaming: the header is found in the first [`PREFIX`] bytes
/// (more if it lies further), the rows are parsed as they are read, into a buffer sized from
/// the file's length. A file that fits in the prefix, or has `\r`-only line ends, is parsed
/// as [`parse_table`] does. The results are the same as [`parse_table`] on the file's text.
pub(crate) fn read_table(mut file: impl Read, len: usize) -> std::io::Result<Result<ParsedTable>> {
    let mut prefix = Vec::with_capacity(PREFIX.min(len + 1));
    let mut eof = false;
    let header = loop {
        // The first PREFIX bytes, then as much again each time.
        let want = prefix.len().max(PREFIX);
        let got = (&mut file).take(want as u64).read_to_end(&mut prefix)?;
        eof = eof || got < want;
        let body = prefix
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(&prefix);
        let Some(cut) = memchr::memrchr(b'\n', body) else {
            if eof {
                break None;
            }
            continue;
        };
        // The header region must be UTF-8; the rows are checked cell by cell.
        let Ok(head) = std::str::from_utf8(&body[..=cut]) else {
            if eof {
                break None;
            }
            continue;
        };
        match find_header(head) {
            Ok(h) => break Some((h, prefix.len() - body.len())),
            Err(_) if !eof => {}
            Err(_) => break None,
        }
    };
    let Some((header, bom)) = header.filter(|_| !eof) else {
        // All of it is in memory: parse it as text (which reports any error).
        return Ok(match String::from_utf8(prefix) {
            Ok(text) => parse_table(&text),
            Err(e) => Err(CoreError::Parse {
                line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
                message: "the text is not valid UTF-8".into(),
            }),
        });
    };
    let start = bom + header.data_start;
    let sample = &prefix[start..];
    let remaining = len.saturating_sub(start);
    let rows = std::io::Cursor::new(sample).chain(file);
    Ok(parse_rows(header, rows, sample, remaining))
}

/// How many rows `bytes` bytes of rows hold, judged by the line lengths in `sample` (a little
/// more, so that the buffer is rarely grown), and no more than `n` fields a row allow.
fn expected_rows(sample: &[u8], bytes: usize, n: usize) -> usize {
    let lines = memchr::memchr_iter(b'\n', sample).count().max(1);
    let per_line = (sample.len() / lines).max(1);
    let guess = bytes / per_line + bytes / per_line / 50 + 16;
    guess.min(bytes / n.max(1) + 1)
}

/// Parses the rows after the header from `data` (`bytes` long, beginning with `sample`).
fn parse_rows(header: Header, data: impl Read, sample: &[u8], bytes: usize) -> Result<ParsedTable> {
    let n = header.names.len();
    let mut builder = Builder::new(&header.names, expected_rows(sample, bytes, n));
    match header.separator {
        Separator::Whitespace => {
            let reader = std::io::BufReader::with_capacity((1 << 16).min(bytes + 1), data);
            for (k, line) in reader.split(b'\n').enumerate() {
                let line_no = header.lines_before_data + k + 1;
                let line = line.map_err(|e| CoreError::Parse {
                    line: line_no,
                    message: e.to_string(),
                })?;
                let t = trim_bytes(&line);
                if t.is_empty() || t.starts_with(b"#") {
                    continue;
                }
                let fields: Vec<&[u8]> = t
                    .split(u8::is_ascii_whitespace)
                    .filter(|f| !f.is_empty())
                    .map(|f| {
                        f.strip_prefix(b"\"")
                            .and_then(|s| s.strip_suffix(b"\""))
                            .unwrap_or(f)
                    })
                    .collect();
                builder.push(fields.into_iter(), line_no)?;
            }
        }
        sep => split_rows(
            &mut builder,
            data,
            sep.byte(),
            header.lines_before_data,
            bytes,
        )?,
    }
    Ok(builder.finish(header.names.clone()))
}

/// How many bytes [`split_rows`] reads at a time.
const CHUNK: u64 = 1 << 20;

/// Reads comma- or tab-separated rows (`lines` lines precede them; about `bytes` bytes) into
/// `builder`. Lines are split at the delimiter by hand, as long as they hold no quote and no
/// lone `\r` (a record end for the csv crate): a third less time than the csv crate's parser
/// on a numeric file. From the first line that has one, the rest goes to the csv crate
/// ([`csv_rows`]). Blank and `#` comment lines are skipped as the csv crate skips them, so
/// the rows are the same either way (a unit test checks it).
fn split_rows(
    builder: &mut Builder<'_>,
    mut data: impl Read,
    delim: u8,
    lines: usize,
    bytes: usize,
) -> Result<()> {
    let n = builder.names.len();
    // A chunk, or the whole input when it is smaller (memory in proportion to the input).
    let mut buf = Vec::with_capacity((CHUNK as usize).min(bytes + 1));
    let mut fields: Vec<(usize, usize)> = Vec::with_capacity(n);
    let mut line_no = lines;
    loop {
        let got = (&mut data)
            .take(CHUNK)
            .read_to_end(&mut buf)
            .map_err(|e| CoreError::Parse {
                line: line_no + 1,
                message: e.to_string(),
            })?;
        let eof = got < CHUNK as usize;
        let mut pos = 0;
        while pos < buf.len() {
            let end = match memchr::memchr(b'\n', &buf[pos..]) {
                Some(k) => pos + k,
                None if eof => buf.len(),
                None => break,
            };
            let line = &buf[pos..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if memchr::memchr2(b'"', b'\r', line).is_some() {
                let rest = std::io::Cursor::new(buf[pos..].to_vec()).chain(data);
                return csv_rows(builder, rest, delim, line_no);
            }
            line_no += 1;
            pos = end + 1;
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            fields.clear();
            let mut start = 0;
            for k in memchr::memchr_iter(delim, line) {
                fields.push((start, k));
                start = k + 1;
            }
            fields.push((start, line.len()));
            // A line of spaces only is blank, not a row of one empty field.
            if n > 1 && fields.len() == 1 && trim_bytes(line).is_empty() {
                continue;
            }
            builder.push(fields.iter().map(|&(a, b)| &line[a..b]), line_no)?;
        }
        if eof {
            return Ok(());
        }
        buf.drain(..pos.min(buf.len()));
    }
}

/// Reads the rows in `data` (`lines` lines precede them) through the csv crate: quoted fields
/// (with delimiters, quotes and line breaks inside) and `\r` line ends.
fn csv_rows(builder: &mut Builder<'_>, data: impl Read, delim: u8, lines: usize) -> Result<()> {
    let n = builder.names.len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .comment(Some(b'#'))
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| lines + p.line() as usize);
            CoreError::Parse {
                line,
                message: e.to_string(),
            }
        })?;
        if !more {
            return Ok(());
        }
        let line = lines + record.position().map_or(0, |p| p.line() as usize);
        // A line of spaces only is blank, not a row of one empty field.
        if n > 1 && record.len() == 1 && trim_bytes(&record[0]).is_empty() {
            continue;
        }
        builder.push(record.iter(), line)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(t: &ParsedTable) -> Vec<Vec<f64>> {
        assert!(t.levels.iter().all(Option::is_none), "a text column");
        col_vecs(t)
    }

    fn col_vecs(t: &ParsedTable) -> Vec<Vec<f64>> {
        t.values.chunks(t.n_rows).map(<[f64]>::to_vec).collect()
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
        let cols = col_vecs(&t);
        assert_eq!(cols[0][..2], [1.0, 2.0]);
        assert!(cols[0][2].is_nan());
        assert_eq!(t.levels[0], None);
        assert_eq!(
            t.levels[1],
            Some(vec!["control".to_owned(), "treated, early".to_owned()])
        );
        assert_eq!(cols[1], [1.0, 0.0, 0.0]);
        assert!(cols[2][0].is_nan() && cols[2][1].is_nan() && cols[2][2] == 3.0);
    }

    #[test]
    fn numbers_before_the_first_text_cell_become_levels() {
        let t = parse_table("g\n2\n\nb\n2\n").unwrap();
        assert_eq!(t.levels[0], Some(vec!["2".to_owned(), "b".to_owned()]));
        assert_eq!(col_vecs(&t)[0], [0.0, 1.0, 0.0]);
    }

    /// Streams `text` through [`read_table`], as from a file of that length.
    fn streamed(text: &str) -> Result<ParsedTable> {
        read_table(text.as_bytes(), text.len()).unwrap()
    }

    /// A table longer than the prefix, so that rows are streamed, with its line count.
    fn long_table(prefix: &str, row: impl Fn(usize) -> String, rows: usize) -> String {
        let mut text = prefix.to_owned();
        for i in 0..rows {
            text.push_str(&row(i));
        }
        assert!(
            text.len() > 2 * PREFIX,
            "{} bytes do not stream",
            text.len()
        );
        text
    }

    #[test]
    fn streaming_reads_what_parsing_in_memory_reads() {
        let rows = 60_000;
        let cases = [
            // Plain numbers, with a BOM and CRLF.
            long_table(
                "\u{feff}a,b,c\r\n",
                |i| format!("{i},{}.25,{}\r\n", i % 7, i % 2),
                rows,
            ),
            // Comments and a savetxt header; text, quoted and missing cells late in the file.
            long_table(
                "# made by numpy\n# a,b,c\n",
                |i| match i {
                    50_000 => "1,\"x, \"\"quoted\"\"\",NA\n".to_owned(),
                    50_001 => "2,plain,\n".to_owned(),
                    _ => format!("{i},{},{}\n", i % 3, i % 5),
                },
                rows,
            ),
            // Tabs, and a whitespace-separated file with blank and comment lines.
            long_table("a\tb\tc\n", |i| format!("{i}\t{}\t-{i}e-3\n", i % 4), rows),
            long_table(
                "a b c\n",
                |i| {
                    if i % 1000 == 0 {
                        format!("\n# note\n {i}  {} 3\n", i % 4)
                    } else {
                        format!("{i} {} 3\n", i % 4)
                    }
                },
                rows,
            ),
            // More rows than the first lines suggest: short lines first, then long ones.
            long_table(
                "a,b,c\n",
                |i| {
                    if i < 20_000 {
                        "1,2,3\n".to_owned()
                    } else {
                        format!("{i}.123456789,{i}.987654321,{i}.5\n")
                    }
                },
                rows,
            ),
            // Fewer: long lines first, so that the buffer grows.
            long_table(
                "a,b,c\n",
                |i| {
                    if i < 20_000 {
                        format!("{i}.123456789,{i}.987654321,{i}.5\n")
                    } else {
                        "1,,3\n".to_owned()
                    }
                },
                rows,
            ),
        ];
        for text in &cases {
            let expected = parse_table(text).unwrap();
            assert_eq!(expected.n_rows, rows, "{}", &text[..20]);
            let got = streamed(text).unwrap();
            assert_eq!(got.names, expected.names);
            assert_eq!(got.levels, expected.levels);
            assert_eq!(got.n_rows, expected.n_rows);
            // NaN != NaN: compare bits.
            let bits = |t: &ParsedTable| t.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert!(bits(&got) == bits(&expected), "{}", &text[..20]);
        }
        // The second case's late text and missing cells.
        let t = streamed(&cases[1]).unwrap();
        assert_eq!(t.names, ["a", "b", "c"]);
        assert!(
            t.levels[1]
                .as_ref()
                .unwrap()
                .contains(&"x, \"quoted\"".to_owned())
        );
        assert!(t.values[2 * rows + 50_000].is_nan() && t.values[2 * rows + 50_001].is_nan());
    }

    #[test]
    fn split_lines_read_as_the_csv_crate_reads_them() {
        // Quoting the first cell sends the whole file through the csv crate; without it, the
        // lines are split by hand. Blank, space-only and comment lines, CRLF, a last line
        // without a line end, empty cells, spaces around cells and text.
        let body = "1,2.5,a\r\n\n   \n# note\n 3 ,,b\n-4e-3,NA, c \r\n5,6,7";
        let plain = parse_table(&format!("x,y,z\n0,0,0\n{body}")).unwrap();
        let quoted = parse_table(&format!("x,y,z\n\"0\",0,0\n{body}")).unwrap();
        assert_eq!(plain.n_rows, 5);
        assert_eq!(plain.levels, quoted.levels);
        let bits = |t: &ParsedTable| t.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&plain), bits(&quoted));
        // A lone \r ends a record for the csv crate, so such a line goes to it.
        let err = |text: &str| parse_table(text).unwrap_err().to_string();
        let plain = err("x,y\n0,0\n1,2\r3\n");
        assert_eq!(plain, err("x,y\n\"0\",0\n1,2\r3\n"));
        assert!(plain.contains("row 3 has 1 fields"), "{plain}");
        // Split lines count blank lines (the csv crate's positions do not).
        let plain = err("x,y\n0,0\n1,2\n\n3\n");
        assert!(
            plain.contains("line 5") && plain.contains("row 3"),
            "{plain}"
        );
    }

    #[test]
    fn streaming_errors_name_the_line() {
        let text = long_table(
            "a,b\n",
            |i| {
                if i == 70_000 {
                    "1\n".into()
                } else {
                    "1,2\n".into()
                }
            },
            80_000,
        );
        let err = streamed(&text).unwrap_err().to_string();
        assert!(
            err.contains("line 70002") && err.contains("row 70001"),
            "{err}"
        );
        let text = long_table(
            "a,b\n",
            |i| {
                if i == 70_000 {
                    "1,inf\n".into()
                } else {
                    "1,2\n".into()
                }
            },
            80_000,
        );
        let err = streamed(&text).unwrap_err().to_string();
        assert!(err.contains("line 70002") && err.contains("'b'"), "{err}");
        // Invalid UTF-8 in a cell names the column; in a small file, the line.
        let mut bytes = long_table("a,b\n", |_| "1,2\n".into(), 80_000).into_bytes();
        bytes.extend_from_slice(b"3,\xff\n");
        let err = read_table(&bytes[..], bytes.len())
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 80002") && err.contains("'b'"), "{err}");
        let err = read_table(&b"a,b\n1,2\n3,\xff\n"[..], 13)
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("UTF-8"), "{err}");
        // Small files and \r-only files are parsed in memory, with the same results.
        for text in ["x,y\r1,2\r3,4\r", "\u{feff}x,y\n1,2\n"] {
            assert_eq!(streamed(text).unwrap(), parse_table(text).unwrap());
        }
        assert!(streamed("# only a comment\n").is_err());
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
