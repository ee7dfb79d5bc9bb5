//! Transportability of causal effects across populations: selection diagrams and the sID
//! algorithm of Bareinboim & Pearl (2012), "Transportability of causal effects: completeness
//! results".

use serde::{Deserialize, Serialize};

use super::cg::Cg;
use super::expr::Expr;
use super::hedge::Hedge;
use super::id::Id;
use crate::error::{CoreError, Result};
use crate::graph::{Admg, NodeSet};

/// The outcome of transport: a formula or the reason none exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// `P*(y | do(x))` in the target equals this expression of the target's observational
    /// distribution `P*` and the source's experimental distributions `P(· | do(·))`.
    Transportable(Expr),
    /// No such formula exists: an s*-hedge, i.e. a hedge whose smaller c-forest `F'` receives
    /// an arrow from a selection node.
    NotTransportable {
        /// The hedge.
        hedge: Hedge,
        /// The nodes of `F'` whose mechanisms differ between the populations.
        differing: Vec<String>,
        /// The reason, in words.
        reason: String,
    },
}

impl Transport {
    /// Whether a transport formula exists.
    pub fn is_transportable(&self) -> bool {
        matches!(self, Self::Transportable(_))
    }

    /// The transport formula, if any.
    pub fn formula(&self) -> Option<&Expr> {
        match self {
            Self::Transportable(e) => Some(e),
            Self::NotTransportable { .. } => None,
        }
    }
}

/// Transport queries on one selection diagram.
///
/// A selection diagram is an ADMG over the variables plus selection nodes: a selection node
/// `S -> V` says that the mechanism of `V` (its function or its latent inputs) may differ
/// between the source population, where experiments were run, and the target population, where
/// only observational data exist. Selection nodes are the nodes with the `selection` role
/// (dagitty's `selected` attribute); when no node has that role, nodes named `S`, `S1`, `S2`,
/// `S_1`, .. are taken as selection nodes.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Admg;
/// use causal_core::identify::Transporter;
///
/// // X -> Z -> Y, X <-> Z, and the populations differ in Y's mechanism.
/// let g = Admg::from_names(["X", "Z", "Y", "S"], &[("X", "Z"), ("Z", "Y"), ("S", "Y")], &[("X", "Z")])?;
/// let t = Transporter::new(&g)?.transport(&["X"], &["Y"])?;
/// assert_eq!(t.formula().unwrap().to_string(), "sum_{Z} P(Z | do(X)) P*(Y | Z)");
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Transporter {
    cg: Cg,
    differ: NodeSet,
    selection: Vec<String>,
}

/// Selection nodes only point at variables: an error naming a parent or a bidirected edge of
/// selection node `s`.
pub(crate) fn check_selection_node(g: &Admg, s: usize) -> Result<()> {
    if let Some(&p) = g.parents(s).first() {
        return Err(CoreError::InvalidParameter(format!(
            "selection node '{}' has a parent '{}'; selection nodes only point at variables",
            g.name(s),
            g.name(p)
        )));
    }
    if let Some(&p) = g.spouses(s).first() {
        return Err(CoreError::InvalidParameter(format!(
            "selection node '{}' has a bidirected edge to '{}'",
            g.name(s),
            g.name(p)
        )));
    }
    Ok(())
}

pub(crate) fn looks_like_selection(name: &str) -> bool {
    let rest = name.strip_prefix('S').unwrap_or("-");
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    rest.chars().all(|c| c.is_ascii_digit()) && name != "S_"
}

impl Transporter {
    /// Compiles a selection diagram: latent nodes are projected out, selection nodes are
    /// found (see the type's documentation) and removed, leaving the causal diagram shared by
    /// both populations and the set of nodes whose mechanisms differ.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming a selection node with a parent or a bidirected
    /// edge (selection nodes only point at variables).
    pub fn new(diagram: &Admg) -> Result<Self> {
        let g = if diagram.nodes_with(|r| r.latent).is_empty() {
            diagram.clone()
        } else {
            diagram.project_latents()
        };
        let mut sel = g.nodes_with(|r| r.selection);
        if sel.is_empty() {
            sel = NodeSet::from_indices(
                g.n(),
                (0..g.n()).filter(|&i| looks_like_selection(g.name(i))),
            );
        }
        let mut differ_names = Vec::new();
        for s in sel.iter() {
            check_selection_node(&g, s)?;
            for &c in g.children(s) {
                if sel.contains(c) {
                    return Err(CoreError::InvalidParameter(format!(
                        "selection node '{}' points at selection node '{}'",
                        g.name(s),
                        g.name(c)
                    )));
                }
                differ_names.push(g.name(c).to_owned());
            }
        }
        let selection: Vec<String> = sel.iter().map(|s| g.name(s).to_owned()).collect();
        let keep = sel.complement();
        let backbone = g.induced(&keep);
        let cg = Cg::from_admg(&backbone);
        let differ = cg.set_of(&differ_names)?;
        Ok(Self {
            cg,
            differ,
            selection,
        })
    }

