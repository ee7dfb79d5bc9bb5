//! Running ICP: validation, pre-selection, parallel set tests, aggregation.

use causal_core::contract::Fit;
use causal_core::data::Dataset;
use itertools::Itertools;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use super::params::{Icp, IcpTest, Preselection};
use super::preselect::{boosting_order, lasso_order};
use super::result::{IcpFit, SetTest};
use super::stats::{
    Moments, ResidualSummary, f_equal_var_pvalue, f_tails, normal_quantile, welch_t_pvalue,
};
use crate::environments::Environments;
use crate::error::{IrmError, Result};

/// `Σ_{s ≤ k} C(m, s)`, saturating.
fn count_sets(m: usize, k: usize) -> u128 {
    let mut total: u128 = 0;
    let mut c: u128 = 1;
    for s in 0..=k.min(m) {
        total = total.saturating_add(c);
        c = c.saturating_mul((m - s) as u128) / (s as u128 + 1);
    }
    total
}

/// All subsets of `0..m` of size `≤ k`, by size then lexicographically (itertools'
/// `combinations`, the order of Python's).
fn subsets(m: usize, k: usize) -> Vec<Vec<usize>> {
    (0..=k.min(m))
        .flat_map(|size| (0..m).combinations(size))
        .collect()
}

/// OLS of the last column on the columns `set` from a centred scatter: `(b, rss, (C_SS)⁻¹)`.
fn ols(
    scatter: &DMatrix<f64>,
    set: &[usize],
    y: usize,
) -> Option<(DVector<f64>, f64, DMatrix<f64>)> {
    let k = set.len();
    if k == 0 {
        return Some((DVector::zeros(0), scatter[(y, y)], DMatrix::zeros(0, 0)));
    }
    let css = DMatrix::from_fn(k, k, |a, b| scatter[(set[a], set[b])]);
    let csy = DVector::from_fn(k, |a, _| scatter[(set[a], y)]);
    let chol = css.clone().cholesky()?;
    let b = chol.solve(&csy);
    // Guard against near-singular designs that Cholesky still factors.
    let diag_min = (0..k).map(|a| css[(a, a)]).fold(f64::INFINITY, f64::min);
    let l_min = (0..k)
        .map(|a| chol.l()[(a, a)].powi(2))
        .fold(f64::INFINITY, f64::min);
    if l_min.is_nan() || l_min <= 1e-12 * diag_min {
        return None;
    }
    let rss = (scatter[(y, y)] - b.dot(&csy)).max(0.0);
    Some((b, rss, chol.inverse()))
}

struct Prepared {
    envs: Vec<Moments>,
    rest: Vec<Moments>,
    pooled: Moments,
    names: Vec<String>,
}

impl Prepared {
    fn singular(&self, set: &[usize]) -> IrmError {
        let names: Vec<&str> = set.iter().map(|&j| self.names[j].as_str()).collect();
        IrmError::Numerical(format!(
            "the predictors {{{}}} are collinear (singular design)",
            names.join(", ")
        ))
    }

    /// Tests one subset (local column indices; the target is column `y`).
    fn test(&self, set: &[usize], y: usize, test: IcpTest, alpha: f64) -> Result<SetTest> {
        let e = self.envs.len() as f64;
        let (b, rss, inv) = ols(&self.pooled.scatter, set, y).ok_or_else(|| self.singular(set))?;
        let pm = &self.pooled.mean;
        let intercept = pm[y]
            - set
                .iter()
                .zip(b.iter())
                .map(|(&j, c)| c * pm[j])
                .sum::<f64>();
        let p_value = match test {
            IcpTest::Approximate => {
                let summaries: Vec<ResidualSummary> = self
                    .envs
                    .iter()
                    .map(|m| residuals(m, set, &b, y, intercept))
                    .collect();
                let mut smallest = f64::INFINITY;
                for i in 0..summaries.len() {
                    let rest = ResidualSummary::pool(
                        summaries
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, s)| *s),
                    );
                    let pt = welch_t_pvalue(&summaries[i], &rest);
                    let pf = f_equal_var_pvalue(&summaries[i], &rest);
                    smallest = smallest.min(pt).min(pf);
                }
                (smallest * 2.0 * (e - 1.0)).min(1.0)
            }
            IcpTest::Exact => {
                let k = set.len() as f64 + 1.0;
                let mut smallest = f64::INFINITY;
                for (env, rest) in self.envs.iter().zip(&self.rest) {
                    let df2 = rest.n - k;
                    if df2 < 1.0 {
                        return Err(IrmError::Environments(format!(
                            "the exact test needs more rows outside each environment than \
                             {k} parameters; only {} remain",
                            rest.n
                        )));
                    }
                    let (_, rss_rest, _) =
                        ols(&rest.scatter, set, y).ok_or_else(|| self.singular(set))?;
                    let f = ((rss - rss_rest).max(0.0) / env.n) / (rss_rest / df2);
                    let (_, upper) = f_tails(f, env.n, df2);
                    smallest = smallest.min(upper);
                }
                (smallest * e).min(1.0)
            }
        };
        let p_value = if p_value.is_nan() { 0.0 } else { p_value };
        let accepted = p_value > alpha;
        let intervals = accepted.then(|| {
            let sigma = rss / (self.pooled.n - set.len() as f64 - 1.0);
            let z = normal_quantile(1.0 - alpha / 4.0);
            (0..set.len())
                .map(|a| {
                    let d = z * (sigma * inv[(a, a)]).sqrt();
                    (b[a] - d, b[a] + d)
                })
                .collect()
        });
        Ok(SetTest {
            set: set.to_vec(),
            p_value,
            accepted,
            coefficients: b.iter().copied().collect(),
            intercept,
            intervals,
        })
    }
}

