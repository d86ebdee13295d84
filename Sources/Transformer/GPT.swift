import Tensors

/// One batch of training or evaluation data: `b` sequences of `t` tokens, the next-token
/// targets, and a weight per target (1 = counts in the loss, 0 = ignored).
public struct TokenBatch: Sendable {
    public var b: Int, t: Int
    public var inputs: [Int32]
    public var targets: [Int32]
    public var weights: [Float]

    public init(b: Int, t: Int, inputs: [Int32], targets: [Int32], weights: [Float]? = nil) {
        precondition(inputs.count == b * t && targets.count == b * t, "TokenBatch: expected \(b)×\(t) tokens")
        self.b = b; self.t = t; self.inputs = inputs; self.targets = targets
        self.weights = weights ?? [Float](repeating: 1, count: b * t)
        precondition(self.weights.count == b * t, "TokenBatch: expected \(b)×\(t) weights")
    }
}

/// The shared decoder-only transformer every modality trains on.
///
/// Token + learned position embedding → `nLayer` × [LayerNorm → causal self-attention →
/// residual; LayerNorm → GELU MLP → residual] → LayerNorm → untied linear head → softmax
/// cross-entropy over the counted tokens. Parameters and gradients live in one flat buffer each
/// (see `ParameterLayout`); `forward` keeps what `backward` needs.
///
///     let gpt = GPT(config: cfg, seed: 1)
///     let loss = gpt.forward(batch, needsGradient: true)
///     gpt.zeroGradients(); gpt.backward()
public final class GPT {
    public let config: GPTConfig
    public let layout: ParameterLayout
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    let attention: CausalSelfAttention
    /// Dropout probability on the embeddings and on both residual branches, during training
    /// passes only (`needsGradient`); 0 turns it off.
    public var dropout: Float = 0
    /// Seed of the dropout masks of the next training pass (the trainer sets it from the run's
    /// seed and the step, so a resumed run draws the same masks).
    public var dropoutSeed: UInt64 = 0
    var activeDropout: Dropout?
    var acts: Activations?
    var last: (b: Int, t: Int, inputs: [Int32], targets: [Int32], weights: [Float])?

    public init(config: GPTConfig, seed: UInt64) {
        self.config = config
        layout = ParameterLayout(config)
        parameters = FloatBuffer(count: layout.total)
        gradients = FloatBuffer(count: layout.total)
        attention = CausalSelfAttention(heads: config.nHead, headDim: config.headDim)
        initialize(seed: seed)
    }

    /// GPT-2 initialisation: normal(0, 0.02) weights and embeddings, residual projections scaled
    /// by 1/√(2·nLayer), zero biases, unit layer-norm gains. Deterministic in `seed`.
    public func initialize(seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        let residualStd = 0.02 / Float(2 * config.nLayer).squareRoot()
        for t in layout.tensors {
            let p = parameters.pointer(at: t.offset)
            switch t.kind {
            case .bias: p.update(repeating: 0, count: t.count)
            case .layerNorm: p.update(repeating: t.name.hasSuffix(".weight") ? 1 : 0, count: t.count)
            case .embedding, .weight:
                let std = t.name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                for i in 0..<t.count { p[i] = rng.nextGaussian() * std }
            }
        }
    }

    public func zeroGradients() { gradients.zero() }

    /// Per-token losses (nats) of the last forward pass, `[b, t]` row-major.
    public var lastTokenLosses: [Float] {
        guard let a = acts, let l = last else { return [] }
        return a.losses.array(offset: 0, count: l.b * l.t)
    }

    /// Logits of the last forward pass, `[b, t, vocab]`.
    public var lastLogits: [Float] {
        guard let a = acts, let l = last else { return [] }
        return a.logits.array(offset: 0, count: l.b * l.t * config.vocabSize)
    }

    func activations(b: Int, t: Int) -> Activations {
        if let a = acts, a.rows >= b * t, a.maxT >= t { return a }
        let a = Activations(config: config, rows: b * t, maxT: max(t, acts?.maxT ?? 0), attention: attention)
        acts = a
        return a
    }

