"""Data shared by the discovery comparisons (compare_pc, pc_cli, py, ges, lingam, notears):
simulated linear SEMs written to CSV and read back, so that the peer and causal-lab see identical
numbers."""
import os
import time

import numpy as np


def random_dag(d, p, seed):
    """Weights W[i, j] for i -> j (i < j) with probability p, ±U[0.5, 2]; also returns the rng."""
    rng = np.random.default_rng(seed)
    w = np.zeros((d, d))
    for j in range(d):
        for i in range(j):
            if rng.random() < p:
                w[i, j] = rng.uniform(0.5, 2.0) * (1 if rng.random() < 0.5 else -1)
    return w, rng


def sample(w, n, rng, noise="gaussian"):
    d = w.shape[0]
    x = np.zeros((n, d))
    for j in range(d):
        if noise == "gaussian":
            e = rng.standard_normal(n)
        elif noise == "uniform":
            e = rng.uniform(-1.0, 1.0, n)
        else:
            raise ValueError(noise)
        x[:, j] = x @ w[:, j] + e
    return x


def write_csv(x, folder, name):
    """Writes `x` with header X0..X{d-1} and returns (path, the values read back)."""
    path = os.path.join(folder, name)
    np.savetxt(path, x, delimiter=",", header=",".join(f"X{i}" for i in range(x.shape[1])),
               comments="", fmt="%.17g")
    return path, np.loadtxt(path, delimiter=",", skiprows=1)


def shd(a, b):
    """Structural Hamming distance of two DAG adjacency matrices (a reversal counts once)."""
    a = np.asarray(a) != 0
    b = np.asarray(b) != 0
    d = a.shape[0]
    return sum(1 for i in range(d) for j in range(i + 1, d)
               if (a[i, j], a[j, i]) != (b[i, j], b[j, i]))


def timed_cpu(fn):
    """(wall seconds, CPU seconds of this process, result) of `fn()`."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def load(peer_cpu=None, ours=None):
    """The load average, and the CPU-time ratio when both CPU times are known: on a loaded
    machine it is steadier than the wall-time ratio of short runs."""
    note = f"load {os.getloadavg()[0]:.2f}"
    cpu = (ours or {}).get("cpu_seconds")
    if peer_cpu is not None and cpu:
        note += f"; CPU s peer {peer_cpu:.4g}, ours {cpu:.4g} ({peer_cpu / cpu:.1f}x)"
    return note


def simulate(d, n, seed):
    """The PC comparisons' linear SEM (compare_pc, compare_pc_cli, compare_py): edge i -> j
    (i < j) with probability 2/(d-1), weights ±U[0.5, 2], standard normal noise."""
    rng = np.random.default_rng(seed)
    p = 2.0 / (d - 1)
    x = np.zeros((n, d))
    for j in range(d):
        col = rng.standard_normal(n)
        for i in range(j):
            if rng.random() < p:
                w = rng.uniform(0.5, 2.0) * (1 if rng.random() < 0.5 else -1)
                col += w * x[:, i]
        x[:, j] = col
    return x
