//! causal-learn's endpoint-matrix encoding, to compare with its outputs and fixtures.
//!
//! `G[i][j]` is the mark at `i` on the edge between `i` and `j`: `-1` tail, `1` arrow,
//! `2` circle, `0` no edge. So `i → j` is `G[i][j] = -1, G[j][i] = 1`.

use causal_core::graph::{Edge, Mark, MixedGraph};

use crate::error::{DiscoverError, Result};

fn code(m: Mark) -> i8 {
    match m {
        Mark::Tail => -1,
        Mark::Arrow => 1,
        Mark::Circle => 2,
    }
}

fn mark(c: i8) -> Option<Mark> {
    match c {
        -1 => Some(Mark::Tail),
        1 => Some(Mark::Arrow),
        2 => Some(Mark::Circle),
        _ => None,
    }
}

/// The endpoint matrix of a graph (one edge per pair; a later edge between the same pair wins).
pub fn to_matrix(g: &MixedGraph) -> Vec<Vec<i8>> {
    let n = g.n_nodes();
    let mut m = vec![vec![0i8; n]; n];
    for e in g.edges() {
        m[e.a][e.b] = code(e.mark_a);
        m[e.b][e.a] = code(e.mark_b);
    }
    m
}

/// A graph from an endpoint matrix, edges in `(i, j)` order with `i < j`.
///
/// # Errors
///
/// [`DiscoverError::InvalidParameter`] for a non-square matrix, a code outside
/// `{-1, 0, 1, 2}`, or a pair with a mark at only one end; core errors for bad names.
pub fn from_matrix(names: &[String], m: &[Vec<i8>]) -> Result<MixedGraph> {
    let n = names.len();
    if m.len() != n || m.iter().any(|r| r.len() != n) {
        return Err(DiscoverError::InvalidParameter(format!(
            "endpoint matrix is not {n}x{n}"
        )));
    }
    let mut g = MixedGraph::with_nodes(names.iter().cloned())?;
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (m[i][j], m[j][i]);
            if a == 0 && b == 0 {
                continue;
            }
            match (mark(a), mark(b)) {
                (Some(mark_a), Some(mark_b)) => g.add_edge(Edge {
                    a: i,
                    b: j,
                    mark_a,
                    mark_b,
                })?,
                _ => {
                    return Err(DiscoverError::InvalidParameter(format!(
                        "endpoint codes ({a}, {b}) between '{}' and '{}' are not an edge",
                        names[i], names[j]
                    )));
                }
            }
        }
    }
    Ok(g)
}

/// Parses a whitespace-separated integer matrix (causal-learn writes floats such as `-1.0e+00`).
///
/// # Errors
///
/// [`DiscoverError::InvalidParameter`] naming the line of a non-integer entry or ragged row.
pub fn parse_matrix(text: &str) -> Result<Vec<Vec<i8>>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row = line
            .split_whitespace()
            .map(|f| {
                f.parse::<f64>()
                    .ok()
                    .filter(|v| v.fract() == 0.0 && v.abs() <= 2.0)
                    .map(|v| v as i8)
                    .ok_or_else(|| {
                        DiscoverError::InvalidParameter(format!(
                            "line {}: '{f}' is not an endpoint code",
                            i + 1
                        ))
                    })
            })
            .collect::<Result<Vec<i8>>>()?;
        rows.push(row);
    }
    if rows.iter().any(|r| r.len() != rows.len()) {
        return Err(DiscoverError::InvalidParameter(format!(
            "the matrix has {} rows but a row of another length",
            rows.len()
        )));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_all_marks() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let m = parse_matrix("0 -1 2\n1 0 0\n1.0e+00 0 0\n").unwrap();
        let g = from_matrix(&names, &m).unwrap();
        assert!(g.edges()[0].is_directed_from(0, 1));
        assert_eq!(g.edges()[1].mark_a, Mark::Circle);
        assert_eq!(to_matrix(&g), m);
        assert!(parse_matrix("0 7\n1 0\n").is_err());
        assert!(from_matrix(&names, &parse_matrix("0 -1 0\n0 0 0\n0 0 0\n").unwrap()).is_err());
    }
}