    /// Runs the model on `batch` and returns the mean loss over counted targets (nats).
    /// With `needsGradient`, also prepares the loss gradient for `backward()`.
    @discardableResult
    public func forward(_ batch: TokenBatch, needsGradient: Bool = false) -> Float {
        let b = batch.b, t = batch.t
        precondition(t <= config.nCtx, "sequence of \(t) tokens exceeds n_ctx \(config.nCtx)")
        let a = activations(b: b, t: t)
        let C = config.dModel, A = config.attnWidth, M = config.mlpWidth, V = config.vocabSize
        let H = config.nHead, R = b * t, full = a.rows
        let P = parameters.base
        last = (b, t, batch.inputs, batch.targets, batch.weights)
        let drop = needsGradient && dropout > 0 ? Dropout(p: dropout, seed: dropoutSeed) : nil
        activeDropout = drop
        batch.inputs.withUnsafeBufferPointer { tok in
            Embedding.forward(out: a.encoded.base, tokens: tok.baseAddress!, wte: P + layout.wte,
                              wpe: P + layout.wpe, b: b, t: t, c: C)
        }
        drop?.apply(a.encoded.base, count: R * C, stream: 0)
        /// out = residual + dropout(x·Wᵀ + b): fused when dropout is off, through `a.dln` when on.
        func residualBranch(_ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>,
                            x: UnsafePointer<Float>, weight: Int, bias: Int, inC: Int, stream: Int) {
            if let drop {
                let y = a.dln.base
                Linear.forward(out: y, x: x, weight: P + weight, bias: P + bias, rows: R, inC: inC, outC: C)
                drop.apply(y, count: R * C, stream: stream)
                for i in 0..<(R * C) { out[i] = residual[i] + y[i] }
            } else {
                out.update(from: residual, count: R * C)
                Linear.forward(out: out, x: x, weight: P + weight, bias: P + bias, rows: R, inC: inC, outC: C,
                               accumulate: true)
            }
        }
        var x = UnsafePointer(a.encoded.base)
        let lnOut = a.lnOut.base, gelu = a.mlpScratch.base
        for (l, w) in layout.blocks.enumerated() {
            let qkv = a.qkv.base + l * full * 3 * A
            let att = a.att.base + l * full * A, lse = a.lse.base + l * full * H
            let r2 = a.resid2.base + l * full * C
            let fc = a.fc.base + l * full * M
            let r3 = a.resid3.base + l * full * C
            LayerNorm.forward(out: lnOut, mean: a.ln1Mean.base + l * full, rstd: a.ln1Rstd.base + l * full,
                              x: x, weight: P + w.ln1w, bias: P + w.ln1b, rows: R, c: C)
            Linear.forward(out: qkv, x: lnOut, weight: P + w.qkvw, bias: P + w.qkvb, rows: R, inC: C, outC: 3 * A)
            attention.forward(out: att, lse: lse, qkv: qkv, b: b, t: t, scratch: a.attentionScratch)
            residualBranch(r2, residual: x, x: att, weight: w.projw, bias: w.projb, inC: A, stream: 1 + 2 * l)
            LayerNorm.forward(out: lnOut, mean: a.ln2Mean.base + l * full, rstd: a.ln2Rstd.base + l * full,
                              x: r2, weight: P + w.ln2w, bias: P + w.ln2b, rows: R, c: C)
            Linear.forward(out: fc, x: lnOut, weight: P + w.fcw, bias: P + w.fcb, rows: R, inC: C, outC: M)
            GELU.forward(out: gelu, x: fc, count: R * M)
            residualBranch(r3, residual: r2, x: gelu, weight: w.fcprojw, bias: w.fcprojb, inC: M, stream: 2 + 2 * l)
            x = UnsafePointer(r3)
        }
        LayerNorm.forward(out: a.lnf.base, mean: a.lnfMean.base, rstd: a.lnfRstd.base, x: x,
                          weight: P + layout.lnfw, bias: P + layout.lnfb, rows: R, c: C)
        Linear.forward(out: a.logits.base, x: a.lnf.base, weight: P + layout.head, bias: nil, rows: R, inC: C, outC: V)
        return batch.targets.withUnsafeBufferPointer { tg in
            batch.weights.withUnsafeBufferPointer { wt in
                SoftmaxCrossEntropy.forwardBackward(losses: a.losses.base, dlogits: needsGradient ? a.dlogits.base : nil,
                                                    logits: a.logits.base, targets: tg.baseAddress!,
                                                    weights: wt.baseAddress!, rows: R, v: V)
            }
        }
    }

