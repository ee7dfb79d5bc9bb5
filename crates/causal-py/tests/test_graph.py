"""Graphs from Python: formats round-trip, separation, adjustment and identification agree
with textbook answers, discovery with knowledge and bootstrap."""

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import causal_rs
from causal_rs import discover

FRONTDOOR = "digraph { x -> m; m -> y; u -> x; u -> y }"


def test_formats_round_trip():
    g = causal_rs.Graph(["a", "b", "c", "d"],
                        [("a", "b"), ("c", "b", "arrow", "arrow"), ("c", "d", "tail", "tail")])
    assert causal_rs.Graph.from_json(g.to_json()) == g
    assert causal_rs.Graph.from_dot(g.to_dot()) == g
    assert causal_rs.Graph.from_networkx(g.to_networkx()) == g
    m = g.to_causallearn()
    assert m.dtype == np.int64 and m[0, 1] == -1 and m[1, 0] == 1
    assert causal_rs.Graph.from_causallearn(g.nodes, m.tolist()) == g
    data = json.loads(g.to_json())
    assert data["nodes"] == ["a", "b", "c", "d"]


def test_networkx_dag_in():
    d = nx.DiGraph([("x", "y"), ("z", "x"), ("z", "y")])
    g = causal_rs.Graph.from_networkx(d)
    assert g.kind == "dag"
    assert sorted(e[:2] for e in g.edges) == [("x", "y"), ("z", "x"), ("z", "y")]


def test_d_separation_and_implied_independencies():
    g = causal_rs.Graph.from_dot("digraph { a -> b; b -> c; d -> c }")
    assert g.d_separated(["a"], ["c"], ["b"])
    assert not g.d_separated(["a"], ["c"])
    assert g.d_separated(["a"], ["d"])
    assert not g.d_separated(["a"], ["d"], ["c"])
    implied = g.implied_independencies()
    assert ("a", "d", []) in implied or ("d", "a", []) in implied


def test_frontdoor_identification_has_the_frontdoor_estimand():
    g = causal_rs.Graph.from_dot(FRONTDOOR)
    g = causal_rs.Graph(["x", "m", "y"], [("x", "m"), ("m", "y"), ("x", "y", "arrow", "arrow")])
    out = g.identify(["x"], ["y"])
    assert out["identifiable"]
    assert out["query"] == "P(y | do(x))"
    # Pearl's front-door formula: sum_m P(m | x) sum_x' P(y | x', m) P(x').
    assert "P(m | x)" in out["estimand"] and "\\sum" in out["latex"]
    bow = causal_rs.Graph(["x", "y"], [("x", "y"), ("x", "y", "arrow", "arrow")])
    out = bow.identify(["x"], ["y"])
    assert not out["identifiable"] and out["hedge"] is not None


def test_adjustment_sets_backdoor():
    g = causal_rs.Graph.from_dot("digraph { z -> x; z -> y; x -> y; w -> y }")
    out = g.adjustment_sets(["x"], ["y"])
    assert out["minimal"] == [["z"]]
    assert sorted(out["optimal"]) == ["w", "z"]


def _chain(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.8 * a + rng.normal(size=n)
    c = 0.8 * b + rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c})


def test_knowledge_tiers_orient_the_chain():
    df = _chain()
    assert sorted(discover.pc(df).edges) == [("a", "b", "tail", "tail"), ("b", "c", "tail", "tail")]
    g = discover.pc(df, knowledge=discover.Knowledge(tiers=[["a"], ["b"], ["c"]]))
    assert sorted(g.edges) == [("a", "b", "tail", "arrow"), ("b", "c", "tail", "arrow")]
    g = discover.ges(df, knowledge={"required": [("a", "b"), ("b", "c")]})
    assert sorted(g.edges) == [("a", "b", "tail", "arrow"), ("b", "c", "tail", "arrow")]


def test_tetrad_knowledge_text():
    text = "/knowledge\naddtemporal\n1 a\n2 b\n3 c\n"
    g = discover.pc(_chain(), knowledge=text)
    assert sorted(g.edges) == [("a", "b", "tail", "arrow"), ("b", "c", "tail", "arrow")]


def test_lingam_and_notears_find_the_direction():
    rng = np.random.default_rng(3)
    a = rng.uniform(-1, 1, size=3000)
    df = pd.DataFrame({"b": 1.5 * a + rng.uniform(-1, 1, size=3000), "a": a})
    assert discover.direct_lingam(df).edges == [("a", "b", "tail", "arrow")]
    g = discover.notears(df)
    assert len(g.edges) == 1


def test_bootstrap_frequencies_are_seeded():
    df = _chain(500)
    one = discover.bootstrap("pc", df, 10, seed=4)
    two = discover.bootstrap("pc", df, 10, seed=4)
    assert one == two and one["replicates"] == 10
    pairs = {(e["from"], e["to"]) for e in one["edges"]}
    assert ("a", "b") in pairs and ("b", "c") in pairs
