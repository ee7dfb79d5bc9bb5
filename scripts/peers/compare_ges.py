"""GES with the BIC score: causal-learn 0.1.4.8 (`ges`, local_score_BIC) against causal-lab's
`bench ges`, on the same linear-Gaussian data, checking identical CPDAGs."""
import tempfile

import numpy as np

from compare import comparison, run_ours
from discovery_data import load, random_dag, sample, timed_cpu, write_csv

SEED = 0


def run(d, n):
    from causallearn.search.ScoreBased.GES import ges

    w, rng = random_dag(d, 2.0 / (d - 1), SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path, x = write_csv(sample(w, n, rng), tmp, f"ges_d{d}_n{n}.csv")
        peer, peer_cpu, rec = timed_cpu(lambda: ges(x, score_func="local_score_BIC"))
        ours = run_ours("ges", path, "bic")
    same = np.array_equal(np.array(ours["graph"]), rec["G"].graph)
    note = ("identical CPDAG" if same else "CPDAGS DIFFER") + f", {int((rec['G'].graph != 0).sum() // 2)} edges; {load(peer_cpu, ours)}"
    return f"GES BIC d={d} n={n}", peer, ours["seconds"], note


@comparison
def ges_d10():
    return run(10, 2000)


@comparison
def ges_d20():
    return run(20, 2000)


@comparison
def ges_d40():
    return run(40, 2000)
