#!/usr/bin/env python3
"""PyTorch peer for `workbench bench --sampling`: draws one whole sequence (batch 1) from the same
GPT (same shape, same weights, read from the safetensors file the workbench wrote with
--save-weights) with its own key-value cache, and prints one JSON line with tokens/s.

The model is nanoGPT's layout (pre-LayerNorm blocks, GELU MLP, learned positions, untied head);
each new token runs every layer on one position against the cached keys and values. Timing is the
best of --repetitions whole sequences after a short warm-up, on --threads threads, in inference
mode. A peer, not a reference: written here for the benchmark, stdlib + torch only.

Usage: torch_sampling_peer.py --weights W.safetensors --n-layer 4 --d-model 128 --n-head 2
       --n-ctx 3072 --vocab 256 --mlp-width 128 --attn-width 32 [--threads 2]
"""
import argparse
import json
import math
import struct
import time

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"])
    return out


class CachedGPT:
    """The workbench's GPT with a key-value cache, as plain tensors (Linear weights are [out, in])."""

    def __init__(self, w, n_layer, n_head, attn_width, n_ctx):
        self.w, self.L, self.H, self.A, self.T = w, n_layer, n_head, attn_width, n_ctx
        self.hd = attn_width // n_head
        self.k = torch.zeros(n_layer, n_head, n_ctx, self.hd)
        self.v = torch.zeros(n_layer, n_head, n_ctx, self.hd)

    def ln(self, x, p):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[p + ".weight"], self.w[p + ".bias"], 1e-5)

    def lin(self, x, p):
        return torch.nn.functional.linear(x, self.w[p + ".weight"], self.w[p + ".bias"])

    def step(self, token, pos):
        w = self.w
        x = w["transformer.wte.weight"][token] + w["transformer.wpe.weight"][pos]
        for l in range(self.L):
            p = f"transformer.h.{l}"
            qkv = self.lin(self.ln(x, p + ".ln_1"), p + ".attn.c_attn")
            q, k, v = qkv.split(self.A)
            self.k[l, :, pos] = k.view(self.H, self.hd)
            self.v[l, :, pos] = v.view(self.H, self.hd)
            keys, vals = self.k[l, :, : pos + 1], self.v[l, :, : pos + 1]
            att = torch.softmax((keys @ q.view(self.H, self.hd, 1)).squeeze(-1) / math.sqrt(self.hd), dim=-1)
            y = (att.unsqueeze(1) @ vals).reshape(self.A)
            x = x + self.lin(y, p + ".attn.c_proj")
            h = torch.nn.functional.gelu(self.lin(self.ln(x, p + ".ln_2"), p + ".mlp.c_fc"), approximate="tanh")
            x = x + self.lin(h, p + ".mlp.c_proj")
        x = self.ln(x, "transformer.ln_f")
        return torch.nn.functional.linear(x, w["lm_head.weight"])

    def generate(self, count, generator):
        token, out = 0, []
        for pos in range(count + 1):
            logits = self.step(token, pos)
            if pos == count:
                break
            token = int(torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator))
            out.append(token)
        return out


def main():
    ap = argparse.ArgumentParser()
    for k in ["n-layer", "d-model", "n-head", "n-ctx", "vocab", "mlp-width", "attn-width"]:
        ap.add_argument("--" + k, type=int, required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    w = read_safetensors(a.weights)
    model = CachedGPT(w, a.n_layer, a.n_head, a.attn_width, a.n_ctx)
    gen = torch.Generator().manual_seed(1)
    count = a.n_ctx - 1
    with torch.inference_mode():
        model.generate(32, gen)   # warm-up
        best = math.inf
        for _ in range(a.repetitions):
            t0 = time.perf_counter()
            model.generate(count, gen)
            best = min(best, time.perf_counter() - t0)
    print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": a.threads,
                      "cached_tokens_per_s": round(count / best, 1)}))


if __name__ == "__main__":
    main()
