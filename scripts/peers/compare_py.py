"""From Python, a DataFrame in and a graph out: `causal_rs.discover.pc` (the wheel that
`cargo xtask bench-compare` builds and installs into the peers' venv) against causal-learn
0.1.4.8's `pc()` and antecedent's PC, on the same pandas DataFrame (d = 50, n = 5000,
compare_pc.py's linear-Gaussian SEM), in one run.

Each side's time includes taking the DataFrame (causal-learn gets `df.to_numpy()` inside the
timing, as a user would call it). causal-rs and causal-learn run the same PC (Fisher-z,
stable, alpha 0.05, uc_rule 0, uc_priority 2) and their graphs must be identical. antecedent's
PC is another variant (partial-correlation test, no FDR, conditioning sets up to d - 2 so as
not to stop early), so only its edge count is shown.

Calls that take milliseconds are timed as the median of several runs (ours 7, antecedent 5;
causal-learn's seconds-long call once), since one run of a 10 ms call on a loaded machine is
mostly noise.
"""
import numpy as np
import pandas as pd

from compare import comparison
from discovery_data import load, simulate, timed_cpu

D, N, SEED = 50, 5000, 0


def median_timed(fn, k):
    """(median wall s, median CPU s, last output) of `k` calls of `fn`."""
    runs = [timed_cpu(fn) for _ in range(k)]
    walls = sorted(r[0] for r in runs)
    cpus = sorted(r[1] for r in runs)
    return walls[k // 2], cpus[k // 2], runs[-1][2]


def frame():
    x = simulate(D, N, SEED)
    return pd.DataFrame(x, columns=[f"X{i}" for i in range(D)])


def _ours(df):
    import causal_rs

    return causal_rs.discover.pc(df, alpha=0.05, uc_rule=0, uc_priority=2).to_causallearn()


def _causal_learn(df):
    from causallearn.search.ConstraintBased.PC import pc

    return pc(df.to_numpy(), 0.05, "fisherz", True, 0, 2, show_progress=False).G.graph


def _antecedent(df):
    from antecedent.discovery import PC

    return PC(alpha=0.05, fdr=False, ci="parcorr", max_cond_size=D - 2).run(df)


@comparison
def py_pc_causal_learn():
    df = frame()
    _ours(df)  # import and first-call costs, outside the timing
    ours, ours_cpu, g_ours = median_timed(lambda: _ours(df), 7)
    peer, peer_cpu, g_cl = timed_cpu(lambda: _causal_learn(df))
    same = np.array_equal(g_ours, g_cl)
    edges = int((g_cl != 0).sum() // 2)
    note = (("identical graph" if same else "GRAPHS DIFFER") + f", {edges} edges; "
            + load(peer_cpu, {"seconds": ours, "cpu_seconds": ours_cpu}))
    return f"Python PC DataFrame->graph d={D} n={N}: causal-learn pc()", peer, ours, note


@comparison
def py_pc_antecedent():
    df = frame()
    _ours(df)
    ours, ours_cpu, g_ours = median_timed(lambda: _ours(df), 7)
    _antecedent(df.iloc[:200, :5])  # warm-up, outside the timing
    peer, peer_cpu, res = median_timed(lambda: _antecedent(df), 5)
    edges = len(res.graph_edges)
    note = (f"antecedent PC (parcorr, no FDR): {edges} edges, ours "
            f"{int((g_ours != 0).sum() // 2)}; "
            + load(peer_cpu, {"seconds": ours, "cpu_seconds": ours_cpu}))
    return f"Python PC DataFrame->graph d={D} n={N}: antecedent PC", peer, ours, note
