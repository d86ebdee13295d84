import Tensors

/// Decoding one position at a time with a key–value cache: the forward pass of `runForward`
/// for a single new token, using the same layer kernels, with attention over the cached
/// positions (`CausalSelfAttention.decodeForward`). No dropout, no gradient.
extension GPT {
    /// Logits `[vocabSize]` of the token after `token`, which sits at `position`; appends the
    /// position's keys and values to `cache`. Positions must come in order (`position ==
    /// cache.count`) and below `nCtx`; otherwise throws `KVCacheError` and leaves `cache` as it was.
    public func decode(token: Int32, position: Int, cache: KVCache) throws -> [Float] {
        guard position < config.nCtx else { throw KVCacheError.full(nCtx: config.nCtx) }
        guard position == cache.count else { throw KVCacheError.outOfOrder(expected: cache.count, got: position) }
        precondition(cache.config == config, "KVCache built for another model shape")
        precondition(token >= 0 && Int(token) < config.vocabSize, "token \(token) outside the vocabulary of \(config.vocabSize)")
        let C = config.dModel, A = config.attnWidth, M = config.mlpWidth, V = config.vocabSize
        let P = parameters.base
        let x = cache.residual.base, ln = cache.normed.base, qkv = cache.qkv.base
        let mean = cache.stats.base, rstd = cache.stats.base + 1
        var tok = token
        Embedding.forward(out: x, tokens: &tok, wte: P + layout.wte, wpe: P + layout.wpe + position * C, b: 1, t: 1, c: C)
        for (l, w) in layout.blocks.enumerated() {
            // x += c_proj(attn(c_attn(ln_1(x))))
            LayerNorm.forward(out: ln, mean: mean, rstd: rstd, x: x, weight: P + w.ln1w, bias: P + w.ln1b, rows: 1, c: C)
            Linear.forward(out: qkv, x: ln, weight: P + w.qkvw, bias: P + w.qkvb, rows: 1, inC: C, outC: 3 * A)
            let keys = cache.keys(layer: l), values = cache.values(layer: l)
            (keys + position * A).update(from: qkv + A, count: A)
            (values + position * A).update(from: qkv + 2 * A, count: A)
            attention.decodeForward(out: cache.attended.base, q: qkv, keys: keys, values: values, ld: A,
                                    count: position + 1, scores: cache.scores.base)
            Linear.forward(out: x, x: cache.attended.base, weight: P + w.projw, bias: P + w.projb,
                           rows: 1, inC: A, outC: C, accumulate: true)
            // x += c_proj(gelu(c_fc(ln_2(x))))
            LayerNorm.forward(out: ln, mean: mean, rstd: rstd, x: x, weight: P + w.ln2w, bias: P + w.ln2b, rows: 1, c: C)
            Linear.forward(out: cache.fc.base, x: ln, weight: P + w.fcw, bias: P + w.fcb, rows: 1, inC: C, outC: M)
            GELU.forward(out: cache.gelu.base, tanh: cache.tanh.base, x: cache.fc.base, count: M)
            Linear.forward(out: x, x: cache.gelu.base, weight: P + w.fcprojw, bias: P + w.fcprojb,
                           rows: 1, inC: M, outC: C, accumulate: true)
        }
        LayerNorm.forward(out: ln, mean: mean, rstd: rstd, x: x, weight: P + layout.lnfw, bias: P + layout.lnfb, rows: 1, c: C)
        Linear.forward(out: cache.logits.base, x: ln, weight: P + layout.head, bias: nil, rows: 1, inC: C, outC: V)
        cache.advance()
        return cache.logits.array(offset: 0, count: V)
    }

    /// Feeds `tokens` at positions `cache.count…` and returns the logits after the last one
    /// (empty `tokens`: throws nothing and returns `nil`).
    @discardableResult
    public func decode(tokens: [Int32], cache: KVCache) throws -> [Float]? {
        var logits: [Float]? = nil
        for t in tokens { logits = try decode(token: t, position: cache.count, cache: cache) }
        return logits
    }
}
