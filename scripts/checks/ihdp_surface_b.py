"""Fresh draws of Hill's response surface B on the IHDP covariates, in the npci file layout.

Never used to choose a setting: `ihdp_ite.py --data-dir OUT --reps 101-110` scores `causal ite`
on them. Surface B (Hill 2011, as in the npci replications): β_j drawn from
{0, 0.1, 0.2, 0.3, 0.4} with probabilities (0.6, 0.1, 0.1, 0.1, 0.1); μ₀ = exp((x + 0.5)ᵀβ),
μ₁ = xᵀβ − ω with ω set so that the effect on the treated averages 4; y = μ_t + N(0, 1).
The covariates and treatments are replication 1's. Standard library only.

    python scripts/checks/ihdp_surface_b.py --data-dir ../shared/data/ihdp --out /tmp/fresh \
        --seeds 101-110
"""

import argparse
import csv
import math
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, help="folder of ihdp_npci_1.csv")
    ap.add_argument("--out", required=True, help="folder for ihdp_npci_SEED.csv")
    ap.add_argument("--seeds", default="101-110", help="a range such as 101-110")
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    with open(os.path.join(args.data_dir, "ihdp_npci_1.csv")) as f:
        rows = [[float(v) for v in row] for row in csv.reader(f)]
    # Columns: t, y, y_cf, mu0, mu1, x1..x25 (no header).
    t = [row[0] for row in rows]
    x = [row[5:] for row in rows]
    os.makedirs(args.out, exist_ok=True)
    for seed in range(int(lo), int(hi or lo) + 1):
        rng = random.Random(seed)
        beta = [rng.choices([0, 0.1, 0.2, 0.3, 0.4], [0.6, 0.1, 0.1, 0.1, 0.1])[0]
                for _ in x[0]]
        mu0 = [math.exp(sum(b * (v + 0.5) for b, v in zip(beta, xs))) for xs in x]
        mu1 = [sum(b * v for b, v in zip(beta, xs)) for xs in x]
        treated = [i for i, ti in enumerate(t) if ti == 1]
        omega = sum(mu1[i] - mu0[i] for i in treated) / len(treated) - 4
        mu1 = [m - omega for m in mu1]
        with open(os.path.join(args.out, f"ihdp_npci_{seed}.csv"), "w", newline="") as f:
            out = csv.writer(f)
            for i, xs in enumerate(x):
                factual, counter = (mu1[i], mu0[i]) if t[i] == 1 else (mu0[i], mu1[i])
                y = factual + rng.gauss(0, 1)
                y_cf = counter + rng.gauss(0, 1)
                out.writerow([t[i], y, y_cf, mu0[i], mu1[i]] + xs)
        print(f"seed {seed}: max mu0 {max(mu0):.1f}")


if __name__ == "__main__":
    main()
