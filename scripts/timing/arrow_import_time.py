"""Times a pyarrow table of 10^6 rows x 100 float64 columns into a `causal_rs.Data`
(`causal_rs.dataset(table)`): the median of 5 runs, beside a bare copy of the same 800 MB into
fresh memory, for scale. Run with the wheel installed (`cargo xtask py-test` installs it into
~/.cache/causal-rs/py-test-venv):

    ~/.cache/causal-rs/py-test-venv/bin/python scripts/timing/arrow_import_time.py
"""

import statistics
import sys
import time

import numpy as np
import pyarrow as pa

import causal_rs


def median_time(f, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
        del out
    return statistics.median(times), times


def main(n=1_000_000, d=100):
    rng = np.random.default_rng(0)
    table = pa.table({f"x{j}": rng.standard_normal(n) for j in range(d)})
    src = np.concatenate([c.to_numpy() for c in table.columns])
    med, times = median_time(lambda: causal_rs.dataset(table))
    copy, _ = median_time(lambda: src.copy())
    data = causal_rs.dataset(table)
    assert data.n_rows == n and data.n_cols == d and data.missing == [0] * d
    print(f"pyarrow {n} x {d} float64 -> Data: median {med:.4f} s "
          f"(runs {', '.join(f'{t:.4f}' for t in times)})")
    print(f"bare copy of the {src.nbytes / 1e6:.0f} MB into fresh memory: median {copy:.4f} s")
    return med


if __name__ == "__main__":
    main(*map(int, sys.argv[1:3]))
