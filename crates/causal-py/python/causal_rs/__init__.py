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

from ._native import Data, Graph, __version__
from ._data import dataset
from . import discover

__all__ = ["Data", "Graph", "dataset", "discover", "__version__"]
