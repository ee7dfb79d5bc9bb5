"""Makes crates/causal-core/tests/fixtures/y0_identify.json: y0's identifiability verdicts on
random ADMGs, for the agreement test in crates/causal-core/tests/identify_y0_agreement.rs.

Run once, with y0 0.2.11 installed (`pip install y0==0.2.11`):
    python scripts/y0_identify_fixture.py

The test never runs Python; it reads the committed JSON.
"""
import json
import os
import random
import sys
import time

import y0
from y0.algorithm.identify import identify_outcomes
from y0.dsl import Variable
from y0.graph import NxMixedGraph

SEED = 20260
N_GRAPHS = 240
OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "crates", "causal-core", "tests", "fixtures", "y0_identify.json",
)


def random_case(rng):
    n = rng.randint(4, 9)
    names = [f"V{i}" for i in range(n)]
    p_dir = rng.uniform(0.2, 0.55)
    p_bi = rng.uniform(0.1, 0.4)
    directed, bidirected = [], []
    for j in range(n):
        for i in range(j):
            if rng.random() < p_dir:
                directed.append([names[i], names[j]])
            if rng.random() < p_bi:
                bidirected.append([names[i], names[j]])
    order = names[:]
    rng.shuffle(order)
    nx_, ny = rng.randint(1, 2), rng.randint(1, 2)
    nz = 1 if rng.random() < 0.25 else 0
    pick = names[:]
    rng.shuffle(pick)
    return {
        "nodes": order,
        "directed": directed,
        "bidirected": bidirected,
        "treatment": sorted(pick[:nx_]),
        "outcome": sorted(pick[nx_:nx_ + ny]),
        "given": sorted(pick[nx_ + ny:nx_ + ny + nz]),
    }


def main():
    rng = random.Random(SEED)
    cases = []
    total = 0.0
    for _ in range(N_GRAPHS):
        case = random_case(rng)
        v = {name: Variable(name) for name in case["nodes"]}
        graph = NxMixedGraph.from_edges(
            nodes=[v[n] for n in case["nodes"]],
            directed=[(v[a], v[b]) for a, b in case["directed"]],
            undirected=[(v[a], v[b]) for a, b in case["bidirected"]],
        )
        t0 = time.perf_counter()
        try:
            est = identify_outcomes(
                graph,
                {v[n] for n in case["treatment"]},
                {v[n] for n in case["outcome"]},
                {v[n] for n in case["given"]} if case["given"] else None,
            )
            case["identifiable"] = est is not None
            case["estimand"] = None if est is None else est.to_text()
        except Exception as e:  # y0 raising is recorded, not hidden
            case["identifiable"] = None
            case["error"] = f"{type(e).__name__}: {e}"
        total += time.perf_counter() - t0
        cases.append(case)
    out = {
        "generator": "scripts/y0_identify_fixture.py",
        "peer": "y0==0.2.11",
        "seed": SEED,
        "y0_total_seconds": total,
        "cases": cases,
    }
    # One case per line keeps the fixture small and its diffs readable.
    cases_text = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    head = json.dumps({k: v for k, v in out.items() if k != "cases"})[:-1]
    with open(OUT, "w") as f:
        f.write(f'{head}, "cases": [\n{cases_text}\n]}}\n')
    ok = sum(1 for c in cases if c.get("identifiable"))
    err = sum(1 for c in cases if c.get("identifiable") is None)
    print(f"{len(cases)} cases, {ok} identifiable, {err} y0 errors, y0 took {total:.2f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
