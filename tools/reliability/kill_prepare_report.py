#!/usr/bin/env python3
"""Kill-anywhere torture for `workbench data prepare` and `workbench report`: SIGKILL each at
random moments, run it again each time, and check

  - after every kill: nothing half-written is visible. A dataset folder either has no
    manifest.json (an interrupted preparation: never used, redone by the next prepare) or every
    file in it equals the uninterrupted preparation's, byte for byte; every report file present
    equals the uninterrupted report's (a killed report leaves the previous files whole);
  - at the end: the dataset folder and the report folder equal those of an uninterrupted run,
    byte for byte, with no temporary file left behind; no re-run may fail.

The dataset is `markov-text` (16.8 M train tokens) unless `--dataset` names another recipe (the
package recipes, e.g. `tiles`, `english-large`, `fashion-mnist-gray`, fetch into `--cache-dir`,
which is kept between runs so the kills land on the preparation, not on the download); recipes
that build in a staging folder renamed into place must also leave no `.NAME.importing-PID` or
`.NAME.replaced-PID` folder once a preparation has finished. The report is over `workbench synth-runs`.
Kills land on first preparations, on continuations of killed ones and on re-preparations over a
complete dataset of another seed (where every file changes, so an old manifest beside new shards
would be caught); the report folder is kept between attempts.

  python3 tools/reliability/kill_prepare_report.py             # 20 kills of each (the long form)
  python3 tools/reliability/kill_prepare_report.py --kills 5   # the short form .ci/run uses
  python3 tools/reliability/kill_prepare_report.py --only prepare --dataset tiles --kills 5 --cache-dir data/.cache

Exits 0 with "N kills survived …" or 1 naming the first difference.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARKOV_ENV = {"WORKBENCH_MARKOV_TRAIN_TOKENS": "16777216", "WORKBENCH_MARKOV_TEST_TOKENS": "1048576"}


def files_under(folder):
    """Relative paths of all files under folder (hidden ones included), sorted."""
    out = []
    for base, _, names in os.walk(folder):
        for n in names:
            out.append(os.path.relpath(os.path.join(base, n), folder))
    return sorted(out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def temporary(rel):
    name = os.path.basename(rel)
    return ".tmp-" in name or ".importing-" in rel or ".replaced-" in rel


def differences(ref, got, *, require_all, temporary_ok=False):
    """Files of got that differ from ref's (or that ref lacks); with require_all also ref's files
    got lacks and, unless temporary_ok (right after a kill), temporary files left behind."""
    problems = []
    ref_files = set(files_under(ref))
    for rel in files_under(got):
        if temporary(rel):
            continue
        if rel not in ref_files:
            problems.append(f"{rel} is not in the uninterrupted output")
        elif read(os.path.join(ref, rel)) != read(os.path.join(got, rel)):
            problems.append(f"{rel} differs from the uninterrupted output")
    if require_all:
        missing = ref_files - set(files_under(got))
        problems += [f"{rel} is missing" for rel in sorted(missing)]
        if not temporary_ok:
            problems += [f"{rel} left behind (temporary)" for rel in files_under(got) if temporary(rel)]
    return problems


class Torture:
    """Runs `command` again and again, killing it at random moments; before each attempt,
    `reset` (if given) may put a different starting state in place."""
    def __init__(self, name, command, env, check_after_kill, rng, work, reset=None):
        self.name, self.command, self.env, self.check_after_kill = name, command, env, check_after_kill
        self.rng, self.work, self.reset = rng, work, reset
        self.kills = self.attempts = 0

    def run(self, kills, full_seconds):
        while self.kills < kills:
            self.attempts += 1
            if self.reset:
                self.reset()
            log = open(os.path.join(self.work, f"{self.name}-attempt-{self.attempts}.log"), "w")
            p = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env)
            time.sleep(self.rng.uniform(0, full_seconds * 1.1))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
                self.kills += 1
                problems = self.check_after_kill()
                if problems:
                    log.close()
                    fail(f"{self.name}: after kill {self.kills}: " + "; ".join(problems[:5]), self.work)
            elif p.returncode != 0:
                log.close()
                print(open(log.name).read()[-2000:])
                fail(f"{self.name}: attempt {self.attempts} exited with status {p.returncode} (a re-run must never fail); log {log.name}", self.work)
            log.close()
        done = subprocess.run(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env)
        if done.returncode != 0:
            print(done.stdout[-2000:])
            fail(f"{self.name}: the final re-run exited with status {done.returncode}", self.work)


def fail(message, work):
    print("FAILED:", message)
    print(f"(kept {work} for inspection)")
    sys.exit(1)


def timed(command, env):
    t0 = time.time()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=20, help="kills of each command")
    ap.add_argument("--seed", type=int, default=None, help="seed of the kill moments (default: random, printed)")
    ap.add_argument("--exe", default=os.path.join(ROOT, ".build/release/workbench"))
    ap.add_argument("--only", choices=["prepare", "report"], help="torture one command only")
    ap.add_argument("--dataset", default="markov-text", help="recipe to prepare (default markov-text)")
    ap.add_argument("--cache-dir", default=None, help="download cache to use and keep (default: a fresh one in the work folder)")
    args = ap.parse_args()
    if not os.access(args.exe, os.X_OK):
        sys.exit(f"kill_prepare_report: no workbench executable at {args.exe}; build it with `swift build -c release`")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="kill-prepare-report-")
    print(f"kill_prepare_report: {args.kills} kills of each, seed {seed}, in {work}")
    env = dict(os.environ, **MARKOV_ENV)

    prep = rep = None
    if args.only != "report":
        prep, ref_set = torture_prepare(args, rng, work, env)
    if args.only != "prepare":
        rep, ref_report = torture_report(args, rng, work, env)
    done = [f"{t.kills} of {t.name} over {t.attempts} attempts" for t in (prep, rep) if t]
    same = ([f"dataset ({len(files_under(ref_set))} files)"] if prep else []) + ([f"report ({len(files_under(ref_report))} files)"] if rep else [])
    print(f"{sum(t.kills for t in (prep, rep) if t)} kills survived ({', '.join(done)}); {' and '.join(same)} identical to "
          f"uninterrupted runs, nothing half-written seen after any kill")
    shutil.rmtree(work)


def torture_prepare(args, rng, work, env):
    # data prepare. Each attempt starts from what the last kill left, from nothing (a first
    # preparation) or from a complete dataset of another seed (a re-preparation that replaces
    # every file: a kill there must never leave the old manifest beside new shards).
    def prepare(data_dir, seed=1234):
        return [args.exe, "data", "prepare", args.dataset, "--data-dir", data_dir,
                "--cache-dir", args.cache_dir or os.path.join(work, "cache"), "--seed", str(seed)]
    ref_data, other_data = os.path.join(work, "reference", "data"), os.path.join(work, "other", "data")
    got_data = os.path.join(work, "killed", "data")
    full = timed(prepare(ref_data), env)
    timed(prepare(other_data, seed=7), env)
    print(f"uninterrupted data prepare: {full:.1f} s")
    ref_set, got_set = os.path.join(ref_data, args.dataset), os.path.join(got_data, args.dataset)
    other_set = os.path.join(other_data, args.dataset)

    def dataset_after_kill():
        if not os.path.exists(os.path.join(got_set, "manifest.json")):
            return []   # interrupted: no manifest, so never used; the next prepare redoes it
        # A manifest means a whole, consistent dataset: this seed's or the replaced one's.
        ours = differences(ref_set, got_set, require_all=True, temporary_ok=True)
        if ours and not differences(other_set, got_set, require_all=False):
            return []
        return ours

    def reset_dataset():
        start = rng.choice(["as left", "empty", "other seed", "other seed"])
        if start != "as left":
            shutil.rmtree(got_data, ignore_errors=True)
        if start == "other seed":
            shutil.copytree(other_data, got_data)

    prep = Torture("data prepare", prepare(got_data), env, dataset_after_kill, rng, work, reset_dataset)
    prep.run(args.kills, full)
    problems = differences(ref_set, got_set, require_all=True)
    staged = [n for n in os.listdir(got_data) if n.startswith(f".{args.dataset}.importing-") or n.startswith(f".{args.dataset}.replaced-")]
    problems += [f"staging folder {n} left beside the dataset" for n in staged]
    if problems:
        fail("data prepare: " + "; ".join(problems[:5]), work)
    return prep, ref_set


def torture_report(args, rng, work, env):
    # Each attempt starts from what the last kill left, from nothing, or from a complete report
    # over other runs (a report replacing every file): after any kill, every file present must be
    # whole — this report's version or the replaced one's.
    runs, other_runs = os.path.join(work, "runs"), os.path.join(work, "other-runs")
    subprocess.run([args.exe, "synth-runs", runs], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.exe, "synth-runs", other_runs, "--seed", "2"], check=True, stdout=subprocess.DEVNULL)

    def report(out, inputs=runs):
        # --force: an attempt may start from a complete report over other runs, which it replaces.
        return [args.exe, "report", inputs, "--out", out, "--force", "--bootstrap", "100"]
    ref_report, got_report = os.path.join(work, "reference", "report"), os.path.join(work, "killed", "report")
    other_report = os.path.join(work, "other", "report")
    full = timed(report(ref_report), env)
    timed(report(other_report, other_runs), env)
    print(f"uninterrupted report: {full:.1f} s")

    def report_after_kill():
        problems = []
        for rel in files_under(got_report):
            if temporary(rel):
                continue
            data = read(os.path.join(got_report, rel))
            versions = [read(os.path.join(d, rel)) for d in (ref_report, other_report) if os.path.exists(os.path.join(d, rel))]
            if data not in versions:
                problems.append(f"{rel} is neither this report's nor the replaced report's version (half-written?)")
        return problems

    def reset_report():
        start = rng.choice(["as left", "empty", "other runs"])
        if start != "as left":
            shutil.rmtree(got_report, ignore_errors=True)
        if start == "other runs":
            shutil.copytree(other_report, got_report)

    rep = Torture("report", report(got_report), env, report_after_kill, rng, work, reset_report)
    rep.run(args.kills, full)
    problems = differences(ref_report, got_report, require_all=True)
    if problems:
        fail("report: " + "; ".join(problems[:5]), work)
    return rep, ref_report


if __name__ == "__main__":
    main()
