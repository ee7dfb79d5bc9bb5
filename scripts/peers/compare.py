"""Side-by-side timings of causal-rs against its Python peers (run by `cargo xtask bench-compare`).

Every module `compare_*.py` beside this file registers comparisons with `@comparison`. Each
times the peer in this process and ours through `causal-lab bench NAME ...` (binary path in
$CAUSAL_LAB) on the same generated input, and returns (name, peer_seconds, ours_seconds) or (name, peer_seconds, ours_seconds, note), where
the note says how the outputs were checked to agree.

`compare.py [--only NAME[,NAME..]]` runs only the modules `compare_NAME.py`. The table is printed and
written as `results.md` and `results.json` into $CAUSAL_BENCH_OUT (default: the current directory).
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


def run_ours(*args, env=None):
    """Runs `causal-lab bench ARGS..` (with these extra environment variables) and returns its
    JSON (with a `seconds` field)."""
    full_env = None if env is None else {**os.environ, **env}
    out = subprocess.run([LAB, "bench", *args], check=True, capture_output=True, text=True,
                         env=full_env)
    return json.loads(out.stdout)


def parse_only(argv):
    if "--only" not in argv:
        return None
    i = argv.index("--only")
    if i + 1 >= len(argv):
        raise SystemExit("--only needs a comma-separated list of comparison modules, e.g. --only pc,ols")
    return set(argv[i + 1].split(","))


def write_results(rows):
    out = os.environ.get("CAUSAL_BENCH_OUT", ".")
    os.makedirs(out, exist_ok=True)
    load = os.getloadavg()[0]
    records = [
        {"comparison": r[0], "peer_s": r[1], "ours_s": r[2], "speedup": r[1] / r[2],
         "note": r[3] if len(r) > 3 else ""}
        for r in rows
    ]
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"load_avg_1min": load, "rows": records}, f, indent=2)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(f"| comparison | peer s | ours s | speed-up | outputs |\n|---|---|---|---|---|\n")
        for r in records:
            f.write(f"| {r['comparison']} | {r['peer_s']:.4f} | {r['ours_s']:.4f} | "
                    f"{r['speedup']:.1f}x | {r['note']} |\n")
        f.write(f"\n1-minute load average at the end: {load:.2f}\n")
    print(f"written to {out}/results.md and results.json", file=sys.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    only = parse_only(sys.argv[1:])
    names = [os.path.basename(p)[len("compare_"):-3]
             for p in sorted(glob.glob(os.path.join(here, "compare_*.py")))]
    if only is not None and not only <= set(names):
        raise SystemExit(f"unknown comparison(s) {sorted(only - set(names))}; known: {names}")
    for name in names:
        if only is None or name in only:
            importlib.import_module("compare_" + name)
    rows = []
    for fn in COMPARISONS:
        row = fn()
        rows.extend(row if isinstance(row, list) else [row])
    if not rows:
        print("no comparisons registered", file=sys.stderr)
        return 1
    print(f"{'comparison':<48} {'peer s':>10} {'ours s':>10} {'speed-up':>10}")
    for r in rows:
        name, peer, ours = r[:3]
        print(f"{name:<48} {peer:>10.4f} {ours:>10.4f} {peer / ours:>9.1f}x", flush=True)
    write_results(rows)
    return 0


sys.modules.setdefault("compare", sys.modules[__name__])

if __name__ == "__main__":
    sys.exit(main())
