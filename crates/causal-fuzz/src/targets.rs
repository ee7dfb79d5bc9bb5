//! The fuzz targets: one parser each, with the round trip its output must survive.
//!
//! A target returns `Ok(true)` for an input its parser accepted, `Ok(false)` for one it
//! rejected with an error (both fine), and `Err` with a description when a round trip broke.

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_core::scm::ScmSpec;
use causal_discover::knowledge::Knowledge;

/// One fuzz target.
pub struct Target {
    /// Its name on the command line.
    pub name: &'static str,
    /// Runs the parser (and the round trips) on one input.
    pub run: fn(&str) -> Result<bool, String>,
    /// Tokens worth inserting: the mutator splices them in, so mutants stay near the syntax.
    pub dictionary: &'static [&'static str],
}

/// Every target, in the order `cargo xtask fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "data",
        run: data,
        dictionary: &[
            ",", "\t", " ", "\n", "\r\n", "\r", "\"", "#", "# ", "\u{feff}", "NA", "nan", "inf",
            "-", "1e308", "0.5", "-0", "x,y,z\n",
        ],
    },
    Target {
        name: "dagitty",
        run: dagitty,
        dictionary: &[
            "{",
            "}",
            "->",
            "<-",
            "<->",
            "--",
            "@->",
            "@-@",
            "--@",
            "[latent]",
            "[exposure]",
            "[outcome]",
            "[pos=\"1,2\"]",
            "\"",
            "\\\"",
            ";",
            ",",
            "\n",
            "dag",
            "pag",
            "pdag",
            "/*",
            "*/",
            "//",
            "#",
            "bb=\"0,0,1,1\"",
        ],
    },
    Target {
        name: "dot",
        run: dot,
        dictionary: &[
            "{",
            "}",
            "->",
            "--",
            "[dir=both]",
            "[dir=none]",
            "[dir=back]",
            "[arrowtail=odot]",
            "[latent=true]",
            "subgraph",
            "strict",
            "digraph",
            "graph",
            "node [shape=box]",
            "rankdir=LR;",
            "\"",
            ";",
            ",",
            "=",
            "\n",
            "/*",
            "*/",
        ],
    },
    Target {
        name: "graph-json",
        run: graph_json,
        dictionary: &[
            "{",
            "}",
            "[",
            "]",
            "\"",
            ",",
            ":",
            "\"nodes\"",
            "\"edges\"",
            "\"from\"",
            "\"to\"",
            "\"from_mark\"",
            "\"to_mark\"",
            "\"tail\"",
            "\"arrow\"",
            "\"circle\"",
            "\"roles\"",
            "\"latent\"",
            "\\u0000",
            "\\\"",
        ],
    },
    Target {
        name: "scm-json",
        run: scm_json,
        dictionary: &[
            "{",
            "}",
            "[",
            "]",
            "\"",
            ",",
            ":",
            "\"nodes\"",
            "\"name\"",
            "\"parents\"",
            "\"type\"",
            "\"binary\"",
            "\"gaussian\"",
            "\"sd\"",
            "\"intercept\"",
            "1e308",
            "-1e-308",
            "0.1",
            "123456789.123456789",
            "-0.0",
            "5e-324",
        ],
    },
    Target {
        name: "knowledge",
        run: knowledge,
        dictionary: &[
            "/knowledge\n",
            "addtemporal\n",
            "forbiddirect\n",
            "requiredirect\n",
            "1 ",
            "2* ",
            "18446744073709551616 ",
            "\n",
            " ",
            "#",
            "//",
            "a b\n",
        ],
    },
];

/// A target that aborts the process on any input holding `!`: only for checking that the
/// supervisor saves the input and restarts the worker. Never run unless named.
pub const ABORT_SELF_TEST: Target = Target {
    name: "abort-self-test",
    run: |text| {
        if text.contains('!') {
            std::process::abort();
        }
        Ok(true)
    },
    dictionary: &["a", "b"],
};

/// The target called `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    if name == ABORT_SELF_TEST.name {
        return Some(&ABORT_SELF_TEST);
    }
    TARGETS.iter().find(|t| t.name == name)
}

fn data(text: &str) -> Result<bool, String> {
    let Ok(d) = Dataset::from_text(text) else {
        return Ok(false);
    };
    let csv = d.to_csv();
    match Dataset::from_text(&csv) {
        // Data sets hold no NaN (missing values are refused), so `==` is exact equality.
        Ok(back) if back == d => Ok(true),
        Ok(back) => Err(format!(
            "data round trip changed the table: {:?} became {:?}",
            d.names(),
            back.names()
        )),
        Err(e) => Err(format!("data written by to_csv does not read back: {e}")),
    }
}

/// Every graph must survive all three writers.
fn graph_round_trips(g: &MixedGraph) -> Result<bool, String> {
    let checks: [(&str, String, fn(&str) -> causal_core::Result<MixedGraph>); 3] = [
        ("dagitty", g.to_dagitty(), MixedGraph::from_dagitty),
        ("DOT", g.to_dot(), MixedGraph::from_dot),
        ("JSON", g.to_json(), MixedGraph::from_json),
    ];
    for (format, text, read) in checks {
        match read(&text) {
            Ok(back) if back == *g => {}
            Ok(_) => return Err(format!("{format} round trip changed the graph:\n{text}")),
            Err(e) => {
                return Err(format!(
                    "{format} written does not read back ({e}):\n{text}"
                ));
            }
        }
    }
    Ok(true)
}

fn dagitty(text: &str) -> Result<bool, String> {
    match MixedGraph::from_dagitty(text) {
        Ok(g) => graph_round_trips(&g),
        Err(_) => Ok(false),
    }
}

fn dot(text: &str) -> Result<bool, String> {
    match MixedGraph::from_dot(text) {
        Ok(g) => graph_round_trips(&g),
        Err(_) => Ok(false),
    }
}

fn graph_json(text: &str) -> Result<bool, String> {
    match MixedGraph::from_json(text) {
        Ok(g) => graph_round_trips(&g),
        Err(_) => Ok(false),
    }
}

fn scm_json(text: &str) -> Result<bool, String> {
    let Ok(spec) = ScmSpec::from_json(text) else {
        return Ok(false);
    };
    let written = serde_json::to_string(&spec).map_err(|e| format!("writing the spec: {e}"))?;
    match ScmSpec::from_json(&written) {
        // Debug prints each float's shortest exact form, so equal text means equal bits.
        Ok(back) if format!("{back:?}") == format!("{spec:?}") => {}
        Ok(_) => return Err(format!("SCM spec round trip changed a value:\n{written}")),
        Err(e) => {
            return Err(format!(
                "SCM spec written does not read back ({e}):\n{written}"
            ));
        }
    }
    // Building and sampling a few rows must not panic either.
    if let Ok(scm) = spec.to_scm() {
        let _ = scm.sample(3, 0);
    }
    Ok(true)
}

fn knowledge(text: &str) -> Result<bool, String> {
    let Ok(k) = Knowledge::from_tetrad(text) else {
        return Ok(false);
    };
    let mut names: Vec<String> = k
        .required_edges()
        .chain(k.forbidden_edges())
        .flat_map(|(a, b)| [a.to_owned(), b.to_owned()])
        .collect();
    names.sort();
    names.dedup();
    let _ = k.resolve(&names);
    Ok(true)
}
