"""Writes tests/fixtures/icp_causalicp.json: seeded synthetic multi-environment data sets and
the output of the `causalicp` package (pinned below) on each.

    python3 -m venv /work/venv-irm && /work/venv-irm/bin/pip install causalicp==0.1.1
    /work/venv-irm/bin/python crates/causal-irm/scripts/make_icp_fixture.py

Each data set comes from a random linear SEM over p+1 variables (random DAG, weights in
±[0.5, 2]); each environment shifts and rescales the noise of a random subset of non-target
variables. Some sets also intervene on the target (a model violation: ICP should reject
everything or nearly everything). The data are stored in the fixture, so the Rust test does not
depend on numpy's random generator.
"""
import json
import pathlib

import causalicp
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "icp_causalicp.json"


def simulate(rng, p, n_env, violate):
    d = p + 1
    order = rng.permutation(d)
    w = np.zeros((d, d))
    for a in range(d):
        for b in range(a + 1, d):
            if rng.random() < 0.5:
                w[order[a], order[b]] = rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)
    target = int(rng.integers(d))
    envs = []
    for e in range(n_env):
        n = int(rng.integers(30, 90))
        shift = np.zeros(d)
        scale = np.ones(d)
        if e > 0:
            hit = [j for j in range(d) if j != target and rng.random() < 0.5]
            shift[hit] = rng.normal(0, 2, len(hit))
            scale[hit] = rng.uniform(0.5, 2.0, len(hit))
            if violate:
                shift[target] = rng.normal(0, 3)
        x = np.zeros((n, d))
        for j in order:
            x[:, j] = x @ w[:, j] + shift[j] + scale[j] * rng.standard_normal(n)
        envs.append(x)
    return envs, target, w


def main():
    cases = []
    for seed in range(12):
        rng = np.random.default_rng(1000 + seed)
        p = int(rng.integers(2, 6))
        n_env = int(rng.integers(2, 5))
        violate = seed % 4 == 3
        alpha = [0.05, 0.01, 0.1][seed % 3]
        envs, target, w = simulate(rng, p, n_env, violate)
        res = causalicp.fit(envs, target, alpha=alpha)
        others = [j for j in range(p + 1) if j != target]
        # causalicp indexes predictors by column; re-index them 0..p-1 in column order.
        local = {j: i for i, j in enumerate(others)}
        sets = []
        for size in range(p + 1):
            import itertools
            for s in itertools.combinations(others, size):
                sets.append({"set": [local[j] for j in s], "p_value": float(res_pvalue(res, s))})
        cases.append({
            "seed": seed,
            "alpha": alpha,
            "target": target,
            "columns": [[row.tolist() for row in x] for x in envs],
            "accepted": sorted([sorted(local[j] for j in s) for s in res.accepted_sets]),
            "estimate": None if res.estimate is None else sorted(local[j] for j in res.estimate),
            "p_values": [float(res.pvalues[j]) for j in others],
            "intervals": None if res.conf_intervals is None
            else [[float(res.conf_intervals[0, j]), float(res.conf_intervals[1, j])] for j in others],
            "sets": sets,
            "parents": [local[j] for j in range(p + 1) if w[j, target] != 0],
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"peer": "causalicp==0.1.1", "cases": cases}))
    print(f"wrote {OUT} ({len(cases)} cases)")


_SET_PVALUES = {}


def res_pvalue(res, s):
    return _SET_PVALUES[id(res)][tuple(s)]


_fit = causalicp.fit


def _fit_keep(data, target, **kw):
    # causalicp keeps per-set p-values internally only; rerun the set tests to record them.
    res = _fit(data, target, **kw)
    from causalicp import icp as m
    from causalicp.data import _Data
    d = _Data(data)
    base = [j for j in range(d.p) if j != target]
    import itertools
    table = {}
    for size in range(len(base) + 1):
        for s in itertools.combinations(base, size):
            _, _, pv, _ = m._test_hypothesis(target, set(s), d, kw["alpha"])
            table[tuple(s)] = pv
    _SET_PVALUES[id(res)] = table
    return res


causalicp.fit = _fit_keep

if __name__ == "__main__":
    main()
