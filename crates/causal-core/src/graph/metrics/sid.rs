//! The structural intervention distance (Peters and Bühlmann 2015).

use crate::error::{CoreError, Result};
use crate::graph::{Admg, MixedGraph, NodeSet};

fn parents_of_dag(g: &MixedGraph, what: &str) -> Result<Vec<Vec<usize>>> {
    g.check_acyclic()?;
    if let Some(e) = g
        .edges()
        .iter()
        .find(|e| !(e.is_directed_from(e.a, e.b) || e.is_directed_from(e.b, e.a)))
    {
        return Err(CoreError::InvalidParameter(format!(
            "SID needs DAGs, but the {what}'s edge between '{}' and '{}' is not directed",
            g.name(e.a),
            g.name(e.b)
        )));
    }
    Ok((0..g.n_nodes()).map(|v| g.parents(v)).collect())
}

fn descendants(children: &[Vec<usize>], v: usize) -> Vec<bool> {
    let mut seen = vec![false; children.len()];
    let mut stack = vec![v];
    while let Some(u) = stack.pop() {
        if !seen[u] {
            seen[u] = true;
            stack.extend(children[u].iter().copied());
        }
    }
    seen
}

/// The structural intervention distance: the number of ordered pairs `(i, j)` for which the
/// estimate's parents of `i`, used as an adjustment set, give a wrong `p(x_j | do(x_i))` in the
/// true DAG. Nodes are matched by name.
///
/// # Formula
///
/// With `Z = Pa_est(i)`: if `j ∈ Z` the pair is wrong iff `j` is a true descendant of `i`.
/// Otherwise it is wrong unless `Z` satisfies the adjustment criterion in the truth: no member
/// of `Z` descends from a node `c ≠ i` on a causal path `i → … → j`, and `Z` d-separates `i`
/// and `j` once the first edges `i → c` of those paths are removed.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] if either graph is not a DAG (SID of CPDAGs is a
/// range over their DAGs, not computed here) or the node sets differ.
pub fn sid(truth: &MixedGraph, estimate: &MixedGraph) -> Result<usize> {
    let n = truth.n_nodes();
    let tp = parents_of_dag(truth, "truth")?;
    let ep_raw = parents_of_dag(estimate, "estimate")?;
    if estimate.n_nodes() != n {
        return Err(CoreError::InvalidParameter(
            "the graphs have different numbers of nodes".into(),
        ));
    }
    // Estimated parents in the truth's indices.
    let to_truth: Vec<usize> = estimate
        .nodes()
        .iter()
        .map(|name| {
            truth.index(name).map_err(|_| {
                CoreError::InvalidParameter(format!("node '{name}' is not in the truth"))
            })
        })
        .collect::<Result<_>>()?;
    let mut ep = vec![Vec::new(); n];
    for (v, ps) in ep_raw.iter().enumerate() {
        ep[to_truth[v]] = ps.iter().map(|&p| to_truth[p]).collect();
    }
    let mut children = vec![Vec::new(); n];
    for (v, ps) in tp.iter().enumerate() {
        for &p in ps {
            children[p].push(v);
        }
    }
    let desc: Vec<Vec<bool>> = (0..n).map(|v| descendants(&children, v)).collect();
    let dag = Admg::from_mixed(truth)?;
    let single = |v: usize| NodeSet::from_indices(n, [v]);
    let mut wrong = 0;
    for i in 0..n {
        let z = &ep[i];
        for j in (0..n).filter(|&j| j != i) {
            if z.contains(&j) {
                wrong += usize::from(desc[i][j]);
                continue;
            }
            // Nodes c != i on causal paths i -> ... -> j: descendants of i that are ancestors of j.
            let on_path: Vec<usize> = (0..n)
                .filter(|&c| c != i && desc[i][c] && desc[c][j])
                .collect();
            let forbidden = z.iter().any(|&w| on_path.iter().any(|&c| desc[c][w]));
            if forbidden {
                wrong += 1;
                continue;
            }
            let mut cut = dag.clone();
            for &c in &on_path {
                cut.remove_directed(i, c);
            }
            let z = NodeSet::from_indices(n, z.iter().copied());
            if !cut.m_separated(&single(i), &single(j), &z) {
                wrong += 1;
            }
        }
    }
    Ok(wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dag(edges: &[(&str, &str)]) -> MixedGraph {
        let mut g = MixedGraph::with_nodes(["x1", "x2", "x3", "x4", "x5"]).unwrap();
        for (a, b) in edges {
            g.add_directed(a, b).unwrap();
        }
        g
    }

    #[test]
    fn hand_computed_distances() {
        let g = dag(&[("x1", "x2"), ("x2", "x3"), ("x1", "x3"), ("x3", "x4")]);
        assert_eq!(sid(&g, &g).unwrap(), 0);
        let empty = dag(&[]);
        // The empty graph claims p(x_j | do(x_i)) = p(x_j) with no adjustment. Wrong pairs:
        // from x2: x1 (dependent), x3 (confounded by x1), x4 (via x3, confounded);
        // from x3: x1, x2; from x4: x1, x2, x3. From x1 (a root) and x5 (isolated): none.
        assert_eq!(sid(&g, &empty).unwrap(), 8);
        // A supergraph of the truth (extra edge x1 -> x4) is still correct: SID 0.
        let sup = dag(&[
            ("x1", "x2"),
            ("x2", "x3"),
            ("x1", "x3"),
            ("x3", "x4"),
            ("x1", "x4"),
        ]);
        assert_eq!(sid(&g, &sup).unwrap(), 0);
        // Reversing x3 -> x4: x4 becomes a parent of x3, so (x3, x4) is wrong; x4 has no
        // parents, so (x4, x1), (x4, x2) and (x4, x3) are wrong too.
        let rev = dag(&[("x1", "x2"), ("x2", "x3"), ("x1", "x3"), ("x4", "x3")]);
        assert_eq!(sid(&g, &rev).unwrap(), 1 + 3);
    }
}
