"""Tables in: pandas, polars, pyarrow and NumPy give the same `Data`, with kinds, levels and
missing values; bad input raises ValueError naming the column."""

import datetime

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import causal_rs
from causal_rs import discover


def frame():
    return pd.DataFrame({
        "x": [0.5, 1.5, -2.0, 3.25],
        "t": [0, 1, 1, 0],
        "b": [True, False, True, True],
        "g": ["red", "blue", "red", "green"],
    })


@pytest.mark.parametrize("convert", [
    lambda df: df,
    lambda df: pl.from_pandas(df),
    lambda df: pa.Table.from_pandas(df, preserve_index=False),
    lambda df: pa.RecordBatch.from_pandas(df, preserve_index=False),
])
def test_every_table_type_gives_the_same_data(convert):
    d = causal_rs.dataset(convert(frame()))
    assert d.names == ["x", "t", "b", "g"]
    assert d.n_rows == 4
    assert d.kinds == ["continuous", "binary", "binary", "categorical"]
    assert d.levels("g") == ["blue", "green", "red"]
    np.testing.assert_array_equal(d.column("x"), [0.5, 1.5, -2.0, 3.25])
    np.testing.assert_array_equal(d.column("b"), [1, 0, 1, 1])
    np.testing.assert_array_equal(d.column("g"), [2, 0, 2, 1])
    assert d.missing == [0, 0, 0, 0]


def test_numpy_with_names_and_default_names():
    a = np.arange(12.0).reshape(4, 3)
    d = causal_rs.dataset(a, names=["p", "q", "r"])
    assert d.names == ["p", "q", "r"]
    np.testing.assert_array_equal(d.column("q"), a[:, 1])
    assert causal_rs.dataset(a).names == ["X1", "X2", "X3"]


def test_pandas_categorical_dtype_is_sorted_levels():
    s = pd.Series(pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"]))
    d = causal_rs.dataset(pd.DataFrame({"c": s}))
    assert d.levels("c") == ["hi", "lo"]
    np.testing.assert_array_equal(d.column("c"), [1, 0, 1])


@pytest.mark.parametrize("table", [
    pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [1.0, 2.0, 4.0]}),
    pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64"), "y": [1.0, 2.0, 4.0]}),
    pl.DataFrame({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 4.0]}),
    pa.table({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 4.0]}),
    pa.table({"x": pa.chunked_array([[1, None], [3]]), "y": [1.0, 2.0, 4.0]}),
])
def test_nulls_and_nan_are_missing(table):
    d = causal_rs.dataset(table)
    assert d.missing == [1, 0]
    assert np.isnan(d.column("x")[1])


def test_nan_under_the_error_policy_names_the_column():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    df.loc[7, "b"] = np.nan
    with pytest.raises(ValueError, match="column 'b' has 1 missing"):
        discover.pc(df)
    # drop-rows is the way out, and gives the graph of the complete rows.
    assert discover.pc(df, missing="drop-rows") == discover.pc(df.dropna())


def test_non_numeric_column_where_numbers_are_needed_names_it():
    df = frame()
    with pytest.raises(ValueError, match="column 'g' is categorical"):
        discover.pc(df)
    with pytest.raises(ValueError, match="column 'g'"):
        discover.direct_lingam(df)


def test_unsupported_column_types_name_the_column():
    df = pd.DataFrame({"x": [1.0, 2.0], "when": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    with pytest.raises(ValueError, match="column 'when'"):
        causal_rs.dataset(df)


def test_unknown_columns_in_knowledge_and_graphs_are_named():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    with pytest.raises(ValueError, match="'nope'"):
        discover.pc(df, knowledge={"required": [("a", "nope")]})
    with pytest.raises(ValueError, match="unknown knowledge keys"):
        discover.pc(df, knowledge={"tier": [["a"]]})
    g = causal_rs.Graph(["a", "b"], [("a", "b")])
    with pytest.raises(ValueError, match="'zz'"):
        g.d_separated(["a"], ["zz"])


def test_bad_tables_and_options_raise_value_error():
    with pytest.raises(ValueError, match="two-dimensional"):
        causal_rs.dataset(np.zeros(3))
    with pytest.raises(ValueError, match="2 names for 3 columns"):
        causal_rs.dataset(np.zeros((4, 3)), names=["a", "b"])
    with pytest.raises(ValueError, match="no rows"):
        causal_rs.dataset(pd.DataFrame({"a": np.zeros(0)}))
    with pytest.raises(ValueError, match="not finite"):
        causal_rs.dataset(pd.DataFrame({"a": [1.0, np.inf]}))
    with pytest.raises(ValueError, match="missing-value policy"):
        discover.pc(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 0.0, 2.0]}), missing="fill")
    with pytest.raises(ValueError, match="unknown discovery method|CI test|test"):
        discover.pc(np.random.default_rng(0).normal(size=(30, 2)), test="nonsense")
    with pytest.raises(ValueError):
        causal_rs.dataset(object())


