from typing import Any, Optional, Sequence

from . import discover as discover
from ._data import dataset as dataset
from ._native import Data as Data, Graph as Graph, __version__ as __version__

__all__ = ["Data", "Graph", "dataset", "discover", "estimate", "icp", "__version__"]

def icp(
    data: Any,
    target: str,
    env: str,
    *,
    alpha: float = ...,
    method: str = ...,
    max_size: Optional[int] = ...,
    predictors: Optional[Sequence[str]] = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
) -> dict[str, Any]: ...
def estimate(
    data: Any,
    treatment: str,
    outcome: str,
    *,
    graph: Optional[Graph] = ...,
    method: str = ...,
    adjust: Optional[Sequence[str]] = ...,
    mediators: Optional[Sequence[str]] = ...,
    instruments: Optional[Sequence[str]] = ...,
    folds: int = ...,
    seed: int = ...,
    clip: Optional[float] = ...,
    bootstrap: int = ...,
    level: float = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
) -> dict[str, Any]: ...
