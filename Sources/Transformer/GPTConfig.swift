/// The shape of a decoder-only transformer: everything needed to allocate its parameters.
///
/// The paper's shapes: text uses an MLP of `4·dModel` and attention of width `dModel`; images
/// and math use an MLP of `dModel` and attention of width `dModel/4`, with
/// `heads = max(2, dModel/64)`.
///
///     let cfg = GPTConfig(nLayer: 4, dModel: 128, nHead: 4, nCtx: 256, vocabSize: 256)
///     cfg.nonEmbeddingParameters   // N in the scaling laws
public struct GPTConfig: Equatable, Sendable, Codable {
    public var nLayer: Int
    public var dModel: Int
    public var nHead: Int
    public var nCtx: Int
    public var vocabSize: Int
    /// Hidden width of the MLP (paper: 4·dModel for text, dModel for images and math).
    public var mlpWidth: Int
    /// Total width of q, k and v across heads (paper: dModel for text, dModel/4 for images and math).
    public var attnWidth: Int

    public init(nLayer: Int, dModel: Int, nHead: Int, nCtx: Int, vocabSize: Int,
                mlpWidth: Int? = nil, attnWidth: Int? = nil) {
        self.nLayer = nLayer; self.dModel = dModel; self.nHead = nHead; self.nCtx = nCtx
        self.vocabSize = vocabSize
        self.mlpWidth = mlpWidth ?? 4 * dModel
        self.attnWidth = attnWidth ?? dModel
    }

    public var headDim: Int { attnWidth / nHead }

    /// Throws a message naming the first inconsistent field.
    public func validate() throws {
        func check(_ ok: Bool, _ msg: String) throws { if !ok { throw GPTConfigError(message: msg) } }
        try check(nLayer >= 1, "n_layer must be at least 1 (got \(nLayer))")
        try check(dModel >= 1, "d_model must be at least 1 (got \(dModel))")
        try check(nHead >= 1, "n_head must be at least 1 (got \(nHead))")
        try check(nCtx >= 1, "n_ctx must be at least 1 (got \(nCtx))")
        try check(vocabSize >= 2, "vocab_size must be at least 2 (got \(vocabSize))")
        try check(vocabSize <= 65536, "vocab_size must fit 16-bit tokens (got \(vocabSize))")
        try check(mlpWidth >= 1, "mlp_width must be at least 1 (got \(mlpWidth))")
        try check(attnWidth >= nHead && attnWidth % nHead == 0,
                  "attn_width (\(attnWidth)) must be a positive multiple of n_head (\(nHead))")
    }

    /// N: every parameter except the token and position embeddings and the output (unembedding)
    /// matrix, counted exactly — weights, biases and layer norms of every block and the final
    /// layer norm. Kaplan et al. approximate it by `2·dModel·nLayer·(2·attnWidth + mlpWidth)`.
    public var nonEmbeddingParameters: Int {
        let perLayer = 2 * dModel                       // ln_1
            + 3 * attnWidth * dModel + 3 * attnWidth    // c_attn
            + dModel * attnWidth + dModel               // attn.c_proj
            + 2 * dModel                                // ln_2
            + mlpWidth * dModel + mlpWidth              // c_fc
            + dModel * mlpWidth + dModel                // mlp.c_proj
        return nLayer * perLayer + 2 * dModel           // + ln_f
    }

    /// Kaplan's approximation `2·dModel·nLayer·(2·attnWidth + mlpWidth)` (weights only).
    public var nonEmbeddingParametersApprox: Int { 2 * dModel * nLayer * (2 * attnWidth + mlpWidth) }

    /// All parameters, embeddings and head included.
    public var totalParameters: Int { nonEmbeddingParameters + vocabSize * dModel * 2 + nCtx * dModel }

    /// Forward-pass FLOPs per token in the attention scores and mixing, at full context
    /// (Kaplan's `2·nLayer·nCtx·attnWidth`); training costs three times this.
    public var attentionFLOPsPerToken: Int { 2 * nLayer * nCtx * attnWidth }

    /// Forward-pass FLOPs per token of the output layer (`2·d_model·vocab`): for small models on
    /// a large vocabulary this exceeds the 2·N of the body.
    public var outputLayerFLOPsPerToken: Int { 2 * dModel * vocabSize }

    /// Training FLOPs per token as they are spent: three times the forward pass of the body
    /// (2·N), the attention (`attentionFLOPsPerToken`) and the output layer. Kaplan et al.'s
    /// C = 6·N·E keeps only the first term; `compute_flops_total` in metrics.jsonl uses this one.
    public var trainingFLOPsPerToken: Double {
        3 * Double(2 * nonEmbeddingParameters + attentionFLOPsPerToken + outputLayerFLOPsPerToken)
    }
}

/// A model shape that cannot be built, with the field at fault.
public struct GPTConfigError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
