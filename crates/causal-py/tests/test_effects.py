"""DML, CATE, refutation, sensitivity, the assumptions report and transport from Python give
what the `causal` CLI gives on the same data (tests/fixtures/cli_*.json, written by
scripts/fixtures/py/effect_fixtures.py from the CLI's JSON): the same Rust estimators, reached through
Python's arguments instead of the CLI's."""

import json
import pathlib

import numpy as np
import pandas as pd
import polars as pl
import pytest

import causal_rs

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def fixture(name):
    return json.loads((FIXTURES / f"cli_{name}.json").read_text())


@pytest.fixture(scope="module")
def df():
    # pandas 3 parses each number to the nearest double, as the CLI does.
    return pd.read_csv(FIXTURES / "effects.csv")


@pytest.fixture(scope="module")
def graph():
    return causal_rs.Graph.from_dot((FIXTURES / "effects.dot").read_text())


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name, call", [
    ("dml_plr_lasso", dict(treatment="x", model="plr", learner="lasso", folds=3)),
    ("dml_irm_forest", dict(treatment="t", model="irm", learner="forest:20", score="atte")),
    ("dml_pliv_linear", dict(treatment="x", model="pliv", instruments=["z"], repeats=2)),
    ("dml_iivm_linear", dict(treatment="t", model="iivm", instruments=["zb"])),
])
def test_dml_equals_the_cli(df, name, call):
    want = fixture(name)
    got = causal_rs.dml(df, call.pop("treatment"), "y", adjust=["w1", "w2"], **call)
    close(got["ate"], want["ate"])
    close(got["se"], want["se"])
    close(got["ci"], want["ci"])
    assert got["details"]["learners"] == want["details"]["learners"]
    close(got["details"]["all_coef"], want["details"]["all_coef"])
    assert got["identification"]["strategy"] == want["identification"]["strategy"]


def test_dml_reads_covariates_off_the_graph_and_names_bad_input(df, graph):
    by_graph = causal_rs.dml(df, "x", "y", graph=graph)
    given = causal_rs.dml(df, "x", "y", adjust=by_graph["covariates"])
    assert by_graph["ate"] == given["ate"]
    assert by_graph["identification"]["source"].startswith("graph")
    with pytest.raises(ValueError, match="'nope'"):
        causal_rs.dml(df, "x", "y", adjust=["nope"])
    with pytest.raises(ValueError, match="learner"):
        causal_rs.dml(df, "x", "y", adjust=["w1"], learner="boosting")
    with pytest.raises(ValueError, match="'x'"):
        causal_rs.dml(df, "x", "y", model="irm", adjust=["w1"])  # not binary


@pytest.mark.parametrize("name, call", [
    ("cate_dr", dict(method="dr", features=["w1"])),
    ("cate_r", dict(method="r", features=["w1"], learner="lasso")),
    ("cate_x", dict(method="x", folds=4, seed=3)),
])
def test_cate_equals_the_cli(df, name, call):
    want = fixture(name)
    got = causal_rs.cate(df, "t", "y", adjust=["w1", "w2"], **call)
    for key in ("ate", "coef", "se", "ci", "ate_se"):
        if want.get(key) is None:
            assert got.get(key) is None
        else:
            close(got[key], want[key])
    assert got["names"] == want["names"] and got["n"] == want["n"] == 600
    assert len(got["cate"]) == 600
    close(np.mean(got["cate"]), got["ate"])


def test_flexible_cate_equals_the_cli(df):
    # The R-learner with a forest final stage started from the plug-in, m̂ composed from the
    # arms, and bootstrap intervals: the CLI's mean effect and its bootstrap standard error.
    want = fixture("cate_r_forest")
    got = causal_rs.cate(df, "t", "y", adjust=["w1", "w2"], method="r", features=["w1"],
                         learner="forest:20", final_stage="forest:20", plugin_offset=True,
                         composed_outcome=True, bootstrap=20)
    close(got["ate"], want["ate"])
    close(got["ate_se"], want["ate_se"])
    assert want["composed_outcome"] and want["plugin_offset"]
    assert got["coef"] == [] and len(got["cate"]) == len(got["cate_ci"]) == 600
    assert all(lo < hi for lo, hi in got["cate_ci"])
    with pytest.raises(ValueError, match="composed outcome model"):
        causal_rs.cate(df, "t", "y", features=["w1"], composed_outcome=True)
    with pytest.raises(ValueError, match="weights"):
        causal_rs.cate(df, "t", "y", method="r", features=["w1"], final_stage="lasso")


