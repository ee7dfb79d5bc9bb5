"""Side-by-side timings of causal-rs against its Python peers (run by `cargo xtask bench-compare`).

Every module `compare_*.py` beside this file registers comparisons with `@comparison`. Each
times the peer in this process and ours through `causal-lab bench NAME ...` (binary path in
$CAUSAL_LAB) on the same generated input, and returns (name, peer_seconds, ours_seconds).
"""
import glob
import importlib
import json
import os
import subprocess
import sys
import time

LAB = os.environ.get("CAUSAL_LAB", "causal-lab")
COMPARISONS = []


def comparison(fn):
    COMPARISONS.append(fn)
    return fn


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def run_ours(*args):
    """Runs `causal-lab bench ARGS..` and returns its JSON (with a `seconds` field)."""
    out = subprocess.run([LAB, "bench", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    for path in sorted(glob.glob(os.path.join(here, "compare_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    rows = []
    for fn in COMPARISONS:
        rows.append(fn())
    if not rows:
        print("no comparisons registered", file=sys.stderr)
        return 1
    print(f"{'comparison':<40} {'peer s':>10} {'ours s':>10} {'speed-up':>10}")
    for name, peer, ours in rows:
        print(f"{name:<40} {peer:>10.4f} {ours:>10.4f} {peer / ours:>9.1f}x")
    return 0


sys.modules.setdefault("compare", sys.modules[__name__])

if __name__ == "__main__":
    sys.exit(main())
