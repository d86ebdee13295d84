import Foundation
import Tensors

/// What the trainer, evaluation, sampling and checkpoints need from a next-token model, so that
/// the transformer (`GPT`) and the `LSTM` train, evaluate and sample through the same code.
///
/// Parameters and gradients are flat buffers described by `parameterTensors` (named views with
/// PyTorch's names), which is what AdamW and the safetensors checkpoint work on.
///
///     let model: any LanguageModel = try LanguageModels.make(.lstm(cfg), seed: 1)
///     let loss = model.forward(batch, needsGradient: true)
///     model.zeroGradients(); model.backward()
public protocol LanguageModel: AnyObject {
    /// The architecture and shape (saved in `checkpoint.json`).
    var modelConfig: ModelConfig { get }
    var parameters: FloatBuffer { get }
    var gradients: FloatBuffer { get }
    /// Named views into `parameters` (and `gradients`), in PyTorch's names and shapes.
    var parameterTensors: [ParameterLayout.Tensor] { get }
    /// Dropout probability during training passes (0 = off).
    var dropout: Float { get set }
    /// Seed of the next training pass's dropout masks.
    var dropoutSeed: UInt64 { get set }
    /// Mean loss (nats) over the counted targets of `batch`; with `needsGradient`, also the
    /// gradient, which `backward()` then adds into `gradients`.
    @discardableResult func forward(_ batch: TokenBatch, needsGradient: Bool) -> Float
    func backward()
    func zeroGradients()
    /// Per-token losses (nats) of the last forward pass, `[b, t]`.
    var lastTokenLosses: [Float] { get }
    /// Logits of the last forward pass, `[b, t, vocab]`.
    var lastLogits: [Float] { get }
    /// A fresh incremental decoder (state for one sequence) for sampling.
    func makeDecoder() -> any TokenDecoder
}

extension LanguageModel {
    public var nCtx: Int { modelConfig.nCtx }
    public var vocabSize: Int { modelConfig.vocabSize }
    /// N in the scaling laws: parameters without the embeddings and the head.
    public var nonEmbeddingParameters: Int { modelConfig.nonEmbeddingParameters }
    /// Training FLOPs per token that `compute_flops` counts.
    public var computeFLOPsPerToken: Double { modelConfig.computeFLOPsPerToken }
}

/// A model's state for decoding one sequence a token at a time (a key–value cache for the
/// transformer, the hidden and cell states of every position for the LSTM). Holds at most
/// `capacity` positions (the model's n_ctx).
public protocol TokenDecoder: AnyObject {
    /// Positions decoded; the position of the next token.
    var count: Int { get }
    var capacity: Int { get }
    /// Keeps positions `0..<position` and forgets the rest; `rewind(to: 0)` starts over.
    func rewind(to position: Int)
    /// Logits `[vocab]` of the token after `token`, which takes position `count`; throws when full.
    func decode(token: Int32) throws -> [Float]
}

extension TokenDecoder {
    public var isFull: Bool { count >= capacity }

    /// Feeds `tokens` in order and returns the logits after the last (nil for none).
    @discardableResult
    public func decode(tokens: [Int32]) throws -> [Float]? {
        var logits: [Float]? = nil
        for t in tokens { logits = try decode(token: t) }
        return logits
    }
}

/// The architecture and shape of a model, as `model.kind` chooses it. Saved in
/// `checkpoint.json`: a transformer as its `GPTConfig` fields (as before there were several
/// kinds), an LSTM as its `LSTMConfig` fields plus `"kind": "lstm"`.
public enum ModelConfig: Equatable, Sendable, Codable {
    case transformer(GPTConfig)
    case lstm(LSTMConfig)

