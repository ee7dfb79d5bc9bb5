//! The three rules of do-calculus as graphical checks.

use super::cg::Cg;
use crate::error::{CoreError, Result};
use crate::graph::Admg;
use crate::graph::NodeSet;

/// The rules of do-calculus (Pearl 1995) on one ADMG. Each check answers whether the rule's
/// m-separation condition holds, so that the rewrite is licensed for every model of the graph.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Admg;
/// use causal_core::identify::DoCalculus;
///
/// // Back door: Z -> X -> Y, Z -> Y. Observing X is not acting on X unless Z is given.
/// let g = Admg::from_names(["Z", "X", "Y"], &[("Z", "X"), ("X", "Y"), ("Z", "Y")], &[])?;
/// let dc = DoCalculus::new(&g);
/// assert!(!dc.rule2(&["Y"], &[], &["X"], &[])?);
/// assert!(dc.rule2(&["Y"], &[], &["X"], &["Z"])?);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DoCalculus {
    cg: Cg,
}

impl DoCalculus {
    /// Compiles an ADMG (nodes marked latent are projected out).
    pub fn new(graph: &Admg) -> Self {
        Self {
            cg: Cg::observed(graph),
        }
    }

    fn sets<S: AsRef<str>>(&self, y: &[S], x: &[S], z: &[S], w: &[S]) -> Result<[NodeSet; 4]> {
        let sets = [
            self.cg.set_of(y)?,
            self.cg.set_of(x)?,
            self.cg.set_of(z)?,
            self.cg.set_of(w)?,
        ];
        for i in 0..4 {
            for j in i + 1..4 {
                if let Some(v) = sets[i].intersection(&sets[j]).first() {
                    return Err(CoreError::InvalidParameter(format!(
                        "node '{}' appears in two of the sets Y, X, Z, W",
                        self.cg.names[v]
                    )));
                }
            }
        }
        Ok(sets)
    }

    /// Rule 1 (insertion or deletion of observations):
    /// `P(y | do(x), z, w) = P(y | do(x), w)` if `(Y ⊥ Z | X, W)` in `G` with the edges into
    /// `X` cut.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], or [`CoreError::InvalidParameter`] if the sets overlap.
    pub fn rule1<S: AsRef<str>>(&self, y: &[S], x: &[S], z: &[S], w: &[S]) -> Result<bool> {
        let [y, x, z, w] = self.sets(y, x, z, w)?;
        Ok(self.cg.m_separated(&y, &z, &x.union(&w), Some(&x), None))
    }

    /// Rule 2 (action/observation exchange):
    /// `P(y | do(x), do(z), w) = P(y | do(x), z, w)` if `(Y ⊥ Z | X, W)` in `G` with the edges
    /// into `X` and out of `Z` cut.
    ///
    /// # Errors
    ///
    /// As [`DoCalculus::rule1`].
    pub fn rule2<S: AsRef<str>>(&self, y: &[S], x: &[S], z: &[S], w: &[S]) -> Result<bool> {
        let [y, x, z, w] = self.sets(y, x, z, w)?;
        Ok(self
            .cg
            .m_separated(&y, &z, &x.union(&w), Some(&x), Some(&z)))
    }

    /// Rule 3 (insertion or deletion of actions):
    /// `P(y | do(x), do(z), w) = P(y | do(x), w)` if `(Y ⊥ Z | X, W)` in `G` with the edges
    /// into `X` and into `Z(W)` cut, where `Z(W)` is the part of `Z` that is not an ancestor of
    /// `W` once the edges into `X` are cut.
    ///
    /// # Errors
    ///
    /// As [`DoCalculus::rule1`].
    pub fn rule3<S: AsRef<str>>(&self, y: &[S], x: &[S], z: &[S], w: &[S]) -> Result<bool> {
        let [y, x, z, w] = self.sets(y, x, z, w)?;
        let an_w = self.cg.ancestors(&w, &self.cg.all(), Some(&x));
        let zw = z.difference(&an_w);
        Ok(self
            .cg
            .m_separated(&y, &z, &x.union(&w), Some(&x.union(&zw)), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_door_derivation_steps() {
        // X -> Z -> Y, X <-> Y: the three steps of the front-door derivation.
        let g =
            Admg::from_names(["X", "Z", "Y"], &[("X", "Z"), ("Z", "Y")], &[("X", "Y")]).unwrap();
        let dc = DoCalculus::new(&g);
        let none: [&str; 0] = [];
        // P(z | do(x)) = P(z | x).
        assert!(dc.rule2(&["Z"], &none, &["X"], &none).unwrap());
        // P(y | do(z)) != P(y | z) ...
        assert!(!dc.rule2(&["Y"], &none, &["Z"], &none).unwrap());
        // ... but P(y | do(z), x) = P(y | z, x).
        assert!(dc.rule2(&["Y"], &none, &["Z"], &["X"]).unwrap());
        // P(x | do(z)) = P(x).
        assert!(dc.rule3(&["X"], &none, &["Z"], &none).unwrap());
        // P(y | do(x), do(z)) = P(y | do(z)).
        assert!(dc.rule3(&["Y"], &["Z"], &["X"], &none).unwrap());
        // Rule 1: Y and X are dependent through X <-> Y.
        assert!(!dc.rule1(&["Y"], &none, &["X"], &["Z"]).unwrap());
        assert!(dc.rule1(&["Y"], &none, &["X"], &["Z"]).is_ok());
        assert!(dc.rule1(&["Y"], &["Y"], &none, &none).is_err());
    }
}
