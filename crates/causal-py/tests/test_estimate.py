"""Effect estimation from Python: the back-door regression equals the OLS coefficient computed
in NumPy (closed form), front-door and IV recover a simulated effect, and bad input raises
ValueError naming the column or node."""

import numpy as np
import pandas as pd
import pytest

import causal_rs


def confounded(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    w = rng.normal(size=n)
    x = z + rng.normal(size=n)
    y = 2.0 * x + 3.0 * z + w + rng.normal(size=n)
    return pd.DataFrame({"z": z, "w": w, "x": x, "y": y})


def test_backdoor_regression_is_the_ols_coefficient():
    df = confounded()
    g = causal_rs.Graph(["z", "w", "x", "y"], [("z", "x"), ("z", "y"), ("x", "y"), ("w", "y")])
    out = causal_rs.estimate(df, "x", "y", graph=g)
    # The optimal adjustment set {z, w}, then OLS of y on x, z, w.
    a = np.column_stack([np.ones(len(df)), df["x"], df["z"], df["w"]])
    beta = np.linalg.lstsq(a, df["y"].to_numpy(), rcond=None)[0]
    assert abs(out["ate"] - beta[1]) < 1e-9
    assert out["ci"][0] < 2.0 < out["ci"][1]
    assert out["identification"]["source"].startswith("graph: optimal")
    given = causal_rs.estimate(df, "x", "y", adjust=["z", "w"])
    assert abs(given["ate"] - out["ate"]) < 1e-12


def test_frontdoor_and_iv_recover_the_effect():
    rng = np.random.default_rng(1)
    n = 20000
    u = rng.normal(size=n)
    inst = rng.normal(size=n)
    x = inst + u + rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 2.0 * m + u + rng.normal(size=n)
    df = pd.DataFrame({"i": inst, "x": x, "m": m, "y": y})
    fd = causal_rs.Graph(["x", "m", "y"], [("x", "m"), ("m", "y"), ("x", "y", "arrow", "arrow")])
    out = causal_rs.estimate(df, "x", "y", graph=fd, method="frontdoor")
    assert out["identification"]["strategy"] == "frontdoor"
    assert abs(out["ate"] - 1.0) < 0.05
    out = causal_rs.estimate(df, "x", "y", method="iv", instruments=["i"])
    assert abs(out["ate"] - 1.0) < 0.1


def test_estimate_bad_input():
    df = confounded(200)
    with pytest.raises(ValueError, match="'nope'"):
        causal_rs.estimate(df, "nope", "y", adjust=["z"])
    with pytest.raises(ValueError, match="both 'x'"):
        causal_rs.estimate(df, "x", "x", adjust=["z"])
    with pytest.raises(ValueError, match="graph="):
        causal_rs.estimate(df, "x", "y")
    bow = causal_rs.Graph(["x", "y"], [("x", "y"), ("x", "y", "arrow", "arrow")])
    with pytest.raises(ValueError, match="no adjustment set"):
        causal_rs.estimate(df, "x", "y", graph=bow)
