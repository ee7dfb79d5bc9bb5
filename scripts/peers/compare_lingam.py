"""DirectLiNGAM: the `lingam` package (1.13) against causal-lab's `bench lingam`, on the same
linear data with uniform noise, checking the same causal order and adjacency (to 1e-8)."""
import tempfile

import numpy as np

from compare import comparison, run_ours
from discovery_data import load, random_dag, sample, timed_cpu, write_csv

SEED = 0


def run(d, n):
    import lingam

    w, rng = random_dag(d, 2.0 / (d - 1), SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path, x = write_csv(sample(w, n, rng, "uniform"), tmp, f"lingam_d{d}_n{n}.csv")
        model = lingam.DirectLiNGAM()
        peer, peer_cpu, _ = timed_cpu(lambda: model.fit(x))
        ours = run_ours("lingam", path)
    b_peer = model.adjacency_matrix_
    b_ours = np.array(ours["adjacency"])
    same_order = list(model.causal_order_) == ours["order"]
    same_b = np.array_equal(b_peer != 0, b_ours != 0) and np.allclose(b_peer, b_ours, rtol=0, atol=1e-8)
    note = ("same order" if same_order else "ORDERS DIFFER") + ", " + \
        ("same adjacency (1e-8)" if same_b else f"ADJACENCY DIFFERS (max {np.abs(b_peer - b_ours).max():.2e})") + \
        f", {int((b_peer != 0).sum())} edges; {load(peer_cpu, ours)}"
    return f"DirectLiNGAM d={d} n={n}", peer, ours["seconds"], note


@comparison
def lingam_d10():
    return run(10, 2000)


@comparison
def lingam_d20():
    return run(20, 5000)
