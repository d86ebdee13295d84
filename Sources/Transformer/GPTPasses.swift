import Tensors
import WorkbenchCore

/// Forward and backward of one micro-batch through the whole model, side by side: the body
/// (embeddings to the final layer norm) and the language-model head on top of it.
/// Every layer runs on the calling thread when called from `Parallel.forEachExclusive`.
extension GPT {
    /// Forward of `m` into `a`; writes the logits and per-token losses of its rows, and with
    /// `needsGradient` the gradient of `Σ w·loss · norm` with respect to the logits (in `a.dlogits`).
    func runForward(_ m: MicroBatch, a: Activations, logits: UnsafeMutablePointer<Float>,
                    losses: UnsafeMutablePointer<Float>, norm: Float, dropout drop: Dropout?, needsGradient: Bool) {
        runBody(m, a: a, dropout: drop, needsGradient: needsGradient)
        let R = m.rows, C = config.dModel, V = config.vocabSize
        Linear.forward(out: logits, x: a.lnf.base, weight: parameters.base + layout.head, bias: nil, rows: R, inC: C, outC: V)
        SoftmaxCrossEntropy.rowsForwardBackward(losses: losses, dlogits: needsGradient ? a.dlogits.base : nil,
                                                logits: logits, targets: m.targets, weights: m.weights,
                                                norm: norm, rows: R, v: V)
    }

    /// Forward of `m` from the embeddings to the final layer norm, whose output is left in `a.lnf`
    /// (`[rows, dModel]`): the body shared by the language-model head and classification heads.
    /// Without `needsGradient` (evaluation) nothing is kept for backward: every block writes the
    /// first block's activations (a working set one block deep, which stays in cache), GELU keeps
    /// no `tanh` and attention no probabilities.
    func runBody(_ m: MicroBatch, a: Activations, dropout drop: Dropout?, needsGradient: Bool) {
        let b = m.b, t = m.t
        let C = config.dModel, A = config.attnWidth, M = config.mlpWidth
        let H = config.nHead, R = m.rows, full = a.rows
        let P = parameters.base
        Embedding.forward(out: a.encoded.base, tokens: m.tokens, wte: P + layout.wte, wpe: P + layout.wpe, b: b, t: t, c: C)
        drop?.apply(a.encoded.base, count: R * C, stream: 0, offset: m.row0 * C)
        /// out = residual + dropout(x·Wᵀ + b): fused when dropout is off, through `a.dln` when on.
        func residualBranch(_ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>,
                            x: UnsafePointer<Float>, weight: Int, bias: Int, inC: Int, stream: Int) {
            if let drop {
                let y = a.dln.base
                Linear.forward(out: y, x: x, weight: P + weight, bias: P + bias, rows: R, inC: inC, outC: C)
                drop.apply(y, count: R * C, stream: stream, offset: m.row0 * C)
                for i in 0..<(R * C) { out[i] = residual[i] + y[i] }
            } else {
                out.update(from: residual, count: R * C)
                Linear.forward(out: out, x: x, weight: P + weight, bias: P + bias, rows: R, inC: inC, outC: C,
                               accumulate: true)
            }
        }
        var x = UnsafePointer(a.encoded.base)
        for (block, w) in layout.blocks.enumerated() {
            let l = needsGradient ? block : 0                 // the activations' slot
            let ln1 = a.ln1Out.base + l * full * C, ln2 = a.ln2Out.base + l * full * C
            let gelu = a.gelu.base + l * full * M, tanh = a.geluTanh.base + l * full * M
            let qkv = a.qkv.base + l * full * 3 * A
            let att = a.att.base + l * full * A, lse = a.lse.base + l * full * H
            let r2 = a.resid2.base + l * full * C
            let fc = a.fc.base + l * full * M
            let r3 = a.resid3.base + l * full * C
            LayerNorm.forward(out: ln1, mean: a.ln1Mean.base + l * full, rstd: a.ln1Rstd.base + l * full,
                              x: x, weight: P + w.ln1w, bias: P + w.ln1b, rows: R, c: C)
            Linear.forward(out: qkv, x: ln1, weight: P + w.qkvw, bias: P + w.qkvb, rows: R, inC: C, outC: 3 * A)
            attention.forward(out: att, lse: lse, qkv: qkv, b: b, t: t, scratch: a.attentionScratch,
                              probabilities: needsGradient ? a.probabilities.map { $0.base + l * a.probabilityStride } : nil)
            residualBranch(r2, residual: x, x: att, weight: w.projw, bias: w.projb, inC: A, stream: 1 + 2 * block)
            LayerNorm.forward(out: ln2, mean: a.ln2Mean.base + l * full, rstd: a.ln2Rstd.base + l * full,
                              x: r2, weight: P + w.ln2w, bias: P + w.ln2b, rows: R, c: C)
            Linear.forward(out: fc, x: ln2, weight: P + w.fcw, bias: P + w.fcb, rows: R, inC: C, outC: M)
            GELU.forward(out: gelu, tanh: needsGradient ? tanh : nil, x: fc, count: R * M)
            residualBranch(r3, residual: r2, x: gelu, weight: w.fcprojw, bias: w.fcprojb, inC: M, stream: 2 + 2 * block)
            x = UnsafePointer(r3)
        }
        LayerNorm.forward(out: a.lnf.base, mean: a.lnfMean.base, rstd: a.lnfRstd.base, x: x,
                          weight: P + layout.lnfw, bias: P + layout.lnfb, rows: R, c: C)
    }

