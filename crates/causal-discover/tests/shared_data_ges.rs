//! GES against causal-learn's own fixtures in `../shared/data/causal-learn/` (skipped when the
//! folder is absent). The fixtures are causal-learn's endpoint matrices: for `i -> j`,
//! `G[i,j] = -1` and `G[j,i] = 1`; for `i - j`, both `-1`.

use std::path::PathBuf;

use causal_core::contract::Fit;
use causal_core::data::Dataset;
use causal_core::graph::{Edge, Mark, MixedGraph};
use causal_discover::ges::{GesParams, GesScore};
use causal_discover::knowledge::Knowledge;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/causal-learn");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// Our graph in causal-learn's matrix encoding.
fn encode(g: &MixedGraph) -> Vec<Vec<i32>> {
    let d = g.n_nodes();
    let mut m = vec![vec![0; d]; d];
    let end = |mk: Mark| match mk {
        Mark::Tail => -1,
        Mark::Arrow => 1,
        Mark::Circle => 2,
    };
    for &Edge {
        a,
        b,
        mark_a,
        mark_b,
    } in g.edges()
    {
        m[a][b] = end(mark_a);
        m[b][a] = end(mark_b);
    }
    m
}

fn read_matrix(path: &PathBuf) -> Vec<Vec<i32>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .map(|v| v.parse::<f64>().unwrap() as i32)
                .collect()
        })
        .collect()
}

#[test]
fn shared_data_ges_bic_linear_10_is_causal_learns() {
    let Some(dir) = shared() else { return };
    let data = Dataset::from_path(dir.join("linear/data_linear_10.txt")).unwrap();
    let fit = GesParams::new()
        .score(GesScore::Bic)
        .fit(&data, &Knowledge::new())
        .unwrap();
    let want = read_matrix(&dir.join("linear/linear_10_ges_local_score_BIC_none_none.txt"));
    assert_eq!(encode(fit.graph()), want);
}

#[test]
fn shared_data_ges_bdeu_discrete_10_is_causal_learns() {
    let Some(dir) = shared() else { return };
    let data = Dataset::from_path(dir.join("discrete/data_discrete_10.txt")).unwrap();
    let fit = GesParams::new()
        .score(GesScore::Bdeu)
        .fit(&data, &Knowledge::new())
        .unwrap();
    let want = read_matrix(&dir.join("discrete/discrete_10_ges_local_score_BDeu_none_none.txt"));
    assert_eq!(encode(fit.graph()), want);
}
