#!/usr/bin/env python3
"""Side-by-side training throughput: `workbench bench` against PyTorch on the same CPU.

Default (paired steps): for each config, both tools start once (`--serve`), warm up, then take
turns one training step at a time (a few steps per turn for the fast configs), then one turn of
forward-only evaluation passes each, the order alternating between pairs, with a short pause
between turns so neither tool's idle spinning threads overlap the other's step. Each pair's ratio
compares two turns taken seconds apart, so a slow phase of a shared machine hits both alike; the
median over pairs is reported, for training and for evaluation. Peak memory comes from each
process at the end.

With --separate-runs: every config runs once per tool per round, each run in its own process
(the older method; rounds are a minute or more apart, so the machine's phases add noise).

Prints the medians, the ratios and whether the floors of the performance issue are met:
training tokens/s at least 1.5x PyTorch on tiny and small, 1.25x on medium and large, peak
memory at most half of PyTorch's.

With --sampling: one image sequence (3072 tokens, batch 1) drawn with a key-value cache by
`workbench bench --sampling` and by tools/bench/torch_sampling_peer.py on the same weights.

Usage (from the repository root; stdlib only):
  python3 tools/bench/compare.py                          # all configs, 12 pairs each
  python3 tools/bench/compare.py --configs large --pairs 20
  python3 tools/bench/compare.py --separate-runs --configs tiny small --rounds 1 --steps 5

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
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ["tiny", "small", "medium", "large", "image", "lstm"]
FLOORS = {"tiny": 1.5, "small": 1.5, "medium": 1.25, "large": 1.25}
MEMORY_FLOOR = 0.5
# Training steps per turn in paired mode: about a second or more of work per turn.
TURN_STEPS = {"tiny": 10, "small": 3, "medium": 1, "large": 1, "image": 2, "lstm": 1}
# Forward-only evaluation passes per turn (a pass costs about a third of a training step).
EVAL_TURN_STEPS = {"tiny": 30, "small": 9, "medium": 3, "large": 3, "image": 6, "lstm": 3}
# The goal of issue 29: training and evaluation each at least 2x PyTorch's tokens/s, or at least
# 90 % of the measured SGEMM rate in model GFLOP/s, whichever comes first.
GOAL_RATIO, GOAL_SGEMM_SHARE = 2.0, 0.9
PAUSE_S = 0.5


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


def sgemm_probe(wb, threads):
    """`workbench bench --sgemm-only`: the rate and the OpenBLAS kernels in use."""
    out = subprocess.run([wb, "bench", "--sgemm-only", "--threads", str(threads)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """One tool running `--serve`: started, warmed up, then asked for timed steps."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{cmd[0]} exited before it was ready")
            if line.strip() == "ready":
                return

    def steps(self, k, kind="step"):
        """Seconds per step of `k` timed training steps (kind "step") or evaluation passes ("eval")."""
        self.proc.stdin.write(f"{kind} {k}\n")
        self.proc.stdin.flush()
        res = json.loads(self.proc.stdout.readline())
        return res["seconds"] / res["steps"]

    def finish(self):
        """The tool's final JSON line (evaluation speed, peak memory)."""
        out, _ = self.proc.communicate("done\n")
        return json.loads(out.strip().splitlines()[-1])


def paired(config, cmds, pairs):
    """Per-pair seconds per training step and per evaluation pass of each tool, and each tool's
    final result. Each pair times both tools' training turns, then both tools' evaluation turns."""
    servers = {tool: Server(cmd + ["--serve"]) for tool, cmd in cmds.items()}   # one after the other
    seconds = {tool: [] for tool in cmds}
    eval_seconds = {tool: [] for tool in cmds}
    for i in range(pairs):
        order = ["workbench", "pytorch"] if i % 2 == 0 else ["pytorch", "workbench"]
        for kind, k, into in (("step", TURN_STEPS[config], seconds), ("eval", EVAL_TURN_STEPS[config], eval_seconds)):
            for tool in order:
                time.sleep(PAUSE_S)
                into[tool].append(servers[tool].steps(k, kind))
        w, p = seconds["workbench"][-1], seconds["pytorch"][-1]
        we, pe = eval_seconds["workbench"][-1], eval_seconds["pytorch"][-1]
        print(f"pair {i + 1:2d} {config:6s} workbench {w:8.3f} s/step  pytorch {p:8.3f} s/step  "
              f"ratio {p / w:5.2f}   eval {we:8.4f} / {pe:8.4f} s/pass  ratio {pe / we:5.2f}", flush=True)
    return seconds, eval_seconds, {tool: servers[tool].finish() for tool in ("workbench", "pytorch")}


