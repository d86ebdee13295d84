#!/usr/bin/env python3
"""Kill-anywhere torture for training: SIGKILL a training run at random moments, resume it each
time with `workbench train --resume`, and check that the result equals an uninterrupted run with
the same config, seed and thread count, bit for bit:

  - metrics.jsonl, row for row, except `wall_seconds` (the clock differs),
  - checkpoint.safetensors and optimizer.safetensors, byte for byte,
  - summary.json, except its timing fields (wall_seconds, tokens_per_second).

Kills land anywhere: during start-up, steps, evaluations, metrics and checkpoint writes (the run
checkpoints at every evaluation to make those writes frequent). No resume may fail.

  python3 tools/reliability/kill_anywhere.py            # 20 kills (the long form, by hand)
  python3 tools/reliability/kill_anywhere.py --kills 5  # the short form .ci/run uses

Exits 0 with "N kills survived, result identical" or 1 naming the first difference.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMING_KEYS = {"wall_seconds", "tokens_per_second"}


def train_command(exe, run_dir, steps):
    return [exe, "train", "--config", os.path.join(ROOT, "configs/text-demo.toml"), "--run-dir", run_dir, "--resume",
            "--set", f"train.steps={steps}", "--set", "train.eval_every=10", "--set", "train.checkpoint_every=10",
            "--set", "train.eval_tokens=4096", "--set", "train.threads=2", "--set", "model.n_layer=2"]


def metrics_rows(run_dir):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        r.pop("wall_seconds", None)
    return rows


def summary(run_dir):
    with open(os.path.join(run_dir, "summary.json")) as f:
        s = json.load(f)
    return {k: v for k, v in s.items() if k not in TIMING_KEYS}


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill moments (default: random, printed)")
    ap.add_argument("--exe", default=os.path.join(ROOT, ".build/release/workbench"))
    args = ap.parse_args()
    if not os.access(args.exe, os.X_OK):
        sys.exit(f"kill_anywhere: no workbench executable at {args.exe}; build it with `swift build -c release`")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="kill-anywhere-")
    # The same folder name in both, since summary.json records it.
    ref, broken = os.path.join(work, "reference", "run"), os.path.join(work, "killed", "run")
    print(f"kill_anywhere: {args.kills} kills, seed {seed}, in {work}")

    t0 = time.time()
    subprocess.run(train_command(args.exe, ref, args.steps), check=True, stdout=subprocess.DEVNULL)
    full = time.time() - t0
    print(f"reference run: {full:.1f} s")

    kills = 0
    attempts = 0
    while kills < args.kills:
        attempts += 1
        log = open(os.path.join(work, f"attempt-{attempts}.log"), "w")
        p = subprocess.Popen(train_command(args.exe, broken, args.steps), stdout=log, stderr=subprocess.STDOUT)
        # Anywhere from start-up to the end of a whole run: many kills land early, some late.
        time.sleep(rng.uniform(0, full * 0.7))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
        else:
            if p.returncode != 0:
                log.close()
                print(open(log.name).read()[-2000:])
                sys.exit(f"FAILED: attempt {attempts} exited with status {p.returncode} (a resume must never fail); log {log.name}")
            if os.path.exists(os.path.join(broken, "summary.json")) and summary(broken).get("status") == "completed":
                # Finished before the kill: start over to keep killing (the comparison is done at the end).
                shutil.rmtree(broken)
        log.close()
    # To the end.
    done = subprocess.run(train_command(args.exe, broken, args.steps), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        print(done.stdout[-2000:])
        sys.exit(f"FAILED: the final resume exited with status {done.returncode}")

    problems = []
    a, b = metrics_rows(ref), metrics_rows(broken)
    if a != b:
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append(f"metrics.jsonl differs at row {first} ({len(a)} rows uninterrupted, {len(b)} after kills)")
    for f in ["checkpoint.safetensors", "optimizer.safetensors"]:
        if not same_bytes(os.path.join(ref, f), os.path.join(broken, f)):
            problems.append(f"{f} differs")
    if summary(ref) != summary(broken):
        problems.append(f"summary.json differs: {summary(ref)} vs {summary(broken)}")
    leftovers = [n for n in os.listdir(broken) if n.endswith(".next") or ".tmp-" in n]
    if leftovers:
        problems.append(f"files left half-written: {leftovers}")
    if problems:
        for p in problems:
            print("FAILED:", p)
        print(f"(kept {work} for inspection)")
        sys.exit(1)
    print(f"{kills} kills survived over {attempts} attempts, result identical to the uninterrupted run "
          f"({len(a)} metrics rows, checkpoint and optimizer bytes, summary)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
