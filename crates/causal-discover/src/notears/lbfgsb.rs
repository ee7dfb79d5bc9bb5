//! Limited-memory quasi-Newton minimisation under the bounds `x ≥ 0` (some coordinates fixed
//! at 0): the projected L-BFGS of Kim, Sra & Dhillon (2010). Coordinates at their bound with
//! a gradient pushing outwards are held fixed; the L-BFGS direction is computed on the others
//! (two-loop recursion on their components); a backtracking Armijo search runs along the
//! projected path. Stopping follows scipy's L-BFGS-B defaults: projected-gradient infinity
//! norm `≤ pgtol` or relative decrease `≤ ftol`.

use std::collections::VecDeque;

/// Settings (scipy's L-BFGS-B defaults).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lbfgsb {
    pub(crate) memory: usize,
    pub(crate) max_iter: usize,
    pub(crate) pgtol: f64,
    pub(crate) ftol: f64,
}

impl Default for Lbfgsb {
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
#[derive(Debug)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) iterations: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Lbfgsb {
    /// Minimises `f` (returning value and gradient) from `x0` subject to `x ≥ 0` and
    /// `x[i] = 0` where `fixed[i]`. Returns `Err` with the iteration if `f` turns non-finite.
    pub(crate) fn minimize<F>(
        &self,
        mut f: F,
        x0: Vec<f64>,
        fixed: &[bool],
    ) -> Result<Minimum, usize>
    where
        F: FnMut(&[f64], &mut [f64]) -> f64,
    {
        let n = x0.len();
        let mut x: Vec<f64> = x0
            .iter()
            .zip(fixed)
            .map(|(&v, &fx)| if fx { 0.0 } else { v.max(0.0) })
            .collect();
        let mut g = vec![0.0; n];
        let mut fx = f(&x, &mut g);
        if !fx.is_finite() {
            return Err(0);
        }
        let mut mem: VecDeque<(Vec<f64>, Vec<f64>)> = VecDeque::with_capacity(self.memory);
        let mut x_new = vec![0.0; n];
        let mut g_new = vec![0.0; n];
        let mut iterations = 0;
        for it in 0..self.max_iter {
            iterations = it;
            // Free coordinates: not fixed, and not at the bound with the gradient pointing out.
            let free: Vec<bool> = (0..n)
                .map(|i| !(fixed[i] || (x[i] <= 0.0 && g[i] > 0.0)))
                .collect();
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
            let mut t = if mem.is_empty() {
                (1.0 / d.iter().map(|v| v.abs()).fold(0.0, f64::max)).min(1.0)
            } else {
                1.0
            };
            let mut accepted = false;
            for _ in 0..60 {
                for i in 0..n {
                    x_new[i] = if free[i] {
                        (x[i] + t * d[i]).max(0.0)
                    } else {
                        x[i]
                    };
                }
                let f_new = f(&x_new, &mut g_new);
                if !f_new.is_finite() {
                    t *= 0.5;
                    continue;
                }
                let moved: f64 = (0..n).map(|i| g[i] * (x_new[i] - x[i])).sum();
                if f_new <= fx + 1e-4 * moved.min(0.0) {
                    let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
                    let y: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
                    let sy = dot(&s, &y);
                    if sy > 1e-10 * dot(&y, &y) {
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
                            iterations: it + 1,
                        });
                    }
                    break;
                }
                t *= 0.5;
            }
            if !accepted {
                if mem.is_empty() {
                    if !fx.is_finite() {
                        return Err(it);
                    }
                    break;
                }
                // A stale curvature model: restart from steepest descent.
                mem.clear();
            }
        }
        Ok(Minimum { x, iterations })
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
    fn bounded_quadratic_hits_the_bound() {
        // min (x0 - 1)^2 + (x1 + 2)^2 + x0 x1 / 2 over x >= 0: x1 = 0, x0 = 1.
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 1.0) + 0.5 * x[1];
            g[1] = 2.0 * (x[1] + 2.0) + 0.5 * x[0];
            (x[0] - 1.0).powi(2) + (x[1] + 2.0).powi(2) + 0.5 * x[0] * x[1]
        };
        let m = Lbfgsb::default()
            .minimize(f, vec![3.0, 3.0], &[false, false])
            .unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-5 && m.x[1] == 0.0, "{:?}", m.x);
    }

    #[test]
    fn rosenbrock_converges_and_fixed_stays_zero() {
        let f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            g[2] = 1.0;
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2) + x[2]
        };
        let m = Lbfgsb::default()
            .minimize(f, vec![0.5, 2.0, 0.0], &[false, false, true])
            .unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-3 && (m.x[1] - 1.0).abs() < 1e-3,
            "{:?}",
            m.x
        );
        assert_eq!(m.x[2], 0.0);
    }
}
