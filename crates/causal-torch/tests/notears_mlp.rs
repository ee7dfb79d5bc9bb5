//! NOTEARS-MLP: a light recovery check in the default suite, and (ignored, run once) the
//! comparison with gCastle's NotearsNonlinear on 5 seeds of nonlinear ER data.

use causal_core::data::Dataset;
use causal_torch::notears_mlp::NotearsMlpParams;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

#[test]
fn recovers_a_nonlinear_chain_skeleton() {
    causal_torch::tch::set_num_threads(1);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = 300;
    let (mut a, mut b, mut c) = (vec![], vec![], vec![]);
    for _ in 0..n {
        let e: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
        let x0 = e[0];
        let x1 = 2.0 * (1.5 * x0).tanh() + 0.5 * e[1];
        let x2 = 2.0 * (1.5 * x1).sin() + 0.5 * e[2];
        a.push(x0);
        b.push(x1);
        c.push(x2);
    }
    let data = Dataset::new(vec!["a".into(), "b".into(), "c".into()], vec![a, b, c]).unwrap();
    std::fs::write(std::env::temp_dir().join("nt_chain.csv"), data.to_csv()).unwrap();
    let fit = NotearsMlpParams::new().seed(0).fit(&data).unwrap();
    eprintln!(
        "W = {:.3} h = {:e} steps {}",
        fit.weights(),
        fit.h(),
        fit.dual_steps()
    );
    let g = fit.graph();
    assert!(g.is_acyclic());
    assert!(fit.h() < 1e-6, "h = {}", fit.h());
    // gCastle's NotearsNonlinear() on the same rows (scripts/gcastle_notears_mlp.py chain
    // $TMP/nt_chain.csv) gives W = [[0, 2.464, 0.576], [0, 0, 4.545], [0, 0, 0]]: both keep the
    // spurious a -> c above the 0.3 threshold. Ours is the same formulation and solver
    // settings, so the weights agree closely.
    let w = fit.weights();
    assert!((w[(0, 1)] - 2.464).abs() < 0.1, "{w}");
    assert!((w[(0, 2)] - 0.576).abs() < 0.1, "{w}");
    assert!(w[(1, 2)] > 3.5, "{w}");
    for (i, j) in [(1, 0), (2, 0), (2, 1)] {
        assert!(w[(i, j)] < 0.3, "{w}");
    }
    assert!(
        g.edges()
            .iter()
            .all(|e| e.is_directed_from(e.a, e.b) && e.a < e.b)
    );
    assert!(NotearsMlpParams::new().hidden(0).fit(&data).is_err());
}

/// NOTEARS' `simulate_nonlinear_sem(..., 'mlp')` on an ER DAG with exactly `edges` edges:
/// x_j = σ(pa · W1) · W2 + N(0, 1), hidden 100, weights ±U(0.5, 2).
pub fn simulate_er_mlp(
    d: usize,
    edges: usize,
    n: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<(usize, usize)>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let perm = {
        let mut p: Vec<usize> = (0..d).collect();
        rand::seq::SliceRandom::shuffle(p.as_mut_slice(), &mut rng);
        p
    };
    let mut pairs: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .collect();
    rand::seq::SliceRandom::shuffle(pairs.as_mut_slice(), &mut rng);
    // Orient along the random order: perm[i] before perm[j].
    let mut dag: Vec<(usize, usize)> = pairs[..edges]
        .iter()
        .map(|&(i, j)| (perm[i], perm[j]))
        .collect();
    dag.sort_unstable();
    let rank: Vec<usize> = {
        let mut r = vec![0; d];
        for (k, &v) in perm.iter().enumerate() {
            r[v] = k;
        }
        r
    };
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by_key(|&v| rank[v]);
    let weight = |rng: &mut ChaCha8Rng| {
        let u: f64 = rng.random_range(0.5..2.0);
        if rng.random::<bool>() { u } else { -u }
    };
    let mut x = vec![vec![0.0; n]; d];
    for &j in &order {
        let pa: Vec<usize> = dag.iter().filter(|e| e.1 == j).map(|e| e.0).collect();
        let h = 100;
        let w1: Vec<Vec<f64>> = pa
            .iter()
            .map(|_| (0..h).map(|_| weight(&mut rng)).collect())
            .collect();
        let w2: Vec<f64> = (0..h).map(|_| weight(&mut rng)).collect();
        for r in 0..n {
            let z: f64 = StandardNormal.sample(&mut rng);
            let mut v = z;
            if !pa.is_empty() {
                for u in 0..h {
                    let a: f64 = pa
                        .iter()
                        .enumerate()
                        .map(|(k, &p)| x[p][r] * w1[k][u])
                        .sum();
                    v += w2[u] / (1.0 + (-a).exp());
                }
            }
            x[j][r] = v;
        }
    }
    (x, dag)
}

