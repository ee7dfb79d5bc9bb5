//! The Sachs et al. (2005) data as shipped in the cdt wheel: 7466 rows in blocks of experimental
//! condition, and the consensus graph (cdt's 18-edge version).

use std::path::Path;

use causal::core::CoreError;
use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;

use crate::{LabError, Result};

/// Row blocks of the experimental conditions, in file order (see the cdt documentation).
pub const CONDITIONS: &[(&str, usize, usize)] = &[
    ("cd3cd28 (observational)", 0, 853),
    ("+icam2", 853, 1755),
    ("+akt inhibitor", 1755, 2666),
    ("+G0076 (PKC inhibitor)", 2666, 3389),
    ("+psitectorigenin (PIP2 inhibitor)", 3389, 4199),
    ("+U0126 (MEK inhibitor)", 4199, 4998),
    ("+LY294002 (PI3K inhibitor)", 4998, 5846),
    ("PMA (PKC activator)", 5846, 6759),
    ("beta2cAMP (PKA activator)", 6759, 7466),
];

/// The loaded data and consensus graph.
pub struct Sachs {
    /// All 7466 rows.
    pub all: Dataset,
    /// The 853 observational rows (cd3cd28 only).
    pub observational: Dataset,
    /// cdt's consensus graph (18 edges; it contains the cycle PIP3 → plcg → PIP2 → PIP3).
    pub consensus: MixedGraph,
}

impl Sachs {
    /// Reads `cyto_full_data.csv` and `cyto_full_target.csv` from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let all = Dataset::from_path(dir.join("cyto_full_data.csv"))?;
        if all.n_rows() != 7466 {
            return Err(LabError::Usage(format!(
                "cyto_full_data.csv has {} rows, expected 7466",
                all.n_rows()
            )));
        }
        let observational = all.take_rows(&(0..853).collect::<Vec<_>>())?;
        let path = dir.join("cyto_full_target.csv");
        let text = std::fs::read_to_string(&path).map_err(|source| LabError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut consensus = MixedGraph::with_nodes(all.names().iter().cloned())?;
        for (k, line) in text.lines().enumerate().skip(1) {
            let parts: Vec<&str> = line
                .split(',')
                .map(|s| s.trim().trim_matches('"'))
                .collect();
            match parts.as_slice() {
                [from, to] => consensus.add_directed(from, to)?,
                [""] => {}
                _ => {
                    return Err(CoreError::Parse {
                        line: k + 1,
                        message: format!("expected 'cause,effect', got '{line}'"),
                    }
                    .into());
                }
            }
        }
        Ok(Self {
            all,
            observational,
            consensus,
        })
    }

    /// The consensus graph as a DAG: cdt's version has the cycle PIP3 → plcg → PIP2 → PIP3; the
    /// 17-edge graph of the papers drops PIP2 → PIP3, and so do we.
    pub fn consensus_dag(&self) -> Result<MixedGraph> {
        drop_pip2_pip3(self.consensus.clone())
    }

    /// Rows of one condition block.
    pub fn condition(&self, k: usize) -> Result<Dataset> {
        let (_, start, end) = CONDITIONS[k];
        Ok(self.all.take_rows(&(start..end).collect::<Vec<_>>())?)
    }
}

/// cdt's consensus graph less PIP2 → PIP3, the edge that closes its cycle (the papers' 17-edge
/// graph); fails if the result is still cyclic.
pub fn drop_pip2_pip3(mut g: MixedGraph) -> Result<MixedGraph> {
    let (a, b) = (g.index("PIP2")?, g.index("PIP3")?);
    if g.edges_between(a, b).any(|e| e.is_directed_from(a, b)) {
        g.remove_edges_between(a, b);
    }
    g.check_acyclic()?;
    Ok(g)
}
