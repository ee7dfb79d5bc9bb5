"""Reading a table of 10^6 rows x 100 floats on one thread, polars against Dataset::from_path:
CSV (polars.read_csv) and Parquet (polars.read_parquet, the file as polars writes it: zstd)."""
import os
import tempfile

# One thread for polars, as for ours; it must be set before polars is imported.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from compare import comparison, run_ours, timed

ROWS, COLS, SEED = 1_000_000, 100, 0


def table():
    """The table, and the sum of its values (both readers must reproduce it)."""
    rng = np.random.default_rng(SEED)
    frame = pl.DataFrame(rng.standard_normal((ROWS, COLS)), schema=[f"x{j}" for j in range(COLS)])
    return frame, float(frame.sum_horizontal().sum())


def compare_file(kind, write, read):
    """Writes the table once with polars `write`, then times polars `read` and ours on it."""
    frame, total = table()
    path = os.path.join(tempfile.mkdtemp(prefix="causal-bench-read-"), f"table.{kind}")
    write(frame, path)
    del frame
    peer, back = timed(read, path)
    ours = run_ours(f"read-{kind}", path)
    os.remove(path)
    agree = abs(ours["sum"] - total) <= 1e-6 * max(1.0, abs(total))
    note = f"same shape and value sum: {agree and back.shape == (ours['rows'], ours['cols'])}"
    return peer, ours["seconds"], note


@comparison
def read_csv():
    # Full float precision, as polars writes it.
    peer, ours, note = compare_file("csv", pl.DataFrame.write_csv, pl.read_csv)
    return f"CSV read {ROWS} x {COLS} floats, one thread (polars.read_csv, POLARS_MAX_THREADS=1)", peer, ours, note


@comparison
def read_parquet():
    # polars' default Parquet: zstd, its default row groups.
    peer, ours, note = compare_file("parquet", pl.DataFrame.write_parquet, pl.read_parquet)
    return f"Parquet read {ROWS} x {COLS} floats, one thread (polars.read_parquet, zstd)", peer, ours, note
