//! Plug-in evaluation of an estimand on discrete data, with empirical frequencies.

use std::collections::HashMap;

use super::expr::Expr;
use super::term::{T, Table};
use crate::data::Dataset;
use crate::error::{CoreError, Result};

impl Expr {
    /// The value of the expression on `data`, each probability term being an empirical
    /// frequency, with the free variables set by `assignment` (name, value code). Summation
    /// variables range over the values their column takes in the data.
    ///
    /// Inside a sum, a term whose conditioning event never occurs counts as 0 (its weight is 0
    /// as well); at the top level such a term is an error, since the data say nothing about it.
    ///
    /// A variable that occurs free in the expression but is given no value (the napkin graph's
    /// `Z` in `Σ_w P(x, y | z, w) P(w) / Σ_w P(x | z, w) P(w)`) is one the estimand does not
    /// depend on: it holds for every value. The value returned is then the average of the
    /// expression over the values of the free variables, weighted by their empirical joint
    /// frequency (their probability, for [`Expr::evaluate_on`]); values at which the
    /// expression is undefined (positivity fails) are left out and the weights renormalised.
    /// The weighting uses every row, so the plug-in is less noisy than at any single value.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    /// use causal_core::identify::Expr;
    ///
    /// let data = Dataset::from_text("X,Y\n0,0\n0,1\n1,1\n1,1\n")?;
    /// let e = Expr::p(["Y"], ["X"]);
    /// assert_eq!(e.evaluate(&data, &[("X", 0.0), ("Y", 1.0)])?, 0.5);
    /// let m = Expr::sum(["X"], Expr::p(["X", "Y"], [] as [&str; 0]));
    /// assert_eq!(m.evaluate(&data, &[("Y", 1.0)])?, 0.75);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for a variable the data lack; [`CoreError::BadValue`]
    /// naming the column and row of a value that is not an integer code (the column is not
    /// discrete); [`CoreError::InvalidParameter`] for a free variable without a value, an
    /// assigned value that is not an integer, or an interventional or target-population term,
    /// which observational data cannot give; [`CoreError::Numerical`] when a top-level term
    /// conditions on an event that never occurs in the data.
    pub fn evaluate(&self, data: &Dataset, assignment: &[(&str, f64)]) -> Result<f64> {
        let table = Table::from_expr(self);
        let t = T::from_expr(self, &table);
        let mut ev = Evaluator::new(&table, data)?;
        let env = ev.env(&table, assignment, |name| data.column(name).map(|_| ()))?;
        ev.run(&t, env)
    }

    /// The value of the expression under known distributions: `marginal(event)` returns the
    /// probability of an [`Event`] (values of some variables, under an intervention, in the
    /// target population `P*` or not), `domains` lists the values of each variable, and
    /// `assignment` sets the free variables. This evaluates an estimand or a transport formula
    /// on the true distributions of a model, where [`Expr::evaluate`] uses empirical
    /// frequencies of observational data.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::identify::Expr;
    ///
    /// // Two independent fair coins.
    /// let e = Expr::p(["A"], ["B"]);
    /// let v = e.evaluate_on(
    ///     &[("A", vec![0, 1]), ("B", vec![0, 1])],
    ///     |ev| 0.5f64.powi(ev.values.len() as i32),
    ///     &[("A", 1.0), ("B", 0.0)],
    /// )?;
    /// assert_eq!(v, 0.5);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for a variable without a domain, and as
    /// [`Expr::evaluate`].
    pub fn evaluate_on(
        &self,
        domains: &[(&str, Vec<i64>)],
        marginal: impl FnMut(&Event<'_>) -> f64,
        assignment: &[(&str, f64)],
    ) -> Result<f64> {
        let table = Table::from_expr(self);
        let t = T::from_expr(self, &table);
        let mut doms = Vec::with_capacity(table.names.len());
        for name in &table.names {
            let d = domains
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| d.clone())
                .ok_or_else(|| CoreError::UnknownColumn(name.clone()))?;
            doms.push(d);
        }
        let mut ev = Evaluator {
            names: table.names.clone(),
            domains: doms,
            source: Source::Known(Box::new(marginal)),
            counts: HashMap::new(),
        };
        let env = ev.env(&table, assignment, |name| {
            if domains.iter().any(|(n, _)| *n == name) {
                Ok(())
            } else {
                Err(CoreError::UnknownColumn(name.to_owned()))
            }
        })?;
        ev.run(&t, env)
    }
}

