"""Makes crates/causal-core/tests/fixtures/dowhy_ate/: data and dowhy's ATE point estimates.

Run with dowhy installed (pip install dowhy): python scripts/dowhy_ate_fixture.py
The Rust test estimate_dowhy.rs reads the data and checks our regression and IPW estimates
against dowhy's to 1e-6. IPW uses an unpenalised logistic propensity (dowhy's default
LogisticRegression is L2-penalised, which is a different estimator) and dowhy's default
propensity clipping to [0.05, 0.95].
"""
import json
import pathlib

import numpy as np
import pandas as pd
import dowhy
from dowhy import CausalModel
from sklearn.linear_model import LogisticRegression

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/causal-core/tests/fixtures/dowhy_ate"


def simulate(n, seed):
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal(n)
    w2 = rng.standard_normal(n)
    p = 1 / (1 + np.exp(-(0.3 + 1.2 * w1 - 0.8 * w2)))
    t = (rng.random(n) < p).astype(float)
    y = 1.5 * t + 2.0 * w1 + 1.0 * w2 + rng.standard_normal(n)
    return pd.DataFrame({"W1": w1, "W2": w2, "T": t, "Y": y})


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, n, seed in [("case1", 1000, 1), ("case2", 3000, 2)]:
        df = simulate(n, seed)
        df.to_csv(OUT / f"{name}.csv", index=False, float_format="%.17g")
        df = pd.read_csv(OUT / f"{name}.csv")  # estimate on exactly the written values
        model = CausalModel(data=df, treatment="T", outcome="Y", common_causes=["W1", "W2"])
        estimand = model.identify_effect(proceed_when_unidentifiable=True)
        reg = model.estimate_effect(estimand, method_name="backdoor.linear_regression")
        ipw = model.estimate_effect(
            estimand,
            method_name="backdoor.propensity_score_weighting",
            method_params={
                "propensity_score_model": LogisticRegression(
                    penalty=None, solver="newton-cholesky", tol=1e-12, max_iter=1000
                )
            },
        )
        cases.append({
            "name": name,
            "data": f"{name}.csv",
            "treatment": "T",
            "outcome": "Y",
            "covariates": ["W1", "W2"],
            "regression_ate": float(reg.value),
            "ipw_ate": float(ipw.value),
            "ipw_clip": 0.05,
        })
    meta = {"dowhy": dowhy.__version__, "cases": cases}
    (OUT / "expected.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
