import Tensors
#if canImport(Glibc)
import Glibc
import WorkbenchCore
#endif

/// Draws tokens from a model one at a time, from a prompt, with temperature and top-k.
///
/// `generate` decodes with the model's `TokenDecoder` (a key–value cache for `GPT`, the
/// recurrent state for `LSTM`): each new token costs one position's work. `generateByRerunning` reruns the whole context for every token (the
/// reference; quadratic in the length) and draws the same tokens while the sequence fits in
/// `nCtx`. Past `nCtx` both slide the context: rerunning keeps the last `nCtx` tokens for every
/// token; the cache, when full, restarts on the last `⌈nCtx/2⌉` tokens and fills up again.
///
///     var sampler = Sampler(temperature: 0.8, topK: 40, seed: 1)
///     let tokens = try sampler.generate(model: gpt, prompt: [72, 105], count: 100)
public struct Sampler {
    /// 0 picks the most likely token (greedy).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (0 = all).
    public var topK: Int
    var rng: SeededRNG

    public init(temperature: Float = 1, topK: Int = 0, seed: UInt64 = 1) {
        self.temperature = temperature; self.topK = topK; rng = SeededRNG(seed: seed)
    }

    /// The prompt's continuation (`count` new tokens), decoded with a key–value cache.
    /// `allowed` restricts the draw to tokens `0..<allowed` (e.g. the channel values of an image).
    public mutating func generate(model: any LanguageModel, prompt: [Int32], count: Int, allowed: Int? = nil) throws -> [Int32] {
        precondition(!prompt.isEmpty, "sampling needs at least one prompt token")
        let nCtx = model.nCtx
        let cache = model.makeDecoder()
        var seq = prompt
        guard count > 0 else { return [] }
        var logits = try cache.decode(tokens: Array(seq.suffix(nCtx)))!
        for i in 0..<count {
            let next = Int32(pick(logits, allowed: allowed))
            seq.append(next)
            if i == count - 1 { break }
            if cache.isFull {
                cache.rewind(to: 0)
                logits = try cache.decode(tokens: Array(seq.suffix((nCtx + 1) / 2)))!
            } else {
                logits = try cache.decode(token: next)
            }
        }
        return Array(seq.suffix(count))
    }

    /// The prompt's continuation (`count` new tokens) by a full forward pass over the context
    /// (the last `nCtx` tokens) for every token: the reference for `generate`.
    public mutating func generateByRerunning(model: any LanguageModel, prompt: [Int32], count: Int, allowed: Int? = nil) -> [Int32] {
        precondition(!prompt.isEmpty, "sampling needs at least one prompt token")
        var seq = prompt
        let V = model.vocabSize
        for _ in 0..<count {
            let ctx = Array(seq.suffix(model.nCtx))
            let t = ctx.count
            model.forward(TokenBatch(b: 1, t: t, inputs: ctx, targets: [Int32](repeating: 0, count: t)))
            let logits = Array(model.lastLogits[((t - 1) * V)..<(t * V)])
            seq.append(Int32(pick(logits, allowed: allowed)))
        }
        return Array(seq.suffix(count))
    }

    /// Chooses one index from raw logits, among the first `allowed` only when given.
    public mutating func pick(_ logits: [Float], allowed: Int?) -> Int {
        guard let allowed, allowed < logits.count else { return pick(logits) }
        precondition(allowed > 0, "at least one allowed token")
        return pick(Array(logits[0..<allowed]))
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
