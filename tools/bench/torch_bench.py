#!/usr/bin/env python3
"""PyTorch peer of `workbench bench`: the same model shapes and training step on CPU.

nanoGPT-style model as in Sources/Transformer: token + learned position embedding, pre-LayerNorm
blocks (causal attention via scaled_dot_product_attention, GELU-tanh MLP), final LayerNorm,
untied head without bias; biases on every other linear layer. One training step = zero grads,
forward, masked-mean cross-entropy, backward, global-norm clip 1.0, AdamW (fp32, betas
0.9/0.95, weight decay 0.1 on matrices only). Eager mode, fp32, 2 threads by default.

Prints one JSON line with the same keys as `workbench bench --json` (peak_mb is ru_maxrss of
this process, so run one config per process):
  /opt/torchenv/bin/python tools/bench/torch_bench.py --config small --steps 10
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# name: (n_layer, d_model, n_head, n_ctx, vocab, mlp_width, attn_width, batch, default_steps)
SHAPES = {
    "tiny": (2, 64, 2, 256, 256, 256, 64, 32, 40),
    "small": (4, 128, 4, 256, 256, 512, 128, 32, 16),
    "medium": (6, 256, 8, 256, 256, 1024, 256, 32, 6),
    "large": (8, 512, 8, 256, 512, 2048, 512, 32, 3),
    "image": (4, 128, 2, 3072, 256, 128, 32, 2, 6),
}
# LSTM shapes (`workbench bench --config lstm`): name: (n_layer, width, n_ctx, vocab, batch, default_steps)
LSTM_SHAPES = {
    "lstm": (2, 256, 256, 256, 32, 6),
}


class Block(nn.Module):
    def __init__(self, d, heads, mlp, attn):
        super().__init__()
        self.heads, self.attn_width = heads, attn
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * attn)
        self.attn_proj = nn.Linear(attn, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, mlp)
        self.mlp_proj = nn.Linear(mlp, d)

    def forward(self, x):
        b, t, _ = x.shape
        h, a = self.heads, self.attn_width
        q, k, v = self.c_attn(self.ln_1(x)).split(a, dim=2)
        q = q.view(b, t, h, a // h).transpose(1, 2)
        k = k.view(b, t, h, a // h).transpose(1, 2)
        v = v.view(b, t, h, a // h).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attn_proj(y.transpose(1, 2).contiguous().view(b, t, a))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, n_layer, d, heads, ctx, vocab, mlp, attn):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d, heads, mlp, attn) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        for n, p in self.named_parameters():
            if n.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * n_layer) if n.endswith("proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx, targets, weights):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        losses = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), reduction="none")
        w = weights.view(-1)
        return (losses * w).sum() / w.sum()


class LSTMLanguageModel(nn.Module):
    """The workbench's model.kind = "lstm": embedding, nn.LSTM (batch_first), linear head without bias."""

    def __init__(self, n_layer, width, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, width)
        self.lstm = nn.LSTM(width, width, num_layers=n_layer, batch_first=True)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, targets, weights):
        h, _ = self.lstm(self.embedding(idx))
        logits = self.lm_head(h)
        losses = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), reduction="none")
        w = weights.view(-1)
        return (losses * w).sum() / w.sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, choices=sorted(SHAPES) + sorted(LSTM_SHAPES))
    ap.add_argument("--steps", type=int)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true",
                    help="after the warm-up print 'ready', then run timed steps on request ('step K' on stdin "
                         "answers one JSON line with their seconds, 'eval K' likewise for no-grad forward passes) "
                         "until 'done' (as `workbench bench --serve`)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    if args.config in LSTM_SHAPES:
        L, d, ctx, vocab, batch, default_steps = LSTM_SHAPES[args.config]
        model = LSTMLanguageModel(L, d, vocab)
        embedding_names = ("embedding",)
    else:
        L, d, heads, ctx, vocab, mlp, attn, batch, default_steps = SHAPES[args.config]
        model = GPT(L, d, heads, ctx, vocab, mlp, attn)
        embedding_names = ("wte", "wpe")
    steps = args.steps or default_steps
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and not any(e in n for e in embedding_names)]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and not any(e in n for e in embedding_names))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(7)
    batches = []
    for _ in range(4):
        seq = torch.randint(0, vocab, (batch * ctx + 1,), generator=g)
        batches.append((seq[:-1].view(batch, ctx), seq[1:].view(batch, ctx), torch.ones(batch, ctx)))

    loss = torch.zeros(())

    def step(i):
        nonlocal loss
        opt.zero_grad(set_to_none=True)
        loss = model(*batches[i % 4])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for i in range(args.warmup):
        step(i)
    if args.serve:
        print("ready", flush=True)
        train_s, steps, eval_passes = 0.0, 0, 0
        for line in sys.stdin:
            if line.strip() == "done":
                break
            words = line.split()
            k = max(1, int(words[-1]) if words[-1].isdigit() else 1)
            t0 = time.perf_counter()
            if words[0] == "eval":
                with torch.no_grad():
                    for _ in range(k):
                        model(*batches[eval_passes % 4])
                        eval_passes += 1
                seconds = time.perf_counter() - t0
            else:
                for _ in range(k):
                    step(steps)
                    steps += 1
                seconds = time.perf_counter() - t0
                train_s += seconds
            print(json.dumps({"seconds": round(seconds, 6), "steps": k}), flush=True)
        steps = max(steps, 1)
    else:
        t0 = time.perf_counter()
        for i in range(steps):
            step(i)
        train_s = time.perf_counter() - t0
    eval_steps = max(2, steps)
    with torch.no_grad():
        model(*batches[0])
        t1 = time.perf_counter()
        for i in range(eval_steps):
            model(*batches[i % 4])
        eval_s = time.perf_counter() - t1

    n_params = sum(p.numel() for n, p in model.named_parameters()
                   if not any(s in n for s in ("wte", "wpe", "embedding", "lm_head")))
    if args.config in LSTM_SHAPES:
        fpt = 3 * L * (16 * d * d + 20 * d) + 6 * d * vocab   # as ModelConfig.totalFLOPsPerToken
    else:
        fpt = 6 * n_params + 6 * L * ctx * attn
    tps = steps * batch * ctx / train_s
    print(json.dumps({
        "config": args.config, "tool": "pytorch", "torch": torch.__version__, "params": n_params,
        "flops_per_token": fpt, "train_tokens_per_s": round(tps, 1),
        "eval_tokens_per_s": round(eval_steps * batch * ctx / eval_s, 1),
        "train_gflops": round(tps * fpt / 1e9, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "final_loss_nats": round(loss.item(), 5),
    }))


if __name__ == "__main__":
    main()
