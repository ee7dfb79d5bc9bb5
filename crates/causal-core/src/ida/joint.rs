//! Joint IDA (Nandy, Maathuis & Richardson 2017): the possible joint effects of several
//! treatments on one outcome, from the jointly valid parent sets of the treatments and the
//! recursive regressions for causal effects (RRC).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Config, Ida};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::MixedGraph;

/// Treatments beyond which joint IDA refuses (the recursion is exponential in their number).
const MAX_TREATMENTS: usize = 8;

/// Jointly valid configurations tried before joint IDA stops.
const MAX_COMBINATIONS: usize = 100_000;

/// One possible joint effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JointEffect {
    /// The effect of each treatment (in the order given) when all are set jointly.
    pub effects: Vec<f64>,
    /// The parents of each treatment in this configuration.
    pub parents: Vec<Vec<String>>,
}

/// The possible joint effects of several treatments on one outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JointIdaResult {
    /// Treatments.
    pub treatments: Vec<String>,
    /// Outcome.
    pub outcome: String,
    /// One entry per distinct jointly valid configuration of parent sets.
    pub possible_effects: Vec<JointEffect>,
    /// Per treatment, `min |effect|` over the configurations.
    pub min_abs: Vec<f64>,
    /// Per treatment, `max |effect|`.
    pub max_abs: Vec<f64>,
}

/// The possible joint effects of `treatments` on `outcome` over the class of `graph`.
///
/// # Errors
///
/// As [`super::Ida::new`]; [`CoreError::InvalidParameter`] for repeated or too many treatments,
/// or an outcome among them.
pub fn joint_ida(
    data: &Dataset,
    graph: &MixedGraph,
    treatments: &[&str],
    outcome: &str,
) -> Result<JointIdaResult> {
    let ida = Ida::new(data, graph)?;
    let xs: Vec<usize> = treatments
        .iter()
        .map(|t| ida.node(t))
        .collect::<Result<_>>()?;
    let y = ida.node(outcome)?;
    let k = xs.len();
    if k == 0 || k > MAX_TREATMENTS {
        return Err(CoreError::InvalidParameter(format!(
            "joint IDA takes 1 to {MAX_TREATMENTS} treatments, got {k}"
        )));
    }
    for (i, &a) in xs.iter().enumerate() {
        if a == y || xs[i + 1..].contains(&a) {
            return Err(CoreError::InvalidParameter(format!(
                "treatment '{}' is repeated or is the outcome",
                ida.graph.name(a)
            )));
        }
    }
    let per: Vec<Vec<Config>> = xs.iter().map(|&x| ida.configs(x)).collect::<Result<_>>()?;
    let base_v = ida.marks.v_structures();
    let mut seen: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut idx = vec![0usize; k];
    let mut tried = 0usize;
    'combos: loop {
        tried += 1;
        if tried > MAX_COMBINATIONS {
            return Err(CoreError::InvalidParameter(format!(
                "more than {MAX_COMBINATIONS} combinations of local configurations"
            )));
        }
        if per.iter().all(|c| !c.is_empty()) {
            // Orient every treatment's edges as its chosen configuration does.
            let mut g = ida.marks.clone();
            let mut ok = true;
            for (i, &x) in xs.iter().enumerate() {
                let c = &per[i][idx[i]];
                for s in ida.marks.siblings(x) {
                    let (from, to) = if c.parents.contains(&s) {
                        (s, x)
                    } else {
                        (x, s)
                    };
                    if g.directed(to, from) {
                        ok = false;
                    }
                    g.orient(from, to);
                }
            }
            if ok {
                g.meek_closure();
                if g.one_extension()
                    .is_some_and(|e| e.v_structures() == base_v)
                {
                    let pas: Vec<Vec<usize>> = xs.iter().map(|&x| g.parents(x)).collect();
                    if !seen.contains(&pas) {
                        seen.push(pas);
                    }
                }
            }
        }
        // Next combination.
        for i in 0..k {
            idx[i] += 1;
            if idx[i] < per[i].len() {
                continue 'combos;
            }
            idx[i] = 0;
        }
        break;
    }
    seen.sort();
    let mut possible = Vec::new();
    for pas in &seen {
        let effects = rrc(&ida, &xs, y, pas)?;
        possible.push(JointEffect {
            effects,
            parents: pas.iter().map(|p| ida.names(p)).collect(),
        });
    }
    let min_abs = (0..k)
        .map(|i| {
            possible
                .iter()
                .map(|e: &JointEffect| e.effects[i].abs())
                .fold(f64::INFINITY, f64::min)
        })
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    let max_abs = (0..k)
        .map(|i| {
            possible
                .iter()
                .map(|e| e.effects[i].abs())
                .fold(0.0, f64::max)
        })
        .collect();
    Ok(JointIdaResult {
        treatments: treatments.iter().map(|t| (*t).to_owned()).collect(),
        outcome: outcome.to_owned(),
        possible_effects: possible,
        min_abs,
        max_abs,
    })
}

