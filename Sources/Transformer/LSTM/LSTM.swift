import Tensors
import WorkbenchCore

/// An LSTM language model on the core's conventions: token embedding → `nLayer` stacked LSTM
/// layers (`LSTMLayer`, PyTorch's `nn.LSTM` equations) → untied linear head → softmax
/// cross-entropy over the counted tokens. Each sequence of a batch starts from a zero state.
///
/// Parameters carry PyTorch's names (`embedding.weight [V, H]`, `lstm.weight_ih_l0 [4H, H]`,
/// `lstm.weight_hh_l0 [4H, H]`, `lstm.bias_ih_l0 [4H]`, `lstm.bias_hh_l0 [4H]`, …,
/// `lm_head.weight [V, H]`), so a checkpoint loads into `nn.Embedding`, `nn.LSTM` and
/// `nn.Linear(bias=False)` by name. A batch is cut into groups of whole sequences, one thread
/// each (as `GPT` does), with gradients summed in a fixed order: 1 and 2 threads give the same
/// numbers.
///
///     let lstm = LSTM(config: LSTMConfig(nLayer: 2, width: 64, nCtx: 64, vocabSize: 256), seed: 1)
///     let loss = lstm.forward(batch, needsGradient: true)
///     lstm.zeroGradients(); lstm.backward()
public final class LSTM: LanguageModel {
    public let config: LSTMConfig
    public let parameterTensors: [ParameterLayout.Tensor]
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    /// Dropout is not implemented for the LSTM (the config rejects it); kept for the protocol.
    public var dropout: Float = 0
    public var dropoutSeed: UInt64 = 0
    /// Offsets of the named tensors.
    let embedding: Int, head: Int
    let layers: [(wih: Int, whh: Int, bih: Int, bhh: Int)]
    var workspaces: [LSTMActivations] = []
    var pendingGradients: [FloatBuffer] = []
    var pendingGroups = 0
    var batchLogits = FloatBuffer(count: 0)
    var batchLosses = FloatBuffer(count: 0)
    var lastRows = 0

    public var modelConfig: ModelConfig { .lstm(config) }

    public init(config: LSTMConfig, seed: UInt64) {
        self.config = config
        let H = config.width, V = config.vocabSize
        var list: [ParameterLayout.Tensor] = []
        var at = 0
        func add(_ name: String, _ shape: [Int], _ kind: ParameterLayout.Kind) -> Int {
            let t = ParameterLayout.Tensor(name: name, shape: shape, offset: at, kind: kind)
            list.append(t); at += t.count
            return t.offset
        }
        embedding = add("embedding.weight", [V, H], .embedding)
        layers = (0..<config.nLayer).map { l in
            (add("lstm.weight_ih_l\(l)", [4 * H, H], .weight), add("lstm.weight_hh_l\(l)", [4 * H, H], .weight),
             add("lstm.bias_ih_l\(l)", [4 * H], .bias), add("lstm.bias_hh_l\(l)", [4 * H], .bias))
        }
        head = add("lm_head.weight", [V, H], .weight)
        parameterTensors = list
        parameters = FloatBuffer(count: at)
        gradients = FloatBuffer(count: at)
        initialize(seed: seed)
    }

    /// PyTorch's `nn.LSTM` initialisation, uniform(−1/√H, 1/√H) for every LSTM weight and bias;
    /// embedding and head uniform(−0.1, 0.1) (PyTorch's word-language-model example).
    /// Deterministic in `seed`.
    public func initialize(seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        let k = 1 / Float(config.width).squareRoot()
        for t in parameterTensors {
            let p = parameters.pointer(at: t.offset)
            let bound: Float = t.name.hasPrefix("lstm.") ? k : 0.1
            for i in 0..<t.count { p[i] = (2 * rng.nextFloat() - 1) * bound }
        }
    }

    public func zeroGradients() { gradients.zero() }
    public var lastTokenLosses: [Float] { batchLosses.array(offset: 0, count: lastRows) }
    public var lastLogits: [Float] { batchLogits.array(offset: 0, count: lastRows * config.vocabSize) }

