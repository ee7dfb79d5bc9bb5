"""A 3-layer MLP (10 -> 64 -> 64 -> 1, ReLU) trained by Adam for 2000 mini-batches of 256 rows:
PyTorch-Python's loop against causal-torch's Trainer (`causal-lab bench mlp`). Both use one
intra-op thread, so the comparison measures per-step overhead rather than thread scheduling."""
import torch

from compare import comparison, run_ours, timed

STEPS, BATCH, WIDTH, SEED, THREADS = 2000, 256, 64, 0, 1
PER_EPOCH = 40


def train_python():
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
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(SEED)
    steps = 0
    while steps < STEPS:
        perm = torch.randperm(n, generator=g)
        for b in range(PER_EPOCH):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            loss = torch.nn.functional.mse_loss(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
    return float(loss)


@comparison
def mlp_adam():
    peer, _ = timed(train_python)
    ours = run_ours("mlp", str(STEPS), str(BATCH), str(WIDTH), str(SEED), str(THREADS))
    return f"MLP 3x{WIDTH}, {STEPS} Adam steps (PyTorch)", peer, ours["seconds"]