    /// `transformer` or `lstm` (the values of `model.kind`).
    public var kind: String {
        switch self { case .transformer: return "transformer"; case .lstm: return "lstm" }
    }
    public var nLayer: Int {
        switch self { case .transformer(let c): return c.nLayer; case .lstm(let c): return c.nLayer }
    }
    /// d_model of the transformer, hidden width of the LSTM.
    public var width: Int {
        switch self { case .transformer(let c): return c.dModel; case .lstm(let c): return c.width }
    }
    public var nCtx: Int {
        switch self { case .transformer(let c): return c.nCtx; case .lstm(let c): return c.nCtx }
    }
    public var vocabSize: Int {
        switch self { case .transformer(let c): return c.vocabSize; case .lstm(let c): return c.vocabSize }
    }
    public var nonEmbeddingParameters: Int {
        switch self { case .transformer(let c): return c.nonEmbeddingParameters; case .lstm(let c): return c.nonEmbeddingParameters }
    }
    /// The transformer's `6·N` (Kaplan's C = 6·N·E; attention over the context not counted, as
    /// in the papers), the LSTM's own count (`LSTMConfig.trainingFLOPsPerToken`).
    public var computeFLOPsPerToken: Double {
        switch self {
        case .transformer(let c): return 6 * Double(c.nonEmbeddingParameters)
        case .lstm(let c): return c.trainingFLOPsPerToken
        }
    }

    /// Training FLOPs per token as spent, output layer (and the transformer's attention)
    /// included: what `compute_flops_total` counts.
    public var totalFLOPsPerToken: Double {
        switch self {
        case .transformer(let c): return c.trainingFLOPsPerToken
        case .lstm(let c): return c.trainingFLOPsPerToken + 6 * Double(c.width * c.vocabSize)
        }
    }

    /// The transformer's shape (nil for another kind).
    public var transformer: GPTConfig? {
        if case .transformer(let c) = self { return c }
        return nil
    }

    /// One line naming the shape, for error messages.
    public var summary: String {
        switch self {
        case .transformer(let c):
            return "n_layer \(c.nLayer), d_model \(c.dModel), n_head \(c.nHead), n_ctx \(c.nCtx), vocab \(c.vocabSize), mlp \(c.mlpWidth), attn \(c.attnWidth)"
        case .lstm(let c): return "lstm: n_layer \(c.nLayer), width \(c.width), n_ctx \(c.nCtx), vocab \(c.vocabSize)"
        }
    }

    public func validate() throws {
        switch self { case .transformer(let c): try c.validate(); case .lstm(let c): try c.validate() }
    }

    private struct KindProbe: Decodable { var kind: String? }
    private enum KindKey: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        switch try KindProbe(from: decoder).kind {
        case nil, "transformer": self = .transformer(try GPTConfig(from: decoder))
        case "lstm": self = .lstm(try LSTMConfig(from: decoder))
        case let other?:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown model kind '\(other)'"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .transformer(let c): try c.encode(to: encoder)
        case .lstm(let c):
            try c.encode(to: encoder)
            var k = encoder.container(keyedBy: KindKey.self)
            try k.encode("lstm", forKey: .kind)
        }
    }
}

/// Builds the model a `ModelConfig` describes.
public enum LanguageModels {
    public static func make(_ config: ModelConfig, seed: UInt64) -> any LanguageModel {
        switch config {
        case .transformer(let c): return GPT(config: c, seed: seed)
        case .lstm(let c): return LSTM(config: c, seed: seed)
        }
    }
}

extension GPT: LanguageModel {
    public var modelConfig: ModelConfig { .transformer(config) }
    public var parameterTensors: [ParameterLayout.Tensor] { layout.tensors }
    public func makeDecoder() -> any TokenDecoder { GPTDecoder(model: self) }
}

/// The transformer's `TokenDecoder`: a key–value cache and the model that fills it.
final class GPTDecoder: TokenDecoder {
    let model: GPT
    let cache: KVCache
    init(model: GPT) { self.model = model; cache = KVCache(config: model.config) }
    var count: Int { cache.count }
    var capacity: Int { model.config.nCtx }
    func rewind(to position: Int) { cache.rewind(to: position) }
    func decode(token: Int32) throws -> [Float] { try model.decode(token: token, position: cache.count, cache: cache) }
}

extension LanguageModel {
    /// Forward without a gradient (evaluation).
    @discardableResult
    public func forward(_ batch: TokenBatch) -> Float { forward(batch, needsGradient: false) }
}
