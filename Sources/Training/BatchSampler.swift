import Datasets
import Tensors
import Transformer
import WorkbenchCore
import RunFiles

/// Cuts a split into training examples and serves them in a seeded order that a checkpoint
/// can resume exactly.
///
/// Stream layout: epoch `e` uses windows of `nCtx + 1` tokens starting at `phase_e + i·nCtx`,
/// with `phase_e` a seeded offset in `0..<nCtx`, visited in a seeded permutation. Records layout:
/// each record of `nCtx + 1` tokens is one example, in a seeded permutation per epoch.
/// The position is `(epoch, index)`; nothing else is needed to continue.
public struct BatchSampler: Sendable {
    public let split: TokenSplit
    public let nCtx: Int
    public let layout: ShardManifest.Layout
    public let seed: UInt64
    public private(set) var epoch = 0
    public private(set) var index = 0
    /// Image–caption records: which training records get their first part blanked (`data.blank_share`).
    public var blanking: PairBlanking?
    private var order: [Int] = []
    private var phase = 0

    public init(split: TokenSplit, nCtx: Int, layout: ShardManifest.Layout, seed: UInt64) throws {
        self.split = split; self.nCtx = nCtx; self.layout = layout; self.seed = seed
        if layout == .records, split.tokens.count % (nCtx + 1) != 0 {
            throw TrainingError.dataShape("records of \(nCtx + 1) tokens (n_ctx + 1) do not divide the split's \(split.tokens.count) tokens; set model.n_ctx to the record length − 1")
        }
        if layout == .stream, split.tokens.count < nCtx + 1 {
            throw TrainingError.dataShape("the training split has \(split.tokens.count) tokens, fewer than one window of n_ctx + 1 = \(nCtx + 1)")
        }
        startEpoch(0)
    }

    /// Number of examples in one epoch.
    public var examplesPerEpoch: Int { order.count }

    mutating func startEpoch(_ e: Int) {
        epoch = e
        index = 0
        var rng = SeededRNG(seed: seed &+ UInt64(e) &* 0x9E37_79B9)
        switch layout {
        case .records:
            phase = 0
            order = rng.permutation(split.tokens.count / (nCtx + 1))
        case .stream:
            phase = rng.nextInt(below: nCtx)
            if Self.windowCount(split.tokens.count, nCtx: nCtx, phase: phase) == 0 { phase = 0 }
            order = rng.permutation(Self.windowCount(split.tokens.count, nCtx: nCtx, phase: phase))
        }
    }

    /// Windows of `nCtx + 1` tokens starting at `phase + i·nCtx` that fit in `n` tokens.
    static func windowCount(_ n: Int, nCtx: Int, phase: Int) -> Int {
        n - phase >= nCtx + 1 ? (n - phase - nCtx - 1) / nCtx + 1 : 0
    }

    /// Jumps to a saved position.
    public mutating func seek(epoch e: Int, index i: Int) {
        startEpoch(e)
        index = min(i, order.count)
    }

    /// The next `b` examples as a batch, advancing the position.
    public mutating func next(batchSize b: Int) -> TokenBatch {
        var inputs = [Int32](), targets = [Int32](), weights = [Float]()
        inputs.reserveCapacity(b * nCtx); targets.reserveCapacity(b * nCtx); weights.reserveCapacity(b * nCtx)
        for _ in 0..<b {
            let example = nextExample()   // before `phase` is read: it may start a new epoch
            let start = layout == .records ? example * (nCtx + 1) : phase + example * nCtx
            let row = inputs.count
            Self.append(split, start: start, nCtx: nCtx, &inputs, &targets, &weights)
            if let blanking, layout == .records {
                blanking.apply(inputs: &inputs[row...], targets: &targets[row...], weights: &weights[row...], epoch: epoch, record: example)
            }
        }
        return TokenBatch(b: b, t: nCtx, inputs: inputs, targets: targets, weights: weights)
    }

    /// The indices of the next `b` records (records layout), advancing the position as `next`
    /// does: for heads that need each record's label.
    public mutating func nextRecords(batchSize b: Int) -> [Int] {
        precondition(layout == .records, "nextRecords needs the records layout")
        return (0..<b).map { _ in nextExample() }
    }

    /// The next example of the epoch's order (a record or window number), starting a new epoch
    /// when one runs out.
    mutating func nextExample() -> Int {
        if index >= order.count { startEpoch(epoch + 1) }
        index += 1
        return order[index - 1]
    }

    static func append(_ split: TokenSplit, start: Int, nCtx: Int,
                       _ inputs: inout [Int32], _ targets: inout [Int32], _ weights: inout [Float]) {
        for t in 0..<nCtx {
            inputs.append(Int32(split.tokens[start + t]))
            targets.append(Int32(split.tokens[start + t + 1]))
            weights.append(split.mask.map { Float($0[start + t + 1]) } ?? 1)
        }
    }

    /// The evaluation examples of a split, in order: consecutive windows (stream) or records,
    /// at most `maxTokens` tokens, grouped into batches of at most `b`.
    public static func evaluationBatches(_ split: TokenSplit, nCtx: Int, layout: ShardManifest.Layout,
                                         batchSize b: Int, maxTokens: Int) -> [TokenBatch] {
        let stride = layout == .records ? nCtx + 1 : nCtx
        let available = layout == .records ? split.tokens.count / (nCtx + 1)
                                           : windowCount(split.tokens.count, nCtx: nCtx, phase: 0)
        let count = min(available, max(1, maxTokens / nCtx))
        var batches: [TokenBatch] = []
        var i = 0
        while i < count {
            let n = min(b, count - i)
            var inputs = [Int32](), targets = [Int32](), weights = [Float]()
            for k in 0..<n { append(split, start: (i + k) * stride, nCtx: nCtx, &inputs, &targets, &weights) }
            batches.append(TokenBatch(b: n, t: nCtx, inputs: inputs, targets: targets, weights: weights))
            i += n
        }
        return batches
    }
}
