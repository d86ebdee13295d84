#!/usr/bin/env python3
"""Checkpoints others can read: the workbench's `checkpoint.safetensors` in PyTorch, and PyTorch's
weights in the workbench, compared on the same fixed batch.

  1. Workbench → PyTorch. Trains a small run (or takes --run-dir), dumps the logits of the first
     sequences of its test split with `workbench eval --dump-logits`, loads the run's
     checkpoint.safetensors with Python's `safetensors` into the PyTorch reference model
     (tools/reference/gpt_reference.py) and compares the logits: max |Δlogit| ≤ 1e-4.
  2. PyTorch → workbench. Initialises the same shapes in PyTorch, writes them in the workbench's
     tensor names into a copy of the run (checkpoint.safetensors with the run's step in its
     metadata; config.toml and checkpoint.json kept), runs `workbench eval --dump-logits` on the
     copy and compares logits and loss with PyTorch's. A copy with one tensor transposed must be
     refused with an error naming that tensor.

Needs torch, numpy and safetensors (`pip install torch safetensors numpy`); not part of CI.

  python3 tools/reference/checkpoint_parity.py                    # trains runs/… in a temporary folder
  python3 tools/reference/checkpoint_parity.py --run-dir RUN      # an existing (text, stream) run

Exits 0 printing both maxima, or 1 naming the direction that disagrees.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_reference import forward, names_and_shapes  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-4


def model_config(run_dir):
    with open(os.path.join(run_dir, "checkpoint.json")) as f:
        m = json.load(f)["model"]
    return m, dict(n_layer=m["nLayer"], d_model=m["dModel"], n_head=m["nHead"], n_ctx=m["nCtx"],
                   vocab_size=m["vocabSize"], mlp_width=m["mlpWidth"], attn_width=m["attnWidth"])


def dump(exe, run_dir, out, sequences):
    subprocess.run([exe, "eval", "--run-dir", run_dir, "--dump-logits", out, "--dump-sequences", str(sequences)],
                   check=True, stdout=subprocess.DEVNULL)
    return load_file(out)


def torch_logits_and_loss(P, c, d):
    idx = torch.from_numpy(d["inputs"]).long()
    tgt = torch.from_numpy(d["targets"]).long()
    w = torch.from_numpy(d["weights"]).double()
    with torch.no_grad():
        logits = forward({k: v.double() for k, v in P.items()}, c, idx)
        losses = F.cross_entropy(logits.reshape(-1, c["vocab_size"]), tgt.reshape(-1), reduction="none")
        loss = (losses * w.reshape(-1)).sum() / w.sum()
    return logits.numpy(), float(loss)


def compare(name, ours, d):
    theirs = d["logits"].astype(np.float64)
    delta = float(np.abs(ours - theirs).max())
    loss_delta = abs(ours_loss_of(ours, d) - float(d["loss"][0]))
    print(f"{name}: {d['logits'].shape[0]}×{d['logits'].shape[1]} positions, vocab {d['logits'].shape[2]}: "
          f"max |Δlogit| {delta:.2e}, |Δloss| {loss_delta:.2e} (loss {float(d['loss'][0]):.6f})")
    return delta <= TOLERANCE and loss_delta <= TOLERANCE


def ours_loss_of(logits, d):
    lg = torch.from_numpy(logits)
    tgt = torch.from_numpy(d["targets"]).long().reshape(-1)
    w = torch.from_numpy(d["weights"]).double().reshape(-1)
    losses = F.cross_entropy(lg.reshape(-1, lg.shape[-1]), tgt, reduction="none")
    return float((losses * w).sum() / w.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run-dir", help="an existing run (default: train a small one in a temporary folder)")
    ap.add_argument("--steps", type=int, default=40, help="steps of the run trained when --run-dir is not given")
    ap.add_argument("--sequences", type=int, default=4, help="test sequences in the fixed batch")
    ap.add_argument("--exe", default=os.path.join(ROOT, ".build/release/workbench"))
    args = ap.parse_args()
    if not os.access(args.exe, os.X_OK):
        sys.exit(f"checkpoint_parity: no workbench executable at {args.exe}; build it with `swift build -c release`")
    work = tempfile.mkdtemp(prefix="checkpoint-parity-")
    run = args.run_dir
    if run is None:
        run = os.path.join(work, "run")
        subprocess.run([args.exe, "train", "--config", os.path.join(ROOT, "configs/text-demo.toml"), "--run-dir", run,
                        "--set", f"train.steps={args.steps}", "--set", "model.n_layer=2", "--set", "train.eval_every=20",
                        "--set", "train.eval_tokens=4096"], check=True, stdout=subprocess.DEVNULL)
    _, c = model_config(run)

    # 1. The workbench's checkpoint in PyTorch.
    d = dump(args.exe, run, os.path.join(work, "ours.safetensors"), args.sequences)
    weights = load_file(os.path.join(run, "checkpoint.safetensors"))
    P = {name: torch.from_numpy(weights[name]) for name, shape in names_and_shapes(c)}
    for name, shape in names_and_shapes(c):
        assert tuple(P[name].shape) == shape, f"{name}: shape {tuple(P[name].shape)}, expected {shape}"
    logits, _ = torch_logits_and_loss(P, c, d)
    ok1 = compare("workbench checkpoint in PyTorch", logits, d)

    # 2. PyTorch's weights in the workbench (GPT-2-like initialisation, LayerNorm gains near 1).
    torch.manual_seed(7)
    Q = {}
    for name, shape in names_and_shapes(c):
        if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
            Q[name] = 1 + 0.1 * torch.randn(shape)
        else:
            Q[name] = 0.05 * torch.randn(shape)
    copy = os.path.join(work, "from-pytorch")
    os.makedirs(copy)
    for f in ["config.toml", "checkpoint.json"]:
        shutil.copy(os.path.join(run, f), copy)
    with open(os.path.join(run, "checkpoint.json")) as f:
        step = json.load(f)["step"]
    save_file({k: v.numpy().astype(np.float32) for k, v in Q.items()}, os.path.join(copy, "checkpoint.safetensors"),
              metadata={"step": str(step), "format": "workbench-gpt"})
    d2 = dump(args.exe, copy, os.path.join(work, "theirs.safetensors"), args.sequences)
    logits2, loss2 = torch_logits_and_loss(Q, c, d2)
    ok2 = compare("PyTorch weights in the workbench", logits2, d2)
    print(f"  PyTorch loss {loss2:.6f}, workbench loss {float(d2['loss'][0]):.6f}")
    # 3. A PyTorch file with one tensor of the wrong shape is refused, naming the tensor.
    bad = "transformer.h.0.mlp.c_fc.weight"
    Q[bad] = Q[bad].T.contiguous()
    save_file({k: v.numpy().astype(np.float32) for k, v in Q.items()}, os.path.join(copy, "checkpoint.safetensors"),
              metadata={"step": str(step), "format": "workbench-gpt"})
    r = subprocess.run([args.exe, "eval", "--run-dir", copy, "--dump-logits", os.path.join(work, "bad.safetensors")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ok3 = r.returncode != 0 and f"tensor '{bad}' has shape" in r.stdout
    print(f"mismatched PyTorch file: {'refused' if ok3 else 'NOT refused as expected'}: {r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''}")
    ok2 = ok2 and ok3
    print(f"model: n_layer {c['n_layer']}, d_model {c['d_model']}, n_ctx {c['n_ctx']}, vocab {c['vocab_size']}")
    if not (ok1 and ok2):
        print(f"FAILED: tolerance {TOLERANCE} exceeded ({'workbench→PyTorch' if not ok1 else 'PyTorch→workbench'}); kept {work}")
        sys.exit(1)
    print(f"both directions agree to {TOLERANCE}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