    /// Backward of `m` after `runForward(m, a:, …, needsGradient: true)`; accumulates into `grads`
    /// (laid out as `parameters`).
    func runBackward(_ m: MicroBatch, a: Activations, grads G: UnsafeMutablePointer<Float>, dropout drop: Dropout?) {
        let R = m.rows, C = config.dModel, V = config.vocabSize, P = parameters.base
        Linear.backward(dx: nil, dweight: G + layout.head, dbias: nil, dout: a.dlogits.base,
                        x: a.lnf.base, weight: P + layout.head, rows: R, inC: C, outC: V)
        Linear.backwardInput(dx: a.dln.base, dout: a.dlogits.base, weight: P + layout.head, rows: R, inC: C, outC: V)
        runBodyBackward(m, a: a, grads: G, dropout: drop)
    }

    /// Backward of `runBody`: from the gradient of the final layer norm's output, which the caller
    /// leaves in `a.dln`, down to the embeddings; accumulates into `grads`.
    func runBodyBackward(_ m: MicroBatch, a: Activations, grads G: UnsafeMutablePointer<Float>, dropout drop: Dropout?) {
        let b = m.b, t = m.t
        let C = config.dModel, A = config.attnWidth, M = config.mlpWidth
        let H = config.nHead, R = m.rows, full = a.rows
        let P = parameters.base
        let lastX = layout.blocks.isEmpty ? a.encoded.base : a.resid3.base + (config.nLayer - 1) * full * C
        a.dresidual.base.update(repeating: 0, count: R * C)
        LayerNorm.backward(dx: a.dresidual.base, dweight: G + layout.lnfw, dbias: G + layout.lnfb, dout: a.dln.base,
                           x: lastX, weight: P + layout.lnfw, mean: a.lnfMean.base, rstd: a.lnfRstd.base, rows: R, c: C)
        let dres = a.dresidual.base, mlp = a.mlpScratch.base
        /// The gradient reaching a residual branch's output: dres, or dres ∘ mask in `a.dln`.
        func branchGradient(stream: Int) -> UnsafeMutablePointer<Float> {
            guard let drop else { return dres }
            a.dln.base.update(from: dres, count: R * C)
            drop.apply(a.dln.base, count: R * C, stream: stream, offset: m.row0 * C)
            return a.dln.base
        }
        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = layout.blocks[l]
            let x = l == 0 ? a.encoded.base : a.resid3.base + (l - 1) * full * C
            let qkv = a.qkv.base + l * full * 3 * A
            let att = a.att.base + l * full * A, lse = a.lse.base + l * full * H
            let r2 = a.resid2.base + l * full * C
            let fc = a.fc.base + l * full * M
            let ln1 = a.ln1Out.base + l * full * C, ln2 = a.ln2Out.base + l * full * C
            let gelu = a.gelu.base + l * full * M, tanh = a.geluTanh.base + l * full * M
            let ln1Mean = a.ln1Mean.base + l * full, ln1Rstd = a.ln1Rstd.base + l * full
            let ln2Mean = a.ln2Mean.base + l * full, ln2Rstd = a.ln2Rstd.base + l * full
            // MLP branch: r3 = r2 + c_proj(gelu(c_fc(ln_2(r2)))).
            let dMLP = branchGradient(stream: 2 + 2 * l)
            Linear.backward(dx: nil, dweight: G + w.fcprojw, dbias: G + w.fcprojb, dout: dMLP,
                            x: gelu, weight: P + w.fcprojw, rows: R, inC: M, outC: C)
            Linear.backwardInput(dx: mlp, dout: dMLP, weight: P + w.fcprojw, rows: R, inC: M, outC: C)
            GELU.backwardInPlace(mlp, x: fc, tanh: tanh, count: R * M)           // mlp now holds dfc
            Linear.backward(dx: nil, dweight: G + w.fcw, dbias: G + w.fcb, dout: mlp,
                            x: ln2, weight: P + w.fcw, rows: R, inC: C, outC: M)
            Linear.backwardInput(dx: a.dln.base, dout: mlp, weight: P + w.fcw, rows: R, inC: C, outC: M)
            LayerNorm.backward(dx: dres, dweight: G + w.ln2w, dbias: G + w.ln2b, dout: a.dln.base, x: r2,
                               weight: P + w.ln2w, mean: ln2Mean, rstd: ln2Rstd, rows: R, c: C)
            // Attention branch: r2 = x + c_proj(attn(c_attn(ln_1(x)))).
            let dAttn = branchGradient(stream: 1 + 2 * l)
            Linear.backward(dx: nil, dweight: G + w.projw, dbias: G + w.projb, dout: dAttn,
                            x: att, weight: P + w.projw, rows: R, inC: A, outC: C)
            Linear.backwardInput(dx: a.datt.base, dout: dAttn, weight: P + w.projw, rows: R, inC: A, outC: C)
            attention.backward(dqkv: mlp, dout: a.datt.base, qkv: qkv, out: att, lse: lse, b: b, t: t,
                               scratch: a.attentionScratch,
                               probabilities: a.probabilities.map { UnsafePointer($0.base + l * a.probabilityStride) })
            Linear.backward(dx: nil, dweight: G + w.qkvw, dbias: G + w.qkvb, dout: mlp,
                            x: ln1, weight: P + w.qkvw, rows: R, inC: C, outC: 3 * A)
            Linear.backwardInput(dx: a.dln.base, dout: mlp, weight: P + w.qkvw, rows: R, inC: C, outC: 3 * A)
            LayerNorm.backward(dx: dres, dweight: G + w.ln1w, dbias: G + w.ln1b, dout: a.dln.base, x: x,
                               weight: P + w.ln1w, mean: ln1Mean, rstd: ln1Rstd, rows: R, c: C)
        }
        drop?.apply(dres, count: R * C, stream: 0, offset: m.row0 * C)
        Embedding.backward(dwte: G + layout.wte, dwpe: G + layout.wpe, dout: dres, tokens: m.tokens, b: b, t: t, c: C)
    }
}
