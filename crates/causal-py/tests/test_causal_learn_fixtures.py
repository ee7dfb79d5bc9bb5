"""PC, FCI and GES from Python give graphs identical to causal-learn's on every fixture the
Rust suite checks (crates/causal-discover/tests), through pandas, polars and pyarrow inputs."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from causal_rs import discover

from conftest import DISCOVER_FIXTURES

INPUTS = {
    "pandas": lambda df: df,
    "polars": lambda df: pl.from_pandas(df),
    "pyarrow": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    "recordbatch": lambda df: pa.RecordBatch.from_pandas(df, preserve_index=False),
}


def read_data(path):
    return pd.read_csv(path, sep=r"\s+")


def read_matrix(path):
    return np.loadtxt(path, dtype=np.float64, ndmin=2).astype(np.int64)


def assert_same(got, want, names):
    got = got.to_causallearn()
    diffs = [f"{names[i]}-{names[j]}: ours ({got[i, j]}, {got[j, i]}) causal-learn "
             f"({want[i, j]}, {want[j, i]})"
             for i in range(len(names)) for j in range(i + 1, len(names))
             if got[i, j] != want[i, j] or got[j, i] != want[j, i]]
    assert not diffs, "\n".join(diffs)


# --- PC on fresh random SEMs: data regenerated bit-identically from the fixture's generator ---

STEP = np.uint64(0x9E3779B97F4A7C15)


def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class SplitMix:
    """The SplitMix64 of crates/causal-discover/tests/pc_fresh_data.rs, vectorised."""

    def __init__(self, seed):
        self.state = np.uint64(seed)

    def uniforms(self, k):
        with np.errstate(over="ignore"):
            states = self.state + STEP * np.arange(1, k + 1, dtype=np.uint64)
            self.state = states[-1]
            return (_mix(states) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def simulate(seed, d, n):
    rng = SplitMix(seed * 1000 + d)
    p = 3.0 / (d - 1)
    parents = [[] for _ in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            if rng.uniforms(1)[0] < p:
                w = 0.5 + 1.5 * rng.uniforms(1)[0]
                if rng.uniforms(1)[0] < 0.5:
                    w = -w
                parents[j].append((i, w))
    u = rng.uniforms(d * n * 12).reshape(d, n, 12)
    noise = np.zeros((d, n))
    for k in range(12):  # the Rust loop's order of additions, so the sums are bit-identical
        noise += u[:, :, k]
    noise -= 6.0
    x = np.zeros((d, n))
    for j in range(d):
        acc = noise[j].copy()
        for i, w in parents[j]:
            acc += w * x[i]
        x[j] = acc
    return pd.DataFrame({f"X{j + 1}": x[j] for j in range(d)})


def test_pc_matches_causal_learn_on_fresh_random_sems():
    fixture = json.loads((DISCOVER_FIXTURES / "pc_fresh.json").read_text())
    compared = 0
    kinds = list(INPUTS)
    for k, s in enumerate(fixture["sets"]):
        df = simulate(s["seed"], s["d"], s["n"])
        assert abs(df.to_numpy().sum() - s["data_sum"]) <= 1e-9 * max(abs(s["data_sum"]), 1.0)
        table = INPUTS[kinds[k % len(kinds)]](df)
        for key, want in s["graphs"].items():
            rule, prio = (int(v) for v in key.split("_"))
            g = discover.pc(table, alpha=0.05, uc_rule=rule, uc_priority=prio)
            assert_same(g, np.array(want), list(df.columns))
            compared += 1
    assert compared >= 40


# --- FCI against the committed causal-learn 0.1.4.8 PAGs ---


@pytest.mark.parametrize("i", range(1, 11))
def test_fci_matches_causal_learn_on_the_ten_fci_sets(shared_causal_learn, i):
    df = read_data(shared_causal_learn / "fci" / f"data-{i}.txt")
    table = INPUTS[list(INPUTS)[i % 4]](df)
    for alpha, tag in [(0.05, "005"), (0.01, "001")]:
        want = read_matrix(DISCOVER_FIXTURES / "fci" / f"data-{i}_fisherz_{tag}.txt")
        assert_same(discover.fci(table, alpha=alpha), want, list(df.columns))


def test_fci_with_knowledge_matches_causal_learn(shared_causal_learn):
    df = read_data(shared_causal_learn / "linear" / "data_linear_10.txt")
    k = discover.Knowledge(
        tiers=[[f"X{i + 1}" for i in range(t * 5, t * 5 + 5)] for t in range(4)],
        required=[("X3", "X6"), ("X8", "X14")],
        forbidden=[("X2", "X3"), ("X9", "X8")],
    )
    want = read_matrix(DISCOVER_FIXTURES / "fci" / "linear_10_knowledge.txt")
    assert_same(discover.fci(pl.from_pandas(df), knowledge=k), want, list(df.columns))


# --- PC and GES against causal-learn's own regression fixtures (../shared/data) ---


@pytest.mark.parametrize("rule,prio", [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, -1), (2, -1)])
def test_pc_fisherz_linear_10(shared_causal_learn, rule, prio):
    base = shared_causal_learn / "linear"
    df = read_data(base / "data_linear_10.txt")
    want = read_matrix(base / f"linear_10_pc_fisherz_0.05_stable_{rule}_{prio}.txt")
    g = discover.pc(pa.Table.from_pandas(df), alpha=0.05, uc_rule=rule, uc_priority=prio)
    assert_same(g, want, list(df.columns))


@pytest.mark.parametrize("test", ["chisq", "gsq"])
def test_pc_discrete_10(shared_causal_learn, test):
    base = shared_causal_learn / "discrete"
    df = read_data(base / "data_discrete_10.txt")
    want = read_matrix(base / f"discrete_10_pc_{test}_0.05_stable_0_-1.txt")
    g = discover.pc(pl.from_pandas(df), test=test, uc_rule=0, uc_priority=-1)
    assert_same(g, want, list(df.columns))


@pytest.mark.parametrize("net", ["asia", "cancer", "child", "earthquake", "sachs", "survey"])
def test_pc_chisq_bnlearn(shared_causal_learn, net):
    base = shared_causal_learn / "bnlearn"
    df = read_data(base / "data" / f"{net}.txt")
    want = read_matrix(base / "pc" / f"{net}_pc_chisq_0.05_stable_0_-1.txt")
    g = discover.pc(df, test="chisq", uc_rule=0, uc_priority=-1)
    assert_same(g, want, list(df.columns))


def test_ges_bic_linear_10(shared_causal_learn):
    base = shared_causal_learn / "linear"
    df = read_data(base / "data_linear_10.txt")
    want = read_matrix(base / "linear_10_ges_local_score_BIC_none_none.txt")
    assert_same(discover.ges(df, score="bic"), want, list(df.columns))


def test_ges_bdeu_discrete_10(shared_causal_learn):
    base = shared_causal_learn / "discrete"
    df = read_data(base / "data_discrete_10.txt")
    want = read_matrix(base / "discrete_10_ges_local_score_BDeu_none_none.txt")
    assert_same(discover.ges(pa.Table.from_pandas(df), score="bdeu"), want, list(df.columns))
