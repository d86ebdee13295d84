import Tensors
import WorkbenchCore

/// Every intermediate the backward pass needs, for one micro-batch of up to `rows = B·T` tokens,
/// in one allocation per kind; one per thread. A pass with fewer rows reuses it. (Logits and
/// per-token losses of the whole batch live in `GPT`, so callers can read them afterwards.)
///
/// Everything backward reads is kept per layer, including the layer-norm outputs, the GELU
/// output and its `tanh`: a micro-batch is small, so recomputing them would cost time for
/// memory that is not short. Attention keeps its output and log-sum-exp and, for contexts up
/// to `CausalSelfAttention.keepProbabilitiesUpTo`, its causal probabilities; longer contexts
/// (the 3072-token image model) keep no `T×T` matrix and recompute scores tile by tile.
final class Activations {
    let rows: Int, maxT: Int
    let encoded: FloatBuffer                    // [B, T, C] embeddings (input of block 0)
    let ln1Mean, ln1Rstd: FloatBuffer           // [L, B, T] ×2
    let qkv: FloatBuffer                        // [L, B, T, 3A]
    let att: FloatBuffer                        // [L, B, T, A]
    let lse: FloatBuffer                        // [L, B, H, T]
    let resid2: FloatBuffer                     // [L, B, T, C] after the attention residual
    let ln2Mean, ln2Rstd: FloatBuffer
    let ln1Out, ln2Out: FloatBuffer             // [L, B, T, C] layer-norm outputs
    let fc: FloatBuffer                         // [L, B, T, M] MLP pre-activation
    let gelu, geluTanh: FloatBuffer             // [L, B, T, M] gelu(fc) and the tanh inside it
    let resid3: FloatBuffer                     // [L, B, T, C] block outputs
    let lnf, lnfMean, lnfRstd: FloatBuffer      // [B, T, C], [B, T] ×2
    // Scratch shared by every block, forward and backward.
    let mlpScratch: FloatBuffer                 // [B, T, max(M, 3A)] dgelu, dfc; then dqkv
    let dlogits: FloatBuffer                    // [B, T, V]
    let dresidual, dln: FloatBuffer             // [B, T, C]
    let datt: FloatBuffer                       // [B, T, A]
    let attentionScratch: FloatBuffer           // per-worker tiles
    /// Attention probabilities kept by forward for backward, `probabilityStride` floats per layer;
    /// nil for contexts above `CausalSelfAttention.keepProbabilitiesUpTo` (backward recomputes them).
    let probabilities: FloatBuffer?
    let probabilityStride: Int
    let attention: CausalSelfAttention

    init(config c: GPTConfig, rows: Int, maxT: Int, attention: CausalSelfAttention) {
        self.rows = rows; self.maxT = maxT
        let L = c.nLayer, C = c.dModel, A = c.attnWidth, M = c.mlpWidth, V = c.vocabSize, H = c.nHead
        func buf(_ n: Int) -> FloatBuffer { FloatBuffer(count: n) }
        encoded = buf(rows * C)
        ln1Mean = buf(L * rows); ln1Rstd = buf(L * rows)
        qkv = buf(L * rows * 3 * A); att = buf(L * rows * A); lse = buf(L * rows * H)
        resid2 = buf(L * rows * C)
        ln2Mean = buf(L * rows); ln2Rstd = buf(L * rows)
        ln1Out = buf(L * rows * C); ln2Out = buf(L * rows * C)
        fc = buf(L * rows * M)
        gelu = buf(L * rows * M); geluTanh = buf(L * rows * M)
        resid3 = buf(L * rows * C)
        lnf = buf(rows * C); lnfMean = buf(rows); lnfRstd = buf(rows)
        mlpScratch = buf(rows * max(M, 3 * A))
        dlogits = buf(rows * V)
        dresidual = buf(rows * C); dln = buf(rows * C)
        datt = buf(rows * A)
        attentionScratch = buf(max(1, Parallel.workers) * attention.scratchPerWorker(t: maxT))
        // b·H·probabilitiesPerHead(t) ≤ H·rows·((maxT + tile)/2 + keyBlock) for any t ≤ maxT with
        // b·t ≤ rows (each tile row is padded by less than one key block).
        probabilityStride = maxT <= CausalSelfAttention.keepProbabilitiesUpTo
            ? H * rows * ((maxT + attention.tile) / 2 + AttentionKernels.keyBlock) + 1 : 0
        probabilities = probabilityStride > 0 ? buf(L * probabilityStride) : nil
        self.attention = attention
    }

    /// Whether a pass of `rows` tokens in sequences of `t` fits, with attention scratch for the
    /// current `Parallel.workers` (a pass that is not split runs attention on all of them).
    func fits(rows: Int, t: Int) -> Bool {
        rows <= self.rows && t <= maxT
            && attentionScratch.count >= max(1, Parallel.workers) * attention.scratchPerWorker(t: maxT)
    }
}
