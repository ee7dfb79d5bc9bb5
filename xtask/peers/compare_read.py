"""Reading a CSV of 10^6 rows x 100 floats on one thread: polars.read_csv against Dataset::from_path."""
import os
import tempfile

# One thread for polars, as for ours; it must be set before polars is imported.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from compare import comparison, run_ours, timed

ROWS, COLS, SEED = 1_000_000, 100, 0


def table_file():
    """The table as CSV (written once per run by polars), full float precision."""
    rng = np.random.default_rng(SEED)
    frame = pl.DataFrame(rng.standard_normal((ROWS, COLS)), schema=[f"x{j}" for j in range(COLS)])
    path = os.path.join(tempfile.mkdtemp(prefix="causal-bench-read-"), "table.csv")
    frame.write_csv(path)
    return path, float(frame.sum_horizontal().sum())


@comparison
def read_csv():
    path, total = table_file()
    peer, frame = timed(pl.read_csv, path)
    ours = run_ours("read-csv", path)
    os.remove(path)
    agree = abs(ours["sum"] - total) <= 1e-6 * max(1.0, abs(total))
    note = f"same shape and value sum: {agree and frame.shape == (ours['rows'], ours['cols'])}"
    return f"CSV read {ROWS} x {COLS} floats, one thread (polars.read_csv, POLARS_MAX_THREADS=1)", peer, ours["seconds"], note
