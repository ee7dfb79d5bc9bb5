//! PC against causal-learn 0.1.4.8's own regression fixtures in `../shared/data/causal-learn/`.

mod common;

use causal_core::contract::Fit;
use causal_discover::ci::CiTestKind;
use causal_discover::knowledge::Knowledge;
use causal_discover::pc::{PcParams, UcPriority, UcRule};
use common::{diff, read_data, read_matrix, shared_data};

fn check(data: &str, fixture: &str, test: CiTestKind, rule: i64, priority: i64) {
    let Some(dir) = shared_data() else { return };
    let base = dir.join("causal-learn");
    let d = read_data(&base.join(data));
    let want = read_matrix(&base.join(fixture));
    let pc = PcParams::new()
        .alpha(0.05)
        .stable(true)
        .uc_rule(UcRule::from_code(rule).unwrap())
        .uc_priority(UcPriority::from_code(priority).unwrap());
    let got = pc.test(test).fit(&d, &Knowledge::new()).unwrap();
    let delta = diff(d.names(), &got.graph, &want);
    assert!(
        delta.is_empty(),
        "{fixture}: {} differences:\n{}",
        delta.len(),
        delta.join("\n")
    );
}

#[test]
fn pc_fisherz_linear_10_all_variants_shared_data() {
    for (rule, priority) in [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, -1), (2, -1)] {
        check(
            "linear/data_linear_10.txt",
            &format!("linear/linear_10_pc_fisherz_0.05_stable_{rule}_{priority}.txt"),
            CiTestKind::FisherZ,
            rule,
            priority,
        );
    }
}

#[test]
fn pc_chisq_and_gsq_discrete_10_shared_data() {
    for (name, test) in [
        ("chisq", CiTestKind::ChiSquare),
        ("gsq", CiTestKind::GSquare),
    ] {
        check(
            "discrete/data_discrete_10.txt",
            &format!("discrete/discrete_10_pc_{name}_0.05_stable_0_-1.txt"),
            test,
            0,
            -1,
        );
    }
}

#[test]
fn pc_chisq_bnlearn_networks_shared_data() {
    for net in ["asia", "cancer", "child", "earthquake", "sachs", "survey"] {
        check(
            &format!("bnlearn/data/{net}.txt"),
            &format!("bnlearn/pc/{net}_pc_chisq_0.05_stable_0_-1.txt"),
            CiTestKind::ChiSquare,
            0,
            -1,
        );
    }
}
