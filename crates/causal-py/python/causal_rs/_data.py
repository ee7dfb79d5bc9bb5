"""Tables in: pandas, polars, pyarrow and NumPy to a `causal_rs.Data`.

pyarrow and polars tables (anything with `__arrow_c_stream__`) go over through the Arrow C
stream interface: float64 columns without nulls are shared with the data set, not copied, and
the other columns are converted in Rust (nulls missing, text and dictionary columns
categorical). pandas and NumPy columns go over as float64 NumPy buffers (a view where the
source already holds float64), copied once in Rust; NaN marks a missing cell. Text and
categorical columns become categorical columns with sorted level names and integer codes.
"""

from __future__ import annotations

import numpy as np

from ._native import Data, arrow_dataset as _arrow_dataset, dataset as _dataset
from ._native import dataset_matrix as _dataset_matrix

__all__ = ["dataset"]


def _module(obj) -> str:
    return type(obj).__module__.split(".")[0]


def _categorical(values) -> tuple[np.ndarray, list[str]]:
    """Codes (float64, NaN where missing) and sorted level names of a sequence of labels."""
    labels = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
    levels = sorted({v for v in labels if v is not None})
    code = {v: float(i) for i, v in enumerate(levels)}
    out = np.fromiter((np.nan if v is None else code[v] for v in labels), dtype=np.float64,
                      count=len(labels))
    return out, levels


def _float64(arr, name: str) -> np.ndarray:
    try:
        out = np.ascontiguousarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"column '{name}' is not numeric: {e}") from None
    if out.ndim != 1:
        raise ValueError(f"column '{name}' is not one-dimensional")
    return out


def _pandas_numeric(df):
    """A `Data` straight from a DataFrame whose columns all have NumPy numeric or boolean
    dtypes (the common case), else None.

    `to_numpy` is then a view of pandas' single float64 block (or one conversion for mixed
    dtypes), handed to Rust as one 2-D array: no Python call per column.
    """
    if not df.columns.is_unique or len(df.columns) == 0:
        return None
    if not all(isinstance(t, np.dtype) and t.kind in "fiub" for t in df.dtypes):
        return None
    return _dataset_matrix([str(c) for c in df.columns], df.to_numpy(dtype=np.float64))


def _pandas(df):
    import pandas as pd

    names, cols, levels = [], [], []
    for name in df.columns:
        s = df[name]
        if isinstance(s, pd.DataFrame):
            raise ValueError(f"column '{name}' appears more than once")
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype) \
                or pd.api.types.is_string_dtype(dtype):
            if pd.api.types.is_object_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
                # An object column of numbers (say, from a CSV with NA) stays numeric.
                try:
                    cols.append(_float64(s.to_numpy(dtype=np.float64, na_value=np.nan), str(name)))
                    levels.append(None)
                    names.append(str(name))
                    continue
                except (TypeError, ValueError):
                    pass
            codes, lv = _categorical(s.tolist())
            cols.append(codes)
            levels.append(lv)
        elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            cols.append(_float64(s.to_numpy(dtype=np.float64, na_value=np.nan), str(name)))
            levels.append(None)
        else:
            raise ValueError(f"column '{name}' has type {dtype}, which is neither numeric nor text")
        names.append(str(name))
    return names, cols, levels


def _numpy(arr, names):
    arr = np.asarray(arr)
    if arr.ndim != 2:
        raise ValueError(f"a NumPy array must be two-dimensional (rows x columns), not {arr.ndim}-D")
    if names is None:
        names = [f"X{j + 1}" for j in range(arr.shape[1])]
    names = [str(n) for n in names]
    if len(names) != arr.shape[1]:
        raise ValueError(f"{len(names)} names for {arr.shape[1]} columns")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"a NumPy array must be numeric, not {arr.dtype}")
    # Fortran order makes each column a contiguous view.
    arr = np.asfortranarray(arr, dtype=np.float64)
    return names, [arr[:, j] for j in range(arr.shape[1])], [None] * len(names)


def dataset(table, names=None) -> Data:
    """A `Data` from a pandas or polars DataFrame, a pyarrow Table or RecordBatch, a 2-D NumPy
    array (with `names=`, else X1, X2, ...), a dict of 1-D arrays, or a `Data` (returned as is).

    Numeric and boolean columns become float64 (NaN and nulls are missing values); text,
    categorical and dictionary columns become categorical columns with sorted levels.

    Example:
        >>> import pyarrow as pa, causal_rs
        >>> d = causal_rs.dataset(pa.table({"x": [1.0, None, 3.0], "g": ["b", "a", "b"]}))
        >>> d.kinds, d.missing, d.levels("g")
        (['continuous', 'categorical'], [1, 0], ['a', 'b'])
    """
    if isinstance(table, Data):
        return table
    mod = _module(table)
    if mod == "pandas" and hasattr(table, "columns"):
        fast = _pandas_numeric(table)
        if fast is not None:
            return fast
        parts = _pandas(table)
    elif hasattr(table, "__arrow_c_stream__"):
        return _arrow_dataset(table, None if names is None else [str(n) for n in names])
    elif isinstance(table, dict):
        parts = ([str(k) for k in table], [_float64(v, str(k)) for k, v in table.items()],
                 [None] * len(table))
    elif isinstance(table, np.ndarray) or hasattr(table, "__array__"):
        parts = _numpy(table, names)
    else:
        raise ValueError(
            f"cannot read a table from {type(table).__name__}: pass a pandas or polars DataFrame, "
            "a pyarrow Table or RecordBatch (or anything with __arrow_c_stream__), a 2-D NumPy "
            "array with names=, or a dict of arrays")
    if names is not None and not isinstance(table, np.ndarray):
        names = [str(n) for n in names]
        if len(names) != len(parts[0]):
            raise ValueError(f"{len(names)} names for {len(parts[0])} columns")
        parts = (names, parts[1], parts[2])
    return _dataset(*parts)
