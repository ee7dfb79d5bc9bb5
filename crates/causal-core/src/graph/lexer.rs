//! The tokenizer shared by the dagitty and DOT readers.

use crate::error::{CoreError, Result};

/// A token with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub line: usize,
    pub kind: Tok,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A bare identifier or number.
    Ident(String),
    /// A double-quoted string, unescaped.
    Quoted(String),
    /// Punctuation: `{ } [ ] ; , =`.
    Punct(char),
    /// An edge operator such as `->`, `<->`, `--`, `@->`.
    Op(&'static str),
}

impl Tok {
    /// The text of an identifier or quoted string.
    pub fn name(&self) -> Option<&str> {
        match self {
            Tok::Ident(s) | Tok::Quoted(s) => Some(s),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Quoted(s) => format!("\"{s}\""),
            Tok::Punct(c) => format!("'{c}'"),
            Tok::Op(o) => format!("'{o}'"),
        }
    }
}

// Longest first, so `<->` wins over `<-`.
const OPS: &[&str] = &["<->", "<-@", "@->", "@-@", "--@", "@--", "->", "<-", "--"];

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Splits `text` into tokens, dropping `//`, `#` and `/* */` comments.
///
/// # Errors
///
/// [`CoreError::Parse`] naming the line of an unterminated string or comment or a stray character.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let err = |line: usize, message: String| CoreError::Parse { line, message };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '#' || (c == '/' && chars.get(i + 1) == Some(&'/')) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = line;
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated /* comment".into())),
                    Some('*') if chars.get(i + 1) == Some(&'/') => {
                        i += 2;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        i += 1;
                    }
                    Some(_) => i += 1,
                }
            }
        } else if c == '"' {
            let start = line;
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(start, "unterminated quoted string".into())),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') if matches!(chars.get(i + 1), Some('"') | Some('\\')) => {
                        s.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&ch) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                line: start,
                kind: Tok::Quoted(s),
            });
        } else if let Some(op) = OPS.iter().find(|op| {
            op.chars()
                .enumerate()
                .all(|(k, oc)| chars.get(i + k) == Some(&oc))
        }) {
            out.push(Token {
                line,
                kind: Tok::Op(op),
            });
            i += op.len();
        } else if "{}[];,=".contains(c) {
            out.push(Token {
                line,
                kind: Tok::Punct(c),
            });
            i += 1;
        } else if is_ident_char(c)
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let mut s = String::from(c);
            i += 1;
            while i < chars.len() && is_ident_char(chars[i]) {
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token {
                line,
                kind: Tok::Ident(s),
            });
        } else {
            return Err(err(line, format!("unexpected character '{c}'")));
        }
    }
    Ok(out)
}

/// A cursor over tokens with line-aware errors.
pub(crate) struct Cursor {
    toks: Vec<Token>,
    pos: usize,
    last_line: usize,
}

impl Cursor {
    pub fn new(toks: Vec<Token>) -> Self {
        let last_line = toks.last().map_or(1, |t| t.line);
        Self {
            toks,
            pos: 0,
            last_line,
        }
    }

    pub fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.kind)
    }

    pub fn peek2(&self) -> Option<&Tok> {
        self.toks.get(self.pos + 1).map(|t| &t.kind)
    }

    pub fn line(&self) -> usize {
        self.toks.get(self.pos).map_or(self.last_line, |t| t.line)
    }

    pub fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.kind.clone());
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub fn error(&self, message: impl Into<String>) -> CoreError {
        CoreError::Parse {
            line: self.line(),
            message: message.into(),
        }
    }

    pub fn eat(&mut self, p: char) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Reads a node name; at the end of the input the error says "expected {expected}".
    pub fn node_name(&mut self, expected: &str) -> Result<String> {
        let line = self.line();
        match self.next() {
            Some(t) => t.name().map(str::to_owned).ok_or_else(|| CoreError::Parse {
                line,
                message: format!("expected a node name, found {}", t.describe()),
            }),
            None => Err(CoreError::Parse {
                line,
                message: format!("expected {expected}, found the end of the input"),
            }),
        }
    }

    /// After the `digraph`/`dag`/… keyword of DOT or dagitty: skips an optional graph name and
    /// opens the body at `{`.
    pub fn open_graph_body(&mut self) -> Result<()> {
        if matches!(self.peek(), Some(Tok::Ident(_) | Tok::Quoted(_))) {
            self.next();
        }
        self.expect('{', "to open the graph")
    }

    /// In a graph body: skips `;` and `,` separators, then gives `true` after eating the
    /// closing `}`, `false` before the next statement.
    pub fn graph_body_next(&mut self) -> Result<bool> {
        loop {
            if self.eat('}') {
                return Ok(true);
            }
            if !(self.eat(';') || self.eat(',')) {
                break;
            }
        }
        if self.peek().is_none() {
            return Err(self.error("missing '}' at the end of the graph"));
        }
        Ok(false)
    }

    /// Errors when anything follows the graph's closing `}`.
    pub fn expect_graph_end(&self) -> Result<()> {
        match self.peek() {
            Some(t) => Err(self.error(format!("unexpected {} after the graph", t.describe()))),
            None => Ok(()),
        }
    }

    pub fn expect(&mut self, p: char, context: &str) -> Result<()> {
        if self.eat(p) {
            return Ok(());
        }
        Err(match self.peek() {
            Some(t) => self.error(format!("expected '{p}' {context}, found {}", t.describe())),
            None => self.error(format!(
                "expected '{p}' {context}, found the end of the input"
            )),
        })
    }

    /// Parses `[key, key=value; ...]` (the `[` already consumed) into pairs.
    pub fn attributes(&mut self) -> Result<Vec<(String, Option<String>)>> {
        let mut out = Vec::new();
        loop {
            if self.eat(']') {
                return Ok(out);
            }
            if self.eat(',') || self.eat(';') {
                continue;
            }
            let key = match self.next() {
                Some(t) => t.name().map(str::to_owned).ok_or_else(|| {
                    self.error(format!(
                        "expected an attribute name, found {}",
                        t.describe()
                    ))
                })?,
                None => return Err(self.error("unterminated attribute list '['")),
            };
            let value = if self.eat('=') {
                match self.next() {
                    Some(t) => Some(t.name().map(str::to_owned).ok_or_else(|| {
                        self.error(format!(
                            "expected a value for attribute '{key}', found {}",
                            t.describe()
                        ))
                    })?),
                    None => return Err(self.error("unterminated attribute list '['")),
                }
            } else {
                None
            };
            out.push((key, value));
        }
    }
}

/// Writes a name bare when it is a plain identifier, quoted otherwise.
pub(crate) fn quote(name: &str, keywords: &[&str]) -> String {
    let plain = name.chars().all(is_ident_char)
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && !keywords.iter().any(|k| k.eq_ignore_ascii_case(name));
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_lines() {
        let toks = tokenize("dag {\n X <-> \"Y z\" // c\n /* a\n b */ W [pos=\"1,2\"] }").unwrap();
        let kinds: Vec<Tok> = toks.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(kinds[2], Tok::Ident("X".into()));
        assert_eq!(kinds[3], Tok::Op("<->"));
        assert_eq!(kinds[4], Tok::Quoted("Y z".into()));
        assert_eq!(toks[5].line, 4);
        let err = tokenize("dag {\n X -> Y \n $ }").unwrap_err().to_string();
        assert_eq!(err, "line 3: unexpected character '$'");
        assert!(tokenize("\"abc").is_err());
        assert_eq!(quote("a b", &[]), "\"a b\"");
        assert_eq!(quote("node", &["node"]), "\"node\"");
        assert_eq!(quote("X1", &["node"]), "X1");
    }
}