impl Evaluator<'_> {
    fn env(
        &self,
        table: &Table,
        assignment: &[(&str, f64)],
        exists: impl Fn(&str) -> Result<()>,
    ) -> Result<Vec<Option<i64>>> {
        let mut env: Vec<Option<i64>> = vec![None; table.names.len()];
        for (name, value) in assignment {
            if value.fract() != 0.0 || !value.is_finite() {
                return Err(CoreError::InvalidParameter(format!(
                    "value {value} for '{name}' is not an integer code"
                )));
            }
            if let Some(i) = table.names.iter().position(|n| n == name) {
                env[i] = Some(*value as i64);
            } else {
                // Not in the expression (the effect does not depend on it), but it must exist.
                exists(name)?;
            }
        }
        Ok(env)
    }

    fn run(&mut self, t: &T, mut env: Vec<Option<i64>>) -> Result<f64> {
        let mut bound = vec![false; self.names.len()];
        let mut free = vec![false; self.names.len()];
        free_vars(t, &mut bound, &mut free);
        let free: Vec<usize> = (0..free.len())
            .filter(|&v| free[v] && env[v].is_none())
            .collect();
        if free.is_empty() {
            return self.eval(t, &mut env, true);
        }
        // The estimand holds at every value of the free variables: average over them with
        // their empirical (or known) weights, skipping values where it is undefined.
        let (mut total, mut weight) = (0.0, 0.0);
        let mut idx = vec![0usize; free.len()];
        'outer: loop {
            for (k, &v) in free.iter().enumerate() {
                env[v] = self.domains[v].get(idx[k]).copied();
            }
            if free.iter().all(|&v| env[v].is_some()) {
                let w = self.count(&free, &[], false, &env)?;
                if w > 0.0 {
                    match self.eval(t, &mut env.clone(), true) {
                        Ok(value) => {
                            total += w * value;
                            weight += w;
                        }
                        Err(CoreError::Numerical(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            for k in 0..free.len() {
                idx[k] += 1;
                if idx[k] < self.domains[free[k]].len() {
                    continue 'outer;
                }
                idx[k] = 0;
            }
            break;
        }
        if weight <= 0.0 {
            let names: Vec<&str> = free.iter().map(|&v| self.names[v].as_str()).collect();
            return Err(CoreError::Numerical(format!(
                "the estimand does not depend on {}, but it is undefined at every value the data give them (positivity fails)",
                names.join(", ")
            )));
        }
        Ok(total / weight)
    }
}

/// Marks in `free` the variables of `t` not bound by an enclosing sum.
fn free_vars(t: &T, bound: &mut Vec<bool>, free: &mut Vec<bool>) {
    match t {
        T::P {
            vars, given, act, ..
        } => {
            for v in vars.union(given).union(act).iter() {
                if !bound[v] {
                    free[v] = true;
                }
            }
        }
        T::Sum { over, body } => {
            let newly: Vec<usize> = over.iter().filter(|&v| !bound[v]).collect();
            for &v in &newly {
                bound[v] = true;
            }
            free_vars(body, bound, free);
            for &v in &newly {
                bound[v] = false;
            }
        }
        T::Prod(fs) => {
            for f in fs {
                free_vars(f, bound, free);
            }
        }
        T::Frac(a, b) => {
            free_vars(a, bound, free);
            free_vars(b, bound, free);
        }
    }
}

/// Evaluates an identified estimand of `P(query | do(action), evidence)` on discrete data:
/// the plug-in estimate with empirical frequencies. Each argument lists (name, value code).
///
/// # Errors
///
/// As [`Expr::evaluate`].
pub fn plug_in(
    estimand: &Expr,
    data: &Dataset,
    action: &[(&str, f64)],
    query: &[(&str, f64)],
    evidence: &[(&str, f64)],
) -> Result<f64> {
    let all: Vec<(&str, f64)> = action
        .iter()
        .chain(query)
        .chain(evidence)
        .copied()
        .collect();
    estimand.evaluate(data, &all)
}

/// An event whose probability [`Expr::evaluate_on`] asks for.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// The variables and their values.
    pub values: &'a [(&'a str, i64)],
    /// The intervention `do(..)` under which the event is measured (empty: observational).
    pub intervened: &'a [(&'a str, i64)],
    /// Whether the probability is the target population's `P*`.
    pub star: bool,
}

type Marginal<'a> = Box<dyn FnMut(&Event<'_>) -> f64 + 'a>;

/// Where probabilities come from.
enum Source<'a> {
    /// Empirical frequencies: integer codes per variable, and the number of rows.
    Data { codes: Vec<Vec<i64>>, rows: usize },
    /// Known distributions' marginal probabilities.
    Known(Marginal<'a>),
}

struct Evaluator<'a> {
    names: Vec<String>,
    domains: Vec<Vec<i64>>,
    source: Source<'a>,
    counts: HashMap<Vec<usize>, HashMap<Vec<i64>, u64>>,
}

