"""causal-rs from Python: pandas, polars, Arrow and NumPy tables in, causal graphs out.

The computations run in Rust (causal-core, causal-discover) with the GIL released; tables are
handed over as float64 column buffers, without a Python object per cell.

Example:
    >>> import numpy as np, pandas as pd, causal_rs
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000); y = x + rng.normal(size=2000); z = y + rng.normal(size=2000)
    >>> g = causal_rs.discover.pc(pd.DataFrame({"x": x, "y": y, "z": z}), alpha=0.01)
    >>> sorted(g.edges)
    [('x', 'y', 'tail', 'tail'), ('y', 'z', 'tail', 'tail')]
"""

from typing import Optional, Sequence

from . import _native
from ._native import Data, Graph, __version__
from ._data import dataset
from . import discover

__all__ = ["Data", "Graph", "cate", "dataset", "discover", "dml", "effect", "estimate", "icp",
           "refute",
           "report", "sensitivity", "__version__"]


def icp(data, target: str, env: str, *, alpha: float = 0.05, method: str = "approx",
        max_size: Optional[int] = None, predictors: Optional[Sequence[str]] = None,
        missing: str = "error", names=None) -> dict:
    """Invariant Causal Prediction of `target` across the environments labelled by column
    `env` (Peters, Bühlmann & Meinshausen 2016; identical to the `causalicp` package on its
    fixture). Returns `estimate` (the predictors in every accepted set), `accepted_sets`,
    `model_rejected`, per-predictor `p_value` and confidence `interval`, and every tested set.

    Example:
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0); e = np.repeat([0, 1, 2], 300)
        >>> x = rng.normal(size=900) * (1 + e); y = 2 * x + rng.normal(size=900)
        >>> z = y + rng.normal(size=900) * (1 + 2 * e)
        >>> icp(pd.DataFrame({"x": x, "z": z, "y": y, "e": e}), "y", "e")["estimate"]
        ['x']
    """
    return _native.icp(dataset(data, names), target, env, alpha=alpha, method=method,
                       max_size=max_size,
                       predictors=None if predictors is None else [str(p) for p in predictors],
                       missing=missing)



def _lst(v):
    return None if v is None else [str(c) for c in v]


def _effect(task, data, treatment, outcome, names, **kw):
    """One estimator, built from `estimate`'s options, run for `task` in Rust."""
    for key in ("adjust", "mediators", "instruments"):
        kw[key] = _lst(kw.get(key))
    return _native.estimate(dataset(data, names), treatment, outcome, task=task, **kw)


def estimate(data, treatment: str, outcome: str, *, graph: Optional[Graph] = None,
             method: str = "regression", adjust: Optional[Sequence[str]] = None,
             mediators: Optional[Sequence[str]] = None,
             instruments: Optional[Sequence[str]] = None, folds: int = 5, seed: int = 0,
             clip: Optional[float] = None, bootstrap: int = 0, level: float = 0.95,
             learner: str = "linear", score: Optional[str] = None, repeats: int = 1,
             missing: str = "error", names=None) -> dict:
    """The average effect of `treatment` on `outcome`, as `causal estimate` computes it.

    `method` is `regression`, `ipw`, `aipw` (back-door: the set is `adjust`, else the graph's
    optimal adjustment set), `frontdoor` (`mediators`, else the graph's front-door set), `iv`
    (two-stage least squares: `instruments`, else the graph's instrument), or a double machine
    learning model `dml-plr`, `dml-irm`, `dml-pliv`, `dml-iivm` (see `dml`). Returns `ate`,
    `se`, `ci` and `identification` (the strategy and where its set came from), among others.

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=4000)
        >>> x = z + rng.normal(size=4000); y = 2 * x + 3 * z + rng.normal(size=4000)
        >>> g = causal_rs.Graph(["z", "x", "y"], [("z", "x"), ("z", "y"), ("x", "y")])
        >>> out = causal_rs.estimate(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y", graph=g)
        >>> round(out["ate"], 1), out["identification"]["strategy"]
        (2.0, 'backdoor')
    """
    return _effect("estimate", data, treatment, outcome, names, graph=graph, method=method,
                   adjust=adjust, mediators=mediators, instruments=instruments, folds=folds,
                   seed=seed, clip=clip, bootstrap=bootstrap, level=level, learner=learner,
                   score=score, repeats=repeats, missing=missing)


