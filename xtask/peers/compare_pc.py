"""PC (Fisher-z, stable, alpha 0.05, uc_rule 0, uc_priority 2): causal-learn 0.1.4.8 against
causal-lab's `bench pc`, on the same linear-Gaussian data, checking identical graphs."""
import os
import tempfile

import numpy as np

from compare import comparison, run_ours, timed

SEED = 0


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
    from causallearn.search.ConstraintBased.PC import pc

    x = simulate(d, n, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"pc_d{d}_n{n}.csv")
        np.savetxt(path, x, delimiter=",", header=",".join(f"X{i}" for i in range(d)),
                   comments="", fmt="%.17g")
        # causal-learn reads the same text back, so both sides see identical numbers.
        x = np.loadtxt(path, delimiter=",", skiprows=1)
        peer, cg = timed(lambda: pc(x, 0.05, "fisherz", True, 0, 2, show_progress=False))
        ours = run_ours("pc", path)
    same = np.array_equal(np.array(ours["graph"]), cg.G.graph)
    label = f"PC fisherz stable d={d} n={n}" + ("" if same else " (GRAPHS DIFFER)")
    return label, peer, ours["seconds"]


@comparison
def pc_d50():
    return run(50, 5000)


@comparison
def pc_d100():
    return run(100, 10_000)


@comparison
def pc_d200():
    return run(200, 10_000)
