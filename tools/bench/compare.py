#!/usr/bin/env python3
"""Side-by-side training throughput: `workbench bench` against PyTorch on the same CPU.

Runs every config once per tool per round (each run in its own process, so peak memory is per
config; the order of the tools alternates between rounds), repeats the rounds, and prints the
medians, the ratios and whether the floors of the performance issue are met:
training tokens/s at least 1.5x PyTorch on tiny and small, 1.25x on medium and large, peak
memory at most half of PyTorch's.

Usage (from the repository root; stdlib only):
  python3 tools/bench/compare.py                      # all configs, 5 rounds
  python3 tools/bench/compare.py --configs tiny small --rounds 1 --steps 5

PyTorch comes from $TORCH_PYTHON, else /opt/torchenv/bin/python, else a venv this script
creates in ~/.cache/workbench-bench/torchenv with `pip install torch numpy` (PyPI).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ["tiny", "small", "medium", "large", "image"]
FLOORS = {"tiny": 1.5, "small": 1.5, "medium": 1.25, "large": 1.25}
MEMORY_FLOOR = 0.5


def torch_python():
    for cand in (os.environ.get("TORCH_PYTHON"), "/opt/torchenv/bin/python"):
        if cand and pathlib.Path(cand).exists() and has_torch(cand):
            return cand
    venv = pathlib.Path.home() / ".cache" / "workbench-bench" / "torchenv"
    py = venv / "bin" / "python"
    if not (py.exists() and has_torch(str(py))):
        print(f"creating {venv} and installing torch numpy from PyPI ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "torch", "numpy"], check=True)
    return str(py)


def has_torch(py):
    return subprocess.run([py, "-c", "import torch"], capture_output=True).returncode == 0


def workbench_binary():
    subprocess.run(["swift", "build", "-c", "release", "--product", "workbench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return str(pathlib.Path(out) / "workbench")


def run_json(cmd):
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sgemm_rate(wb, threads):
    out = subprocess.run([wb, "bench", "--sgemm-only", "--threads", str(threads)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["sgemm_gflops"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", nargs="+", default=CONFIGS, choices=CONFIGS)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, help="timed steps per run (default: per config)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    py, wb = torch_python(), workbench_binary()
    extra = ["--threads", str(args.threads)] + (["--steps", str(args.steps)] if args.steps else [])
    runs = {c: {"workbench": [], "pytorch": []} for c in args.configs}
    rates = []
    for r in range(args.rounds):
        rates.append(sgemm_rate(wb, args.threads))
        for c in args.configs:
            cmds = {"workbench": [wb, "bench", "--config", c, "--json"] + extra,
                    "pytorch": [py, str(ROOT / "tools/bench/torch_bench.py"), "--config", c] + extra}
            order = ["workbench", "pytorch"] if r % 2 == 0 else ["pytorch", "workbench"]
            for tool in order:
                res = run_json(cmds[tool])
                runs[c][tool].append(res)
                print(f"round {r + 1} {c:6s} {tool:9s} {res['train_tokens_per_s']:10.0f} tok/s "
                      f"{res['train_gflops']:7.1f} GFLOP/s  eval {res['eval_tokens_per_s']:10.0f} tok/s "
                      f"peak {res['peak_mb']:7.0f} MB  loss {res['final_loss_nats']:.3f}", flush=True)
    rate = statistics.median(rates)
    print(f"\ncblas_sgemm 1024^3, {args.threads} threads: {rate:.1f} GFLOP/s (median of {len(rates)})")
    print(f"medians of {args.rounds} round(s), {args.threads} threads; ratio = median over rounds of "
          "workbench / PyTorch in the same round; mem ratio = worst round")
    print("config   workbench tok/s  PyTorch tok/s  ratio  floor  GFLOP/s (%sgemm)  eval ratio  "
          "peak MB wb/pt  mem ratio  met")
    all_met = True
    for c in args.configs:
        med = {t: {k: statistics.median(x[k] for x in runs[c][t])
                   for k in ("train_tokens_per_s", "eval_tokens_per_s", "train_gflops", "peak_mb")}
               for t in runs[c]}
        w, p = med["workbench"], med["pytorch"]
        # Ratios are paired within a round (same load), then the median over rounds is taken.
        pairs = list(zip(runs[c]["workbench"], runs[c]["pytorch"]))
        ratio = statistics.median(a["train_tokens_per_s"] / b["train_tokens_per_s"] for a, b in pairs)
        eval_ratio = statistics.median(a["eval_tokens_per_s"] / b["eval_tokens_per_s"] for a, b in pairs)
        mem = max(a["peak_mb"] / b["peak_mb"] for a, b in pairs)
        floor = FLOORS.get(c)
        met = (floor is None or ratio >= floor) and mem <= MEMORY_FLOOR
        all_met &= met
        print(f"{c:8s} {w['train_tokens_per_s']:15.0f} {p['train_tokens_per_s']:14.0f} {ratio:6.2f} "
              f"{(f'{floor:.2f}' if floor else '  - '):>6s} {w['train_gflops']:8.1f} ({100 * w['train_gflops'] / rate:3.0f}%)"
              f" {eval_ratio:11.2f} "
              f"{w['peak_mb']:7.0f}/{p['peak_mb']:<7.0f} {mem:9.2f}  {'yes' if met else 'NO'}")
    print("floors met" if all_met else "floors NOT met")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