impl Evaluator<'_> {
    fn new(table: &Table, data: &Dataset) -> Result<Self> {
        let mut codes = Vec::with_capacity(table.names.len());
        let mut domains = Vec::with_capacity(table.names.len());
        for name in &table.names {
            let col = data.column(name)?;
            if let Some(i) = col.iter().position(|v| v.fract() != 0.0) {
                return Err(CoreError::BadValue {
                    row: i + 1,
                    column: name.clone(),
                    message: format!(
                        "value {} is not an integer code; plug-in evaluation needs discrete columns",
                        col[i]
                    ),
                });
            }
            let c: Vec<i64> = col.iter().map(|&v| v as i64).collect();
            let mut d = c.clone();
            d.sort_unstable();
            d.dedup();
            codes.push(c);
            domains.push(d);
        }
        Ok(Self {
            names: table.names.clone(),
            domains,
            source: Source::Data {
                codes,
                rows: data.n_rows(),
            },
            counts: HashMap::new(),
        })
    }

    fn values(&self, vars: &[usize], env: &[Option<i64>]) -> Result<Vec<i64>> {
        vars.iter()
            .map(|&v| {
                env[v].ok_or_else(|| {
                    CoreError::InvalidParameter(format!(
                        "no value for variable '{}'",
                        self.names[v]
                    ))
                })
            })
            .collect()
    }

    /// The probability mass (data: the count) of the event `vars = env[vars]`, under
    /// `do(act = env[act])`, in the target population when `star`.
    fn count(
        &mut self,
        vars: &[usize],
        act: &[usize],
        star: bool,
        env: &[Option<i64>],
    ) -> Result<f64> {
        let key = self.values(vars, env)?;
        let act_values = self.values(act, env)?;
        match &mut self.source {
            Source::Known(f) => {
                let named = |vs: &[usize], ks: &[i64]| -> Vec<(String, i64)> {
                    vs.iter()
                        .zip(ks)
                        .map(|(&v, &k)| (self.names[v].clone(), k))
                        .collect()
                };
                let (values, intervened) = (named(vars, &key), named(act, &act_values));
                let values: Vec<(&str, i64)> =
                    values.iter().map(|(n, k)| (n.as_str(), *k)).collect();
                let intervened: Vec<(&str, i64)> =
                    intervened.iter().map(|(n, k)| (n.as_str(), *k)).collect();
                Ok(f(&Event {
                    values: &values,
                    intervened: &intervened,
                    star,
                }))
            }
            Source::Data { .. } if star || !act.is_empty() => Err(CoreError::InvalidParameter(
                "an interventional or target-population term cannot be evaluated on \
                 observational data"
                    .into(),
            )),
            Source::Data { codes, rows } => {
                if vars.is_empty() {
                    return Ok(*rows as f64);
                }
                if !self.counts.contains_key(vars) {
                    let mut table: HashMap<Vec<i64>, u64> = HashMap::new();
                    for r in 0..*rows {
                        let k: Vec<i64> = vars.iter().map(|&v| codes[v][r]).collect();
                        *table.entry(k).or_insert(0) += 1;
                    }
                    self.counts.insert(vars.to_vec(), table);
                }
                Ok(self
                    .counts
                    .get(vars)
                    .and_then(|t| t.get(&key))
                    .copied()
                    .unwrap_or(0) as f64)
            }
        }
    }

    fn eval(&mut self, t: &T, env: &mut Vec<Option<i64>>, top: bool) -> Result<f64> {
        match t {
            T::P {
                vars,
                given,
                act,
                star,
            } => {
                if vars.is_empty() {
                    return Ok(1.0);
                }
                let joint: Vec<usize> = vars.union(given).iter().collect();
                let cond: Vec<usize> = given.iter().collect();
                let act: Vec<usize> = act.iter().collect();
                let den = self.count(&cond, &act, *star, env)?;
                if den <= 0.0 {
                    if top {
                        return Err(self.never(&cond, env));
                    }
                    return Ok(0.0);
                }
                let num = self.count(&joint, &act, *star, env)?;
                Ok(num / den)
            }
            T::Sum { over, body } => {
                let vars: Vec<usize> = over.iter().collect();
                let saved: Vec<Option<i64>> = vars.iter().map(|&v| env[v]).collect();
                let mut idx = vec![0usize; vars.len()];
                let mut total = 0.0;
                'outer: loop {
                    for (k, &v) in vars.iter().enumerate() {
                        env[v] = self.domains[v].get(idx[k]).copied();
                    }
                    total += self.eval(body, env, false)?;
                    for k in 0..vars.len() {
                        idx[k] += 1;
                        if idx[k] < self.domains[vars[k]].len() {
                            continue 'outer;
                        }
                        idx[k] = 0;
                    }
                    break;
                }
                for (&v, s) in vars.iter().zip(saved) {
                    env[v] = s;
                }
                Ok(total)
            }
            T::Prod(fs) => {
                let mut p = 1.0;
                for f in fs {
                    p *= self.eval(f, env, top)?;
                    if p == 0.0 && !top {
                        break;
                    }
                }
                Ok(p)
            }
            T::Frac(a, b) => {
                let den = self.eval(b, env, top)?;
                if den == 0.0 {
                    if top {
                        return Err(CoreError::Numerical(
                            "the estimand's denominator is zero on this data (positivity fails \
                             for the requested values)"
                                .into(),
                        ));
                    }
                    return Ok(0.0);
                }
                Ok(self.eval(a, env, top)? / den)
            }
        }
    }

    fn never(&self, cond: &[usize], env: &[Option<i64>]) -> CoreError {
        let event: Vec<String> = cond
            .iter()
            .map(|&v| format!("{}={}", self.names[v], env[v].unwrap_or_default()))
            .collect();
        CoreError::Numerical(format!(
            "no row of the data has {}, so the estimand is undefined there (positivity fails)",
            event.join(", ")
        ))
    }
}
