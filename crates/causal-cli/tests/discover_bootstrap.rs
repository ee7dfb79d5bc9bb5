//! `causal discover ... --bootstrap B --seed S --threads N`: per-edge bootstrap frequencies,
//! seeded and independent of the thread count.

mod common;
use common::{causal, pseudo_uniform, temp_path};

/// x -> z <- y, w independent, with deterministic pseudo-noise.
fn collider_file() -> std::path::PathBuf {
    let mut s = String::from("x,y,z,w\n");
    let mut u = pseudo_uniform(11);
    for _ in 0..1500 {
        let (x, y, w) = (u(), u(), u());
        let z = x + y + 0.3 * u();
        s.push_str(&format!("{x},{y},{z},{w}\n"));
    }
    temp_path("bootstrap", "collider.csv", &s)
}

fn run(method: &str, data: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["discover", method, "--data", data];
    args.extend_from_slice(extra);
    let out = causal(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn freq<'a>(v: &'a serde_json::Value, from: &str, to: &str) -> Option<&'a serde_json::Value> {
    v["bootstrap"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == from && e["to"] == to)
}

#[test]
fn pc_bootstrap_frequencies_are_seeded_and_thread_independent() {
    let data = collider_file();
    let data = data.to_str().unwrap();
    let boot = ["--bootstrap", "16", "--seed", "5"];
    let one = run("pc", data, &[&boot[..], &["--threads", "1"]].concat());
    let three = run("pc", data, &[&boot[..], &["--threads", "3"]].concat());
    assert_eq!(one, three, "thread count changed the output");
    assert_eq!(one["bootstrap"]["replicates"], 16);
    assert_eq!(one["bootstrap"]["seed"], 5);
    // The graph on the full data is still there.
    assert_eq!(one["edges"].as_array().unwrap().len(), 2, "{one}");
    // The strong collider is found, and oriented, in (nearly) every resample.
    for from in ["x", "y"] {
        let e = freq(&one, from, "z").unwrap_or_else(|| panic!("no {from}-z in {one}"));
        assert!(e["adjacent"].as_f64().unwrap() >= 0.9, "{e}");
        assert!(e["directed"].as_f64().unwrap() >= 0.8, "{e}");
        let sum = ["directed", "reversed", "undirected", "other"]
            .iter()
            .map(|k| e[*k].as_f64().unwrap())
            .sum::<f64>();
        assert!((sum - e["adjacent"].as_f64().unwrap()).abs() < 1e-12, "{e}");
    }
    // The independent w is rarely adjacent to anything.
    for other in ["x", "y", "z"] {
        let a = freq(&one, other, "w").map_or(0.0, |e| e["adjacent"].as_f64().unwrap());
        assert!(a <= 0.25, "{other}-w adjacent in {a} of the resamples");
    }
    // Same seed, same answer.
    assert_eq!(
        one,
        run("pc", data, &[&boot[..], &["--threads", "2"]].concat())
    );
}

#[test]
fn ges_bootstrap_and_bad_replicate_count() {
    let data = collider_file();
    let data = data.to_str().unwrap();
    let v = run("ges", data, &["--bootstrap", "6", "--seed", "1"]);
    assert_eq!(v["bootstrap"]["replicates"], 6);
    let e = freq(&v, "x", "z").unwrap();
    assert!(e["adjacent"].as_f64().unwrap() >= 0.99, "{e}");
    let out = causal(&["discover", "pc", "--data", data, "--bootstrap", "0"]);
    assert_eq!(out.status.code(), Some(2));
    // The range parser names the option and its range.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--bootstrap") && err.contains("at least 1"),
        "{err}"
    );
    let out = causal(&["discover", "pc", "--data", data, "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
