#!/usr/bin/env python3
"""PyTorch reference for the workbench's LSTM language model (model.kind = "lstm").

Builds nn.Embedding -> nn.LSTM(num_layers, batch_first) -> nn.Linear(bias=False) with the
workbench's tensor names (embedding.weight, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0,
lstm.bias_hh_l0, ..., lm_head.weight), runs one training step on fixed tokens with a loss mask, and
writes everything the Swift test compares into one safetensors file:

  param.<name>   initial parameters                        logits, loss, token_losses
  grad.<name>    gradients of the masked mean loss          after.<name>  parameters after
  inputs, targets, weights (float32)                        one clipped AdamW step

Regenerate (needs torch, numpy, safetensors from PyPI; CI does not):
  python3 tools/reference/lstm_reference.py Tests/TrainingTests/Fixtures/lstm_reference.safetensors
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

CFG = dict(n_layer=2, width=12, n_ctx=8, vocab_size=13)
B, T = 3, 7
LR, BETAS, EPS, WD, CLIP = 1e-2, (0.9, 0.95), 1e-8, 0.1, 0.5
INIT = 0.6                        # uniform(-0.6, 0.6): larger than PyTorch's 1/sqrt(H) so the gates saturate partly


class LSTMLanguageModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, V = c["width"], c["vocab_size"]
        self.embedding = nn.Embedding(V, H)
        self.lstm = nn.LSTM(H, H, num_layers=c["n_layer"], batch_first=True)
        self.lm_head = nn.Linear(H, V, bias=False)

    def forward(self, idx):
        h, _ = self.lstm(self.embedding(idx))     # zero initial state for every sequence
        return self.lm_head(h)


def main(out_path):
    torch.manual_seed(4321)
    c = CFG
    model = LSTMLanguageModel(c)
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-INIT, INIT)
    idx = torch.randint(0, c["vocab_size"], (B, T))
    tgt = torch.randint(0, c["vocab_size"], (B, T))
    w = (torch.rand(B, T) > 0.3).float()
    w[0, 0] = 1.0

    P = dict(model.named_parameters())
    out = {"param." + k: v.detach().clone() for k, v in P.items()}
    logits = model(idx)
    token_losses = F.cross_entropy(logits.reshape(-1, c["vocab_size"]), tgt.reshape(-1), reduction="none")
    loss = (token_losses * w.reshape(-1)).sum() / w.sum()
    loss.backward()

    out.update({"grad." + k: v.grad.detach().clone() for k, v in P.items()})
    out["logits"] = logits.detach()
    out["loss"] = loss.detach().reshape(1)
    out["token_losses"] = token_losses.detach()
    out["inputs"] = idx.float()
    out["targets"] = tgt.float()
    out["weights"] = w

    # One AdamW step after global-norm clipping; no decay on biases and the embedding.
    decay = [v for k, v in P.items() if k.startswith("lstm.weight") or k == "lm_head.weight"]
    no_decay = [v for k, v in P.items() if not any(v is d for d in decay)]
    torch.nn.utils.clip_grad_norm_(list(P.values()), CLIP)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    opt.step()
    out.update({"after." + k: v.detach().clone() for k, v in P.items()})

    meta = {k: str(v) for k, v in c.items()}
    meta.update(dict(B=str(B), T=str(T), lr=str(LR), beta1=str(BETAS[0]), beta2=str(BETAS[1]), eps=str(EPS),
                     weight_decay=str(WD), grad_clip=str(CLIP), torch=torch.__version__,
                     regenerate="python3 tools/reference/lstm_reference.py " + out_path))
    save_file({k: v.contiguous().float() for k, v in out.items()}, out_path, metadata=meta)
    print(f"wrote {out_path}: loss {loss.item():.6f}, {len(out)} tensors")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/TrainingTests/Fixtures/lstm_reference.safetensors")
