"""gCastle's NotearsNonlinear (NOTEARS-MLP, defaults) on the data sets written by
`cargo xtask experiment notears-mlp-gcastle` (target/experiments/notears-mlp-gcastle/data{0..4}.csv,
truth{0..4}.json; the same as causal_core::sim::simulate_mlp_sem(10, 10, 1000, seed)).

gCastle takes many minutes per seed, so each seed runs in its own process and writes
FOLDER/gcastle{seed}.json; `collect` gathers them into tests/fixtures/gcastle_notears_mlp.json.
Both wall and process-CPU seconds are recorded: on a shared machine the CPU time (1 torch
thread) is the fair figure.

    cargo xtask experiment notears-mlp-gcastle     # writes the data sets (fails: no fixture yet)
    D=target/experiments/notears-mlp-gcastle
    for s in 0 1 2 3 4; do nice nohup python crates/causal-torch/scripts/gcastle_notears_mlp.py run $D $s & done
    python crates/causal-torch/scripts/gcastle_notears_mlp.py collect $D
    python crates/causal-torch/scripts/gcastle_notears_mlp.py chain $TMP/nt_chain.csv   # the unit test's weights
"""
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
import castle  # noqa: E402
from castle.algorithms import NotearsNonlinear  # noqa: E402


def shd(truth, est):
    """gCastle MetricsDAG's count: per unordered pair, 1 if missing, extra or reversed."""
    d = truth.shape[0]
    count = 0
    for i in range(d):
        for j in range(i + 1, d):
            if (truth[i, j], truth[j, i]) != (est[i, j], est[j, i]):
                count += 1
    return count


def run(folder, seed):
    path = os.path.join(folder, f"data{seed}.csv")
    x = np.loadtxt(path, delimiter=",", skiprows=1)
    d = x.shape[1]
    truth = np.zeros((d, d), dtype=int)
    for a, b in json.load(open(os.path.join(folder, f"truth{seed}.json"))):
        truth[a, b] = 1
    torch.manual_seed(seed)
    np.random.seed(seed)
    t, c = time.perf_counter(), time.process_time()
    model = NotearsNonlinear()
    model.learn(x)
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    est = np.asarray(model.causal_matrix)
    edges = [[int(i), int(j)] for i, j in zip(*np.nonzero(est))]
    out = {
        "seed": seed,
        "shd": shd(truth, est),
        "edges": edges,
        "seconds": secs,
        "cpu_seconds": cpu,
        "data_sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
        "load_after": os.getloadavg(),
    }
    with open(os.path.join(folder, f"gcastle{seed}.json"), "w") as f:
        json.dump(out, f, indent=2)
    print(out, flush=True)


def collect(folder):
    runs = []
    for s in range(5):
        run = json.load(open(os.path.join(folder, f"gcastle{s}.json")))
        path = os.path.join(folder, f"data{s}.csv")
        if hashlib.sha256(open(path, "rb").read()).hexdigest() != run["data_sha256"]:
            sys.exit(f"{path} changed since gCastle ran on it")
        # A checksum the Rust side recomputes from the simulator (the test and the experiment).
        run["data_sum"] = float(np.loadtxt(path, delimiter=",", skiprows=1).sum())
        runs.append(run)
    out = {
        "peer": f"gcastle=={castle.__version__} NotearsNonlinear() defaults, "
        f"torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}, "
        "1 torch thread, one seed per process under nice",
        "runs": runs,
        "mean_shd": float(np.mean([r["shd"] for r in runs])),
        "mean_seconds": float(np.mean([r["seconds"] for r in runs])),
        "mean_cpu_seconds": float(np.mean([r["cpu_seconds"] for r in runs])),
    }
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
    os.makedirs(fixtures, exist_ok=True)
    with open(os.path.join(fixtures, "gcastle_notears_mlp.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out, indent=2))


def chain(path):
    x = np.loadtxt(path, delimiter=",", skiprows=1)
    model = NotearsNonlinear()
    model.learn(x)
    print(np.round(np.asarray(model.weight_causal_matrix), 3))


if __name__ == "__main__":
    if sys.argv[1] == "chain":
        chain(sys.argv[2])
    elif sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "collect":
        collect(sys.argv[2])
    else:
        sys.exit(__doc__)
