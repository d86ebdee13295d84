import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Draws tokens from a model one at a time, from a prompt, with temperature and top-k.
///
///     var sampler = Sampler(temperature: 0.8, topK: 40, seed: 1)
///     let tokens = sampler.generate(model: gpt, prompt: [72, 105], count: 100)
public struct Sampler {
    /// 0 picks the most likely token (greedy).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (0 = all).
    public var topK: Int
    var rng: SeededRNG

    public init(temperature: Float = 1, topK: Int = 0, seed: UInt64 = 1) {
        self.temperature = temperature; self.topK = topK; rng = SeededRNG(seed: seed)
    }

    /// The prompt's continuation (`count` new tokens); the context is the last `nCtx` tokens.
    public mutating func generate(model: GPT, prompt: [Int32], count: Int) -> [Int32] {
        precondition(!prompt.isEmpty, "sampling needs at least one prompt token")
        var seq = prompt
        let V = model.config.vocabSize
        for _ in 0..<count {
            let ctx = Array(seq.suffix(model.config.nCtx))
            let t = ctx.count
            model.forward(TokenBatch(b: 1, t: t, inputs: ctx, targets: [Int32](repeating: 0, count: t)))
            let logits = Array(model.lastLogits[((t - 1) * V)..<(t * V)])
            seq.append(Int32(pick(logits)))
        }
        return Array(seq.suffix(count))
    }

    /// Chooses one index from raw logits.
    public mutating func pick(_ logits: [Float]) -> Int {
        if temperature <= 0 { return logits.indices.max { logits[$0] < logits[$1] }! }
        var idx = Array(logits.indices)
        if topK > 0 && topK < logits.count {
            idx.sort { logits[$0] > logits[$1] }
            idx = Array(idx.prefix(topK))
        }
        let mx = idx.map { logits[$0] }.max()!
        let w = idx.map { Double(expf((logits[$0] - mx) / temperature)) }
        var u = rng.nextDouble() * w.reduce(0, +)
        for (k, wk) in w.enumerated() {
            u -= wk
            if u <= 0 { return idx[k] }
        }
        return idx.last!
    }
}
