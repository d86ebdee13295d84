import Foundation

/// A checkpoint's `checkpoint.json`: the training loop's position saved beside the weights,
/// enough to continue exactly, and the shape of the model the weights belong to. A
/// transformer's shape is written as it was before there were model kinds; an LSTM's as
/// `{"kind": "lstm", "nLayer": 2, "width": 64, "nCtx": 64, "vocabSize": 256}`.
///
///     {"step": 200, "sampler_epoch": 0, "sampler_index": 3200, "tokens": 1638400, "adam_step": 200,
///      "best_test_loss": 2.41, "best_step": 200, "wall_seconds": 31.2,
///      "model": {"nLayer": 2, "dModel": 64, "nHead": 2, "nCtx": 256, "vocabSize": 256, "mlpWidth": 256, "attnWidth": 64}}
public struct CheckpointState: Codable, Equatable, Sendable {
    public static let fileName = "checkpoint.json"

    public var step: Int
    public var samplerEpoch: Int
    public var samplerIndex: Int
    public var tokens: Int
    public var adamStep: Int
    public var bestTestLoss: Double?
    public var bestStep: Int?
    public var wallSeconds: Double
    public var model: SavedModel

    public init(step: Int, samplerEpoch: Int, samplerIndex: Int, tokens: Int, adamStep: Int,
                bestTestLoss: Double?, bestStep: Int?, wallSeconds: Double, model: SavedModel) {
        self.step = step; self.samplerEpoch = samplerEpoch; self.samplerIndex = samplerIndex; self.tokens = tokens
        self.adamStep = adamStep; self.bestTestLoss = bestTestLoss; self.bestStep = bestStep
        self.wallSeconds = wallSeconds; self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case step, samplerEpoch = "sampler_epoch", samplerIndex = "sampler_index", tokens
        case adamStep = "adam_step", bestTestLoss = "best_test_loss", bestStep = "best_step"
        case wallSeconds = "wall_seconds", model
    }
}

/// The model shape recorded in `checkpoint.json` (keys as the model's config spells them), so a
/// checkpoint is never loaded into a model of another shape.
public struct SavedModelShape: Codable, Equatable, Sendable {
    public var nLayer: Int
    public var dModel: Int
    public var nHead: Int
    public var nCtx: Int
    public var vocabSize: Int
    public var mlpWidth: Int
    public var attnWidth: Int

    public init(nLayer: Int, dModel: Int, nHead: Int, nCtx: Int, vocabSize: Int, mlpWidth: Int, attnWidth: Int) {
        self.nLayer = nLayer; self.dModel = dModel; self.nHead = nHead; self.nCtx = nCtx
        self.vocabSize = vocabSize; self.mlpWidth = mlpWidth; self.attnWidth = attnWidth
    }

    /// "n_layer 2, d_model 64, …" for error messages.
    public var description: String {
        "n_layer \(nLayer), d_model \(dModel), n_head \(nHead), n_ctx \(nCtx), vocab \(vocabSize), mlp \(mlpWidth), attn \(attnWidth)"
    }
}

/// The shape of an LSTM language model as `checkpoint.json` records it (`"kind": "lstm"` beside).
public struct SavedLSTMShape: Codable, Equatable, Sendable {
    public var nLayer: Int
    public var width: Int
    public var nCtx: Int
    public var vocabSize: Int

    public init(nLayer: Int, width: Int, nCtx: Int, vocabSize: Int) {
        self.nLayer = nLayer; self.width = width; self.nCtx = nCtx; self.vocabSize = vocabSize
    }

    /// "lstm: n_layer 2, width 64, …" for error messages.
    public var description: String { "lstm: n_layer \(nLayer), width \(width), n_ctx \(nCtx), vocab \(vocabSize)" }
}

/// The model a checkpoint's weights belong to, by kind. A `model` object without `"kind"`
/// (every checkpoint written before there were kinds, and every transformer's) is a transformer.
public enum SavedModel: Codable, Equatable, Sendable {
    case transformer(SavedModelShape)
    case lstm(SavedLSTMShape)

    /// `transformer` or `lstm` (the values of `model.kind`).
    public var kind: String {
        switch self { case .transformer: return "transformer"; case .lstm: return "lstm" }
    }

    /// The transformer's shape (nil for another kind).
    public var transformer: SavedModelShape? {
        if case .transformer(let s) = self { return s }
        return nil
    }

    /// One line naming the shape, for error messages.
    public var description: String {
        switch self { case .transformer(let s): return s.description; case .lstm(let s): return s.description }
    }

    private enum KindKey: String, CodingKey { case kind }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: KindKey.self)
        switch try c.decodeIfPresent(String.self, forKey: .kind) {
        case nil, "transformer": self = .transformer(try SavedModelShape(from: decoder))
        case "lstm": self = .lstm(try SavedLSTMShape(from: decoder))
        case let other?:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown model kind '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .transformer(let s): try s.encode(to: encoder)
        case .lstm(let s):
            try s.encode(to: encoder)
            var c = encoder.container(keyedBy: KindKey.self)
            try c.encode("lstm", forKey: .kind)
        }
    }
}
