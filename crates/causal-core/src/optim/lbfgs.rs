//! Limited-memory quasi-Newton minimisation with per-coordinate bounds `x free`, `x ≥ 0` or
//! `x = 0`: the projected L-BFGS of Kim, Sra & Dhillon (2010), what scipy's L-BFGS-B is asked
//! for by NOTEARS (the `W⁺`/`W⁻` split) and NOTEARS-MLP (non-negative first-layer weights).
//!
//! Coordinates at their bound with a gradient pushing outwards are held fixed; the L-BFGS
//! direction is computed on the others (two-loop recursion on their components); a
//! backtracking Armijo search runs along the projected path. A failed search with curvature
//! pairs in memory restarts from steepest descent (the pairs were stale); without them it
//! stops. Stopping follows scipy's L-BFGS-B defaults: projected-gradient infinity norm
//! `≤ pgtol` or relative decrease `≤ ftol`. `tests/lbfgs_scipy.rs` checks the minimisers
//! against scipy's on Rosenbrock, a bounded quadratic and a small NOTEARS objective.

use std::collections::VecDeque;

/// The constraint on one coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Unbounded.
    Free,
    /// `x ≥ 0`.
    NonNegative,
    /// `x = 0`.
    Zero,
}

impl Bound {
    /// `v` moved into the feasible set.
    fn project(self, v: f64) -> f64 {
        match self {
            Bound::Free => v,
            Bound::NonNegative => v.max(0.0),
            Bound::Zero => 0.0,
        }
    }

    /// Whether a coordinate at `x` with gradient `g` is held at its bound this iteration.
    fn holds(self, x: f64, g: f64) -> bool {
        match self {
            Bound::Free => false,
            Bound::Zero => true,
            Bound::NonNegative => x <= 0.0 && g > 0.0,
        }
    }
}

/// Settings; the defaults are scipy's L-BFGS-B defaults.
///
/// # Examples
///
/// ```
/// use causal_core::optim::{Bound, Lbfgs};
///
/// // min (x0 − 1)² + (x1 + 2)² over x1 ≥ 0: (1, 0).
/// let f = |x: &[f64], g: &mut [f64]| -> Result<f64, ()> {
///     g[0] = 2.0 * (x[0] - 1.0);
///     g[1] = 2.0 * (x[1] + 2.0);
///     Ok((x[0] - 1.0).powi(2) + (x[1] + 2.0).powi(2))
/// };
/// let m = Lbfgs::default().minimize(f, vec![5.0, 5.0], &[Bound::Free, Bound::NonNegative])?;
/// assert!((m.x[0] - 1.0).abs() < 1e-6 && m.x[1] == 0.0);
/// # Ok::<(), ()>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Lbfgs {
    /// Correction pairs kept.
    pub memory: usize,
    /// Iteration cap.
    pub max_iter: usize,
    /// Projected-gradient tolerance (infinity norm).
    pub pgtol: f64,
    /// Relative function-decrease tolerance.
    pub ftol: f64,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Self {
            memory: 10,
            max_iter: 15_000,
            pgtol: 1e-5,
            ftol: 2.220_446_049_250_313e-9,
        }
    }
}

/// Outcome of a minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    /// The last accepted point.
    pub x: Vec<f64>,
    /// The objective there: not finite only when it was not finite at the (projected) start,
    /// which callers report as divergence.
    pub value: f64,
    /// Iterations run.
    pub iterations: usize,
}

