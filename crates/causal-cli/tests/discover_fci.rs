//! `causal discover fci` end to end.

mod common;
use common::{causal, collider_csv, json, pseudo_uniform, temp_path};

const TAG: &str = "fci";

/// The marks of the edge between `a` and `b` as (mark at a, mark at b).
fn marks(g: &serde_json::Value, a: &str, b: &str) -> (String, String) {
    for e in g["edges"].as_array().unwrap() {
        let (from, to) = (e["from"].as_str().unwrap(), e["to"].as_str().unwrap());
        let (fm, tm) = (
            e["from_mark"].as_str().unwrap().to_owned(),
            e["to_mark"].as_str().unwrap().to_owned(),
        );
        if (from, to) == (a, b) {
            return (fm, tm);
        }
        if (from, to) == (b, a) {
            return (tm, fm);
        }
    }
    panic!("no edge {a} - {b} in {g}");
}

#[test]
fn fci_prints_a_pag_and_applies_tiers() {
    let data = temp_path(TAG, "collider.csv", &collider_csv(11));
    let g = json(&causal(&[
        "discover",
        "fci",
        "--data",
        data.to_str().unwrap(),
    ]));
    assert_eq!(g["edges"].as_array().unwrap().len(), 2, "{g}");
    // x o-> z <-o y: the collider's arrowheads, circles where a latent could hide.
    assert_eq!(marks(&g, "x", "z"), ("circle".into(), "arrow".into()));
    assert_eq!(marks(&g, "y", "z"), ("circle".into(), "arrow".into()));

    // Tiers forbid z -> x and z -> y, so FCI directs both edges into z.
    let k = temp_path(
        TAG,
        "tiers.txt",
        "/knowledge\naddtemporal\n1 x y\n2 z\n\nforbiddirect\n\nrequiredirect\n",
    );
    let g = json(&causal(&[
        "discover",
        "fci",
        "--data",
        data.to_str().unwrap(),
        "--knowledge",
        k.to_str().unwrap(),
    ]));
    assert_eq!(marks(&g, "x", "z"), ("tail".into(), "arrow".into()));
    assert_eq!(marks(&g, "y", "z"), ("tail".into(), "arrow".into()));

    // Knowledge naming an unknown variable is bad input (exit 2), named.
    let bad = temp_path(
        TAG,
        "bad.txt",
        "/knowledge\naddtemporal\n1 x nosuch\n\nforbiddirect\n\nrequiredirect\n",
    );
    let out = causal(&[
        "discover",
        "fci",
        "--data",
        data.to_str().unwrap(),
        "--knowledge",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch"));
}

/// a → b ← c, b → d, c → d (coefficients chosen so that every edge stays dependent): the path a, b, c, d discriminates c, which lies in the separating set
/// of a and d, so FCI's rule R4 turns c o→ d into c → d; `--max-path-length 0` disables R4.
#[test]
fn fci_max_path_length_zero_disables_the_discriminating_path_rule() {
    let mut u = pseudo_uniform(5);
    let mut csv = String::from("a,b,c,d\n");
    for _ in 0..3000 {
        let (a, c) = (u(), u());
        let b = a + c + 0.3 * u();
        let d = 0.5 * b + c + 0.3 * u();
        csv.push_str(&format!("{a},{b},{c},{d}\n"));
    }
    let data = temp_path(TAG, "discriminating.csv", &csv);
    let run = |extra: &[&str]| {
        let mut args = vec!["discover", "fci", "--data", data.to_str().unwrap()];
        args.extend_from_slice(extra);
        json(&causal(&args))
    };
    let full = run(&[]);
    assert_eq!(full["edges"].as_array().unwrap().len(), 4, "{full}");
    assert_eq!(marks(&full, "b", "d"), ("tail".into(), "arrow".into()));
    assert_eq!(marks(&full, "c", "d"), ("tail".into(), "arrow".into()));
    let no_r4 = run(&["--max-path-length", "0"]);
    assert_eq!(marks(&no_r4, "c", "d"), ("circle".into(), "arrow".into()));
    assert_eq!(marks(&no_r4, "b", "d"), ("tail".into(), "arrow".into()));
}
