//! Seed inputs: the small files under `seeds/` plus inputs made from the project's committed
//! test fixtures (data tables, and the y0 identification graphs as graph JSON).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The first `lines` lines of a committed fixture, if it is there.
fn fixture_head(path: &str, lines: usize) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(root().join(path)).ok()?;
    let head: Vec<&str> = text.lines().take(lines).collect();
    Some(format!("{}\n", head.join("\n")).into_bytes())
}

/// The y0 fixture's graphs (directed and bidirected edge lists) as graph JSON.
fn y0_graphs(limit: usize) -> Vec<Vec<u8>> {
    let Ok(text) =
        std::fs::read_to_string(root().join("crates/causal-core/tests/fixtures/y0_identify.json"))
    else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let cases = v["cases"].as_array().cloned().unwrap_or_default();
    cases
        .iter()
        .take(limit)
        .map(|c| {
            let mut edges = Vec::new();
            for (key, from_mark) in [("directed", "tail"), ("bidirected", "arrow")] {
                for e in c[key].as_array().into_iter().flatten() {
                    edges.push(serde_json::json!({
                        "from": e[0], "to": e[1], "from_mark": from_mark, "to_mark": "arrow"
                    }));
                }
            }
            serde_json::json!({"nodes": c["nodes"], "edges": edges})
                .to_string()
                .into_bytes()
        })
        .collect()
}

/// The seeds of target `name`.
pub fn seeds(name: &str) -> Vec<Vec<u8>> {
    let own: &[&str] = match name {
        "data" => &[
            include_str!("../seeds/data.csv"),
            include_str!("../seeds/data.txt"),
        ],
        "dagitty" => &[
            include_str!("../seeds/graph.dagitty"),
            include_str!("../seeds/pag.dagitty"),
        ],
        "dot" => &[
            include_str!("../seeds/graph.dot"),
            include_str!("../seeds/undirected.dot"),
        ],
        "graph-json" => &[include_str!("../seeds/graph.json")],
        "scm-json" => &[include_str!("../seeds/scm.json")],
        "knowledge" => &[include_str!("../seeds/knowledge.txt")],
        _ => &[],
    };
    let mut out: Vec<Vec<u8>> = own.iter().map(|s| s.as_bytes().to_vec()).collect();
    match name {
        "data" => out.extend(
            [
                "crates/causal-core/tests/fixtures/dowhy_ate/case1.csv",
                "crates/causal-discover/tests/fixtures/lingam/exp_8.csv",
            ]
            .iter()
            .filter_map(|p| fixture_head(p, 12)),
        ),
        "graph-json" => out.extend(y0_graphs(8)),
        _ => {}
    }
    out
}
