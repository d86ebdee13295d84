import Foundation

/// A checkpoint's `checkpoint.json`: the training loop's position saved beside the weights,
/// enough to continue exactly, and the shape of the model the weights belong to.
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
    public var model: SavedModelShape

    public init(step: Int, samplerEpoch: Int, samplerIndex: Int, tokens: Int, adamStep: Int,
                bestTestLoss: Double?, bestStep: Int?, wallSeconds: Double, model: SavedModelShape) {
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
