"""FCI (Fisher-z, alpha 0.05, causal-learn defaults): causal-learn 0.1.4.8 against causal-lab's
`bench fci`, on linear-Gaussian data with hidden variables, checking identical PAGs.

causal-learn iterates Python sets of nodes in two places (the start of Possible-D-Sep and the
pairs of R10), so on rare data its own PAG changes with PYTHONHASHSEED; a row marked
"PAGS DIFFER" names such a case or a bug, and its timing should not be quoted."""
import os
import tempfile

import numpy as np

from compare import comparison, run_ours, timed

SEED = 0
HIDDEN = 5


def simulate(d, n, seed):
    """Edge i -> j (i < j) with probability 2/(d-1), weights ±U[0.5, 2], standard normal noise."""
    rng = np.random.default_rng(seed)
    p = 2.0 / (d - 1)
    x = np.zeros((n, d))
    for j in range(d):
        col = rng.standard_normal(n)
        for i in range(j):
            if rng.random() < p:
                w = rng.uniform(0.5, 2.0) * (1 if rng.random() < 0.5 else -1)
                col += w * x[:, i]
        x[:, j] = col
    return x


def run(d, n):
    import contextlib
    import io

    from causallearn.search.ConstraintBased.FCI import fci

    # The first HIDDEN variables of the causal order are latent: they confound what follows.
    x = simulate(d + HIDDEN, n, SEED)[:, HIDDEN:]
    names = [f"X{i}" for i in range(d)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"fci_d{d}_n{n}.csv")
        np.savetxt(path, x, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        # causal-learn reads the same text back, so both sides see identical numbers.
        x = np.loadtxt(path, delimiter=",", skiprows=1)
        with contextlib.redirect_stdout(io.StringIO()):
            peer, (g, _) = timed(lambda: fci(x, "fisherz", 0.05, show_progress=False,
                                             node_names=names))
        ours = run_ours("fci", path)
    same = np.array_equal(np.array(ours["graph"]), g.graph)
    label = f"FCI fisherz d={d} (+{HIDDEN} hidden) n={n}" + ("" if same else " (PAGS DIFFER)")
    return label, peer, ours["seconds"]


@comparison
def fci_d20():
    return run(20, 5000)


@comparison
def fci_d50():
    return run(50, 5000)