    /// Accumulates the gradient of the last `forward(_, needsGradient: true)` loss into `gradients`.
    public func backward() {
        guard let a = acts, let lastBatch = last else { preconditionFailure("backward() before forward()") }
        let b = lastBatch.b, t = lastBatch.t
        let C = config.dModel, A = config.attnWidth, M = config.mlpWidth, V = config.vocabSize
        let H = config.nHead, R = b * t, full = a.rows
        let P = parameters.base, G = gradients.base
        let lastX = layout.blocks.isEmpty ? a.encoded.base : a.resid3.base + (config.nLayer - 1) * full * C
        // Head and final layer norm.
        Linear.backward(dx: nil, dweight: G + layout.head, dbias: nil, dout: a.dlogits.base,
                        x: a.lnf.base, weight: P + layout.head, rows: R, inC: C, outC: V)
        Linear.backwardInput(dx: a.dln.base, dout: a.dlogits.base, weight: P + layout.head, rows: R, inC: C, outC: V)
        a.dresidual.base.update(repeating: 0, count: R * C)
        LayerNorm.backward(dx: a.dresidual.base, dweight: G + layout.lnfw, dbias: G + layout.lnfb, dout: a.dln.base,
                           x: lastX, weight: P + layout.lnfw, mean: a.lnfMean.base, rstd: a.lnfRstd.base, rows: R, c: C)
        let dres = a.dresidual.base, lnOut = a.lnOut.base, mlp = a.mlpScratch.base
        let drop = activeDropout
        /// The gradient reaching a residual branch's output: dres, or dres ∘ mask in `a.dln`.
        func branchGradient(stream: Int) -> UnsafeMutablePointer<Float> {
            guard let drop else { return dres }
            a.dln.base.update(from: dres, count: R * C)
            drop.apply(a.dln.base, count: R * C, stream: stream)
            return a.dln.base
        }
        for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
            let w = layout.blocks[l]
            let x = l == 0 ? a.encoded.base : a.resid3.base + (l - 1) * full * C
            let qkv = a.qkv.base + l * full * 3 * A
            let att = a.att.base + l * full * A, lse = a.lse.base + l * full * H
            let r2 = a.resid2.base + l * full * C
            let fc = a.fc.base + l * full * M
            let ln1Mean = a.ln1Mean.base + l * full, ln1Rstd = a.ln1Rstd.base + l * full
            let ln2Mean = a.ln2Mean.base + l * full, ln2Rstd = a.ln2Rstd.base + l * full
            // MLP branch: r3 = r2 + c_proj(gelu(c_fc(ln_2(r2)))); gelu(fc) and ln_2(r2) are recomputed.
            GELU.forward(out: mlp, x: fc, count: R * M)
            let dMLP = branchGradient(stream: 2 + 2 * l)
            Linear.backward(dx: nil, dweight: G + w.fcprojw, dbias: G + w.fcprojb, dout: dMLP,
                            x: mlp, weight: P + w.fcprojw, rows: R, inC: M, outC: C)
            Linear.backwardInput(dx: mlp, dout: dMLP, weight: P + w.fcprojw, rows: R, inC: M, outC: C)
            GELU.backwardInPlace(mlp, x: fc, count: R * M)                       // mlp now holds dfc
            LayerNorm.normalize(out: lnOut, x: r2, weight: P + w.ln2w, bias: P + w.ln2b,
                                mean: ln2Mean, rstd: ln2Rstd, rows: R, c: C)
            Linear.backward(dx: nil, dweight: G + w.fcw, dbias: G + w.fcb, dout: mlp,
                            x: lnOut, weight: P + w.fcw, rows: R, inC: C, outC: M)
            Linear.backwardInput(dx: a.dln.base, dout: mlp, weight: P + w.fcw, rows: R, inC: C, outC: M)
            LayerNorm.backward(dx: dres, dweight: G + w.ln2w, dbias: G + w.ln2b, dout: a.dln.base, x: r2,
                               weight: P + w.ln2w, mean: ln2Mean, rstd: ln2Rstd, rows: R, c: C)
            // Attention branch: r2 = x + c_proj(attn(c_attn(ln_1(x)))); ln_1(x) is recomputed.
            let dAttn = branchGradient(stream: 1 + 2 * l)
            Linear.backward(dx: nil, dweight: G + w.projw, dbias: G + w.projb, dout: dAttn,
                            x: att, weight: P + w.projw, rows: R, inC: A, outC: C)
            Linear.backwardInput(dx: a.datt.base, dout: dAttn, weight: P + w.projw, rows: R, inC: A, outC: C)
            mlp.update(repeating: 0, count: R * 3 * A)   // the scratch now holds dqkv
            attention.backward(dqkv: mlp, dout: a.datt.base, qkv: qkv, out: att, lse: lse, b: b, t: t,
                               scratch: a.attentionScratch)
            LayerNorm.normalize(out: lnOut, x: x, weight: P + w.ln1w, bias: P + w.ln1b,
                                mean: ln1Mean, rstd: ln1Rstd, rows: R, c: C)
            Linear.backward(dx: nil, dweight: G + w.qkvw, dbias: G + w.qkvb, dout: mlp,
                            x: lnOut, weight: P + w.qkvw, rows: R, inC: C, outC: 3 * A)
            Linear.backwardInput(dx: a.dln.base, dout: mlp, weight: P + w.qkvw, rows: R, inC: C, outC: 3 * A)
            LayerNorm.backward(dx: dres, dweight: G + w.ln1w, dbias: G + w.ln1b, dout: a.dln.base, x: x,
                               weight: P + w.ln1w, mean: ln1Mean, rstd: ln1Rstd, rows: R, c: C)
        }
        drop?.apply(dres, count: R * C, stream: 0)
        lastBatch.inputs.withUnsafeBufferPointer { tok in
            Embedding.backward(dwte: G + layout.wte, dwpe: G + layout.wpe, dout: dres, tokens: tok.baseAddress!,
                               b: b, t: t, c: C)
        }
    }
}
