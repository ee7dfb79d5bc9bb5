"""Invariant Causal Prediction: `causalicp` against causal-irm, 10 predictors, n = 10 000, 3 environments."""
import os
import tempfile

import numpy as np

from compare import comparison, run_ours, timed

N, P, E, SEED = 10_000, 10, 3, 0


def simulate(rng):
    """Linear SEM: X0..X4 -> Y -> X5..X9; environments 1, 2 shift and rescale X0..X4."""
    n_e = N // E
    envs = []
    w_in = rng.uniform(0.5, 1.5, 5) * rng.choice([-1, 1], 5)
    w_out = rng.uniform(0.5, 1.5, 5)
    for e in range(E):
        xin = rng.standard_normal((n_e + (N % E if e == 0 else 0), 5)) * (1 + e) + e
        y = xin @ w_in + rng.standard_normal(len(xin))
        xout = np.outer(y, w_out) + rng.standard_normal((len(xin), 5))
        envs.append(np.column_stack([xin, xout, y]))
    return envs


@comparison
def icp_all_subsets():
    import causalicp

    envs = simulate(np.random.default_rng(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "icp.csv")
        names = [f"X{j}" for j in range(P)] + ["Y", "E"]
        rows = np.vstack([np.column_stack([x, np.full(len(x), e)]) for e, x in enumerate(envs)])
        np.savetxt(path, rows, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        peer, res = timed(lambda: causalicp.fit(envs, P, alpha=0.05))
        ours = run_ours("icp", path, "Y", "E")
    # Same answer, or the timing means nothing.
    assert sorted(res.estimate or []) == sorted(int(n[1:]) for n in ours["estimate"]), (res.estimate, ours["estimate"])
    for j in range(P):
        assert abs(res.pvalues[j] - ours["p_values"][j]) <= 1e-6 * (1 + abs(res.pvalues[j])), j
    return f"ICP p={P}, n={N}, {E} envs (causalicp)", peer, ours["seconds"]
