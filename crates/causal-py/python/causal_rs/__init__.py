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

__all__ = ["Data", "Graph", "dataset", "discover", "estimate", "icp", "__version__"]


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



def estimate(data, treatment: str, outcome: str, *, graph: Optional[Graph] = None,
             method: str = "regression", adjust: Optional[Sequence[str]] = None,
             mediators: Optional[Sequence[str]] = None,
             instruments: Optional[Sequence[str]] = None, folds: int = 5, seed: int = 0,
             clip: Optional[float] = None, bootstrap: int = 0, level: float = 0.95,
             missing: str = "error", names=None) -> dict:
    """The average effect of `treatment` on `outcome`, as `causal estimate` computes it.

    `method` is `regression`, `ipw`, `aipw` (back-door: the set is `adjust`, else the graph's
    optimal adjustment set), `frontdoor` (`mediators`, else the graph's front-door set) or `iv`
    (two-stage least squares: `instruments`, else the graph's instrument). Returns `ate`, `se`,
    `ci` and `identification` (the strategy and where its set came from), among others.

    Example:
        >>> import numpy as np, pandas as pd, causal_rs
        >>> rng = np.random.default_rng(0); z = rng.normal(size=4000)
        >>> x = z + rng.normal(size=4000); y = 2 * x + 3 * z + rng.normal(size=4000)
        >>> g = causal_rs.Graph(["z", "x", "y"], [("z", "x"), ("z", "y"), ("x", "y")])
        >>> out = causal_rs.estimate(pd.DataFrame({"z": z, "x": x, "y": y}), "x", "y", graph=g)
        >>> round(out["ate"], 1), out["identification"]["strategy"]
        (2.0, 'backdoor')
    """
    lst = lambda v: None if v is None else [str(c) for c in v]  # noqa: E731
    return _native.estimate(dataset(data, names), treatment, outcome, graph=graph, method=method,
                            adjust=lst(adjust), mediators=lst(mediators),
                            instruments=lst(instruments), folds=folds, seed=seed, clip=clip,
                            bootstrap=bootstrap, level=level, missing=missing)