SAMPLING_FLOOR = 3.0


def compare_sampling(py, wb, threads, rounds=3):
    """Both tools draw one whole image sequence from the same model, taking turns `rounds` times."""
    import tempfile
    shape = {"n-layer": 4, "d-model": 128, "n-head": 2, "n-ctx": 3072, "vocab": 256, "mlp-width": 128, "attn-width": 32}
    with tempfile.TemporaryDirectory() as tmp:
        weights = str(pathlib.Path(tmp) / "image.safetensors")
        ours, theirs = [], []
        for r in range(rounds):
            ours.append(run_json([wb, "bench", "--sampling", "--config", "image", "--json", "--threads", str(threads),
                                  "--save-weights", weights])["cached_tokens_per_s"])
            peer = [py, str(ROOT / "tools/bench/torch_sampling_peer.py"), "--weights", weights, "--threads", str(threads)]
            for k, v in shape.items():
                peer += ["--" + k, str(v)]
            theirs.append(run_json(peer)["cached_tokens_per_s"])
            print(f"round {r + 1}: workbench {ours[-1]:8.1f} tok/s   pytorch {theirs[-1]:8.1f} tok/s", flush=True)
    ratio = statistics.median(a / b for a, b in zip(ours, theirs))
    print(f"sampling, image shape (ctx 3072, batch 1, {threads} threads): workbench {statistics.median(ours):.1f} tok/s, "
          f"PyTorch {statistics.median(theirs):.1f} tok/s, ratio {ratio:.2f}x "
          f"({'meets' if ratio >= SAMPLING_FLOOR else 'below'} the {SAMPLING_FLOOR:.0f}x floor)")


def goal_met(ratio, gflops, sgemm):
    return ratio >= GOAL_RATIO or gflops >= GOAL_SGEMM_SHARE * sgemm


