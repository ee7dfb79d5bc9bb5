"""`causal ite` with default settings on the IHDP replications, scored against the truth.

For each replication and model: √PEHE = sqrt(mean((cate − (mu1 − mu0))²)) and
ε_ATE = |mean(cate) − mean(mu1 − mu0)| over all units (within-sample truth), then per model
the mean, the median and max/median of √PEHE. Standard library only.

    python scripts/checks/ihdp_ite.py --causal target/release/causal \
        --data-dir ../shared/data/ihdp --models cevae,cevae-paper,tarnet,cfr-wass,dragonnet --reps 1-10

Extra arguments after `--` go to every `causal ite` call (e.g. `-- --ensemble 5`). Fresh
surface-B draws in the same layout, never used to choose a setting:

    cargo run --release -p causal-cf --example surface_b_draws -- \
        ../shared/data/ihdp-covariates/ihdp_covariates_econml.csv /tmp/fresh 101-110
    python scripts/checks/ihdp_ite.py ... --data-dir /tmp/fresh --reps 101-110
"""

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

COVARIATES = [f"x{i}" for i in range(1, 26)]


def replications(spec):
    lo, _, hi = spec.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--causal", required=True, help="the causal binary")
    ap.add_argument("--data-dir", required=True, help="folder of ihdp_npci_N.csv")
    ap.add_argument("--models", default="cevae,cevae-paper,tarnet,cfr-wass,dragonnet")
    ap.add_argument("--reps", default="1-10", help="a range such as 1-10, or one number")
    ap.add_argument("--seed", default="0")
    ap.add_argument("extra", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    extra = [a for a in args.extra if a != "--"]
    models = args.models.split(",")
    results = {m: [] for m in models}
    tmp = tempfile.mkdtemp(prefix="ihdp_ite_")
    try:
        for r in replications(args.reps):
            with open(os.path.join(args.data_dir, f"ihdp_npci_{r}.csv")) as f:
                rows = [[float(v) for v in row] for row in csv.reader(f)]
            # Columns: t, y, y_cf, mu0, mu1, x1..x25 (no header).
            path = os.path.join(tmp, f"rep{r}.csv")
            with open(path, "w") as f:
                f.write(",".join(["t", "y", "ycf", "mu0", "mu1"] + COVARIATES) + "\n")
                for row in rows:
                    f.write(",".join(repr(v) for v in row) + "\n")
            tau = [row[4] - row[3] for row in rows]
            for m in models:
                out = os.path.join(tmp, f"cate_{m}_{r}.csv")
                cmd = [args.causal, "ite", "--model", m, "--data", path, "--treatment", "t",
                       "--outcome", "y", "--covariates", ",".join(COVARIATES),
                       "--seed", args.seed, "--out", out] + extra
                run = subprocess.run(cmd, capture_output=True, text=True)
                if run.returncode:
                    sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr}")
                report = json.loads(run.stdout)
                with open(out) as f:
                    cate = [float(row["cate"]) for row in csv.DictReader(f)]
                pehe = math.sqrt(sum((c - t) ** 2 for c, t in zip(cate, tau)) / len(tau))
                eate = abs(sum(cate) / len(cate) - sum(tau) / len(tau))
                members = (report.get("validation") or {}).get("members", [])
                rmse = ",".join(f"{v['factual_rmse']:.3f}" for v in members)
                results[m].append(pehe)
                print(f"{m:10s} rep {r:2d}  sqrtPEHE {pehe:7.3f}  eATE {eate:6.3f}  "
                      f"epochs {report['epochs']} (best {report['best_epoch']})  "
                      f"valid factual RMSE {rmse}", flush=True)
    finally:
        shutil.rmtree(tmp)
    for m, pehes in results.items():
        med = statistics.median(pehes)
        print(f"{m:10s} mean sqrtPEHE {statistics.mean(pehes):.3f}  median {med:.3f}  "
              f"max/median {max(pehes) / med:.2f}")


if __name__ == "__main__":
    main()
