"""PC (Fisher-z, stable, alpha 0.05, uc_rule 0, uc_priority 2): causal-learn 0.1.4.8 against
causal-lab's `bench pc`, on the same linear-Gaussian data, checking identical graphs.

With `--pc-scaling D[,D..]` (and optionally `--pc-scaling-n N`, default 10 000) it times both at
each number of variables instead, writes `pc_scaling.json` and the plot `pc_scaling.svg` (drawn
by `causal-lab bench plot-pc-scaling`) into $CAUSAL_BENCH_OUT."""
import json
import os
import sys
import tempfile

import numpy as np

from compare import comparison, run_ours
from discovery_data import load, simulate, timed_cpu

SEED = 0


def run(d, n):
    from causallearn.search.ConstraintBased.PC import pc

    x = simulate(d, n, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"pc_d{d}_n{n}.csv")
        np.savetxt(path, x, delimiter=",", header=",".join(f"X{i}" for i in range(d)),
                   comments="", fmt="%.17g")
        # causal-learn reads the same text back, so both sides see identical numbers.
        x = np.loadtxt(path, delimiter=",", skiprows=1)
        peer, peer_cpu, cg = timed_cpu(lambda: pc(x, 0.05, "fisherz", True, 0, 2, show_progress=False))
        ours = run_ours("pc", path)
    same = np.array_equal(np.array(ours["graph"]), cg.G.graph)
    edges = int((cg.G.graph != 0).sum() // 2)
    note = ("identical graph" if same else "GRAPHS DIFFER") + f", {edges} edges; {load(peer_cpu, ours)}"
    return f"PC fisherz stable d={d} n={n}", peer, ours["seconds"], note


def option(name):
    argv = sys.argv[1:]
    if name not in argv:
        return None
    i = argv.index(name)
    if i + 1 >= len(argv):
        raise SystemExit(f"{name} needs a value")
    return argv[i + 1]


SCALING = option("--pc-scaling")

if SCALING is None:
    @comparison
    def pc_d50():
        return run(50, 5000)

    @comparison
    def pc_d100():
        return run(100, 10_000)

    @comparison
    def pc_d200():
        return run(200, 10_000)
else:
    @comparison
    def pc_scaling():
        ds = [int(v) for v in SCALING.split(",")]
        n = int(option("--pc-scaling-n") or 10_000)
        rows = []
        for d in ds:
            rows.append(run(d, n))
            print(f"PC scaling d={d}: peer {rows[-1][1]:.3f} s, ours {rows[-1][2]:.4f} s", file=sys.stderr, flush=True)
        out = os.environ.get("CAUSAL_BENCH_OUT", ".")
        os.makedirs(out, exist_ok=True)
        data = os.path.join(out, "pc_scaling.json")
        with open(data, "w") as f:
            json.dump({"n": n, "load_avg_1min": os.getloadavg()[0],
                       "points": [{"d": d, "peer_s": r[1], "ours_s": r[2], "note": r[3]}
                                  for d, r in zip(ds, rows)]}, f, indent=2)
        svg = os.path.join(out, "pc_scaling.svg")
        run_ours("plot-pc-scaling", data, svg)
        print(f"scaling plot written to {svg}", file=sys.stderr)
        return rows
