//! The authors' released results for the §5.1 SEMs of Arjovsky et al. (2019):
//! `code/experiment_synthetic/synthetic_results.txt` of facebookresearch/InvariantRiskMinimization
//! (commit fc185d0, "Fixes to synthetic experiments"), the per-repetition errors from which
//! their `plot.py` draws the bars of the paper's Figure 3. 200 repetitions per setting, d = 10,
//! n = 1000, environments (0.2, 2, 5); errors as ours (mean squared error of the unscrambled
//! estimate on the causal and the non-causal half). Mean and population sd computed here from
//! that file (5 decimals, its precision).

/// `(setting, method, causal mean, causal sd, non-causal mean, non-causal sd)`; settings named
/// as in this experiment (the file's `chain_hidden=H_hetero=E_scramble=S`).
pub(super) const PUBLISHED: [(&str, &str, f64, f64, f64, f64); 24] = [
    ("FOU-homo", "ERM", 0.00909, 0.00139, 0.00898, 0.00102),
    ("FOU-homo", "ICP", 0.02010, 0.13999, 0.00001, 0.00020),
    ("FOU-homo", "IRM", 0.00287, 0.00256, 0.00241, 0.00251),
    ("FOU-hetero", "ERM", 0.82076, 0.01378, 0.82071, 0.01109),
    ("FOU-hetero", "ICP", 1.00000, 0.00000, 0.80350, 0.32425),
    ("FOU-hetero", "IRM", 0.25646, 0.01769, 0.33333, 0.01568),
    ("FOS-homo", "ERM", 0.00916, 0.00137, 0.00900, 0.00111),
    ("FOS-homo", "ICP", 0.84627, 0.35895, 0.00112, 0.00276),
    ("FOS-homo", "IRM", 0.00415, 0.00384, 0.00350, 0.00344),
    ("FOS-hetero", "ERM", 0.82283, 0.01326, 0.82215, 0.01057),
    ("FOS-hetero", "ICP", 0.98583, 0.04331, 0.10311, 0.27952),
    ("FOS-hetero", "IRM", 0.25724, 0.01646, 0.33276, 0.01527),
    ("POU-homo", "ERM", 0.01895, 0.00874, 0.01790, 0.00699),
    ("POU-homo", "ICP", 0.97001, 0.17051, 0.00000, 0.00000),
    ("POU-homo", "IRM", 0.01517, 0.01190, 0.01417, 0.01053),
    ("POU-hetero", "ERM", 0.77380, 0.04750, 0.77416, 0.03808),
    ("POU-hetero", "ICP", 1.00000, 0.00000, 0.00000, 0.00000),
    ("POU-hetero", "IRM", 0.21491, 0.02415, 0.33992, 0.01946),
    ("POS-homo", "ERM", 0.02034, 0.01054, 0.01815, 0.00872),
    ("POS-homo", "ICP", 1.00000, 0.00000, 0.00000, 0.00000),
    ("POS-homo", "IRM", 0.01897, 0.02002, 0.01592, 0.01670),
    ("POS-hetero", "ERM", 0.77943, 0.05750, 0.77350, 0.04473),
    ("POS-hetero", "ICP", 1.00000, 0.00000, 0.00000, 0.00000),
    ("POS-hetero", "IRM", 0.22028, 0.02541, 0.34007, 0.01951),
];

/// The published `(causal mean, non-causal mean)` of `method` (ERM, ICP or IRM) in `setting`.
pub(super) fn published(setting: &str, method: &str) -> Option<(f64, f64)> {
    PUBLISHED
        .iter()
        .find(|p| p.0 == setting && p.1 == method)
        .map(|p| (p.2, p.4))
}
