"""OLS with an adjustment set: numpy's lstsq against causal-lab's normal equations."""
import numpy as np

from compare import comparison, run_ours, timed

N, SEED = 1_000_000, 0


def simulate(n, rng):
    z = rng.standard_normal(n)
    x = 0.8 * z + rng.standard_normal(n)
    y = 2.0 * x + 1.5 * z + rng.standard_normal(n)
    return z, x, y


@comparison
def ols_backdoor():
    z, x, y = simulate(N, np.random.default_rng(SEED))
    design = np.column_stack([np.ones(N), x, z])
    peer, _ = timed(np.linalg.lstsq, design, y, None)
    ours = run_ours("ols-backdoor", str(N), str(SEED))["seconds"]
    return f"OLS Y~X+Z, n={N} (numpy lstsq)", peer, ours
