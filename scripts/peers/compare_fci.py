"""FCI (Fisher-z, alpha 0.05, causal-learn defaults): causal-learn 0.1.4.8 against causal-lab's
`bench fci`, on linear-Gaussian data with hidden variables, checking identical PAGs.

causal-learn iterates Python sets of nodes in two places (the start of Possible-D-Sep and the
pairs of R10), so on rare data its own PAG changes with PYTHONHASHSEED; a row marked
"PAGS DIFFER" names such a case or a bug, and its timing should not be quoted."""
import contextlib
import io
import tempfile

import numpy as np

from compare import comparison, run_ours, timed
from discovery_data import load, random_dag, sample, write_csv

SEED = 0
HIDDEN = 5


def run(d, n):
    from causallearn.search.ConstraintBased.FCI import fci

    # The first HIDDEN variables of the causal order are latent: they confound what follows.
    total = d + HIDDEN
    w, rng = random_dag(total, 2.0 / (total - 1), SEED)
    x = sample(w, n, rng)[:, HIDDEN:]
    names = [f"X{i}" for i in range(d)]
    with tempfile.TemporaryDirectory() as tmp:
        # causal-learn reads the same text back, so both sides see identical numbers.
        path, x = write_csv(x, tmp, f"fci_d{d}_n{n}.csv")
        with contextlib.redirect_stdout(io.StringIO()):
            peer, (g, _) = timed(lambda: fci(x, "fisherz", 0.05, show_progress=False,
                                             node_names=names))
        ours = run_ours("fci", path)
    same = np.array_equal(np.array(ours["graph"]), g.graph)
    edges = int((g.graph != 0).sum() // 2)
    note = ("identical PAG" if same else "PAGS DIFFER") + f", {edges} edges; {load()}"
    return f"FCI fisherz d={d} (+{HIDDEN} hidden) n={n}", peer, ours["seconds"], note


@comparison
def fci_d20():
    return run(20, 5000)


@comparison
def fci_d50():
    return run(50, 5000)
