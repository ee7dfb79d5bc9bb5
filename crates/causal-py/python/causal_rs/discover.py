"""Causal discovery on a table: PC, FCI, GES, DirectLiNGAM and NOTEARS, with background
knowledge, and bootstrap edge frequencies.

Every function takes what `causal_rs.dataset` takes (a pandas or polars DataFrame, a pyarrow
Table or RecordBatch, a 2-D NumPy array with `names=`, or a `Data`) and returns a
`causal_rs.Graph` (`to_causallearn()`, `to_networkx()`, `to_dot()`, `to_json()`). The search
runs in Rust with the GIL released. Bad input raises `ValueError` naming the column.

`knowledge` is a `Knowledge`, a dict with the same keys, or Tetrad's text format (a string).

Example:
    >>> import numpy as np, pandas as pd
    >>> from causal_rs import discover
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=3000); b = rng.normal(size=3000); c = a + b + rng.normal(size=3000)
    >>> g = discover.pc(pd.DataFrame({"a": a, "b": b, "c": c}))
    >>> sorted(g.edges)
    [('a', 'c', 'tail', 'arrow'), ('b', 'c', 'tail', 'arrow')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple, Union

from . import _native
from ._data import dataset

__all__ = ["Knowledge", "pc", "fci", "ges", "direct_lingam", "notears", "bootstrap"]


@dataclass
class Knowledge:
    """Background knowledge: `tiers` (lists of names, earliest first: no edge from a later
    tier into an earlier one), `required` and `forbidden` directed edges `(from, to)`, and
    `forbid_within_tiers` to forbid edges inside every tier.

    Example:
        >>> Knowledge(tiers=[["age"], ["smoking"], ["cancer"]], forbidden=[("smoking", "age")])
        Knowledge(tiers=[['age'], ['smoking'], ['cancer']], required=[], forbidden=[('smoking', 'age')], forbid_within_tiers=False)
    """

    tiers: Sequence[Sequence[str]] = field(default_factory=list)
    required: Sequence[Tuple[str, str]] = field(default_factory=list)
    forbidden: Sequence[Tuple[str, str]] = field(default_factory=list)
    forbid_within_tiers: bool = False


KnowledgeLike = Union[Knowledge, dict, str, None]


def _knowledge(k: KnowledgeLike) -> dict:
    if k is None:
        return {}
    if isinstance(k, str):
        return {"knowledge_text": k}
    if isinstance(k, dict):
        unknown = set(k) - {"tiers", "required", "forbidden", "forbid_within_tiers"}
        if unknown:
            raise ValueError(f"unknown knowledge keys {sorted(unknown)} (expected tiers, required, "
                             "forbidden, forbid_within_tiers)")
        k = Knowledge(**k)
    if not isinstance(k, Knowledge):
        raise ValueError(f"knowledge must be a Knowledge, a dict or Tetrad text, not {type(k).__name__}")
    return {
        "tiers": [[str(n) for n in t] for t in k.tiers],
        "required": [(str(a), str(b)) for a, b in k.required],
        "forbidden": [(str(a), str(b)) for a, b in k.forbidden],
        "forbid_within_tiers": bool(k.forbid_within_tiers),
    }


def pc(data, alpha: float = 0.05, *, test: str = "fisherz", stable: bool = True, uc_rule: int = 0,
       uc_priority: int = 2, max_depth: Optional[int] = None, knowledge: KnowledgeLike = None,
       threads: Optional[int] = None, missing: str = "error", names=None) -> _native.Graph:
    """PC (stable by default) with causal-learn's `uc_rule` / `uc_priority`: a CPDAG.

    `test` is `fisherz`, `chisq`, `gsq` or `kci`; `missing` is `error` (NaN or null raises
    `ValueError` naming the column) or `drop-rows`. The graph is identical to causal-learn's
    `pc(data, alpha, indep_test, stable, uc_rule, uc_priority)` on its fixtures.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(500, 3))
        >>> pc(x, names=["a", "b", "c"]).to_causallearn().shape
        (3, 3)
    """
    return _native.discover("pc", dataset(data, names), test=test, alpha=alpha, stable=stable,
                            uc_rule=uc_rule, uc_priority=uc_priority, max_depth=max_depth,
                            threads=threads, missing=missing, **_knowledge(knowledge))


def fci(data, alpha: float = 0.05, *, test: str = "fisherz", max_depth: Optional[int] = None,
        max_path_length: Optional[int] = None, knowledge: KnowledgeLike = None,
        threads: Optional[int] = None, missing: str = "error", names=None) -> _native.Graph:
    """FCI with possible-d-sep and Zhang's rules: a PAG (circle marks are `"circle"`).

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(500, 3))
        >>> fci(x, names=["a", "b", "c"]).kind in ("dag", "pag", "cpdag", "admg")
        True
    """
    return _native.discover("fci", dataset(data, names), test=test, alpha=alpha,
                            max_depth=max_depth, max_path_length=max_path_length, threads=threads,
                            missing=missing, **_knowledge(knowledge))


def ges(data, *, score: str = "bic", knowledge: KnowledgeLike = None, missing: str = "error",
        names=None) -> _native.Graph:
    """GES with the `bic` (linear Gaussian) or `bdeu` (discrete) score: a CPDAG.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(500, 3))
        >>> ges(x, names=["a", "b", "c"]).nodes
        ['a', 'b', 'c']
    """
    return _native.discover("ges", dataset(data, names), score=score, missing=missing,
                            **_knowledge(knowledge))


def direct_lingam(data, *, knowledge: KnowledgeLike = None, missing: str = "error",
                  names=None) -> _native.Graph:
    """DirectLiNGAM (linear, non-Gaussian noise): a DAG.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0); a = rng.uniform(size=2000)
        >>> g = direct_lingam({"a": a, "b": 2 * a + rng.uniform(size=2000)})
        >>> g.edges
        [('a', 'b', 'tail', 'arrow')]
    """
    return _native.discover("direct_lingam", dataset(data, names), missing=missing,
                            **_knowledge(knowledge))


def notears(data, *, lambda1: Optional[float] = None, threshold: Optional[float] = None,
            knowledge: KnowledgeLike = None, missing: str = "error", names=None) -> _native.Graph:
    """Linear NOTEARS (l1 penalty `lambda1`, weights below `threshold` dropped): a DAG.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0); a = rng.normal(size=1000)
        >>> notears({"a": a, "b": 2 * a + rng.normal(size=1000)}).nodes
        ['a', 'b']
    """
    return _native.discover("notears", dataset(data, names), lambda1=lambda1, threshold=threshold,
                            missing=missing, **_knowledge(knowledge))


def bootstrap(method: str, data, replicates: int = 100, *, seed: int = 0, alpha: float = 0.05,
              test: str = "fisherz", score: str = "bic", knowledge: KnowledgeLike = None,
              missing: str = "error", names=None) -> dict:
    """Edge frequencies of `method` (`pc`, `fci`, `ges`, `direct_lingam`, `notears`) over
    `replicates` seeded bootstrap resamples of the rows, run in parallel (the result does not
    depend on the thread count): `{"replicates", "seed", "edges": [...]}`, as
    `causal discover --bootstrap` prints it.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0); a = rng.normal(size=500)
        >>> out = bootstrap("pc", {"a": a, "b": a + rng.normal(size=500)}, 20, seed=1)
        >>> out["replicates"]
        20
    """
    return _native.bootstrap(method, dataset(data, names), replicates, seed=seed, alpha=alpha,
                             test=test, score=score, missing=missing, **_knowledge(knowledge))
