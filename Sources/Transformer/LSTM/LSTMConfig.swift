/// The shape of an LSTM language model: token embedding of width `width`, `nLayer` stacked
/// LSTM layers of `width` hidden units, an untied linear head.
///
///     let cfg = LSTMConfig(nLayer: 2, width: 64, nCtx: 64, vocabSize: 256)
///     cfg.nonEmbeddingParameters   // N: 2 · (8·64² + 8·64) = 66 560
public struct LSTMConfig: Equatable, Sendable, Codable {
    public var nLayer: Int
    /// Hidden units per layer (also the embedding width, so every layer's input is `width` wide).
    public var width: Int
    /// Tokens per training sequence; each sequence starts from a zero state.
    public var nCtx: Int
    public var vocabSize: Int

    public init(nLayer: Int, width: Int, nCtx: Int, vocabSize: Int) {
        self.nLayer = nLayer; self.width = width; self.nCtx = nCtx; self.vocabSize = vocabSize
    }

    /// Throws a message naming the first inconsistent field.
    public func validate() throws {
        func check(_ ok: Bool, _ msg: String) throws { if !ok { throw GPTConfigError(message: msg) } }
        try check(nLayer >= 1, "n_layer must be at least 1 (got \(nLayer))")
        try check(width >= 1, "d_model (the LSTM's width) must be at least 1 (got \(width))")
        try check(nCtx >= 1, "n_ctx must be at least 1 (got \(nCtx))")
        try check(vocabSize >= 2, "vocab_size must be at least 2 (got \(vocabSize))")
        try check(vocabSize <= 65536, "vocab_size must fit 16-bit tokens (got \(vocabSize))")
    }

    /// N: the LSTM layers' weights and biases (`weight_ih`, `weight_hh`: `[4·width, width]`
    /// each; `bias_ih`, `bias_hh`: `[4·width]` each), without the embedding and the head, as
    /// the transformer's N leaves out its embeddings and head: `nLayer · (8·width² + 8·width)`.
    public var nonEmbeddingParameters: Int { nLayer * (8 * width * width + 8 * width) }

    /// All parameters, embedding and head included.
    public var totalParameters: Int { nonEmbeddingParameters + 2 * vocabSize * width }

    /// Forward FLOPs per token in the LSTM layers: the two gate products (2 FLOPs per weight,
    /// `2 · 8·width²`) and the element-wise work per hidden unit (two bias adds and one sum per
    /// gate: 12; five nonlinearities: 5; cell and hidden updates: 3), i.e. `16·width² + 20·width`
    /// per layer. Like the transformer's `6·N`, the embedding and the head are not counted.
    public var forwardFLOPsPerToken: Double {
        Double(nLayer) * (16 * Double(width * width) + 20 * Double(width))
    }

    /// Training FLOPs per token: forward plus a backward of twice its cost.
    public var trainingFLOPsPerToken: Double { 3 * forwardFLOPsPerToken }
}
