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

__all__ = ["Data", "Graph", "dataset", "discover", "icp", "__version__"]


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
