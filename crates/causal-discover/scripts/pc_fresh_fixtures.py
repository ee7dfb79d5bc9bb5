"""Fresh-data PC fixtures: causal-learn 0.1.4.8 PC on seeded random linear SEMs.

Data come from a splitmix64 generator with Irwin-Hall (sum of 12 uniforms - 6) noise, which
uses only integer operations, multiplications and additions in a fixed order, so the Rust test
(tests/pc_fresh_data.rs) regenerates bit-identical data. Writes tests/fixtures/pc_fresh.json.

Run: /work/venv-pc/bin/python crates/causal-discover/scripts/pc_fresh_fixtures.py
"""
import json
import os

import numpy as np
from causallearn.search.ConstraintBased.PC import pc

MASK = (1 << 64) - 1
SEEDS = range(20)
DIMS = (10, 30)
N = 1000
# (uc_rule, uc_priority) variants run on every data set.
VARIANTS = ((0, 2), (1, -1), (2, -1))


class SplitMix:
    def __init__(self, seed):
        self.s = seed & MASK

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / (1 << 53))

    def normal(self):
        acc = 0.0
        for _ in range(12):
            acc += self.uniform()
        return acc - 6.0


def simulate(seed, d, n):
    rng = SplitMix(seed * 1000 + d)
    p = 3.0 / (d - 1)
    parents = [[] for _ in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            if rng.uniform() < p:
                w = 0.5 + 1.5 * rng.uniform()
                if rng.uniform() < 0.5:
                    w = -w
                parents[j].append((i, w))
    noise = [[rng.normal() for _ in range(n)] for _ in range(d)]
    x = [[0.0] * n for _ in range(d)]
    for j in range(d):
        for r in range(n):
            acc = noise[j][r]
            for i, w in parents[j]:
                acc += w * x[i][r]
            x[j][r] = acc
    return np.array(x).T


def main():
    out = []
    for d in DIMS:
        for seed in SEEDS:
            data = simulate(seed, d, N)
            entry = {"seed": seed, "d": d, "n": N, "data_sum": float(data.sum()), "graphs": {}}
            for rule, prio in VARIANTS:
                cg = pc(data, 0.05, "fisherz", True, rule, prio, show_progress=False)
                entry["graphs"][f"{rule}_{prio}"] = cg.G.graph.astype(int).tolist()
            out.append(entry)
            print(d, seed, flush=True)
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "tests", "fixtures", "pc_fresh.json")
    with open(path, "w") as f:
        json.dump({"generator": "causal-learn 0.1.4.8 pc(alpha=0.05, fisherz, stable)",
                   "sets": out}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
