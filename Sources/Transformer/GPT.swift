import Tensors
import WorkbenchCore

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
/// (see `ParameterLayout`).
///
/// A batch runs as micro-batches of whole sequences (about `microBatchRows` tokens each), one
/// thread per group of micro-batches, each on its own activations, with every layer
/// single-threaded inside: the activations of a micro-batch stay in cache from its forward to
/// its backward, and threads never wait for each other inside a step. A training pass
/// (`needsGradient`) therefore runs forward and backward of each micro-batch at once, summing
/// the gradient of each thread's group into a pending buffer; `backward()` adds the pending
/// gradients into `gradients` in a fixed order. Results depend on the batch and on the number
/// of groups, `max(2, Parallel.workers)`: 1 and 2 threads give identical numbers.
///
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
    /// Tokens per micro-batch the batch is cut into (whole sequences, at least one).
    public var microBatchRows = GPT.defaultMicroBatchRows
    /// About 512 tokens keep a small model's activations in the core's L2 cache.
    public static let defaultMicroBatchRows = 512
    /// One set of activations per thread group.
    var workspaces: [Activations] = []
    /// Gradient of the last training pass, one buffer per thread group, waiting for `backward()`.
    var pendingGradients: [FloatBuffer] = []
    var pendingGroups = 0
    /// Logits `[B, T, V]` and per-token losses `[B, T]` of the last pass over the whole batch.
    var batchLogits = FloatBuffer(count: 0)
    var batchLosses = FloatBuffer(count: 0)
    var lastRows = 0

    public init(config: GPTConfig, seed: UInt64) {
        self.config = config
        layout = ParameterLayout(config)
        parameters = FloatBuffer(count: layout.total)
        gradients = FloatBuffer(count: layout.total)
        attention = CausalSelfAttention(heads: config.nHead, headDim: config.headDim,
                                        simdKernels: AttentionKernels.preferredOverBLAS,
                                        streamingKernels: StreamingKernels.preferredOverBLAS)
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
    public var lastTokenLosses: [Float] { batchLosses.array(offset: 0, count: lastRows) }

    /// Logits of the last forward pass, `[b, t, vocab]`.
    public var lastLogits: [Float] { batchLogits.array(offset: 0, count: lastRows * config.vocabSize) }

    /// Runs the model on `batch` and returns the mean loss over counted targets (nats).
    /// With `needsGradient`, also computes the loss gradient, which `backward()` then adds.
    @discardableResult
    public func forward(_ batch: TokenBatch, needsGradient: Bool = false) -> Float {
        let b = batch.b, t = batch.t, V = config.vocabSize, R = b * t
        precondition(t <= config.nCtx, "sequence of \(t) tokens exceeds n_ctx \(config.nCtx)")
        if batchLogits.count < R * V { batchLogits = FloatBuffer(count: R * V) }
        if batchLosses.count < R { batchLosses = FloatBuffer(count: R) }
        lastRows = R
        let (perMicro, micros, groups) = prepareWorkspaces(b: b, t: t, needsGradient: needsGradient)
        let drop = needsGradient && dropout > 0 ? Dropout(p: dropout, seed: dropoutSeed) : nil
        let logits = batchLogits.base, losses = batchLosses.base
        return batch.inputs.withUnsafeBufferPointer { tok in
            batch.targets.withUnsafeBufferPointer { tg in
                batch.weights.withUnsafeBufferPointer { wt in
                    let norm = SoftmaxCrossEntropy.normalizer(weights: wt.baseAddress!, rows: R)
                    func runGroup(_ g: Int) {
                        let a = workspaces[g]
                        for m in (micros * g / groups)..<(micros * (g + 1) / groups) {
                            let s0 = m * perMicro, r0 = s0 * t
                            let micro = MicroBatch(row0: r0, b: min(perMicro, b - s0), t: t,
                                                   tokens: tok.baseAddress! + r0, targets: tg.baseAddress! + r0,
                                                   weights: wt.baseAddress! + r0)
                            runForward(micro, a: a, logits: logits + r0 * V, losses: losses + r0,
                                       norm: norm, dropout: drop, needsGradient: needsGradient)
                            if needsGradient { runBackward(micro, a: a, grads: pendingGradients[g].base, dropout: drop) }
                        }
                    }
                    if groups == 1 { runGroup(0) } else { Parallel.forEachExclusive(count: groups, runGroup) }
                    return SoftmaxCrossEntropy.weightedMean(losses: losses, weights: wt.baseAddress!, norm: norm, rows: R)
                }
            }
        }
    }

    /// Cuts `b` sequences of `t` tokens into micro-batches of `perMicro` sequences and those into
    /// `groups` thread groups, each with a workspace that fits; with `needsGradient`, zeroes one
    /// pending gradient buffer per group for `backward()`.
    func prepareWorkspaces(b: Int, t: Int, needsGradient: Bool) -> (perMicro: Int, micros: Int, groups: Int) {
        let perMicro = max(1, min(b, microBatchRows / t))
        let micros = (b + perMicro - 1) / perMicro
        let groups = micros < 2 ? 1 : min(micros, max(2, Parallel.workers))
        let rowsPerMicro = perMicro * t
        for g in 0..<groups {
            let old = g < workspaces.count ? workspaces[g] : nil
            if let old, old.fits(rows: rowsPerMicro, t: t) { continue }
            // Grow to the larger of the old and new shapes, so alternating shapes settle.
            let a = Activations(config: config, rows: max(rowsPerMicro, old?.rows ?? 0), maxT: max(t, old?.maxT ?? 0),
                                attention: attention)
            if old == nil { workspaces.append(a) } else { workspaces[g] = a }
        }
        if needsGradient {
            while pendingGradients.count < groups { pendingGradients.append(FloatBuffer(count: layout.total)) }
            for g in 0..<groups { pendingGradients[g].zero() }
        }
        pendingGroups = needsGradient ? groups : 0
        return (perMicro, micros, groups)
    }

    /// Adds the gradient of the last `forward(_, needsGradient: true)` loss into `gradients`.
    public func backward() {
        precondition(pendingGroups > 0, "backward() before forward(_, needsGradient: true)")
        gradients.add(pendingGradients, groups: pendingGroups, elements: layout.total)
        pendingGroups = 0
    }
}

/// A slice of whole sequences of a batch, and where its rows start in the batch.
struct MicroBatch {
    let row0: Int, b: Int, t: Int
    let tokens: UnsafePointer<Int32>
    let targets: UnsafePointer<Int32>
    let weights: UnsafePointer<Float>
    var rows: Int { b * t }
}
