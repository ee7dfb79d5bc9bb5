from typing import Any, Optional, Sequence

from . import discover as discover
from ._data import dataset as dataset
from ._native import Data as Data, Graph as Graph, __version__ as __version__

__all__ = ["Data", "Graph", "cate", "dataset", "discover", "dml", "effect", "estimate", "icp",
           "refute",
           "report", "sensitivity", "__version__"]

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
    learner: str = ...,
    score: Optional[str] = ...,
    repeats: int = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
) -> dict[str, Any]: ...
def dml(
    data: Any,
    treatment: str,
    outcome: str,
    *,
    model: str = ...,
    learner: str = ...,
    score: Optional[str] = ...,
    adjust: Optional[Sequence[str]] = ...,
    instruments: Optional[Sequence[str]] = ...,
    graph: Optional[Graph] = ...,
    folds: int = ...,
    repeats: int = ...,
    seed: int = ...,
    clip: Optional[float] = ...,
    level: float = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
) -> dict[str, Any]: ...
def refute(
    data: Any,
    treatment: str,
    outcome: str,
    *,
    simulations: int = ...,
    alpha: float = ...,
    correction: str = ...,
    names: Optional[Sequence[str]] = ...,
    **options: Any,
) -> list[dict[str, Any]]: ...
def sensitivity(
    data: Any, treatment: str, outcome: str, *, names: Optional[Sequence[str]] = ..., **options: Any
) -> dict[str, Any]: ...
def report(
    data: Any,
    treatment: str,
    outcome: str,
    graph: Graph,
    *,
    discovered: Optional[Graph] = ...,
    simulations: int = ...,
    correction: str = ...,
    names: Optional[Sequence[str]] = ...,
    **options: Any,
) -> dict[str, Any]: ...
def cate(
    data: Any,
    treatment: str,
    outcome: str,
    *,
    method: str = ...,
    features: Sequence[str] = ...,
    adjust: Optional[Sequence[str]] = ...,
    learner: str = ...,
    folds: int = ...,
    seed: int = ...,
    clip: float = ...,
    level: float = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
    final_stage: str = ...,
    bootstrap: int = ...,
    overlap_weights: bool = ...,
    plugin_offset: bool = ...,
    composed_outcome: bool = ...,
    joint_outcome: bool = ...,
) -> dict[str, Any]: ...
def effect(
    data: Any,
    treatment: str,
    outcome: str,
    *,
    graph: Optional[Graph] = ...,
    discover: Optional[str] = ...,
    test: str = ...,
    alpha: float = ...,
    ida: str = ...,
    bootstrap: int = ...,
    seed: int = ...,
    level: float = ...,
    simulations: int = ...,
    missing: str = ...,
    names: Optional[Sequence[str]] = ...,
) -> dict[str, Any]: ...
