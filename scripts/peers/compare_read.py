"""Reading a table of 10^6 rows x 100 floats, polars against Dataset::from_path: CSV
(polars.read_csv) on one thread each, and Parquet (polars.read_parquet, the file as polars
writes it: zstd) on one thread each and on every core each."""
import os
import subprocess
import sys
import tempfile

# One thread for polars in this process; it must be set before polars is imported. The
# all-cores Parquet row times polars in a child process without the limit.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from compare import comparison, run_ours, timed

ROWS, COLS, SEED = 1_000_000, 100, 0
ONE_THREAD = {"RAYON_NUM_THREADS": "1"}


def table():
    """The table, and the sum of its values (both readers must reproduce it)."""
    rng = np.random.default_rng(SEED)
    frame = pl.DataFrame(rng.standard_normal((ROWS, COLS)), schema=[f"x{j}" for j in range(COLS)])
    return frame, float(frame.sum_horizontal().sum())


def polars_all_cores(path):
    """polars.read_parquet's time in a child process with polars' default thread pool."""
    code = ("import sys, time, polars as pl\n"
            "t = time.perf_counter(); f = pl.read_parquet(sys.argv[1])\n"
            "print(time.perf_counter() - t, f.shape[0], f.shape[1])")
    env = {k: v for k, v in os.environ.items() if k != "POLARS_MAX_THREADS"}
    out = subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True,
                         text=True, env=env).stdout.split()
    return float(out[0]), (int(out[1]), int(out[2]))


def agree(ours, total, shape):
    same = abs(ours["sum"] - total) <= 1e-6 * max(1.0, abs(total))
    return f"same shape and value sum: {same and shape == (ours['rows'], ours['cols'])}"


def written(kind, write):
    """Writes the table once with polars `write`; returns the path and the value sum."""
    frame, total = table()
    path = os.path.join(tempfile.mkdtemp(prefix="causal-bench-read-"), f"table.{kind}")
    write(frame, path)
    return path, total


@comparison
def read_csv():
    # Full float precision, as polars writes it.
    path, total = written("csv", pl.DataFrame.write_csv)
    peer, back = timed(pl.read_csv, path)
    ours = run_ours("read-csv", path, env=ONE_THREAD)
    os.remove(path)
    os.rmdir(os.path.dirname(path))
    return (f"CSV read {ROWS} x {COLS} floats, one thread each (polars.read_csv)", peer,
            ours["seconds"], agree(ours, total, back.shape))


@comparison
def read_parquet():
    # polars' default Parquet: zstd, its default row groups.
    path, total = written("parquet", pl.DataFrame.write_parquet)
    peer, back = timed(pl.read_parquet, path)
    ours = run_ours("read-parquet", path, env=ONE_THREAD)
    peer_all, shape_all = polars_all_cores(path)
    ours_all = run_ours("read-parquet", path)
    os.remove(path)
    os.rmdir(os.path.dirname(path))
    cores = os.cpu_count()
    return [
        (f"Parquet read {ROWS} x {COLS} floats, one thread each (polars.read_parquet, zstd)",
         peer, ours["seconds"], agree(ours, total, back.shape)),
        (f"Parquet read, all {cores} cores each (polars' and rayon's default pools)",
         peer_all, ours_all["seconds"], agree(ours_all, total, shape_all)),
    ]
