"""CEVAE training: Pyro's `pyro.contrib.cevae` against causal-lab's, same architecture.

Both train on all 747 units of IHDP replication 1 for the same number of epochs: latent 20,
hidden 200, 3 layers, every covariate a whitened Gaussian (Pyro's choice), a Normal outcome,
batches of 100, Adam at 1e-3 with weight decay 1e-4 (Pyro's ClippedAdam also decays the rate
by 0.1 over the run), on the same number of LibTorch CPU threads ($CAUSAL_BENCH_THREADS,
default 1: these networks are too small to gain from more, and spinning threads on a shared
machine distort both sides). Only training is timed; each side's within-sample √PEHE against
the replication's true effects shows both fits are real ones.
"""
import os
import time

import numpy as np

from compare import comparison, run_ours, timed

EPOCHS, SEED = 30, 0
THREADS = int(os.environ.get("CAUSAL_BENCH_THREADS", "1"))
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("CAUSAL_SHARED_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data"))
NPCI = os.path.join(DATA, "ihdp", "ihdp_npci_1.csv")


def load(path):
    """npci columns: t, y_factual, y_cfactual, mu0, mu1, x1..x25 (x14 coded {1, 2})."""
    d = np.loadtxt(path, delimiter=",")
    t, y, mu0, mu1, x = d[:, 0], d[:, 1], d[:, 3], d[:, 4], d[:, 5:].copy()
    x[:, 13] -= 1
    return x, t, y, mu1 - mu0


@comparison
def cevae_ihdp():
    import pyro
    import torch
    from pyro.contrib.cevae import CEVAE

    if not os.path.exists(NPCI):
        raise SystemExit(f"{NPCI} is absent (set CAUSAL_SHARED_DATA)")
    torch.set_num_threads(THREADS)
    x, t, y, tau = load(NPCI)
    y_mean, y_sd = y.mean(), y.std()
    x = torch.tensor(x, dtype=torch.float32)
    t = torch.tensor(t, dtype=torch.float32)
    y = torch.tensor((y - y_mean) / y_sd, dtype=torch.float32)
    torch.manual_seed(SEED)
    pyro.set_rng_seed(SEED)
    pyro.clear_param_store()
    model = CEVAE(feature_dim=x.shape[1], outcome_dist="normal", latent_dim=20,
                  hidden_dim=200, num_layers=3, num_samples=100)
    cpu0 = time.process_time()
    peer, _ = timed(lambda: model.fit(x, t, y, num_epochs=EPOCHS, batch_size=100,
                                      learning_rate=1e-3, learning_rate_decay=0.1,
                                      weight_decay=1e-4, log_every=0))
    peer_cpu = time.process_time() - cpu0
    ite = model.ite(x).numpy() * y_sd
    peer_pehe = float(np.sqrt(np.mean((ite - tau) ** 2)))
    ours = run_ours("cevae", NPCI, str(EPOCHS), str(SEED), str(THREADS))
    cpu = ours.get("cpu_seconds")
    cpu_note = f"; CPU s: Pyro {peer_cpu:.2f}, ours {cpu:.2f} ({cpu / peer_cpu:.2f}x)" if cpu else ""
    note = (f"within-sample √PEHE: Pyro {peer_pehe:.2f}, ours {ours['pehe']:.2f} "
            f"({THREADS} thread{'s' if THREADS > 1 else ''} each){cpu_note}")
    return f"CEVAE {EPOCHS} epochs, IHDP rep 1 (pyro.contrib.cevae)", peer, ours["seconds"], note
