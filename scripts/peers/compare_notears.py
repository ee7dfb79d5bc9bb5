"""Linear NOTEARS: gcastle 1.0.4's `castle.algorithms.Notears` (the Zheng et al. numpy/scipy
code: L-BFGS-B from scipy on the augmented Lagrangian; it writes h(W) as Yu et al.'s polynomial
tr((I + W∘W/d)^d) - d where ours uses tr(e^{W∘W}) - d) against causal-lab's `bench notears`, both
with λ₁ = 0.1 and threshold 0.3, on the issue's accuracy setting (Erdős–Rényi, d edges,
±U[0.5, 2] weights, Gaussian equal-variance noise). The outputs are compared by SHD to the
true DAG, which must be equal."""
import os
import tempfile

import numpy as np

from compare import comparison, run_ours
from discovery_data import load, random_dag, sample, shd, timed_cpu, write_csv


def run(d, n, seed):
    os.environ.setdefault("CASTLE_BACKEND", "pytorch")
    import logging

    from castle.algorithms import Notears

    logging.disable(logging.INFO)  # gcastle logs every augmented-Lagrangian step

    w, rng = random_dag(d, 2.0 / (d - 1), seed)
    with tempfile.TemporaryDirectory() as tmp:
        path, x = write_csv(sample(w, n, rng), tmp, f"notears_d{d}_n{n}_s{seed}.csv")
        model = Notears(lambda1=0.1, w_threshold=0.3)
        peer, peer_cpu, _ = timed_cpu(lambda: model.learn(x))
        ours = run_ours("notears", path, "0.1", "0.3")
    a_peer = np.asarray(model.causal_matrix)
    a_ours = np.array(ours["weights"]) != 0
    s_peer, s_ours = shd(w, a_peer), shd(w, a_ours)
    note = (f"SHD {s_ours} (ours) vs {s_peer} (gcastle)" + ("" if s_peer == s_ours else " UNEQUAL") +
            f", {shd(a_peer, a_ours)} apart; {load(peer_cpu, ours)}")
    return f"NOTEARS linear d={d} n={n} seed={seed}", peer, ours["seconds"], note


@comparison
def notears_d20():
    return [run(20, 1000, seed) for seed in (0, 1, 2)]
