//! The bootstrap of the whole pipeline from data to possible effects: resample the rows,
//! rediscover the graph (any learner, with its background knowledge), recompute the possible
//! effects by IDA. The pooled distribution of the effects carries both sampling and structure
//! uncertainty; the edge frequencies show where the structure is unsure.
//!
//! Replicate `b` draws its rows from ChaCha8 seeded with the seed on stream `b` (as
//! [`crate::stats::resample_indices`]) and replicates are collected in order, so the result is
//! the same for any number of rayon threads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Ida, IdaMethod};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::{Mark, MixedGraph};
use crate::stats::resample_indices;

/// How often one pair of nodes was joined, and how, over the replicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeShare {
    /// First node.
    pub from: String,
    /// Second node.
    pub to: String,
    /// Share of replicates with `from -> to`.
    pub directed: f64,
    /// Share with `to -> from`.
    pub reversed: f64,
    /// Share with `from - to`.
    pub undirected: f64,
    /// Share with any other edge.
    pub other: f64,
}

/// The pipeline bootstrap's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineBootstrap {
    /// Replicates requested.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
    /// Level of the interval.
    pub level: f64,
    /// Per replicate, its possible effects (empty for a failed replicate).
    pub effects: Vec<Vec<f64>>,
    /// Replicates whose discovery or IDA failed (left out of the interval).
    pub failed: usize,
    /// Mean of the pooled distribution (each replicate weighs 1, shared by its effects).
    pub mean: f64,
    /// The interval for the set of possible effects: the `(1 - level) / 2` quantile of each
    /// replicate's smallest possible effect to the `(1 + level) / 2` quantile of its largest.
    /// The effect is only set-identified over a class, so the interval covers the set, with the
    /// sampling and the structure uncertainty of both ends; where the class is a single DAG it
    /// is the percentile interval of the estimate.
    pub interval: [f64; 2],
    /// Percentile interval of the pooled distribution (each replicate weighs 1, shared by its
    /// effects): narrower, it reads the class as a prior over its DAGs rather than a set.
    pub pooled_interval: [f64; 2],
    /// Share of replicates whose possible effects include zero (an unresolved direction).
    pub share_with_zero: f64,
    /// Pairs joined in at least one replicate.
    pub edges: Vec<EdgeShare>,
}

/// What to bootstrap: the effect, the IDA method and the resampling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// Treatment node (a column of the data).
    pub treatment: String,
    /// Outcome node.
    pub outcome: String,
    /// Which IDA.
    pub method: IdaMethod,
    /// Number of resamples.
    pub replicates: usize,
    /// Seed of the resampling.
    pub seed: u64,
    /// Level of the percentile interval.
    pub level: f64,
}

/// Runs `learner` then IDA on `spec.replicates` bootstrap resamples of `data`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for no replicates, a level outside (0, 1), or when every
/// replicate fails; the learner's errors do not stop the run but count as failed replicates.
pub fn pipeline_bootstrap<F, E>(
    data: &Dataset,
    spec: &PipelineSpec,
    learner: F,
) -> Result<PipelineBootstrap>
where
    F: Fn(&Dataset) -> std::result::Result<MixedGraph, E> + Sync,
    E: Send,
{
    let (replicates, seed, level) = (spec.replicates, spec.seed, spec.level);
    let (treatment, outcome, method) =
        (spec.treatment.as_str(), spec.outcome.as_str(), spec.method);
    if replicates == 0 {
        return Err(CoreError::InvalidParameter(
            "the pipeline bootstrap needs at least one replicate".into(),
        ));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(CoreError::InvalidParameter(format!(
            "level {level} is not strictly between 0 and 1"
        )));
    }
    let n = data.n_rows();
    let runs: Vec<Option<(MixedGraph, Vec<f64>)>> = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let rows = resample_indices(n, seed, b);
            let sample = data.take_rows(&rows).ok()?;
            let g = learner(&sample).ok()?;
            let r = Ida::new(&sample, &g)
                .and_then(|ida| ida.effects(treatment, outcome, method))
                .ok()?;
            Some((g, r.possible_effects.iter().map(|e| e.effect).collect()))
        })
        .collect();
    let names = data.names().to_vec();
    let d = names.len();
    let mut counts = vec![[0usize; 4]; d * d];
    let mut pooled: Vec<(f64, f64)> = Vec::new();
    let mut effects = Vec::with_capacity(replicates);
    let (mut failed, mut with_zero) = (0usize, 0usize);
    for run in runs {
        let Some((g, eff)) = run else {
            failed += 1;
            effects.push(Vec::new());
            continue;
        };
        if eff.is_empty() {
            failed += 1;
            effects.push(Vec::new());
            continue;
        }
        for e in g.edges() {
            let (Some(a), Some(b)) = (
                names.iter().position(|v| v == g.name(e.a)),
                names.iter().position(|v| v == g.name(e.b)),
            ) else {
                continue;
            };
            let (lo, hi, ml, mh) = if a < b {
                (a, b, e.mark_a, e.mark_b)
            } else {
                (b, a, e.mark_b, e.mark_a)
            };
            let k = match (ml, mh) {
                (Mark::Tail, Mark::Arrow) => 0,
                (Mark::Arrow, Mark::Tail) => 1,
                (Mark::Tail, Mark::Tail) => 2,
                _ => 3,
            };
            counts[lo * d + hi][k] += 1;
        }
        with_zero += usize::from(eff.contains(&0.0));
        let w = 1.0 / eff.len() as f64;
        pooled.extend(eff.iter().map(|&v| (v, w)));
        effects.push(eff);
    }
    let ok = replicates - failed;
    if ok == 0 {
        return Err(CoreError::InvalidParameter(format!(
            "every one of the {replicates} bootstrap replicates failed (discovery or IDA)"
        )));
    }
    pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pooled.iter().map(|p| p.1).sum();
    let mean = pooled.iter().map(|p| p.0 * p.1).sum::<f64>() / total;
    let quantile = |q: f64| {
        let mut acc = 0.0;
        for &(v, w) in &pooled {
            acc += w;
            if acc >= q * total - 1e-12 {
                return v;
            }
        }
        pooled.last().map_or(0.0, |p| p.0)
    };
    let alpha = 1.0 - level;
    let pooled_interval = [quantile(alpha / 2.0), quantile(1.0 - alpha / 2.0)];
    let ends = |pick: fn(&[f64]) -> f64, q: f64| {
        let mut v: Vec<f64> = effects
            .iter()
            .filter(|e| !e.is_empty())
            .map(|e| pick(e))
            .collect();
        v.sort_by(f64::total_cmp);
        let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
        v.get(k).copied().unwrap_or(0.0)
    };
    let lo = |e: &[f64]| e.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = |e: &[f64]| e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let interval = [ends(lo, alpha / 2.0), ends(hi, 1.0 - alpha / 2.0)];
    let share = |c: usize| c as f64 / ok as f64;
    let mut edges = Vec::new();
    for a in 0..d {
        for b in a + 1..d {
            let c = counts[a * d + b];
            if c.iter().any(|&v| v > 0) {
                edges.push(EdgeShare {
                    from: names[a].clone(),
                    to: names[b].clone(),
                    directed: share(c[0]),
                    reversed: share(c[1]),
                    undirected: share(c[2]),
                    other: share(c[3]),
                });
            }
        }
    }
    Ok(PipelineBootstrap {
        replicates,
        seed,
        level,
        effects,
        failed,
        mean,
        interval,
        pooled_interval,
        share_with_zero: share(with_zero),
        edges,
    })
}
