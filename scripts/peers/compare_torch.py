"""A 3-layer MLP (10 -> 64 -> 64 -> 1, ReLU) trained by Adam for 2000 mini-batches of 256 rows:
PyTorch-Python's loop against causal-torch's Trainer and a bare tch loop (`causal-lab bench mlp`,
which times both in one process). Both sides use one intra-op thread, so the comparison measures
per-step overhead rather than thread scheduling. On a shared machine each side runs REPS times,
interleaved, and the fastest run of each counts (the least disturbed by other processes).

The target row compares with PyTorch's default Adam (the per-tensor loop on CPU). A second row
shows PyTorch's fused CPU Adam (`fused=True`, one kernel for all tensors), the closest PyTorch
comes to the Trainer's flat-buffer optimizer."""
import torch

from compare import comparison, run_ours

import time

STEPS, BATCH, WIDTH, SEED, THREADS = 2000, 256, 64, 0, 1
PER_EPOCH = 40
REPS = 3


def train_python(fused=False):
    """Same data, model, optimizer and batching as `causal-lab bench mlp`; returns (seconds of
    the training loop only, last epoch's mean loss)."""
    torch.set_num_threads(THREADS)
    torch.manual_seed(SEED)
    n = PER_EPOCH * BATCH
    x = torch.randn(n, 10)
    y = torch.sin(x[:, :1]) + 0.5 * x[:, 1:2]
    net = torch.nn.Sequential(
        torch.nn.Linear(10, WIDTH), torch.nn.ReLU(),
        torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU(),
        torch.nn.Linear(WIDTH, 1),
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=fused or None)
    g = torch.Generator().manual_seed(SEED)
    steps = 0
    t0 = time.perf_counter()
    while steps < STEPS:
        perm = torch.randperm(n, generator=g)
        total = 0.0
        for b in range(PER_EPOCH):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            loss = torch.nn.functional.mse_loss(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()  # the epoch's mean loss, which the Trainer also records
            steps += 1
    return time.perf_counter() - t0, total / PER_EPOCH


@comparison
def mlp_adam():
    peer, fused, ours, bare = [], [], [], []
    for _ in range(REPS):
        secs, peer_loss = train_python()
        peer.append(secs)
        fused.append(train_python(fused=True)[0])
        o = run_ours("mlp", str(STEPS), str(BATCH), str(WIDTH), str(SEED), str(THREADS))
        ours.append(o["seconds"])
        bare.append(o["bare_seconds"])
    p, f, t, b = min(peer), min(fused), min(ours), min(bare)
    us = lambda s: s / STEPS * 1e6  # noqa: E731
    note = (f"per step: PyTorch {us(p):.0f} us, Trainer {us(t):.0f} us, bare tch {us(b):.0f} us, "
            f"Trainer overhead {us(t - b):+.0f} us ({t / b - 1:+.0%}); last-epoch MSE PyTorch "
            f"{peer_loss:.4f}, Trainer {o['final_loss']:.4f}; best of {REPS}")
    return [
        (f"MLP 3x{WIDTH}, {STEPS} Adam steps: Trainer (PyTorch)", p, t, note),
        (f"MLP 3x{WIDTH}, {STEPS} Adam steps: Trainer (PyTorch fused Adam)", f, t,
         f"PyTorch per step {us(f):.0f} us with fused=True; reference only"),
        (f"MLP 3x{WIDTH}, {STEPS} Adam steps: bare tch loop (PyTorch)", p, b,
         "LibTorch's own C++ Adam (one update per tensor): forward, backward, step, nothing else"),
    ]
