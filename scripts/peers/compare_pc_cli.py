"""pc-cli-end-to-end: the whole `causal discover pc` command (process start, CSV parsing, the
search, JSON out) against causal-learn 0.1.4.8's `pc()` call alone, on the d = 100, n = 10 000
linear-Gaussian data of compare_pc.py, checking that both find the same graph.

The `causal` binary comes from $CAUSAL_CLI (default: `causal` beside $CAUSAL_LAB). Ours is
timed as the child process's wall time, start-up included, and its CPU time (user + system of
the child); the peer's `pc()` as this process's wall and CPU time.
"""
import json
import os
import resource
import subprocess
import tempfile
import time

import numpy as np

from compare import LAB, comparison
from discovery_data import simulate, timed_cpu

SEED = 0


CLI = os.environ.get("CAUSAL_CLI", os.path.join(os.path.dirname(LAB), "causal"))


def cl_matrix(graph, names):
    """Our graph JSON as causal-learn's endpoint matrix: G[a,b] is the mark at a of the edge a-b
    (tail -1, arrow 1), so i -> j is G[i,j] = -1, G[j,i] = 1."""
    idx = {n: i for i, n in enumerate(names)}
    m = np.zeros((len(names), len(names)), dtype=int)
    mark = {"tail": -1, "arrow": 1}
    for e in graph["edges"]:
        a, b = idx[e["from"]], idx[e["to"]]
        m[a, b] = mark[e["from_mark"]]
        m[b, a] = mark[e["to_mark"]]
    return m


@comparison
def pc_cli_end_to_end():
    from causallearn.search.ConstraintBased.PC import pc

    d, n = 100, 10_000
    x = simulate(d, n, SEED)
    names = [f"X{i}" for i in range(d)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"pc_d{d}_n{n}.csv")
        np.savetxt(path, x, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
        x = np.loadtxt(path, delimiter=",", skiprows=1)
        peer, peer_cpu, cg = timed_cpu(lambda: pc(x, 0.05, "fisherz", True, 0, 2, show_progress=False))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([CLI, "discover", "pc", "--data", path, "--quiet"],
                             check=True, capture_output=True, text=True)
        ours = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    same = np.array_equal(cl_matrix(json.loads(out.stdout), names), cg.G.graph)
    note = (("identical graph" if same else "GRAPHS DIFFER")
            + f"; whole command incl. start-up; load {os.getloadavg()[0]:.2f}; CPU s peer "
            + f"{peer_cpu:.4g}, ours {ours_cpu:.4g} ({peer_cpu / max(ours_cpu, 1e-9):.1f}x)")
    return "pc-cli-end-to-end d=100 n=10000", peer, ours, note
