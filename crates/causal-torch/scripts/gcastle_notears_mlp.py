"""gCastle's NotearsNonlinear (NOTEARS-MLP, defaults) on the data sets written by the ignored test
`notears_mlp_matches_gcastle_on_er_mlp_data` (target/notears-mlp-er/data{0..4}.csv); writes the
fixture tests/fixtures/gcastle_notears_mlp.json.

    python scripts/gcastle_notears_mlp.py ../../target/notears-mlp-er
    python scripts/gcastle_notears_mlp.py chain $TMP/nt_chain.csv   # the unit test's weights
"""
import json
import os
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
from castle.algorithms import NotearsNonlinear  # noqa: E402


def shd(truth, est):
    d = truth.shape[0]
    count = 0
    for i in range(d):
        for j in range(i + 1, d):
            if (truth[i, j], truth[j, i]) != (est[i, j], est[j, i]):
                count += 1
    return count


def main(folder):
    runs = []
    for seed in range(5):
        # The Rust test writes each data set just before fitting it; wait for it.
        while not os.path.exists(os.path.join(folder, f"truth{seed}.json")):
            time.sleep(5)
        x = np.loadtxt(os.path.join(folder, f"data{seed}.csv"), delimiter=",", skiprows=1)
        d = x.shape[1]
        truth = np.zeros((d, d), dtype=int)
        for a, b in json.load(open(os.path.join(folder, f"truth{seed}.json"))):
            truth[a, b] = 1
        torch.manual_seed(seed)
        np.random.seed(seed)
        t = time.perf_counter()
        model = NotearsNonlinear()
        model.learn(x)
        secs = time.perf_counter() - t
        est = np.asarray(model.causal_matrix)
        runs.append({"seed": seed, "shd": shd(truth, est), "seconds": secs})
        print(runs[-1], flush=True)
    out = {
        "peer": "gcastle==1.0.4 NotearsNonlinear() defaults, torch 2.13.0, 1 thread",
        "runs": runs,
        "mean_shd": float(np.mean([r["shd"] for r in runs])),
        "mean_seconds": float(np.mean([r["seconds"] for r in runs])),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "tests", "fixtures", "gcastle_notears_mlp.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(out)


def chain(path):
    x = np.loadtxt(path, delimiter=",", skiprows=1)
    model = NotearsNonlinear()
    model.learn(x)
    print(np.round(np.asarray(model.weight_causal_matrix), 3))


if __name__ == "__main__":
    if sys.argv[1] == "chain":
        chain(sys.argv[2])
    else:
        main(sys.argv[1])