def dml(data, treatment: str, outcome: str, *, model: str = "plr", learner: str = "linear",
        score: Optional[str] = None, adjust: Optional[Sequence[str]] = None,
        instruments: Optional[Sequence[str]] = None, graph: Optional[Graph] = None,
        folds: int = 5, repeats: int = 1, seed: int = 0, clip: Optional[float] = None,
        level: float = 0.95, missing: str = "error", names=None) -> dict:
    """Double machine learning (Chernozhukov et al. 2018; DoubleML's `dml2`), as
    `causal estimate --method dml-MODEL`: `model` is `plr` (partially linear), `irm`
    (interactive, binary treatment; `score` `ate` or `atte`), `pliv` (partially linear IV) or
    `iivm` (interactive IV, the LATE). The nuisances are cross-fitted with `learner`:
    `linear` (OLS, logistic for a 0/1 target), `lasso`, `lasso:ALPHA`, `forest` or
    `forest:TREES`. Covariates are `adjust`, else the graph's back-door set; the IV models'
    instrument is `instruments`, else the graph's. Returns `ate`, `se`, `ci` and the fit's
    details (`dml`: every repetition's estimate).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(1); w = rng.normal(size=(2000, 3))
        >>> d = w @ [1.0, -0.5, 0.2] + rng.normal(size=2000)
        >>> y = 0.5 * d + w @ [1.0, 1.0, -1.0] + rng.normal(size=2000)
        >>> df = pd.DataFrame({"d": d, "y": y, "w1": w[:, 0], "w2": w[:, 1], "w3": w[:, 2]})
        >>> out = causal_rs.dml(df, "d", "y", adjust=["w1", "w2", "w3"], learner="lasso")
        >>> round(out["ate"], 1)
        0.5
    """
    return _effect("estimate", data, treatment, outcome, names, graph=graph,
                   method=f"dml-{model}", adjust=adjust, instruments=instruments, folds=folds,
                   seed=seed, clip=clip, level=level, learner=learner, score=score,
                   repeats=repeats, missing=missing)


def refute(data, treatment: str, outcome: str, *, simulations: int = 20, alpha: float = 0.05,
           correction: str = "holm", names=None, **options) -> list:
    """Refutes the estimate that `estimate(data, treatment, outcome, **options)` makes, as
    `causal refute`: a placebo treatment, a random common cause, data subsets and a dummy
    outcome (`simulations` each, seeded by `seed`), each a dict with `refuter`, `original`,
    `new_effect`, `p_value`, `passed` and `detail`; with `graph=`, also the test of the graph's
    implied independences at `alpha` (`correction`: holm, bonferroni, bh or none).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=1000)
        >>> x = z + rng.normal(size=1000); y = 2 * x + 3 * z + rng.normal(size=1000)
        >>> out = causal_rs.refute(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y",
        ...                        adjust=["z"], simulations=10)
        >>> [(r["refuter"], r["passed"]) for r in out]  # doctest: +NORMALIZE_WHITESPACE
        [('placebo_treatment', True), ('random_common_cause', True), ('data_subset', True),
         ('dummy_outcome', True)]
    """
    return _effect("refute", data, treatment, outcome, names, simulations=simulations,
                   alpha=alpha, correction=correction, **options)


def sensitivity(data, treatment: str, outcome: str, *, names=None, **options) -> dict:
    """How strong unobserved confounding would have to be to explain away the estimate that
    `estimate(data, treatment, outcome, **options)` makes, as `causal effect` reports it:
    `estimate`, and `sensitivity` (the E-value of the standardised effect and of its
    confidence bound, and the partial-R² robustness values where the method has them).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=1000)
        >>> x = z + rng.normal(size=1000); y = 2 * x + 3 * z + rng.normal(size=1000)
        >>> s = causal_rs.sensitivity(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y",
        ...                           adjust=["z"])
        >>> s["sensitivity"]["evalue"]["point"] > 1
        True
    """
    return _effect("sensitivity", data, treatment, outcome, names, **options)


def report(data, treatment: str, outcome: str, graph: Graph, *,
           discovered: Optional[Graph] = None, simulations: int = 20,
           correction: str = "holm", names=None, **options) -> dict:
    """The assumptions report of `causal report` on the estimate that
    `estimate(data, treatment, outcome, graph=graph, **options)` makes: `report` (the graph,
    each edge's source, expert or data when `discovered` is the graph the data gave,
    identification, the estimate, refutations, the graph test and sensitivity; the CLI's
    report.json) and `markdown` (its report.md).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=1000)
        >>> x = z + rng.normal(size=1000); y = 2 * x + 3 * z + rng.normal(size=1000)
        >>> g = causal_rs.Graph(["z", "x", "y"], [("z", "x"), ("z", "y"), ("x", "y")])
        >>> r = causal_rs.report(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y", g)
        >>> r["report"]["identification"]["strategy"], r["markdown"].startswith("#")
        ('backdoor', True)
    """
    return _effect("report", data, treatment, outcome, names, graph=graph,
                   discovered=discovered, simulations=simulations, correction=correction,
                   **options)


