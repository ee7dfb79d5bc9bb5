"""ICP from Python is identical to the `causalicp` package on the Rust suite's fixture
(crates/causal-irm/tests/fixtures/icp_causalicp.json), through pandas, polars and pyarrow."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import causal_rs

from conftest import ROOT

FIXTURE = ROOT / "crates" / "causal-irm" / "tests" / "fixtures" / "icp_causalicp.json"


def close(a, b):
    return abs(a - b) <= 1e-6 * (1.0 + abs(b))


def frame(case):
    rows, envs = [], []
    for e, block in enumerate(case["columns"]):
        rows.extend(block)
        envs.extend([e] * len(block))
    x = np.array(rows)
    df = pd.DataFrame({f"V{j}": x[:, j] for j in range(x.shape[1])})
    df["E"] = envs
    return df


def test_icp_matches_causalicp():
    cases = json.loads(FIXTURE.read_text())["cases"]
    assert len(cases) >= 10
    convert = [lambda d: d, pl.from_pandas, lambda d: pa.Table.from_pandas(d, preserve_index=False)]
    for k, case in enumerate(cases):
        df = frame(case)
        target = f"V{case['target']}"
        out = causal_rs.icp(convert[k % 3](df), target, "E", alpha=case["alpha"])
        predictors = [c for c in df.columns if c not in (target, "E")]
        name = lambda j: predictors[j]  # noqa: E731
        assert len(out["sets"]) == len(case["sets"])
        for ours, theirs in zip(out["sets"], case["sets"]):
            assert ours["set"] == [name(j) for j in theirs["set"]]
            assert close(ours["p_value"], theirs["p_value"]), (case["seed"], theirs["set"])
        assert sorted(out["accepted_sets"]) == sorted([name(j) for j in s] for s in case["accepted"])
        if case["estimate"] is None:
            assert out["model_rejected"]
        else:
            assert out["estimate"] == [name(j) for j in case["estimate"]]
        for j, p in enumerate(case["p_values"]):
            assert close(out["predictors"][name(j)]["p_value"], p)


def test_icp_bad_input_names_the_column():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 2.0, 5.0], "e": [0, 0, 1, 1]})
    with pytest.raises(ValueError, match="'nope'"):
        causal_rs.icp(df, "y", "nope")
    with pytest.raises(ValueError, match="unknown ICP method"):
        causal_rs.icp(df, "y", "e", method="fast")
