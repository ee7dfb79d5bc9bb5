"""Writes tests/fixtures/effects.{csv,dot} and the `causal` CLI's JSON on them
(tests/fixtures/cli_*.json), which test_effects.py compares the Python bindings against: the
same Rust estimators, reached through the CLI's arguments and through Python's.

Run from the repository root with the release CLI built and LibTorch on the path:

    eval "$(cargo xtask libtorch --env)"
    python3 crates/causal-py/scripts/effect_fixtures.py target/release/causal
"""

import json
import pathlib
import subprocess
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"

# One confounded table: w1, w2 confounders, x a continuous and t a binary treatment, z an
# instrument of x and of t, y the outcome (effect 1.5 of x, 2 of t).
N, SEED = 600, 7

# (fixture name, CLI arguments after the data)
RUNS = [
    ("dml_plr_lasso", ["estimate", "--treatment", "x", "--outcome", "y", "--adjust", "w1,w2",
                       "--method", "dml-plr", "--learner", "lasso", "--folds", "3"]),
    ("dml_irm_forest", ["estimate", "--treatment", "t", "--outcome", "y", "--adjust", "w1,w2",
                        "--method", "dml-irm", "--learner", "forest:20", "--score", "atte"]),
    ("dml_pliv_linear", ["estimate", "--treatment", "x", "--outcome", "y", "--adjust", "w1,w2",
                         "--instruments", "z", "--method", "dml-pliv", "--repeats", "2"]),
    ("dml_iivm_linear", ["estimate", "--treatment", "t", "--outcome", "y", "--adjust", "w1,w2",
                         "--instruments", "zb", "--method", "dml-iivm"]),
    ("cate_dr", ["cate", "--treatment", "t", "--outcome", "y", "--adjust", "w1,w2",
                 "--features", "w1", "--method", "dr"]),
    ("cate_r", ["cate", "--treatment", "t", "--outcome", "y", "--adjust", "w1,w2",
                "--features", "w1", "--method", "r", "--learner", "lasso"]),
    ("cate_x", ["cate", "--treatment", "t", "--outcome", "y", "--adjust", "w1,w2",
                "--method", "x", "--folds", "4", "--seed", "3"]),
    ("effect", ["effect", "--treatment", "x", "--outcome", "y", "--graph", "GRAPH",
                "--graph-format", "dot", "--simulations", "8", "--seed", "5", "--bootstrap", "20"]),
    ("effect_pc", ["effect", "--treatment", "z", "--outcome", "y", "--discover", "pc",
                   "--alpha", "0.01", "--simulations", "5", "--bootstrap", "10"]),
    ("refute", ["refute", "--treatment", "x", "--outcome", "y", "--graph", "GRAPH",
                "--graph-format", "dot", "--simulations", "8", "--seed", "5"]),
]

GRAPH = """digraph {
  w1 -> x; w2 -> x; z -> x; w1 -> y; w2 -> y; x -> y;
  w1 -> t; t -> y; zb -> t;
}
"""

SELECTION = """digraph {
  X -> Z; Z -> Y; S -> Y;
  X -> Y [dir=both, style=dashed];
}
"""


def table():
    rng = np.random.default_rng(SEED)
    w1, w2, z = rng.normal(size=(3, N))
    zb = (rng.random(N) < 0.5).astype(float)
    x = 0.8 * w1 - 0.5 * w2 + z + rng.normal(size=N)
    t = (rng.random(N) < 1 / (1 + np.exp(-(0.7 * w1 + 1.5 * zb - 0.75)))).astype(float)
    y = 1.5 * x + 2 * t + (1 + 0.5 * w1) * t + w1 + 0.5 * w2 + rng.normal(size=N)
    cols = {"w1": w1, "w2": w2, "z": z, "zb": zb, "x": x, "t": t, "y": y}
    lines = [",".join(cols)]
    for i in range(N):
        lines.append(",".join(repr(round(float(c[i]), 6)) for c in cols.values()))
    return "\n".join(lines) + "\n"


def main(cli):
    HERE.mkdir(parents=True, exist_ok=True)
    (HERE / "effects.csv").write_text(table())
    (HERE / "effects.dot").write_text(GRAPH)
    (HERE / "selection.dot").write_text(SELECTION)
    data = str(HERE / "effects.csv")
    for name, args in RUNS:
        args = [str(HERE / "effects.dot") if a == "GRAPH" else a for a in args]
        out = subprocess.run([cli, "-q", args[0], "--data", data, *args[1:]], check=True,
                             capture_output=True, text=True).stdout
        (HERE / f"cli_{name}.json").write_text(json.dumps(json.loads(out), indent=1) + "\n")
    # The assumptions report (report.json; its sensitivity is `causal effect`'s too).
    tmp = HERE / "report-tmp"
    subprocess.run([cli, "-q", "report", "--data", data, "--treatment", "x", "--outcome", "y",
                    "--graph", str(HERE / "effects.dot"), "--graph-format", "dot",
                    "--simulations", "8", "--seed", "5", "--out", str(tmp)],
                   check=True, capture_output=True, text=True)
    report = json.loads((tmp / "report.json").read_text())
    (HERE / "cli_report.json").write_text(json.dumps(report, indent=1) + "\n")
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    out = subprocess.run([cli, "-q", "transport", str(HERE / "selection.dot"), "--treatment", "X",
                          "--outcome", "Y"], check=True, capture_output=True, text=True).stdout
    (HERE / "cli_transport.json").write_text(json.dumps(json.loads(out), indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/causal")