def effect(data, treatment: str, outcome: str, *, graph: Optional[Graph] = None,
           discover: Optional[str] = None, test: str = "fisherz", alpha: float = 0.05,
           ida: str = "optimal", bootstrap: int = 0, seed: int = 0, level: float = 0.95,
           simulations: int = 20, missing: str = "error", names=None) -> dict:
    """The effect of `treatment` on `outcome` with the uncertainty of the graph, as
    `causal effect`: give `graph`, or `discover` (pc, fci, ges, ... with CI `test` at
    `alpha`). Returns the graph's class, `identification` (amenability, the adjustment set,
    the estimand), `estimate` (regression on the set) with `refutations` and `sensitivity`,
    IDA's `possible_effects` and `bounds` over a DAG/CPDAG/PDAG (`ida`: local, optimal,
    global), and with `bootstrap` > 0 the bootstrap of the whole pipeline (the graph
    rediscovered on each resample when it was discovered).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=2000)
        >>> x = z + rng.normal(size=2000); y = 2 * x + 3 * z + rng.normal(size=2000)
        >>> g = causal_rs.Graph(["z", "x", "y"], [("z", "x"), ("z", "y"), ("x", "y")])
        >>> out = causal_rs.effect(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y", graph=g)
        >>> out["identification"]["adjustment_set"], round(out["estimate"]["ate"], 1)
        (['z'], 2.0)
    """
    return _native.effect(dataset(data, names), treatment, outcome, graph=graph,
                          discover=discover, test=test, alpha=alpha, ida=ida,
                          bootstrap=bootstrap, seed=seed, level=level,
                          simulations=simulations, missing=missing)


def cate(data, treatment: str, outcome: str, *, method: str = "dr",
         features: Sequence[str] = (), adjust: Optional[Sequence[str]] = None,
         learner: str = "linear", folds: int = 5, seed: int = 0, clip: float = 0.01,
         level: float = 0.95, missing: str = "error", names=None,
         final_stage: str = "linear", bootstrap: int = 0, overlap_weights: bool = False,
         plugin_offset: bool = False, composed_outcome: bool = False,
         joint_outcome: bool = False) -> dict:
    """Conditional average treatment effects of a binary `treatment`, as `causal cate`: the
    DR-learner (Kennedy 2023), R-learner (Nie & Wager 2021) or X-learner (Künzel et al. 2019)
    (`method`: dr, r, x) with nuisances cross-fitted by `learner` on `adjust` (default: every
    other column), and a final stage linear in `features` (empty: a constant effect). Returns
    `coef`, `se`, `ci` of the final stage, `ate`, and per row `cate` (and `cate_se`).

    A flexible final stage (`final_stage="forest"`, DR or R; EconML's `NonParamDML` for R)
    gives per-unit effects without coefficients, with bootstrap standard errors and intervals
    (`cate_se`, `cate_ci`) when `bootstrap` ≥ 2. Its options, as the CLI's flags:
    `overlap_weights` (DR: weight by ê(1 − ê)), `plugin_offset` (start from μ̂₁ − μ̂₀),
    `composed_outcome` (R: m̂ = ê μ̂₁ + (1 − ê) μ̂₀) and `joint_outcome` (one outcome model on
    both arms).

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); x = rng.normal(size=2000)
        >>> t = (rng.random(2000) < 1 / (1 + np.exp(-x))).astype(float)
        >>> y = (1 + 2 * x) * t + x + rng.normal(size=2000)
        >>> out = causal_rs.cate(pd.DataFrame({"t": t, "y": y, "x": x}), "t", "y", features=["x"])
        >>> [round(c) for c in out["coef"]]
        [1, 2]
    """
    return _native.cate(dataset(data, names), treatment, outcome, method=method,
                        features=[str(f) for f in features], adjust=_lst(adjust),
                        learner=learner, folds=folds, seed=seed, clip=clip, level=level,
                        missing=missing, final_stage=final_stage, bootstrap=bootstrap,
                        overlap_weights=overlap_weights, plugin_offset=plugin_offset,
                        composed_outcome=composed_outcome, joint_outcome=joint_outcome)