/// SHD as gCastle's MetricsDAG counts it: per unordered pair, 1 if the edge differs
/// (missing, extra or reversed).
pub fn shd(d: usize, truth: &[(usize, usize)], est: &[(usize, usize)]) -> usize {
    let mut count = 0;
    for i in 0..d {
        for j in i + 1..d {
            let t = (truth.contains(&(i, j)), truth.contains(&(j, i)));
            let e = (est.contains(&(i, j)), est.contains(&(j, i)));
            if t != e {
                count += 1;
            }
        }
    }
    count
}

/// Writes the 5 data sets for the gCastle script, runs ours, and compares with the fixture
/// `fixtures/gcastle_notears_mlp.json` made by `scripts/gcastle_notears_mlp.py`.
#[test]
#[ignore = "about a minute per seed; run with --ignored --nocapture"]
fn notears_mlp_matches_gcastle_on_er_mlp_data() {
    causal_torch::tch::set_num_threads(1);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/notears-mlp-er");
    std::fs::create_dir_all(&dir).unwrap();
    let (d, edges, n) = (10, 10, 1000);
    let mut ours = Vec::new();
    for seed in 0..5u64 {
        let (cols, dag) = simulate_er_mlp(d, edges, n, seed);
        let names: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
        let data = Dataset::new(names, cols).unwrap();
        std::fs::write(dir.join(format!("data{seed}.csv")), data.to_csv()).unwrap();
        let truth: Vec<[usize; 2]> = dag.iter().map(|&(a, b)| [a, b]).collect();
        std::fs::write(
            dir.join(format!("truth{seed}.json")),
            serde_json::to_string(&truth).unwrap(),
        )
        .unwrap();
        let t = std::time::Instant::now();
        let fit = NotearsMlpParams::new().fit(&data).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let est: Vec<(usize, usize)> = fit
            .graph()
            .edges()
            .iter()
            .map(|e| {
                if e.is_directed_from(e.a, e.b) {
                    (e.a, e.b)
                } else {
                    (e.b, e.a)
                }
            })
            .collect();
        let s = shd(d, &dag, &est);
        eprintln!("seed {seed}: SHD {s}, {secs:.1}s, h {:.2e}", fit.h());
        ours.push((s, secs));
    }
    let mean_shd = ours.iter().map(|o| o.0 as f64).sum::<f64>() / 5.0;
    let mean_secs = ours.iter().map(|o| o.1).sum::<f64>() / 5.0;
    eprintln!("ours: mean SHD {mean_shd}, mean {mean_secs:.1}s");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gcastle_notears_mlp.json");
    let Ok(text) = std::fs::read_to_string(&fixture) else {
        eprintln!(
            "no gCastle fixture yet: run scripts/gcastle_notears_mlp.py {}",
            dir.display()
        );
        return;
    };
    let peer: serde_json::Value = serde_json::from_str(&text).unwrap();
    let peer_shd = peer["mean_shd"].as_f64().unwrap();
    let peer_secs = peer["mean_seconds"].as_f64().unwrap();
    eprintln!(
        "gCastle: mean SHD {peer_shd}, mean {peer_secs:.1}s; time ratio ours/gCastle {:.2}",
        mean_secs / peer_secs
    );
    assert!(
        mean_shd <= peer_shd + 1.0,
        "ours {mean_shd} vs gCastle {peer_shd}"
    );
}
