//! The roles a node can play in a causal question (dagitty's node attributes).

use serde::{Deserialize, Serialize};

/// Node attributes as dagitty writes them: `X [exposure]`, `Y [outcome]`, `U [latent]`,
/// `S [selected]`, `Z [adjusted]`.
///
/// A node may carry several roles at once. Selection nodes are the `S` nodes of a selection
/// diagram (transportability).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeRoles {
    /// Treatment (dagitty `exposure`).
    pub exposure: bool,
    /// Outcome (dagitty `outcome`).
    pub outcome: bool,
    /// Unobserved (dagitty `latent`).
    pub latent: bool,
    /// Selection node (dagitty `selected`; `selection` is accepted on input).
    pub selection: bool,
    /// Already adjusted for (dagitty `adjusted`).
    pub adjusted: bool,
}

impl NodeRoles {
    /// Whether no role is set.
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }

    /// The dagitty attribute names that are set, in a fixed order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (on, name) in [
            (self.exposure, "exposure"),
            (self.outcome, "outcome"),
            (self.latent, "latent"),
            (self.selection, "selected"),
            (self.adjusted, "adjusted"),
        ] {
            if on {
                out.push(name);
            }
        }
        out
    }

    /// Sets the role named by a dagitty attribute; returns false for an unknown name.
    pub fn set_by_name(&mut self, name: &str) -> bool {
        match name {
            "exposure" => self.exposure = true,
            "outcome" => self.outcome = true,
            "latent" | "unobserved" => self.latent = true,
            "selected" | "selection" => self.selection = true,
            "adjusted" => self.adjusted = true,
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let mut r = NodeRoles::default();
        assert!(r.is_plain());
        assert!(r.set_by_name("selection"));
        assert!(r.set_by_name("latent"));
        assert!(!r.set_by_name("pos"));
        assert_eq!(r.names(), vec!["latent", "selected"]);
        let mut again = NodeRoles::default();
        for n in r.names() {
            again.set_by_name(n);
        }
        assert_eq!(again, r);
    }
}