    @discardableResult
    public func forward(_ batch: TokenBatch, needsGradient: Bool) -> Float {
        let b = batch.b, t = batch.t, V = config.vocabSize, R = b * t
        precondition(t <= config.nCtx, "sequence of \(t) tokens exceeds n_ctx \(config.nCtx)")
        if batchLogits.count < R * V { batchLogits = FloatBuffer(count: R * V) }
        if batchLosses.count < R { batchLosses = FloatBuffer(count: R) }
        lastRows = R
        // Groups of whole sequences, one per thread; max(2, workers) so 1 and 2 threads agree.
        let groups = b < 2 ? 1 : min(b, max(2, Parallel.workers))
        for g in 0..<groups {
            let rows = (b * (g + 1) / groups - b * g / groups) * t
            if g < workspaces.count, workspaces[g].rows >= rows { continue }
            let a = LSTMActivations(config: config, rows: rows)
            if g < workspaces.count { workspaces[g] = a } else { workspaces.append(a) }
        }
        if needsGradient {
            while pendingGradients.count < groups { pendingGradients.append(FloatBuffer(count: parameters.count)) }
            for g in 0..<groups { pendingGradients[g].zero() }
        }
        pendingGroups = needsGradient ? groups : 0
        let logits = batchLogits.base, losses = batchLosses.base
        return batch.inputs.withUnsafeBufferPointer { tok in
            batch.targets.withUnsafeBufferPointer { tg in
                batch.weights.withUnsafeBufferPointer { wt in
                    let norm = SoftmaxCrossEntropy.normalizer(weights: wt.baseAddress!, rows: R)
                    func runGroup(_ g: Int) {
                        let s0 = b * g / groups, s1 = b * (g + 1) / groups, r0 = s0 * t
                        let m = MicroBatch(row0: r0, b: s1 - s0, t: t, tokens: tok.baseAddress! + r0,
                                           targets: tg.baseAddress! + r0, weights: wt.baseAddress! + r0)
                        runForward(m, a: workspaces[g], logits: logits + r0 * V, losses: losses + r0,
                                   norm: norm, needsGradient: needsGradient)
                        if needsGradient { runBackward(m, a: workspaces[g], grads: pendingGradients[g].base) }
                    }
                    if groups == 1 { runGroup(0) } else { Parallel.forEachExclusive(count: groups, runGroup) }
                    return SoftmaxCrossEntropy.weightedMean(losses: losses, weights: wt.baseAddress!, norm: norm, rows: R)
                }
            }
        }
    }

    /// Adds the gradient of the last `forward(_, needsGradient: true)` into `gradients`.
    public func backward() {
        precondition(pendingGroups > 0, "backward() before forward(_, needsGradient: true)")
        gradients.add(pendingGradients, groups: pendingGroups, elements: parameters.count)
        pendingGroups = 0
    }

    public func makeDecoder() -> any TokenDecoder { LSTMDecoder(model: self) }
}

/// Activations of one group of sequences (rows time-major, `t·b + s`), kept from forward to
/// backward.
final class LSTMActivations {
    let rows: Int
    /// Embedded inputs `[rows, H]`; per layer: activated gates `[rows, 4H]`, c, tanh(c), h `[rows, H]`.
    let x0: FloatBuffer, gates: FloatBuffer, c: FloatBuffer, tanhC: FloatBuffer, h: FloatBuffer
    /// Top layer's h in batch-major order `[rows, H]` (the head's input), its gradient, dlogits `[rows, V]`.
    let top: FloatBuffer, dtop: FloatBuffer, dlogits: FloatBuffer
    /// Backward scratch: gradient into a layer's h and into its input `[rows, H]`, dgates `[rows, 4H]`, dc `[rows, H]`.
    let dh: FloatBuffer, dx: FloatBuffer, dgates: FloatBuffer, dc: FloatBuffer

    init(config: LSTMConfig, rows: Int) {
        let H = config.width, L = config.nLayer
        self.rows = rows
        x0 = FloatBuffer(count: rows * H)
        gates = FloatBuffer(count: L * rows * 4 * H)
        c = FloatBuffer(count: L * rows * H); tanhC = FloatBuffer(count: L * rows * H); h = FloatBuffer(count: L * rows * H)
        top = FloatBuffer(count: rows * H); dtop = FloatBuffer(count: rows * H)
        dlogits = FloatBuffer(count: rows * config.vocabSize)
        dh = FloatBuffer(count: rows * H); dx = FloatBuffer(count: rows * H)
        dgates = FloatBuffer(count: rows * 4 * H); dc = FloatBuffer(count: rows * H)
    }
}