/// Halvings of the step before a line search gives up.
const HALVINGS: usize = 60;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Lbfgs {
    /// Minimises `f` (returning the value and writing the gradient into its second argument)
    /// from `x0` projected onto `bounds` (one per coordinate). Non-finite values met during a
    /// line search shorten the step.
    ///
    /// # Errors
    ///
    /// The first error `f` returns.
    ///
    /// # Panics
    ///
    /// If `bounds` and `x0` differ in length (a caller's bug, not user input).
    pub fn minimize<F, E>(&self, mut f: F, x0: Vec<f64>, bounds: &[Bound]) -> Result<Minimum, E>
    where
        F: FnMut(&[f64], &mut [f64]) -> Result<f64, E>,
    {
        assert_eq!(x0.len(), bounds.len(), "one bound per coordinate");
        let n = x0.len();
        let mut x: Vec<f64> = x0.iter().zip(bounds).map(|(&v, b)| b.project(v)).collect();
        let mut g = vec![0.0; n];
        let mut fx = f(&x, &mut g)?;
        if !fx.is_finite() {
            return Ok(Minimum {
                x,
                value: fx,
                iterations: 0,
            });
        }
        let mut mem: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::with_capacity(self.memory);
        let mut x_new = vec![0.0; n];
        let mut g_new = vec![0.0; n];
        let mut iterations = 0;
        for it in 0..self.max_iter {
            iterations = it;
            let free: Vec<bool> = (0..n).map(|i| !bounds[i].holds(x[i], g[i])).collect();
            let pg = (0..n)
                .filter(|&i| free[i])
                .map(|i| g[i].abs())
                .fold(0.0, f64::max);
            if pg <= self.pgtol {
                break;
            }
            let gf: Vec<f64> = (0..n).map(|i| if free[i] { g[i] } else { 0.0 }).collect();
            let mut d = two_loop(&mem, &gf, &free);
            let mut slope = dot(&d, &gf);
            if slope >= 0.0 {
                mem.clear();
                d = gf.iter().map(|v| -v).collect();
                slope = -dot(&gf, &gf);
            }
            debug_assert!(slope <= 0.0);
            let mut t = if mem.is_empty() {
                (1.0 / d.iter().map(|v| v.abs()).fold(0.0, f64::max)).min(1.0)
            } else {
                1.0
            };
            let mut accepted = false;
            for _ in 0..HALVINGS {
                for i in 0..n {
                    x_new[i] = if free[i] {
                        bounds[i].project(x[i] + t * d[i])
                    } else {
                        x[i]
                    };
                }
                let f_new = f(&x_new, &mut g_new)?;
                if !f_new.is_finite() {
                    t *= 0.5;
                    continue;
                }
                let moved: f64 = (0..n).map(|i| g[i] * (x_new[i] - x[i])).sum();
                if f_new <= fx + 1e-4 * moved.min(0.0) {
                    let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                    let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                    if dot(&s, &y) > 1e-10 * dot(&y, &y) {
                        if mem.len() == self.memory {
                            mem.pop_front();
                        }
                        mem.push_back((s, y));
                    }
                    let rel = (fx - f_new) / fx.abs().max(f_new.abs()).max(1.0);
                    std::mem::swap(&mut x, &mut x_new);
                    std::mem::swap(&mut g, &mut g_new);
                    fx = f_new;
                    accepted = true;
                    if rel <= self.ftol {
                        return Ok(Minimum {
                            x,
                            value: fx,
                            iterations: it + 1,
                        });
                    }
                    break;
                }
                t *= 0.5;
            }
            if !accepted {
                if mem.is_empty() {
                    break;
                }
                // A stale curvature model: restart from steepest descent.
                mem.clear();
            }
        }
        Ok(Minimum {
            x,
            value: fx,
            iterations,
        })
    }
}

/// `-H g` on the free coordinates, H the L-BFGS inverse-Hessian model from the stored pairs
/// (restricted to the free coordinates).
fn two_loop(mem: &VecDeque<(Vec<f64>, Vec<f64>)>, g: &[f64], free: &[bool]) -> Vec<f64> {
    let mut q = g.to_vec();
    let restricted = |v: &[f64], w: &[f64]| -> f64 {
        v.iter()
            .zip(w)
            .zip(free)
            .filter(|(_, f)| **f)
            .map(|((a, b), _)| a * b)
            .sum()
    };
    let mut alphas = Vec::with_capacity(mem.len());
    for (s, y) in mem.iter().rev() {
        let sy = restricted(s, y);
        if sy <= 0.0 {
            alphas.push(0.0);
            continue;
        }
        let a = restricted(s, &q) / sy;
        for i in 0..q.len() {
            if free[i] {
                q[i] -= a * y[i];
            }
        }
        alphas.push(a);
    }
    if let Some((s, y)) = mem.back() {
        let sy = restricted(s, y);
        let yy = restricted(y, y);
        if sy > 0.0 && yy > 0.0 {
            let gamma = sy / yy;
            q.iter_mut().for_each(|v| *v *= gamma);
        }
    }
    for ((s, y), a) in mem.iter().zip(alphas.iter().rev()) {
        let sy = restricted(s, y);
        if sy <= 0.0 {
            continue;
        }
        let b = restricted(y, &q) / sy;
        for i in 0..q.len() {
            if free[i] {
                q[i] += (a - b) * s[i];
            }
        }
    }
    q.iter()
        .zip(free)
        .map(|(v, f)| if *f { -v } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_coordinates_stay_zero_and_a_nan_start_is_reported() {
        let f = |x: &[f64], g: &mut [f64]| -> Result<f64, ()> {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 1.0;
            Ok((x[0] - 3.0).powi(2) + x[1])
        };
        let m = Lbfgs::default()
            .minimize(f, vec![0.0, 4.0], &[Bound::Free, Bound::Zero])
            .unwrap();
        assert!((m.x[0] - 3.0).abs() < 1e-6 && m.x[1] == 0.0, "{m:?}");
        let nan = |_: &[f64], _: &mut [f64]| -> Result<f64, ()> { Ok(f64::NAN) };
        let m = Lbfgs::default()
            .minimize(nan, vec![1.0], &[Bound::Free])
            .unwrap();
        assert!(m.value.is_nan() && m.iterations == 0);
        let fails = |_: &[f64], _: &mut [f64]| -> Result<f64, &str> { Err("boom") };
        assert_eq!(
            Lbfgs::default().minimize(fails, vec![1.0], &[Bound::Free]),
            Err("boom")
        );
    }
}
