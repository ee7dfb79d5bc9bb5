//! Fitting a linear-Gaussian SCM to data on a given DAG: each node's equation by ordinary
//! least squares on its parents, in closed form.

use super::linear::LinearGaussianScm;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::{GraphKind, MixedGraph};
use crate::stats::{Design, ols_fit};

impl LinearGaussianScm {
    /// Fits `X_j = c_j + Σ_{i ∈ pa(j)} B[j, i] X_i + U_j`, `U_j ~ N(0, σ_j²)`, for every node of
    /// the DAG `graph`, each node a column of `data`.
    ///
    /// # Formula
    ///
    /// Per node, `(c_j, B[j, pa(j)]) = (XᵀX)⁻¹ Xᵀ x_j` with `X = [1, x_pa(j)]`, and
    /// `σ_j² = RSS_j / (n − |pa(j)| − 1)` (the unbiased residual variance; a root gets its
    /// mean and sample variance).
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    /// use causal_core::graph::MixedGraph;
    /// use causal_core::scm::LinearGaussianScm;
    ///
    /// let x = vec![0.0, 1.0, 2.0, 3.0, 4.0];
    /// let y: Vec<f64> = x.iter().zip([0.1, -0.1, 0.0, 0.1, -0.1]).map(|(x, e)| 1.0 + 2.0 * x + e).collect();
    /// let data = Dataset::new(vec!["X".into(), "Y".into()], vec![x, y])?;
    /// let g = MixedGraph::from_dot("digraph { X -> Y }")?;
    /// let m = LinearGaussianScm::fit(&g, &data)?;
    /// assert!((m.coefficients()[(1, 0)] - 2.0).abs() < 0.05);
    /// assert!((m.intercepts()[0] - 2.0).abs() < 1e-12); // the mean of X
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming an edge that is not directed;
    /// [`CoreError::Cycle`]; [`CoreError::UnknownColumn`] for a node missing from `data`;
    /// [`CoreError::Collinear`] naming a parent that is a linear function of the others;
    /// [`CoreError::InvalidParameter`] when a node has no more rows than coefficients.
    pub fn fit(graph: &MixedGraph, data: &Dataset) -> Result<Self> {
        if graph.kind() != GraphKind::Dag {
            let bad = graph
                .edges()
                .iter()
                .find(|e| !(e.is_directed_from(e.a, e.b) || e.is_directed_from(e.b, e.a)))
                .map(|e| format!("{} - {}", graph.name(e.a), graph.name(e.b)))
                .unwrap_or_default();
            return Err(CoreError::InvalidParameter(format!(
                "a linear SCM needs a DAG; the edge {bad} is not directed"
            )));
        }
        graph.topological_order()?;
        let names: Vec<&str> = graph.nodes().iter().map(String::as_str).collect();
        let mut edges = Vec::new();
        let (mut intercept, mut sd) = (Vec::new(), Vec::new());
        for (j, name) in names.iter().enumerate() {
            let y = data.column(name)?;
            let parents: Vec<&str> = graph.parents(j).iter().map(|&i| names[i]).collect();
            let design = Design::from_data(data, &parents, true)?;
            let fit = ols_fit(&design, y).map_err(|e| match e {
                CoreError::InvalidParameter(m) => {
                    CoreError::InvalidParameter(format!("node '{name}': {m}"))
                }
                other => other,
            })?;
            intercept.push(fit.coef[0]);
            sd.push(fit.sigma2.sqrt());
            for (k, parent) in parents.iter().enumerate() {
                edges.push((*parent, *name, fit.coef[k + 1]));
            }
        }
        Self::new(&names, &edges, &intercept, &sd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scm::Intervention;

    #[test]
    fn recovers_a_simulated_linear_gaussian_model() {
        let truth = LinearGaussianScm::new(
            &["Z", "X", "Y"],
            &[("Z", "X", 0.8), ("X", "Y", 1.5), ("Z", "Y", -0.7)],
            &[1.0, 0.5, -2.0],
            &[1.0, 0.5, 0.3],
        )
        .unwrap();
        let data = truth.to_scm().unwrap().sample(20_000, 3).unwrap();
        let g = MixedGraph::from_dot("digraph { Z -> X; X -> Y; Z -> Y }").unwrap();
        let m = LinearGaussianScm::fit(&g, &data).unwrap();
        // Graph order is Z, X, Y, as in the truth; standard errors are below 0.01 here.
        let (b, t) = (m.coefficients(), truth.coefficients());
        for (to, from) in [(1, 0), (2, 1), (2, 0)] {
            assert!((b[(to, from)] - t[(to, from)]).abs() < 0.03, "{b}");
        }
        for k in 0..3 {
            assert!((m.intercepts()[k] - truth.intercepts()[k]).abs() < 0.05);
            assert!((m.noise_sd()[k] / truth.noise_sd()[k] - 1.0).abs() < 0.03);
        }
        // E[Y | do(X = 1)] = c_Y + 1.5 + (−0.7)·E[Z] = −2 + 1.5 − 0.7 = −1.2 in the truth.
        let y = m
            .to_scm()
            .unwrap()
            .intervene(&[("X", Intervention::Hard(1.0))])
            .unwrap()
            .sample(20_000, 4)
            .unwrap();
        let mean = y.column("Y").unwrap().iter().sum::<f64>() / 20_000.0;
        assert!((mean + 1.2).abs() < 0.05, "{mean}");
    }

    #[test]
    fn refuses_what_it_cannot_fit() {
        let data = Dataset::new(
            vec!["X".into(), "Y".into()],
            vec![vec![0.0, 1.0, 2.0], vec![1.0, 2.0, 2.5]],
        )
        .unwrap();
        let cpdag = MixedGraph::from_dot("graph { X -- Y }").unwrap();
        let e = LinearGaussianScm::fit(&cpdag, &data).unwrap_err();
        assert!(e.to_string().contains("X - Y"), "{e}");
        let g = MixedGraph::from_dot("digraph { X -> W }").unwrap();
        assert!(matches!(
            LinearGaussianScm::fit(&g, &data),
            Err(CoreError::UnknownColumn(c)) if c == "W"
        ));
    }
}