/// Residual mean and within-environment sum of squares of `y − intercept − X_S b`.
fn residuals(
    m: &Moments,
    set: &[usize],
    b: &DVector<f64>,
    y: usize,
    intercept: f64,
) -> ResidualSummary {
    let mean = m.mean[y]
        - intercept
        - set
            .iter()
            .zip(b.iter())
            .map(|(&j, c)| c * m.mean[j])
            .sum::<f64>();
    // w = (−b, 1) on (S, y): ss = wᵀ C w.
    let c = &m.scatter;
    let mut ss = c[(y, y)];
    for (a, &ja) in set.iter().enumerate() {
        ss -= 2.0 * b[a] * c[(ja, y)];
        for (bb, &jb) in set.iter().enumerate() {
            ss += b[a] * b[bb] * c[(ja, jb)];
        }
    }
    ResidualSummary {
        n: m.n,
        mean,
        ss: ss.max(0.0),
    }
}

impl<'a> Fit<(&'a str, &'a Environments)> for Icp {
    type Object = IcpFit;
    type Error = IrmError;

    /// As [`Icp::fit`]: `with` is the target and the environments.
    fn fit(&self, data: &Dataset, (target, envs): (&'a str, &'a Environments)) -> Result<IcpFit> {
        Icp::fit(self, data, target, envs)
    }
}