    /// The selection nodes found in the diagram.
    pub fn selection_nodes(&self) -> &[String] {
        &self.selection
    }

    /// The variables whose mechanisms differ between the populations (children of selection
    /// nodes).
    pub fn differing(&self) -> Vec<String> {
        self.cg.names_of(&self.differ)
    }

    /// Transports `P*(outcome | do(treatment))` to the target: a formula in the target's
    /// observational `P*` and the source's experiments, or the s*-hedge that rules one out.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a name that is not a variable of the diagram (selection
    /// nodes included), [`CoreError::InvalidParameter`] for an empty outcome or a node that is
    /// both treatment and outcome.
    pub fn transport<S: AsRef<str>>(&self, treatment: &[S], outcome: &[S]) -> Result<Transport> {
        for name in treatment.iter().chain(outcome) {
            if self.selection.iter().any(|s| s == name.as_ref()) {
                return Err(CoreError::InvalidParameter(format!(
                    "'{}' is a selection node, not a variable",
                    name.as_ref()
                )));
            }
        }
        let x = self.cg.set_of(treatment)?;
        let y = self.cg.set_of(outcome)?;
        if y.is_empty() {
            return Err(CoreError::InvalidParameter(
                "the outcome set is empty".into(),
            ));
        }
        if let Some(v) = x.intersection(&y).first() {
            return Err(CoreError::InvalidParameter(format!(
                "node '{}' is both a treatment and an outcome",
                self.cg.names[v]
            )));
        }
        let id = Id {
            cg: &self.cg,
            differ: Some(self.differ.clone()),
        };
        Ok(match id.identify(&y, &x) {
            Ok(t) => Transport::Transportable(t.to_expr(&self.cg.names)),
            Err(fail) => {
                let (f, fp, hx, hy) = *fail;
                let hedge = Hedge::from_sets(&self.cg, &f, &fp, &hx, &hy);
                let differing = self.cg.names_of(&fp.intersection(&self.differ));
                let reason = if differing.is_empty() {
                    format!(
                        "the effect is not identifiable even with experiments: hedge F = {{{}}}, F' = {{{}}}",
                        hedge.f.join(", "),
                        hedge.f_prime.join(", ")
                    )
                } else {
                    format!(
                        "s*-hedge: F = {{{}}}, F' = {{{}}}, and the mechanisms of {{{}}} in F' differ \
                         between the populations, so neither the target's observations nor the \
                         source's experiments determine them",
                        hedge.f.join(", "),
                        hedge.f_prime.join(", "),
                        differing.join(", ")
                    )
                };
                Transport::NotTransportable {
                    hedge,
                    differing,
                    reason,
                }
            }
        })
    }
}

/// Transports `P*(outcome | do(treatment))`; see [`Transporter::transport`].
///
/// # Errors
///
/// As [`Transporter::new`] and [`Transporter::transport`].
pub fn transport<S: AsRef<str>>(
    diagram: &Admg,
    treatment: &[S],
    outcome: &[S],
) -> Result<Transport> {
    Transporter::new(diagram)?.transport(treatment, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_names_are_recognised() {
        for (name, want) in [
            ("S", true),
            ("S1", true),
            ("S_2", true),
            ("Smoking", false),
            ("X", false),
            ("S_", false),
        ] {
            assert_eq!(looks_like_selection(name), want, "{name}");
        }
    }

    #[test]
    fn selection_nodes_must_be_roots() {
        let g = Admg::from_names(["X", "Y", "S"], &[("X", "S"), ("S", "Y")], &[]).unwrap();
        let err = Transporter::new(&g).unwrap_err().to_string();
        assert!(err.contains("selection node 'S' has a parent 'X'"), "{err}");
    }
}