def goal_mark(ratio, gflops, sgemm):
    return "yes" if goal_met(ratio, gflops, sgemm) else "no"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--configs", nargs="+", default=CONFIGS, choices=CONFIGS)
    ap.add_argument("--pairs", type=int, default=12, help="paired turns per config (default mode)")
    ap.add_argument("--separate-runs", action="store_true", help="one process per tool, config and round")
    ap.add_argument("--rounds", type=int, default=5, help="rounds with --separate-runs")
    ap.add_argument("--steps", type=int, help="timed steps per run with --separate-runs (default: per config)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sampling", action="store_true",
                    help="instead: sampling one image sequence (3072 tokens) with a key-value cache, "
                         "against tools/bench/torch_sampling_peer.py on the same weights (floor 3x)")
    args = ap.parse_args()
    py, wb = torch_python(), workbench_binary()
    if args.sampling:
        return compare_sampling(py, wb, args.threads)
    threads = ["--threads", str(args.threads)]
    probes = [sgemm_probe(wb, args.threads)]
    rows = {}
    for c in args.configs:
        cmds = {"workbench": [wb, "bench", "--config", c, "--json"] + threads,
                "pytorch": [py, str(ROOT / "tools/bench/torch_bench.py"), "--config", c] + threads}
        if args.separate_runs:
            extra = ["--steps", str(args.steps)] if args.steps else []
            runs = {"workbench": [], "pytorch": []}
            for r in range(args.rounds):
                order = ["workbench", "pytorch"] if r % 2 == 0 else ["pytorch", "workbench"]
                for tool in order:
                    res = run_json(cmds[tool] + extra)
                    runs[tool].append(res)
                    print(f"round {r + 1} {c:6s} {tool:9s} {res['train_tokens_per_s']:10.0f} tok/s "
                          f"{res['train_gflops']:7.1f} GFLOP/s  eval {res['eval_tokens_per_s']:10.0f} tok/s "
                          f"peak {res['peak_mb']:7.0f} MB  loss {res['final_loss_nats']:.3f}", flush=True)
            pairs = list(zip(runs["workbench"], runs["pytorch"]))
            ratios = [a["train_tokens_per_s"] / b["train_tokens_per_s"] for a, b in pairs]
            tps = {t: statistics.median(x["train_tokens_per_s"] for x in runs[t]) for t in runs}
            finals = pairs
            eval_ratios = [a["eval_tokens_per_s"] / b["eval_tokens_per_s"] for a, b in finals]
            eval_tps = statistics.median(a["eval_tokens_per_s"] for a, _ in finals)
        else:
            seconds, eval_seconds, final = paired(c, cmds, args.pairs)
            ratios = [p / w for w, p in zip(seconds["workbench"], seconds["pytorch"])]
            tokens_per_step = final["workbench"]["train_tokens_per_s"] * statistics.mean(seconds["workbench"]) \
                if seconds["workbench"] else 0
            tps = {t: tokens_per_step / statistics.median(seconds[t]) for t in seconds}
            finals = [(final["workbench"], final["pytorch"])]
            eval_ratios = [p / w for w, p in zip(eval_seconds["workbench"], eval_seconds["pytorch"])]
            eval_tps = tokens_per_step / statistics.median(eval_seconds["workbench"])
        wres = finals[0][0]
        rows[c] = {
            "ratios": ratios, "tps": tps,
            "gflops": tps["workbench"] * wres["flops_per_token"] / 1e9,
            "eval_ratio": statistics.median(eval_ratios),
            # A forward pass spends a third of a training step's FLOPs.
            "eval_gflops": eval_tps * wres["flops_per_token"] / 3 / 1e9,
            "peak": (statistics.median(a["peak_mb"] for a, _ in finals), statistics.median(b["peak_mb"] for _, b in finals)),
            "mem": max(a["peak_mb"] / b["peak_mb"] for a, b in finals),
        }
    probes.append(sgemm_probe(wb, args.threads))
    rates = [p["sgemm_gflops"] for p in probes]
    rate = max(rates)   # the limit fp32 reaches here: each probe is already the best of its calls
    how = (f"{args.rounds} round(s) of separate runs" if args.separate_runs
           else f"{args.pairs} paired turns per config")
    print(f"\ncblas_sgemm, best of 1024^3 and 2048^3, {args.threads} threads: {rate:.1f} GFLOP/s (best of {len(rates)} probes, before and after; "
          f"OpenBLAS {probes[-1]['openblas_core']} kernels, detected {probes[-1]['openblas_detected_core']})")
    print(f"{how}, {args.threads} threads; ratio = median of workbench / PyTorch tok/s over the pairs "
          "(quartiles in brackets); mem ratio = worst")
    print("config   workbench tok/s  PyTorch tok/s  ratio (quartiles)   floor  GFLOP/s (%sgemm)  eval ratio  "
          "eval GFLOP/s (%sgemm)  peak MB wb/pt  mem ratio  met  goal train/eval")
    all_met = True
    goals = []
    for c, r in rows.items():
        ratio = statistics.median(r["ratios"])
        q = statistics.quantiles(r["ratios"], n=4) if len(r["ratios"]) >= 2 else [ratio, ratio, ratio]
        floor = FLOORS.get(c)
        met = (floor is None or ratio >= floor) and r["mem"] <= MEMORY_FLOOR
        all_met &= met
        print(f"{c:8s} {r['tps']['workbench']:15.0f} {r['tps']['pytorch']:14.0f} {ratio:6.2f} ({q[0]:.2f}-{q[2]:.2f}) "
              f"{(f'{floor:.2f}' if floor else '  - '):>6s} {r['gflops']:8.1f} ({100 * r['gflops'] / rate:3.0f}%)"
              f" {r['eval_ratio']:11.2f} {r['eval_gflops']:12.1f} ({100 * r['eval_gflops'] / rate:3.0f}%) "
              f"{r['peak'][0]:7.0f}/{r['peak'][1]:<7.0f} {r['mem']:9.2f}  {'yes' if met else 'NO ':3s}  "
              f"{goal_mark(ratio, r['gflops'], rate)}/{goal_mark(r['eval_ratio'], r['eval_gflops'], rate)}")
        goals += [goal_met(ratio, r["gflops"], rate), goal_met(r["eval_ratio"], r["eval_gflops"], rate)]
    print("floors met" if all_met else "floors NOT met")
    print(f"goal (>= {GOAL_RATIO:.1f}x PyTorch or >= {100 * GOAL_SGEMM_SHARE:.0f}% of sgemm, training and evaluation): "
          + ("met on every config" if all(goals) else "NOT met everywhere"))
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
