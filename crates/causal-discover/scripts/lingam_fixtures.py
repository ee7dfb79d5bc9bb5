"""Writes the DirectLiNGAM fixtures of tests/lingam_peer.rs with the `lingam` package.

Run from crates/causal-discover: python scripts/lingam_fixtures.py (lingam 1.13, numpy 2).
For each case: <name>.csv (data, header), <name>.order (causal order, 0-based) and
<name>.adj (lingam's adjacency B, B[i, j] = effect of j on i, one row per line).
"""

import numpy as np
import lingam

OUT = "tests/fixtures/lingam"


def simulate(d, n, p_edge, noise, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(d)
    B = np.zeros((d, d))
    for a in range(d):
        for b in range(a + 1, d):
            if rng.random() < p_edge:
                w = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])
                B[order[b], order[a]] = w
    if noise == "uniform":
        E = rng.uniform(-1, 1, size=(n, d))
    elif noise == "laplace":
        E = rng.laplace(size=(n, d))
    else:
        E = rng.exponential(size=(n, d)) - 1
    X = np.zeros((n, d))
    for k in order:
        X[:, k] = X @ B[k] + E[:, k]
    return X


CASES = [
    ("uniform_6", 6, 1000, 0.5, "uniform", 1),
    ("laplace_10", 10, 2000, 0.3, "laplace", 2),
    ("exp_8", 8, 500, 0.4, "exp", 3),
]

for name, d, n, p, noise, seed in CASES:
    X = simulate(d, n, p, noise, seed)
    names = ",".join(f"x{i}" for i in range(d))
    np.savetxt(f"{OUT}/{name}.csv", X, delimiter=",", header=names, comments="", fmt="%.6f")
    X = np.loadtxt(f"{OUT}/{name}.csv", delimiter=",", skiprows=1)
    m = lingam.DirectLiNGAM()
    m.fit(X)
    with open(f"{OUT}/{name}.order", "w") as f:
        f.write(" ".join(str(int(k)) for k in m.causal_order_) + "\n")
    np.savetxt(f"{OUT}/{name}.adj", m.adjacency_matrix_, fmt="%.12e")
    print(name, m.causal_order_, int((m.adjacency_matrix_ != 0).sum()))
