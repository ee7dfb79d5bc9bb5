//! Neural SCMs fitted on several regimes (perfect and imperfect interventions, DCDI-style)
//! against a seeded two-node SCM with known truth: x ~ N(3, 0.5²) observationally,
//! y = 2·tanh(x − 3) + N(0, 0.3²); the perfect regime sets x ~ N(3, 2²) from outside, the
//! imperfect one changes y's mechanism to y = 1 − 1.5·tanh(x − 3) + N(0, 0.6²).

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_torch::TorchError;
use causal_torch::scm::{NeuralScmFit, NeuralScmParams, Regimes};
use causal_torch::tch::Device;
use causal_torch::trainer::TrainerParams;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const SD_X: f64 = 0.5;
const SD_Y: f64 = 0.3;

fn f(x: f64) -> f64 {
    2.0 * (x - 3.0).tanh()
}

/// `n` rows with x drawn with SD `sd_x` around 3 and y from the observational mechanism.
fn draw(n: usize, sd_x: f64, seed: u64) -> Dataset {
    draw_with(n, sd_x, f, SD_Y, seed)
}

/// `n` rows with x drawn with SD `sd_x` around 3 and y = `mech`(x) + N(0, `sd_y`²).
fn draw_with(n: usize, sd_x: f64, mech: fn(f64) -> f64, sd_y: f64, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let e: f64 = StandardNormal.sample(&mut rng);
        let u: f64 = StandardNormal.sample(&mut rng);
        let x = 3.0 + sd_x * e;
        xs.push(x);
        ys.push(mech(x) + sd_y * u);
    }
    Dataset::new(vec!["x".into(), "y".into()], vec![xs, ys]).unwrap()
}

fn concat(a: &Dataset, b: &Dataset) -> Dataset {
    let cols = (0..2).map(|j| [a.col(j), b.col(j)].concat()).collect();
    Dataset::new(a.names().to_vec(), cols).unwrap()
}

fn graph() -> MixedGraph {
    let mut g = MixedGraph::with_nodes(["x", "y"]).unwrap();
    g.add_directed("x", "y").unwrap();
    g
}

fn params() -> NeuralScmParams {
    let trainer = TrainerParams::new()
        .epochs(80)
        .learning_rate(1e-2)
        .batch_size(128)
        .patience(Some(15))
        .seed(1)
        .device(Device::Cpu)
        .quiet(true);
    NeuralScmParams::new()
        .hidden(&[16])
        .trainer(trainer)
        .seed(1)
}

fn log_normal(x: f64, mu: f64, sd: f64) -> f64 {
    -0.5 * ((x - mu) / sd).powi(2) - sd.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
}

