//! Tetrad's background-knowledge text format.
//!
//! ```text
//! /knowledge
//! addtemporal
//! 1 a b
//! 2* c d        (the star forbids edges within the tier)
//!
//! forbiddirect
//! c a
//!
//! requiredirect
//! a c
//! ```

use super::Knowledge;
use crate::error::{DiscoverError, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Temporal,
    Forbid,
    Require,
}

pub(super) fn parse(text: &str) -> Result<Knowledge> {
    let mut k = Knowledge::new();
    let mut section = Section::None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let err = |message: String| DiscoverError::Knowledge {
            line: line_no,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        match line.to_ascii_lowercase().as_str() {
            "/knowledge" => continue,
            "addtemporal" => {
                section = Section::Temporal;
                continue;
            }
            "forbiddirect" => {
                section = Section::Forbid;
                continue;
            }
            "requiredirect" => {
                section = Section::Require;
                continue;
            }
            _ => {}
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match section {
            Section::None => {
                return Err(err(format!(
                    "'{line}' appears before any section (addtemporal, forbiddirect, requiredirect)"
                )));
            }
            Section::Temporal => {
                let head = fields[0];
                let (num, within) = match head.strip_suffix('*') {
                    Some(n) => (n, true),
                    None => (head, false),
                };
                let tier: usize = num
                    .parse()
                    .map_err(|_| err(format!("tier number '{head}' is not a number")))?;
                k = k.tier(tier, fields[1..].iter().copied());
                if within {
                    k = k.forbid_within_tier(tier);
                }
            }
            Section::Forbid | Section::Require => {
                if fields.len() != 2 {
                    return Err(err(format!(
                        "expected two variable names 'from to', found '{line}'"
                    )));
                }
                k = if section == Section::Forbid {
                    k.forbid(fields[0], fields[1])
                } else {
                    k.require(fields[0], fields[1])
                };
            }
        }
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_sections() {
        let k = parse("/knowledge\naddtemporal\n\n1 a b\n2* c d\n3 \n\nforbiddirect\nc a\n\nrequiredirect\na c\n")
            .unwrap();
        assert_eq!(k.tier_of("b"), Some(1));
        assert_eq!(k.tier_of("d"), Some(2));
        let r = k
            .resolve(&["a".into(), "b".into(), "c".into(), "d".into()])
            .unwrap();
        assert!(r.is_forbidden(2, 3) && r.is_forbidden(3, 2));
        assert!(r.is_required(0, 2));
        assert!(!r.is_forbidden(0, 1));
    }

    #[test]
    fn malformed_lines_are_named() {
        let err = parse("/knowledge\nforbiddirect\na b c\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        let err = parse("a b\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = parse("addtemporal\nx a\n").unwrap_err().to_string();
        assert!(err.contains("'x'"), "{err}");
    }
}
