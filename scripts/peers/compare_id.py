"""Causal-effect identification (ID): y0 0.2.11 against causal-lab's `id-suite`.

Both sides get the same queries: the textbook suite below, and random 100-node ADMGs (average
directed degree 3, bidirected 1). The suite is written to a JSON file (the format of
crates/causal-core/tests/fixtures/y0_identify.json) that `causal-lab bench id-suite` reads.
"""
import json
import os
import random
import tempfile

from compare import comparison, run_ours, timed

REPS = 20

# (spec, treatments, outcomes): the same queries as crates/causal-core/benches/identify.rs.
TEXTBOOK = [
    ("Z -> X; X -> Y; Z -> Y", ["X"], ["Y"]),
    ("X -> Z; Z -> Y; X <-> Y", ["X"], ["Y"]),
    ("W -> X; W -> Y; X -> Z; Z -> Y; X <-> Y", ["X"], ["Y"]),
    ("Z -> X; X -> Y; X <-> Y", ["X"], ["Y"]),
    ("W1 -> W2; W2 -> X; X -> Y; W1 <-> X; W1 <-> Y", ["X"], ["Y"]),
    ("X -> Y; X <-> Y", ["X"], ["Y"]),
    ("X -> Y; X -> Z; Z -> Y; Y <-> Z", ["X"], ["Y"]),
    ("X -> Y; Z -> X; Z -> Y; X <-> Z", ["X"], ["Y"]),
    ("X -> Y1; W1 -> X; W2 -> Y2; W1 <-> W2; W1 <-> Y1; W1 <-> Y2; X <-> W2", ["X"], ["Y1", "Y2"]),
    ("X -> Y1; W1 -> X; W1 <-> Y1", ["X", "W1"], ["Y1"]),
]


def parse(spec, treatment, outcome):
    nodes, directed, bidirected = [], [], []
    for part in [p.strip() for p in spec.split(";") if p.strip()]:
        bi = "<->" in part
        a, b = [s.strip() for s in part.split("<->" if bi else "->")]
        for n in (a, b):
            if n not in nodes:
                nodes.append(n)
        (bidirected if bi else directed).append([a, b])
    return {"nodes": nodes, "directed": directed, "bidirected": bidirected,
            "treatment": treatment, "outcome": outcome, "given": []}


def random_cases(n, count, seed):
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        names = [f"V{i}" for i in range(n)]
        directed, bidirected = [], []
        for j in range(n):
            for i in range(j):
                if rng.random() < 3.0 / n:
                    directed.append([names[i], names[j]])
                if rng.random() < 1.0 / n:
                    bidirected.append([names[i], names[j]])
        pick = names[:]
        rng.shuffle(pick)
        cases.append({"nodes": names, "directed": directed, "bidirected": bidirected,
                      "treatment": [pick[0]], "outcome": [pick[1]], "given": []})
    return cases


def y0_graphs(cases):
    from y0.dsl import Variable
    from y0.graph import NxMixedGraph

    out = []
    for c in cases:
        v = {n: Variable(n) for n in c["nodes"]}
        g = NxMixedGraph.from_edges(
            nodes=[v[n] for n in c["nodes"]],
            directed=[(v[a], v[b]) for a, b in c["directed"]],
            undirected=[(v[a], v[b]) for a, b in c["bidirected"]],
        )
        out.append((g, {v[n] for n in c["treatment"]}, {v[n] for n in c["outcome"]}))
    return out


def y0_pass(graphs):
    from y0.algorithm.identify import identify_outcomes

    verdicts = []
    for g, x, y in graphs:
        try:
            verdicts.append(identify_outcomes(g, x, y) is not None)
        except Exception:  # y0 raises on some graphs; the time still counts
            verdicts.append(None)
    return verdicts


def suite_file(cases):
    fd, path = tempfile.mkstemp(suffix=".json", prefix="id-suite-")
    with os.fdopen(fd, "w") as f:
        json.dump({"cases": cases}, f)
    return path


def compare(cases, reps, label):
    graphs = y0_graphs(cases)
    peer_total, _ = timed(lambda: [y0_pass(graphs) for _ in range(reps)])
    path = suite_file(cases)
    try:
        ours = run_ours("id-suite", path, str(reps))
    finally:
        os.remove(path)
    return label, peer_total / reps, ours["seconds"]


@comparison
def id_textbook():
    cases = [parse(*c) for c in TEXTBOOK]
    return compare(cases, REPS, f"ID textbook suite, {len(cases)} queries (y0)")


@comparison
def id_random_100():
    cases = random_cases(100, 10, 7)
    return compare(cases, 1, "ID random 100-node ADMGs x10 (y0)")
