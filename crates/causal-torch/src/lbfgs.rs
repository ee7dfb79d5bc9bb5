//! Projected L-BFGS for smooth objectives with optional lower bounds of 0 and fixed-at-zero
//! coordinates (what NOTEARS-MLP's L-BFGS-B call needs). Stopping follows scipy's L-BFGS-B
//! defaults: projected-gradient infinity norm ≤ `pgtol` or relative decrease ≤ `ftol`.

use std::collections::VecDeque;

/// The constraint on one coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Unbounded.
    Free,
    /// x ≥ 0.
    NonNegative,
    /// x = 0.
    Zero,
}

/// Settings (scipy's L-BFGS-B defaults).
#[derive(Clone, Copy, Debug)]
pub struct Lbfgs {
    /// Correction pairs kept.
    pub memory: usize,
    /// Iteration cap.
    pub max_iter: usize,
    /// Projected-gradient tolerance.
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

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn project(x: &mut [f64], bounds: &[Bound]) {
    for (v, b) in x.iter_mut().zip(bounds) {
        match b {
            Bound::Free => {}
            Bound::NonNegative => *v = v.max(0.0),
            Bound::Zero => *v = 0.0,
        }
    }
}

/// Whether coordinate i is held at its bound this iteration.
fn held(x: f64, g: f64, b: Bound) -> bool {
    match b {
        Bound::Free => false,
        Bound::Zero => true,
        Bound::NonNegative => x <= 0.0 && g > 0.0,
    }
}

impl Lbfgs {
    /// Minimises `f` (value and gradient into the second argument) from `x0`. Returns the
    /// minimiser and the number of iterations.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns (e.g. a non-finite loss).
    pub fn minimize<F, E>(
        &self,
        mut f: F,
        x0: &[f64],
        bounds: &[Bound],
    ) -> Result<(Vec<f64>, usize), E>
    where
        F: FnMut(&[f64], &mut [f64]) -> Result<f64, E>,
    {
        let n = x0.len();
        let mut x = x0.to_vec();
        project(&mut x, bounds);
        let mut g = vec![0.0; n];
        let mut fx = f(&x, &mut g)?;
        let mut mem: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
        let mut iter = 0;
        let mut gn = vec![0.0; n];
        while iter < self.max_iter {
            iter += 1;
            let free: Vec<bool> = (0..n).map(|i| !held(x[i], g[i], bounds[i])).collect();
            let pg_max = (0..n)
                .filter(|&i| free[i])
                .map(|i| {
                    // Projected gradient of a non-negative coordinate cannot go below −x.
                    if bounds[i] == Bound::NonNegative && g[i] > 0.0 {
                        g[i].min(x[i])
                    } else {
                        g[i]
                    }
                    .abs()
                })
                .fold(0.0, f64::max);
            if pg_max <= self.pgtol {
                break;
            }
            // Two-loop recursion on the free coordinates.
            let mut q: Vec<f64> = (0..n).map(|i| if free[i] { g[i] } else { 0.0 }).collect();
            let mut alphas = Vec::with_capacity(mem.len());
            for (s, y, rho) in mem.iter().rev() {
                let a = rho
                    * (0..n)
                        .filter(|&i| free[i])
                        .map(|i| s[i] * q[i])
                        .sum::<f64>();
                for i in 0..n {
                    if free[i] {
                        q[i] -= a * y[i];
                    }
                }
                alphas.push(a);
            }
            if let Some((s, y, _)) = mem.back() {
                let yy: f64 = (0..n).filter(|&i| free[i]).map(|i| y[i] * y[i]).sum();
                let sy: f64 = (0..n).filter(|&i| free[i]).map(|i| s[i] * y[i]).sum();
                if yy > 0.0 && sy > 0.0 {
                    let gamma = sy / yy;
                    q.iter_mut().for_each(|v| *v *= gamma);
                }
            }
            for ((s, y, rho), a) in mem.iter().zip(alphas.iter().rev()) {
                let b = rho
                    * (0..n)
                        .filter(|&i| free[i])
                        .map(|i| y[i] * q[i])
                        .sum::<f64>();
                for i in 0..n {
                    if free[i] {
                        q[i] += (a - b) * s[i];
                    }
                }
            }
            let mut dir: Vec<f64> = q.iter().map(|v| -v).collect();
            if dot(&dir, &g) >= 0.0 {
                dir = (0..n).map(|i| if free[i] { -g[i] } else { 0.0 }).collect();
                mem.clear();
            }
            let mut t = if mem.is_empty() {
                (1.0 / dot(&dir, &dir).sqrt()).min(1.0)
            } else {
                1.0
            };
            let mut accepted = None;
            for _ in 0..40 {
                let mut xn: Vec<f64> = x.iter().zip(&dir).map(|(a, d)| a + t * d).collect();
                project(&mut xn, bounds);
                let step: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
                let decrease = dot(&g, &step);
                let fnew = f(&xn, &mut gn)?;
                if fnew.is_finite() && fnew <= fx + 1e-4 * decrease {
                    accepted = Some((xn, step, fnew));
                    break;
                }
                t *= 0.5;
            }
            let Some((xn, s, fnew)) = accepted else {
                break;
            };
            let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            if sy > 1e-10 {
                mem.push_back((s, y, 1.0 / sy));
                if mem.len() > self.memory {
                    mem.pop_front();
                }
            }
            let rel = (fx - fnew) / fx.abs().max(fnew.abs()).max(1.0);
            x = xn;
            fx = fnew;
            std::mem::swap(&mut g, &mut gn);
            if rel <= self.ftol {
                break;
            }
        }
        Ok((x, iter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_bounded_quadratic() {
        // min (x0 − 1)² + (x1 + 2)² + (x2 − 3)² with x1 ≥ 0 and x2 = 0: (1, 0, 0).
        let f = |x: &[f64], g: &mut [f64]| -> Result<f64, ()> {
            g[0] = 2.0 * (x[0] - 1.0);
            g[1] = 2.0 * (x[1] + 2.0);
            g[2] = 2.0 * (x[2] - 3.0);
            Ok((x[0] - 1.0).powi(2) + (x[1] + 2.0).powi(2) + (x[2] - 3.0).powi(2))
        };
        let bounds = [Bound::Free, Bound::NonNegative, Bound::Zero];
        let (x, _) = Lbfgs::default()
            .minimize(f, &[5.0, 5.0, 5.0], &bounds)
            .unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-6 && x[1] == 0.0 && x[2] == 0.0,
            "{x:?}"
        );
    }

    #[test]
    fn solves_rosenbrock() {
        let f = |x: &[f64], g: &mut [f64]| -> Result<f64, ()> {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            Ok((1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2))
        };
        let (x, _) = Lbfgs::default()
            .minimize(f, &[-1.2, 1.0], &[Bound::Free, Bound::Free])
            .unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3,
            "{x:?}"
        );
    }
}