def test_library_errors_come_back_as_value_errors_with_their_messages():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(100, 3)), columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="column 'c' is constant"):
        discover.pc(df.assign(c=1.0))
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\)"):
        discover.pc(df, alpha=2.0)
    with pytest.raises(ValueError, match="uc_rule must be 0, 1 or 2"):
        discover.pc(df, uc_rule=9)
    with pytest.raises(ValueError, match="directed cycle"):
        causal_rs.Graph(["a", "b"], [("a", "b"), ("b", "a")]).identify(["a"], ["b"])
    with pytest.raises(ValueError, match="line 1"):
        causal_rs.Graph.from_dot("digraph { a -> }")
    with pytest.raises(ValueError, match="'a' and 'b' are not an edge"):
        causal_rs.Graph.from_causallearn(["a", "b"], [[0, 7], [1, 0]])


def test_a_large_arrow_table_goes_in_whole_and_unchanged():
    # The 10^6 x 100 float table (speed: scripts/timing/arrow_import_time.py); a few
    # columns carry nulls, an integer and a text column, which are converted beside the
    # shared float columns.
    n, d = 1_000_000, 100
    rng = np.random.default_rng(0)
    cols = {f"x{j}": rng.standard_normal(n) for j in range(d)}
    table = pa.table(cols)
    data = causal_rs.dataset(table)
    assert data.names == list(cols)
    assert (data.n_rows, data.n_cols) == (n, d)
    assert data.missing == [0] * d and set(data.kinds) == {"continuous"}
    for j in (0, 37, 99):
        np.testing.assert_array_equal(data.column(f"x{j}"), cols[f"x{j}"])
    mixed = table.slice(10, 1000).append_column("k", pa.array(np.arange(1000) % 2)) \
        .append_column("g", pa.array(["a", "b", None, "a"] * 250))
    mixed = mixed.set_column(1, "x1", pa.array(np.where(np.arange(1000) % 7 == 0, np.nan,
                                                        cols["x1"][10:1010])))
    m = causal_rs.dataset(mixed)
    np.testing.assert_array_equal(m.column("x0"), cols["x0"][10:1010])
    assert m.missing[1] == 143 and m.missing[-1] == 250
    assert m.kinds[-2:] == ["binary", "categorical"] and m.levels("g") == ["a", "b"]
    np.testing.assert_array_equal(m.column("g")[:4], [0, 1, np.nan, 0])


def test_polars_goes_over_arrow_with_categoricals_nulls_and_chunks():
    df = pl.concat([
        pl.DataFrame({"x": [1.0, None], "i": [1, 2], "c": ["u", "v"]}),
        pl.DataFrame({"x": [3.0, 4.0], "i": [None, 5], "c": ["v", None]}),
    ], rechunk=False).with_columns(pl.col("c").cast(pl.Categorical))
    d = causal_rs.dataset(df)
    assert d.missing == [1, 1, 1]
    np.testing.assert_array_equal(d.column("x"), [1.0, np.nan, 3.0, 4.0])
    np.testing.assert_array_equal(d.column("i"), [1.0, 2.0, np.nan, 5.0])
    assert d.levels("c") == ["u", "v"]
    np.testing.assert_array_equal(d.column("c"), [0, 1, 1, np.nan])
    renamed = causal_rs.dataset(df, names=["a", "b", "z"])
    assert renamed.names == ["a", "b", "z"]
    with pytest.raises(ValueError, match="2 names for 3 columns"):
        causal_rs.dataset(df, names=["a", "b"])
    with pytest.raises(ValueError, match="column 'when'"):
        causal_rs.dataset(pl.DataFrame({"when": [datetime.date(2020, 1, 1)]}))


def _per_column(df):
    """The general pandas path, one NumPy buffer per column (what the fast path must match)."""
    from causal_rs import _data

    return _data._dataset(*_data._pandas(df))


@pytest.mark.parametrize("make", [
    # One float64 block (C order when built from a 2-D array), mixed numeric dtypes, a
    # Fortran-ordered block, missing cells, a frame sliced to strided columns.
    lambda rng: pd.DataFrame(rng.normal(size=(301, 7)), columns=list("abcdefg")),
    lambda rng: pd.DataFrame({"f": rng.normal(size=50), "i": rng.integers(0, 9, 50),
                              "u": rng.integers(0, 2, 50).astype(np.uint8),
                              "b": rng.integers(0, 2, 50).astype(bool)}),
    lambda rng: pd.DataFrame(np.asfortranarray(rng.normal(size=(130, 5))), columns=list("vwxyz")),
    lambda rng: pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [0.0, 1.0, np.nan]}),
    lambda rng: pd.DataFrame(rng.normal(size=(200, 9)), columns=list("abcdefghi")).iloc[::3, ::2],
])
def test_numeric_frames_take_one_array_and_match_the_per_column_path(make):
    df = make(np.random.default_rng(7))
    fast, slow = causal_rs.dataset(df), _per_column(df)
    assert fast.names == slow.names == [str(c) for c in df.columns]
    assert fast.kinds == slow.kinds
    assert fast.missing == slow.missing
    for name in fast.names:
        np.testing.assert_array_equal(fast.column(name), slow.column(name))


def test_numeric_frame_bad_values_name_the_column():
    with pytest.raises(ValueError, match="'y'"):
        causal_rs.dataset(pd.DataFrame({"x": [1.0, 2.0], "y": [0.0, np.inf]}))
    with pytest.raises(ValueError, match="no rows"):
        causal_rs.dataset(pd.DataFrame({"x": np.array([], dtype=float)}))