impl Icp {
    /// Runs ICP for `target` on `data`, with rows grouped by `envs`.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::contract::ParamGuard;
    /// use causal_core::data::Dataset;
    /// use causal_irm::environments::Environments;
    /// use causal_irm::icp::IcpParams;
    ///
    /// // X shifts between environments, Y = 2X + noise keeps its mechanism.
    /// let noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0.05, -0.1, 0.35, -0.3, 0.15, -0.05, 0.25];
    /// let x: Vec<f64> = (0..12).map(|i| if i < 6 { i as f64 } else { 10.0 + i as f64 }).collect();
    /// let y: Vec<f64> = x.iter().zip(noise).map(|(x, e)| 2.0 * x + e).collect();
    /// let e: Vec<f64> = (0..12).map(|i| (i / 6) as f64).collect();
    /// let data = Dataset::new(vec!["X".into(), "Y".into(), "E".into()], vec![x, y, e])?
    ///     .with_environment("E")?;
    /// let icp = IcpParams::new().check()?.fit(&data, "Y", &Environments::from_dataset(&data)?)?;
    /// assert_eq!(icp.estimate_names(), ["X"]);
    /// # Ok::<(), causal_irm::IrmError>(())
    /// ```
    ///
    /// # Formula
    ///
    /// For each `S`, pooled OLS `Y = μ + X_S β + ε`; approximate test: per environment `e`,
    /// Welch t-test and F-test of the residuals in `e` against the rest,
    /// `p_S = min(1, 2(E−1)·min_e min(p_t, p_F))`; exact test: predictive Chow
    /// `F = ((RSS − RSS₋ₑ)/nₑ) / (RSS₋ₑ/(n₋ₑ − |S| − 1))`, `p_S = min(1, E·min_e p_F)`.
    /// Accepted: `p_S > α`; estimate `∩_{S accepted} S`; intervals `β̂_j ± z_{1−α/4}·se_j`.
    ///
    /// # Errors
    ///
    /// [`IrmError::Column`] for a categorical (discrete) target, a target or predictor that is
    /// the environment column or constant; [`causal_core::CoreError::UnknownColumn`];
    /// [`IrmError::TooManySubsets`] without pre-selection on too many predictors;
    /// [`IrmError::Numerical`] for collinear predictors; [`IrmError::Environments`] when
    /// `envs` names rows the data lacks.
    pub fn fit(&self, data: &Dataset, target: &str, envs: &Environments) -> Result<IcpFit> {
        let p = &self.0;
        data.index_of(target)?;
        let env_col = data.environment_name();
        if data.is_discrete(target)? {
            return Err(IrmError::Column {
                column: target.into(),
                message: if env_col == Some(target) {
                    "the target is the environment column".into()
                } else {
                    "the target is categorical; ICP needs a numeric (continuous) target".into()
                },
            });
        }
        if envs.max_row().is_some_and(|r| r >= data.n_rows()) {
            return Err(IrmError::Environments(format!(
                "environments name rows beyond the data's {} rows",
                data.n_rows()
            )));
        }
        let predictors: Vec<String> = match &p.predictors {
            Some(list) => list.clone(),
            None => data
                .names()
                .iter()
                .filter(|n| n.as_str() != target && Some(n.as_str()) != env_col)
                .cloned()
                .collect(),
        };
        for (i, name) in predictors.iter().enumerate() {
            data.index_of(name)?;
            let problem = if name == target {
                Some("is the target")
            } else if Some(name.as_str()) == env_col {
                Some("is the environment column")
            } else if predictors[..i].contains(name) {
                Some("is listed twice")
            } else {
                None
            };
            if let Some(m) = problem {
                return Err(IrmError::Column {
                    column: name.clone(),
                    message: format!("cannot be a predictor: it {m}"),
                });
            }
        }
        let rows: Vec<usize> = (0..envs.len())
            .flat_map(|k| envs.rows(k).iter().copied())
            .collect();
        for name in predictors.iter().chain(std::iter::once(&target.to_owned())) {
            let col = data.column(name)?;
            let first = col[rows[0]];
            if rows.iter().all(|&i| col[i] == first) {
                return Err(IrmError::Column {
                    column: name.clone(),
                    message: "is constant over the rows used".into(),
                });
            }
        }

        let selected: Vec<usize> = match p.preselection {
            Preselection::None => (0..predictors.len()).collect(),
            Preselection::Lasso(k) | Preselection::Boosting(k) => {
                let xs: Vec<Vec<f64>> = predictors
                    .iter()
                    .map(|n| data.column(n).map(|c| rows.iter().map(|&i| c[i]).collect()))
                    .collect::<std::result::Result<_, _>>()?;
                let yv: Vec<f64> = {
                    let c = data.column(target)?;
                    rows.iter().map(|&i| c[i]).collect()
                };
                let mut order = if matches!(p.preselection, Preselection::Lasso(_)) {
                    lasso_order(&xs, &yv, k)
                } else {
                    boosting_order(&xs, &yv, k)
                };
                order.sort_unstable();
                order
            }
        };
        let m = selected.len();
        let k = p.max_size.unwrap_or(m).min(m);
        let n_sets = count_sets(m, k);
        if n_sets > p.max_sets {
            return Err(IrmError::TooManySubsets {
                predictors: m,
                sets: n_sets,
                limit: p.max_sets,
            });
        }

        let names: Vec<String> = selected.iter().map(|&j| predictors[j].clone()).collect();
        let mut cols: Vec<&[f64]> = Vec::with_capacity(m + 1);
        for n in &names {
            cols.push(data.column(n)?);
        }
        cols.push(data.column(target)?);
        let env_moments: Vec<Moments> = (0..envs.len())
            .into_par_iter()
            .map(|e| Moments::from_rows(&cols, envs.rows(e)))
            .collect();
        let pooled = Moments::pool(env_moments.iter());
        let rest = match p.test {
            IcpTest::Exact => (0..envs.len())
                .map(|e| {
                    Moments::pool(
                        env_moments
                            .iter()
                            .enumerate()
                            .filter(|(f, _)| *f != e)
                            .map(|(_, m)| m),
                    )
                })
                .collect(),
            IcpTest::Approximate => Vec::new(),
        };
        let prep = Prepared {
            envs: env_moments,
            rest,
            pooled,
            names,
        };

        let sets = subsets(m, k);
        let tests: Vec<SetTest> = sets
            .par_iter()
            .map(|s| {
                prep.test(s, m, p.test, p.alpha).map(|mut t| {
                    t.set = s.iter().map(|&j| selected[j]).collect();
                    t
                })
            })
            .collect::<Result<_>>()?;
        Ok(aggregate(
            target,
            predictors,
            selected,
            p,
            envs.len(),
            tests,
        ))
    }
}