def test_refutations_equal_the_cli(df, graph):
    want = fixture("refute")
    got = causal_rs.refute(df, "x", "y", graph=graph, simulations=8, seed=5)
    assert [r["refuter"] for r in got] == [r["refuter"] for r in want]
    for g, w in zip(got, want):
        assert g["passed"] == w["passed"], g["refuter"]
        for key in ("original", "new_effect", "spread", "p_value"):
            if w.get(key) is None:
                assert g.get(key) is None
            else:
                close(g[key], w[key])
    assert got[-1]["tests"] == want[-1]["tests"]


def test_report_and_sensitivity_equal_the_cli(df, graph):
    want = fixture("report")
    got = causal_rs.report(df, "x", "y", graph, simulations=8, seed=5)
    r = got["report"]
    close(r["estimate"]["ate"], want["estimate"]["ate"])
    assert r["identification"]["estimand"] == want["identification"]["estimand"]
    assert r["edges"] == want["edges"]
    assert r["graph_test"] == want["graph_test"]
    close([x["new_effect"] for x in r["refutations"]],
          [x["new_effect"] for x in want["refutations"]])
    close(r["sensitivity"]["evalue"]["point"], want["sensitivity"]["evalue"]["point"])
    close(r["sensitivity"]["robustness"]["rv_q"], want["sensitivity"]["robustness"]["rv_q"])
    assert "| " in got["markdown"]
    # The same sensitivity analysis on its own, from a polars frame.
    s = causal_rs.sensitivity(pl.from_pandas(df), "x", "y", graph=graph)
    close(s["sensitivity"]["evalue"]["ci"], want["sensitivity"]["evalue"]["ci"])
    close(s["estimate"]["ate"], want["estimate"]["ate"])
    with pytest.raises(ValueError, match="needs graph="):
        causal_rs._native.estimate(causal_rs.dataset(df), "x", "y", task="report",
                                   adjust=["w1"])
    with pytest.raises(ValueError, match="unknown task"):
        causal_rs._native.estimate(causal_rs.dataset(df), "x", "y", task="nope",
                                   adjust=["w1"])


def test_transport_equals_the_cli():
    want = fixture("transport")
    g = causal_rs.Graph.from_dot((FIXTURES / "selection.dot").read_text())
    got = g.transport(["X"], ["Y"])
    for key in ("transportable", "estimand", "latex", "query", "selection", "differing",
                "reason", "hedge"):
        assert got[key] == want[key], key
    with pytest.raises(ValueError, match="'Q'"):
        g.transport(["Q"], ["Y"])


@pytest.mark.parametrize("name, call", [
    ("effect", dict(treatment="x", graph=True, simulations=8, seed=5, bootstrap=20)),
    ("effect_pc", dict(treatment="z", discover="pc", alpha=0.01, simulations=5, bootstrap=10)),
])
def test_effect_equals_the_cli(df, graph, name, call):
    want = fixture(name)
    if call.pop("graph", False):
        call["graph"] = graph
    got = causal_rs.effect(df, call.pop("treatment"), "y", **call)
    for key in ("graph_class", "graph_source", "graph", "ida_method"):
        assert got[key] == want[key], key
    for key in ("class", "amenable", "adjustment_set", "optimal", "estimand", "strategy"):
        assert got["identification"][key] == want["identification"][key], key
    close(got["estimate"]["ate"], want["estimate"]["ate"])
    close(got["bounds"]["max_abs"], want["bounds"]["max_abs"])
    close([e["effect"] for e in got["possible_effects"]],
          [e["effect"] for e in want["possible_effects"]])
    b, wb = got["bootstrap"], want["bootstrap"]
    assert b["replicates"] == wb["replicates"] and b["failed"] == wb["failed"]
    close(b["mean"], wb["mean"])
    close(b["interval"], wb["interval"])
    assert b["edges"] == wb["edges"]
    close([r["new_effect"] for r in got["refutations"]],
          [r["new_effect"] for r in want["refutations"]])
    close(got["sensitivity"]["evalue"]["point"], want["sensitivity"]["evalue"]["point"])


def test_effect_names_bad_input(df, graph):
    with pytest.raises(ValueError, match="graph= or discover="):
        causal_rs.effect(df, "x", "y")
    with pytest.raises(ValueError, match="descendant of the outcome"):
        causal_rs.effect(df, "y", "x", graph=graph)
    with pytest.raises(ValueError, match="'nope'"):
        causal_rs.effect(df, "nope", "y", graph=graph)
