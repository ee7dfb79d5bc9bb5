"""Writes causal-learn 0.1.4.8's FCI PAGs as fixtures for tests/fci_causal_learn_shared_data.rs.

Run from the repository root with causal-learn 0.1.4.8 installed and ../shared/data present:
    python crates/causal-discover/scripts/fci_fixtures.py
Outputs tests/fixtures/fci/*.txt: causal-learn's endpoint matrices (G[i,j] = mark at i).

causal-learn iterates Python sets of nodes in a few places (the start of Possible-D-Sep, the
children in R10), whose order follows string hashing, so its PAG can change with
PYTHONHASHSEED. Each case therefore runs under several seeds; when they disagree, every
distinct PAG is written as NAME.vK.txt and the tests accept any of them.
"""
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
from causallearn.graph.GraphNode import GraphNode
from causallearn.search.ConstraintBased.FCI import fci
from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "..", "..", "shared", "data")
OUT = os.path.join(ROOT, "tests", "fixtures", "fci")


def run(data, test, alpha, names, bk=None):
    with contextlib.redirect_stdout(io.StringIO()):
        g, _ = fci(data, test, alpha, show_progress=False, node_names=names,
                   background_knowledge=bk)
    return g


RESULTS = {}
SEEDS = range(6)


def save(name, g):
    RESULTS[name] = g.graph.astype(int).tolist()


def read(path):
    with open(path) as f:
        names = f.readline().split()
    return np.loadtxt(path, skiprows=1), names


def compute():
    cl = os.path.join(SHARED, "causal-learn")
    # The ten fci/ sets at causal-learn's default alpha and at the 0.01 their
    # result-py-FCI-*.txt files were made with (by pytrad, causal-learn's predecessor).
    for i in range(1, 11):
        data, names = read(os.path.join(cl, "fci", f"data-{i}.txt"))
        for alpha, tag in [(0.05, "005"), (0.01, "001")]:
            save(f"data-{i}_fisherz_{tag}.txt", run(data, "fisherz", alpha, names))
    # A d-separation oracle on each fci/ set's true DAG, latent nodes hidden.
    from networkx import DiGraph
    for i in range(1, 11):
        with open(os.path.join(cl, "fci", f"data-{i}.txt")) as f:
            names = f.readline().split()
        with open(os.path.join(cl, "fci", f"True-Graph{i}.txt")) as f:
            lines = f.read().splitlines()
        every = [s.strip() for s in lines[1].split(";")]
        order = names + [v for v in every if v not in names]
        dag = DiGraph()
        dag.add_nodes_from(range(len(order)))
        for line in lines:
            p = line.split()
            if len(p) == 4 and p[2] == "-->":
                dag.add_edge(order.index(p[1]), order.index(p[3]))
        with contextlib.redirect_stdout(io.StringIO()):
            g, _ = fci(np.empty((0, len(names))), "d_separation", 0.05, show_progress=False,
                       node_names=names, true_dag=dag)
        save(f"oracle-{i}.txt", g)
    # Knowledge of all three kinds on linear_10 (this also triggers causal-learn's
    # first-pass R4 that needs forbidden edges, required edges and tiers together).
    data, names = read(os.path.join(cl, "linear", "data_linear_10.txt"))
    g0 = run(data, "fisherz", 0.05, names)
    nodes = g0.get_nodes()
    by = {n.get_name(): n for n in nodes}
    bk = BackgroundKnowledge()
    for i, n in enumerate(names):
        bk.add_node_to_tier(by[n], i // 5)
    bk.add_forbidden_by_node(by["X2"], by["X3"])
    bk.add_forbidden_by_node(by["X9"], by["X8"])
    bk.add_required_by_node(by["X3"], by["X6"])
    bk.add_required_by_node(by["X8"], by["X14"])
    save("linear_10_knowledge.txt", run(data, "fisherz", 0.05, names, bk))
    # Sachs with the intervention indicators in tier 1 and the proteins in tier 2.
    data, names = read(os.path.join(SHARED, "sachs",
                                    "sachs.2005.with.jittered.experimental.continuous.txt"))
    g0 = run(data[:50], "fisherz", 0.05, names)
    by = {n.get_name(): n for n in g0.get_nodes()}
    bk = BackgroundKnowledge()
    proteins = "raf mek plc pip2 pip3 erk akt pka pkc p38 jnk".split()
    for n in names:
        bk.add_node_to_tier(by[n], 2 if n in proteins else 1)
    save("sachs_jittered_tiers.txt", run(data, "fisherz", 0.05, names, bk))
    save("sachs_jittered.txt", run(data, "fisherz", 0.05, names))


def main():
    os.makedirs(OUT, exist_ok=True)
    variants = {}
    for seed in SEEDS:
        env = dict(os.environ, PYTHONHASHSEED=str(seed))
        out = subprocess.run([sys.executable, __file__, "--compute"], env=env,
                             check=True, capture_output=True, text=True).stdout
        for name, m in json.loads(out.strip().splitlines()[-1]).items():
            vs = variants.setdefault(name, [])
            if m not in vs:
                vs.append(m)
    for name, vs in variants.items():
        stem = name[:-len(".txt")]
        for k, m in enumerate(vs):
            path = name if len(vs) == 1 else f"{stem}.v{k + 1}.txt"
            np.savetxt(os.path.join(OUT, path), np.array(m), fmt="%d")
        print(name, len(vs), "variant(s)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--compute"]:
        compute()
        print(json.dumps(RESULTS))
    else:
        main()