fn aggregate(
    target: &str,
    predictors: Vec<String>,
    selected: Vec<usize>,
    p: &super::params::IcpParams,
    n_env: usize,
    tests: Vec<SetTest>,
) -> IcpFit {
    let n_pred = predictors.len();
    let accepted: Vec<usize> = (0..tests.len()).filter(|&t| tests[t].accepted).collect();
    let model_rejected = accepted.is_empty();
    let estimate: Vec<usize> = if model_rejected {
        Vec::new()
    } else {
        (0..n_pred)
            .filter(|j| accepted.iter().all(|&t| tests[t].set.contains(j)))
            .collect()
    };
    let p_values = (0..n_pred)
        .map(|j| {
            if model_rejected {
                1.0
            } else {
                tests
                    .iter()
                    .filter(|t| !t.set.contains(&j))
                    .map(|t| t.p_value)
                    .fold(0.0, f64::max)
            }
        })
        .collect();
    let intervals = (!model_rejected).then(|| {
        let mut iv = vec![(f64::INFINITY, f64::NEG_INFINITY); n_pred];
        for &t in &accepted {
            let test = &tests[t];
            let set_iv = test.intervals.as_deref().unwrap_or(&[]);
            for (j, slot) in iv.iter_mut().enumerate() {
                let (lo, hi) = test
                    .set
                    .iter()
                    .position(|&s| s == j)
                    .and_then(|a| set_iv.get(a).copied())
                    .unwrap_or((0.0, 0.0));
                slot.0 = slot.0.min(lo);
                slot.1 = slot.1.max(hi);
            }
        }
        iv
    });
    IcpFit {
        target: target.to_owned(),
        predictors,
        selected,
        test: p.test,
        alpha: p.alpha,
        n_environments: n_env,
        tests,
        accepted,
        estimate,
        p_values,
        intervals,
        model_rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact test's statistic equals Peters et al.'s Method I computed from raw data:
    /// `F = Rᵀ(I + X_e (X₋ₑᵀX₋ₑ)⁻¹ X_eᵀ)⁻¹R / (nₑ σ̂²₋ₑ)` with `R` the out-of-sample residuals.
    #[test]
    fn exact_statistic_equals_method_one_on_raw_data() {
        let x: Vec<f64> = (0..20).map(|i| ((i * 37 % 11) as f64) - 5.0).collect();
        let y: Vec<f64> = (0..20)
            .map(|i| 0.5 * x[i] + (((i * 53) % 7) as f64 - 3.0) + if i < 8 { 1.5 } else { 0.0 })
            .collect();
        let cols: Vec<&[f64]> = vec![&x, &y];
        let env: Vec<usize> = (0..8).collect();
        let rest: Vec<usize> = (8..20).collect();
        let me = Moments::from_rows(&cols, &env);
        let mr = Moments::from_rows(&cols, &rest);
        let pooled = Moments::pool([&me, &mr]);
        let (_, rss, _) = ols(&pooled.scatter, &[0], 1).unwrap();
        let (_, rss_r, _) = ols(&mr.scatter, &[0], 1).unwrap();
        let f_ours = ((rss - rss_r) / 8.0) / (rss_r / (12.0 - 2.0));
        // Direct: design with intercept.
        let design = |rows: &[usize]| {
            DMatrix::from_fn(rows.len(), 2, |r, c| if c == 0 { 1.0 } else { x[rows[r]] })
        };
        let (xe, xr) = (design(&env), design(&rest));
        let yr = DVector::from_iterator(12, rest.iter().map(|&i| y[i]));
        let ye = DVector::from_iterator(8, env.iter().map(|&i| y[i]));
        let a_inv = (xr.transpose() * &xr).try_inverse().unwrap();
        let beta = &a_inv * xr.transpose() * &yr;
        let r = &ye - &xe * &beta;
        let sigma2 = (&yr - &xr * &beta).norm_squared() / 10.0;
        let cov = DMatrix::identity(8, 8) + &xe * &a_inv * xe.transpose();
        let f_direct = (r.transpose() * cov.try_inverse().unwrap() * &r)[(0, 0)] / (8.0 * sigma2);
        assert!(
            (f_ours - f_direct).abs() < 1e-9 * f_direct,
            "{f_ours} vs {f_direct}"
        );
    }

    #[test]
    fn subsets_follow_itertools_order() {
        let s = subsets(3, 3);
        assert_eq!(
            s,
            vec![
                vec![],
                vec![0],
                vec![1],
                vec![2],
                vec![0, 1],
                vec![0, 2],
                vec![1, 2],
                vec![0, 1, 2]
            ]
        );
        assert_eq!(subsets(4, 2).len() as u128, count_sets(4, 2));
        assert_eq!(count_sets(10, 10), 1024);
        assert_eq!(subsets(0, 0), vec![Vec::<usize>::new()]);
    }
}