/// Recursive regressions: with `τ(j, t)` the total effect of treatment `j` on `t` from
/// adjusting for `j`'s parents, the effect of `j` on `t` when the set `S` is intervened on is
/// `θ(j, t | S) = τ(j, t) − Σ_{l ∈ S∖j} θ(j, x_l | S∖l) τ(l, t)` (decompose the directed paths
/// from `j` by the first other treatment they meet).
fn rrc(ida: &Ida, xs: &[usize], y: usize, pas: &[Vec<usize>]) -> Result<Vec<f64>> {
    let k = xs.len();
    // tau[j][t]: t in 0..k are the treatments, k is the outcome.
    let target = |t: usize| if t == k { y } else { xs[t] };
    let mut tau = vec![vec![0.0; k + 1]; k];
    for j in 0..k {
        for t in 0..=k {
            if t == j {
                continue;
            }
            let tv = target(t);
            tau[j][t] = if pas[j].contains(&tv) {
                0.0
            } else {
                ida.reg.coef(tv, xs[j], &pas[j])?.0
            };
        }
    }
    let mut memo: HashMap<(usize, usize, u64), f64> = HashMap::new();
    let full: u64 = (1u64 << k) - 1;
    Ok((0..k).map(|j| theta(j, k, full, &tau, &mut memo)).collect())
}

fn theta(
    j: usize,
    t: usize,
    s: u64,
    tau: &[Vec<f64>],
    memo: &mut HashMap<(usize, usize, u64), f64>,
) -> f64 {
    if s == 1u64 << j {
        return tau[j][t];
    }
    if let Some(&v) = memo.get(&(j, t, s)) {
        return v;
    }
    let mut v = tau[j][t];
    for l in 0..tau.len() {
        if l != j && s >> l & 1 == 1 {
            v -= theta(j, l, s & !(1u64 << l), tau, memo) * tau[l][t];
        }
    }
    memo.insert((j, t, s), v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scm::LinearGaussianScm;

    #[test]
    fn joint_effects_on_a_dag_match_the_sem() {
        // X1 -> X2 -> Y, X1 -> Y, Z -> X1, Z -> Y: do(X1, X2) effects are the direct edges.
        let m = LinearGaussianScm::new(
            &["Z", "X1", "X2", "Y"],
            &[
                ("Z", "X1", 0.8),
                ("X1", "X2", 1.2),
                ("X2", "Y", 0.7),
                ("X1", "Y", 0.5),
                ("Z", "Y", 1.0),
            ],
            &[0.0; 4],
            &[1.0; 4],
        )
        .unwrap();
        let data = m.to_scm().unwrap().sample(20_000, 3).unwrap();
        let mut g = MixedGraph::with_nodes(["Z", "X1", "X2", "Y"]).unwrap();
        for (a, b) in [
            ("Z", "X1"),
            ("X1", "X2"),
            ("X2", "Y"),
            ("X1", "Y"),
            ("Z", "Y"),
        ] {
            g.add_directed(a, b).unwrap();
        }
        let r = joint_ida(&data, &g, &["X1", "X2"], "Y").unwrap();
        assert_eq!(r.possible_effects.len(), 1);
        let e = &r.possible_effects[0].effects;
        assert!((e[0] - 0.5).abs() < 0.05, "{e:?}");
        assert!((e[1] - 0.7).abs() < 0.05, "{e:?}");
        // The single-treatment total effect of X1 is 0.5 + 1.2 * 0.7 = 1.34.
        let one = joint_ida(&data, &g, &["X1"], "Y").unwrap();
        assert!((one.possible_effects[0].effects[0] - 1.34).abs() < 0.05);
        assert!(joint_ida(&data, &g, &["X1", "X1"], "Y").is_err());
    }
}
