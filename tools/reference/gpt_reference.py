#!/usr/bin/env python3
"""PyTorch reference for the workbench's transformer core.

Builds the same decoder-only transformer as Sources/Transformer (learned positions, pre-LayerNorm
blocks, causal attention of width attn_width, GELU-tanh MLP of width mlp_width, final LayerNorm,
untied head without bias), runs one training step on fixed tokens with a loss mask, and writes
everything the Swift test compares into one safetensors file:

  param.<name>   initial parameters (nanoGPT names)        logits, loss, token_losses
  grad.<name>    gradients of the masked mean loss          after.<name>  parameters after
  inputs, targets, weights (float32)                        one clipped AdamW step

Regenerate (needs torch, numpy, safetensors from PyPI; CI does not):
  python3 tools/reference/gpt_reference.py Tests/TrainingTests/Fixtures/gpt_reference.safetensors
"""
import math
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

CFG = dict(n_layer=2, d_model=16, n_head=2, n_ctx=8, vocab_size=13, mlp_width=24, attn_width=8)
B, T = 2, 7                       # T < n_ctx: the last position embedding gets no gradient
LR, BETAS, EPS, WD, CLIP = 1e-2, (0.9, 0.95), 1e-8, 0.1, 0.5
INIT_STD = 0.2                    # larger than GPT-2's 0.02 so attention is far from uniform


def names_and_shapes(c):
    C, A, M, V = c["d_model"], c["attn_width"], c["mlp_width"], c["vocab_size"]
    out = [("transformer.wte.weight", (V, C)), ("transformer.wpe.weight", (c["n_ctx"], C))]
    for l in range(c["n_layer"]):
        p = f"transformer.h.{l}."
        out += [(p + "ln_1.weight", (C,)), (p + "ln_1.bias", (C,)),
                (p + "attn.c_attn.weight", (3 * A, C)), (p + "attn.c_attn.bias", (3 * A,)),
                (p + "attn.c_proj.weight", (C, A)), (p + "attn.c_proj.bias", (C,)),
                (p + "ln_2.weight", (C,)), (p + "ln_2.bias", (C,)),
                (p + "mlp.c_fc.weight", (M, C)), (p + "mlp.c_fc.bias", (M,)),
                (p + "mlp.c_proj.weight", (C, M)), (p + "mlp.c_proj.bias", (C,))]
    out += [("transformer.ln_f.weight", (C,)), ("transformer.ln_f.bias", (C,)), ("lm_head.weight", (V, C))]
    return out


def forward(P, c, idx):
    """Plain functional forward pass; returns logits [B, T, V]."""
    b, t = idx.shape
    C, A, H = c["d_model"], c["attn_width"], c["n_head"]
    hd = A // H
    x = P["transformer.wte.weight"][idx] + P["transformer.wpe.weight"][:t]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(c["n_layer"]):
        p = f"transformer.h.{l}."
        h = F.layer_norm(x, (C,), P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps=1e-5)
        qkv = h @ P[p + "attn.c_attn.weight"].T + P[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(A, dim=2)
        q = q.view(b, t, H, hd).transpose(1, 2)
        k = k.view(b, t, H, hd).transpose(1, 2)
        v = v.view(b, t, H, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, A)
        x = x + y @ P[p + "attn.c_proj.weight"].T + P[p + "attn.c_proj.bias"]
        h = F.layer_norm(x, (C,), P[p + "ln_2.weight"], P[p + "ln_2.bias"], eps=1e-5)
        h = F.gelu(h @ P[p + "mlp.c_fc.weight"].T + P[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + h @ P[p + "mlp.c_proj.weight"].T + P[p + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (C,), P["transformer.ln_f.weight"], P["transformer.ln_f.bias"], eps=1e-5)
    return x @ P["lm_head.weight"].T


def main(out_path):
    torch.manual_seed(1234)
    c = CFG
    P = {}
    for name, shape in names_and_shapes(c):
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
            P[name] = (1 + 0.1 * torch.randn(shape)).requires_grad_()
        else:
            P[name] = (INIT_STD * torch.randn(shape)).requires_grad_()
    idx = torch.randint(0, c["vocab_size"], (B, T))
    tgt = torch.randint(0, c["vocab_size"], (B, T))
    w = (torch.rand(B, T) > 0.3).float()
    w[0, 0] = 1.0

    logits = forward(P, c, idx)
    token_losses = F.cross_entropy(logits.view(-1, c["vocab_size"]), tgt.view(-1), reduction="none")
    loss = (token_losses * w.view(-1)).sum() / w.sum()
    loss.backward()

    out = {"param." + k: v.detach().clone() for k, v in P.items()}
    out.update({"grad." + k: v.grad.detach().clone() for k, v in P.items()})
    out["logits"] = logits.detach()
    out["loss"] = loss.detach().reshape(1)
    out["token_losses"] = token_losses.detach()
    out["inputs"] = idx.float()
    out["targets"] = tgt.float()
    out["weights"] = w

    # One AdamW step after global-norm clipping; no decay on layer norms, biases and embeddings.
    decay = [v for k, v in P.items() if k.endswith(".weight") and "ln_" not in k and "wte" not in k and "wpe" not in k]
    no_decay = [v for k, v in P.items() if not any(v is d for d in decay)]
    torch.nn.utils.clip_grad_norm_(list(P.values()), CLIP)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    opt.step()
    out.update({"after." + k: v.detach().clone() for k, v in P.items()})

    meta = {k: str(v) for k, v in c.items()}
    meta.update(dict(B=str(B), T=str(T), lr=str(LR), beta1=str(BETAS[0]), beta2=str(BETAS[1]), eps=str(EPS),
                     weight_decay=str(WD), grad_clip=str(CLIP), torch=torch.__version__,
                     regenerate="python3 tools/reference/gpt_reference.py " + out_path))
    save_file({k: v.contiguous().float() for k, v in out.items()}, out_path, metadata=meta)
    print(f"wrote {out_path}: loss {loss.item():.6f}, {len(out)} tensors")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/TrainingTests/Fixtures/gpt_reference.safetensors")
