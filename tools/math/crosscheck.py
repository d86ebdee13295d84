#!/usr/bin/env python3
"""Cross-checks the workbench's math generator against DeepMind's own generator.

Not part of the product or of CI. Needs DeepMind's package in a virtual environment
(installs on Python 3.11 with these pins):

    python3 -m venv /tmp/mathvenv
    /tmp/mathvenv/bin/pip install mathematics-dataset==1.0.1 sympy==1.4 numpy==1.23.5

Then:

    /tmp/mathvenv/bin/python tools/math/crosscheck.py --out /tmp/deepmind --per-module 30 \
        [--ours data/math/text] [--seed 1]

writes DIR/{train-easy,train-medium,train-hard,interpolate,extrapolate}/<module>.txt (question and
answer on alternating lines, as DeepMind's generate_to_file does) for every module the workbench
also has. With --ours (a folder written by `WORKBENCH_MATH_WRITE_TEXT=1 workbench data prepare math`,
laid out as train/, interpolate/, extrapolate/), it prints per module the answer shapes each
generator produces (integer, decimal, fraction, boolean, list, polynomial, base digits) and the
question openings, and flags shapes that only one side produces.
"""
import argparse
import collections
import os
import random
import re
import sys

MODULES = [
    "arithmetic__add_or_sub", "arithmetic__add_sub_multiple", "arithmetic__mul", "arithmetic__div",
    "arithmetic__mixed", "algebra__linear_1d", "algebra__linear_2d", "algebra__sequence_next_term",
    "numbers__gcd", "numbers__lcm", "numbers__div_remainder", "numbers__is_prime", "numbers__is_factor",
    "numbers__place_value", "numbers__round_number", "numbers__base_conversion",
    "comparison__pair", "comparison__sort", "comparison__kth_biggest",
    "polynomials__evaluate", "calculus__differentiate",
]


def shape(answer):
    if answer in ("True", "False"):
        return "boolean"
    if re.fullmatch(r"-?\d+", answer):
        return "integer"
    if re.fullmatch(r"-?\d+\.\d+", answer):
        return "decimal"
    if re.fullmatch(r"-?\d+/\d+", answer):
        return "fraction"
    if ", " in answer:
        return "list"
    if re.fullmatch(r"\(?[a-z]\)?", answer):
        return "letter"
    if re.fullmatch(r"-?[0-9a-z]+", answer):
        return "base digits"
    return "expression"


def opening(question):
    return " ".join(question.split()[:2])


def read_pairs(path):
    with open(path) as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        sys.exit(f"{path}: odd number of lines ({len(lines)})")
    return list(zip(lines[0::2], lines[1::2]))


def generate_deepmind(out, per_module, seed):
    from absl import flags
    from mathematics_dataset import generate
    import numpy as np
    flags.FLAGS(["crosscheck", f"--per_train_module={3 * per_module}", f"--per_test_module={per_module}"])
    random.seed(seed)
    np.random.seed(seed)
    generate.init_modules(train_split=True)
    problems = collections.defaultdict(list)
    for regime, flat in generate.filtered_modules.items():
        os.makedirs(os.path.join(out, regime), exist_ok=True)
        # Extrapolation modules carry a suffix (arithmetic__add_or_sub_big, arithmetic__mixed_longer).
        for name in [n for n in flat if any(n == m or n in (m + "_big", m + "_longer", m + "_more") for m in MODULES)]:
            base = next(m for m in sorted(MODULES, key=len, reverse=True) if name == m or name.startswith(m + "_"))
            with open(os.path.join(out, regime, name + ".txt"), "w") as f:
                for _ in range(per_module):
                    problem, _ = generate.sample_from_module(flat[name])
                    q, a = str(problem.question), str(problem.answer)
                    f.write(q + "\n" + a + "\n")
                    problems[base].append((q, a))
    return problems


def compare(theirs, ours_dir):
    ours = collections.defaultdict(list)
    for split in ("train", "interpolate", "extrapolate"):
        folder = os.path.join(ours_dir, split)
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.endswith(".txt"):
                ours[name[:-4]].extend(read_pairs(os.path.join(folder, name)))
    flagged = 0
    for name in MODULES:
        t, o = theirs.get(name, []), ours.get(name, [])
        ts, os_ = collections.Counter(shape(a) for _, a in t), collections.Counter(shape(a) for _, a in o)
        only_theirs, only_ours = set(ts) - set(os_), set(os_) - set(ts)
        print(f"{name}: DeepMind {dict(ts)}  workbench {dict(os_)}")
        print(f"    openings DeepMind {sorted(set(opening(q) for q, _ in t))[:8]}")
        print(f"    openings workbench {sorted(set(opening(q) for q, _ in o))[:8]}")
        if t and o and (only_theirs or only_ours):
            flagged += 1
            print(f"    ! answer shapes only DeepMind: {sorted(only_theirs)}, only workbench: {sorted(only_ours)}")
        for q, a in t[:2]:
            print(f"    DeepMind:  {q}  ->  {a}")
        for q, a in o[:2]:
            print(f"    workbench: {q}  ->  {a}")
    print(f"{flagged} modules with answer shapes produced by one side only")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-module", type=int, default=30)
    ap.add_argument("--ours")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    theirs = generate_deepmind(args.out, args.per_module, args.seed)
    if args.ours:
        compare(theirs, args.ours)


if __name__ == "__main__":
    main()
