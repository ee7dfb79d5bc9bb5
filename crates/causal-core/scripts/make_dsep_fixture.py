"""Writes tests/fixtures/dsep_networkx.json: d-separation answers from networkx on random DAGs.

Run from crates/causal-core with networkx==3.6.1 installed:
    python scripts/make_dsep_fixture.py
"""
import json
import random

import networkx as nx

random.seed(20261129)
cases = []
for g_id in range(40):
    n = random.randint(6, 14)
    p = random.choice([0.15, 0.25, 0.4])
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if random.random() < p]
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    queries = []
    for _ in range(25):
        nodes = list(range(n))
        random.shuffle(nodes)
        kx, ky = random.randint(1, 2), random.randint(1, 2)
        x, y = nodes[:kx], nodes[kx:kx + ky]
        rest = nodes[kx + ky:]
        z = [v for v in rest if random.random() < 0.3]
        sep = nx.is_d_separator(g, set(x), set(y), set(z))
        minimal = None
        if len(x) == 1 and len(y) == 1:
            m = nx.find_minimal_d_separator(g, set(x), set(y))
            minimal = None if m is None else sorted(m)
        queries.append({"x": x, "y": y, "z": sorted(z), "separated": sep, "minimal": minimal})
    cases.append({"n": n, "edges": edges, "queries": queries})

with open("tests/fixtures/dsep_networkx.json", "w") as f:
    json.dump({"networkx": nx.__version__, "cases": cases}, f)
print("wrote", sum(len(c["queries"]) for c in cases), "queries")