/// y − `mech`(x) per row.
fn residuals(d: &Dataset, mech: fn(f64) -> f64) -> Vec<f64> {
    d.col(0)
        .iter()
        .zip(d.col(1))
        .map(|(x, y)| y - mech(*x))
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Observational rows (regime 0) then rows of do(x ~ N(3, 2²)) (regime 1, target x).
fn two_regimes() -> (Dataset, Regimes) {
    let data = concat(&draw(800, SD_X, 1), &draw(800, 2.0, 2));
    let tags = [vec![0; 800], vec![1; 800]].concat();
    let regimes = Regimes::new(tags, vec![vec![], vec!["x".into()]]).unwrap();
    (data, regimes)
}

#[test]
fn log_likelihood_is_the_true_density_and_dropping_a_node_drops_its_term() {
    let _g = tch_lock();
    let data = draw(1500, SD_X, 3);
    let fit = params().fit(&graph(), &data).unwrap();
    let test = draw(2000, SD_X, 4);
    let full = fit.log_likelihood(&test, &[]).unwrap();
    let y_only = fit.log_likelihood(&test, &["x"]).unwrap();
    // The true per-row densities, in the data's units (the −log SD of each column counts).
    let truth_x: Vec<f64> = test
        .col(0)
        .iter()
        .map(|x| log_normal(*x, 3.0, SD_X))
        .collect();
    let truth_y: Vec<f64> = test
        .col(0)
        .iter()
        .zip(test.col(1))
        .map(|(x, y)| log_normal(*y, f(*x), SD_Y))
        .collect();
    let x_term: Vec<f64> = full.iter().zip(&y_only).map(|(a, b)| a - b).collect();
    assert!(
        (mean(&x_term) - mean(&truth_x)).abs() < 0.06,
        "{} vs {}",
        mean(&x_term),
        mean(&truth_x)
    );
    assert!(
        (mean(&y_only) - mean(&truth_y)).abs() < 0.1,
        "{} vs {}",
        mean(&y_only),
        mean(&truth_y)
    );
    // Per row, the x term is a Gaussian log-density of x (maximal near its mean 3).
    let (near, far) = (
        x_term[test
            .col(0)
            .iter()
            .position(|x| (x - 3.0).abs() < 0.1)
            .unwrap()],
        x_term[test
            .col(0)
            .iter()
            .position(|x| (x - 3.0).abs() > 1.0)
            .unwrap()],
    );
    assert!(near > far + 1.0, "{near} {far}");
}

#[test]
fn perfect_interventions_keep_the_target_mechanism_and_teach_the_child() {
    let _g = tch_lock();
    let (data, regimes) = two_regimes();
    let tagged = params().fit_regimes(&graph(), &data, &regimes).unwrap();
    // Pooling the same rows without tags mistakes the intervened x for observational x.
    let untagged = params().fit(&graph(), &data).unwrap();
    let obs_only = params().fit(&graph(), &draw(800, SD_X, 1)).unwrap();
    let sd_tagged = tagged.noise_sd().unwrap()[0];
    let sd_untagged = untagged.noise_sd().unwrap()[0];
    assert!((sd_tagged - SD_X).abs() < 0.06, "{sd_tagged}");
    assert!(sd_untagged > 1.0, "{sd_untagged}");
    // y's mechanism, scored where only the interventions went (x far from 3): the tagged fit
    // saw those x values, the observational fit did not.
    let held = draw(3000, 2.0, 5);
    let ll = |m: &NeuralScmFit| mean(&m.log_likelihood(&held, &["x"]).unwrap());
    let (a, b) = (ll(&tagged), ll(&obs_only));
    let truth = mean(
        &held
            .col(0)
            .iter()
            .zip(held.col(1))
            .map(|(x, y)| log_normal(*y, f(*x), SD_Y))
            .collect::<Vec<_>>(),
    );
    assert!(a > b + 0.5, "tagged {a} vs observational {b}");
    assert!((a - truth).abs() < 0.2, "tagged {a} vs truth {truth}");
    // Drawing with x given row by row keeps x exactly and follows y's mechanism.
    let given = held.select(&["x"]).unwrap();
    let s = tagged.sample_given(&given, 7).unwrap();
    assert_eq!(s.column("x").unwrap(), held.column("x").unwrap());
    let resid = residuals(&s, f);
    assert!(mean(&resid).abs() < 0.05, "{}", mean(&resid));
}

/// y's mechanism in the imperfect regime, and its noise SD.
fn g(x: f64) -> f64 {
    1.0 - 1.5 * (x - 3.0).tanh()
}
const SD_Y_IMPERFECT: f64 = 0.6;

/// `n` rows of the imperfect regime: x as observationally, y from `g`.
fn draw_imperfect(n: usize, seed: u64) -> Dataset {
    draw_with(n, SD_X, g, SD_Y_IMPERFECT, seed)
}

#[test]
fn imperfect_interventions_learn_the_regime_mechanism_and_keep_the_shared_one() {
    let _g = tch_lock();
    let data = concat(&draw(800, SD_X, 11), &draw_imperfect(800, 12));
    let tags = [vec![0; 800], vec![1; 800]].concat();
    let regimes = Regimes::new(tags, vec![vec![], vec!["y".into()]])
        .unwrap()
        .imperfect();
    assert!(regimes.is_imperfect());
    let fit = params().fit_regimes(&graph(), &data, &regimes).unwrap();
    let pooled = params().fit(&graph(), &data).unwrap();
    assert_eq!((fit.n_regimes(), pooled.n_regimes()), (2, 0));
    // Held-out rows of each regime, scored against the true densities.
    let (obs, imp) = (draw(2000, SD_X, 13), draw_imperfect(2000, 14));
    let truth = |d: &Dataset, m: fn(f64) -> f64, sd_y: f64| {
        mean(
            &d.col(0)
                .iter()
                .zip(d.col(1))
                .map(|(x, y)| log_normal(*x, 3.0, SD_X) + log_normal(*y, m(*x), sd_y))
                .collect::<Vec<_>>(),
        )
    };
    let (t_obs, t_imp) = (truth(&obs, f, SD_Y), truth(&imp, g, SD_Y_IMPERFECT));
    let ll_obs = mean(&fit.log_likelihood_in(&obs, 0).unwrap());
    let ll_imp = mean(&fit.log_likelihood_in(&imp, 1).unwrap());
    assert!(
        (ll_obs - t_obs).abs() < 0.15,
        "regime 0: {ll_obs} vs truth {t_obs}"
    );
    assert!(
        (ll_imp - t_imp).abs() < 0.15,
        "regime 1: {ll_imp} vs truth {t_imp}"
    );
    // Regime 0's rows scored by the shared mechanisms alone: the same thing.
    let shared = mean(&fit.log_likelihood(&obs, &[]).unwrap());
    assert!((shared - ll_obs).abs() < 1e-9, "{shared} vs {ll_obs}");
    // Pooling both regimes' rows under one mechanism fits neither.
    let p_obs = mean(&pooled.log_likelihood(&obs, &[]).unwrap());
    let p_imp = mean(&pooled.log_likelihood(&imp, &[]).unwrap());
    assert!(ll_obs > p_obs + 0.3, "regime 0: {ll_obs} vs pooled {p_obs}");
    assert!(ll_imp > p_imp + 0.3, "regime 1: {ll_imp} vs pooled {p_imp}");
    // Draws of each regime follow its own mechanism and noise.
    let resid = |d: &Dataset, m: fn(f64) -> f64| -> (f64, f64) {
        let r = residuals(d, m);
        let mu = mean(&r);
        (
            mu,
            (r.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / r.len() as f64).sqrt(),
        )
    };
    let (m1, s1) = resid(&fit.sample_in(1, 4000, 3).unwrap(), g);
    assert!(
        m1.abs() < 0.06 && (s1 - SD_Y_IMPERFECT).abs() < 0.06,
        "regime 1: {m1} {s1}"
    );
    let (m0, s0) = resid(&fit.sample_in(0, 4000, 3).unwrap(), f);
    assert!(
        m0.abs() < 0.05 && (s0 - SD_Y).abs() < 0.05,
        "regime 0: {m0} {s0}"
    );
    // Regimes that cannot be scored or drawn are named.
    let e = fit.sample_in(2, 10, 0).unwrap_err();
    assert!(e.to_string().contains("regime 2"), "{e}");
    assert!(pooled.log_likelihood_in(&obs, 0).is_err());
    let (pdata, perfect) = two_regimes();
    let pfit = params().fit_regimes(&graph(), &pdata, &perfect).unwrap();
    let e = pfit.sample_in(1, 10, 0).unwrap_err();
    assert!(
        e.to_string().contains("perfect") && e.to_string().contains("'x'"),
        "{e}"
    );
    assert!(pfit.log_likelihood_in(&obs, 1).is_err());
}

#[test]
fn bad_regimes_are_named_errors() {
    let _g = tch_lock();
    let data = draw(100, SD_X, 6);
    // A target that is not a node.
    let r = Regimes::new(vec![0; 100], vec![vec!["w".into()]]).unwrap();
    let e = params().fit_regimes(&graph(), &data, &r).unwrap_err();
    assert!(
        e.to_string().contains("'w'") || e.to_string().contains("w"),
        "{e}"
    );
    assert!(matches!(e, TorchError::Core(_)), "{e:?}");
    // Tags that do not cover the rows.
    let r = Regimes::new(vec![0; 99], vec![vec![]]).unwrap();
    let e = params().fit_regimes(&graph(), &data, &r).unwrap_err();
    assert!(
        e.to_string().contains("99") && e.to_string().contains("100"),
        "{e}"
    );
    // A tag without a regime, and a target listed twice.
    let e = Regimes::new(vec![0, 2], vec![vec![], vec![]]).unwrap_err();
    assert!(
        e.to_string().contains("row 1") && e.to_string().contains("regime 2"),
        "{e}"
    );
    let e = Regimes::new(vec![0], vec![vec!["x".into(), "x".into()]]).unwrap_err();
    assert!(e.to_string().contains('x'), "{e}");
    assert!(Regimes::new(vec![], vec![]).is_err());
    // Unknown nodes in scoring and drawing.
    let fit = params().fit(&graph(), &data).unwrap();
    let e = fit.log_likelihood(&data, &["w"]).unwrap_err();
    assert!(e.to_string().contains('w'), "{e}");
    let other = Dataset::new(vec!["w".into()], vec![vec![1.0; 3]]).unwrap();
    let e = fit.sample_given(&other, 0).unwrap_err();
    assert!(e.to_string().contains('w'), "{e}");
}

/// LibTorch's global seed is process-wide: tests that fit run one at a time.
fn tch_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // Small networks: one intra-op thread is faster than contending for the cores.
    causal_torch::tch::set_num_threads(1);
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
