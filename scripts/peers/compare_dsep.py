"""d-separation on a 10 000-node random DAG (average degree 4): networkx against causal-lab.

Both answer the same queries on the same graph (written to a temporary JSON file that
`causal-lab bench dsep` reads); the answers must agree, and only the queries are timed.
"""
import json
import os
import tempfile

import networkx as nx
import numpy as np

from compare import comparison, run_ours

N, DEGREE, QUERIES, Z_SIZE, SEED = 10_000, 4, 200, 10, 0


def random_dag(n, degree, rng):
    edges = set()
    while len(edges) < n * degree // 2:
        a, b = rng.integers(0, n, size=2)
        if a != b:
            edges.add((int(min(a, b)), int(max(a, b))))
    return sorted(edges)


def random_queries(n, count, z_size, rng):
    out = []
    for _ in range(count):
        x, y = rng.choice(n, size=2, replace=False)
        z = set()
        while len(z) < z_size:
            v = int(rng.integers(0, n))
            if v not in (x, y):
                z.add(v)
        out.append({"x": [int(x)], "y": [int(y)], "z": sorted(z)})
    return out


def separator_fn():
    # networkx >= 3.3 names it is_d_separator; older releases d_separated.
    return getattr(nx, "is_d_separator", None) or nx.d_separated


@comparison
def dsep():
    rng = np.random.default_rng(SEED)
    edges = random_dag(N, DEGREE, rng)
    queries = random_queries(N, QUERIES, Z_SIZE, rng)
    g = nx.DiGraph()
    g.add_nodes_from(range(N))
    g.add_edges_from(edges)
    sep = separator_fn()
    import time

    t0 = time.perf_counter()
    theirs = [sep(g, set(q["x"]), set(q["y"]), set(q["z"])) for q in queries]
    peer = time.perf_counter() - t0
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"n": N, "edges": edges, "queries": queries}, f)
        path = f.name
    try:
        out = run_ours("dsep", path)
    finally:
        os.unlink(path)
    if out["separated"] != theirs:
        bad = sum(a != b for a, b in zip(out["separated"], theirs))
        raise SystemExit(f"dsep: {bad} of {len(theirs)} answers differ from networkx")
    return f"d-sep 10k DAG deg 4, {QUERIES} queries (networkx)", peer, out["seconds"]
