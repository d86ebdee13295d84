import Foundation

/// A run's `eval_<split>.json`, written by `workbench eval`: a split's loss overall and by
/// position in the context.
///
///     {"split": "test", "loss_nats": 2.41, "counted_tokens": 65536, "loss_by_position": [5.1, 4.2, null, …]}
///
/// An entry of `loss_by_position` is null where nothing counted. Reports read the positions
/// through `Analysis.PositionLoss`, which also takes the synthetic studies' `eval_positions.json`.
public struct PositionalEvaluation: Codable, Equatable, Sendable {
    public var split: String
    public var lossNats: Double
    public var countedTokens: Int
    /// Mean loss (nats) of the targets at each position 0..<n_ctx (nil where nothing counted).
    public var lossByPosition: [Double?]

    public init(split: String, lossNats: Double, countedTokens: Int, lossByPosition: [Double?]) {
        self.split = split; self.lossNats = lossNats; self.countedTokens = countedTokens; self.lossByPosition = lossByPosition
    }

    public static func fileName(split: String) -> String { "eval_\(split).json" }

    enum CodingKeys: String, CodingKey {
        case split, lossNats = "loss_nats", countedTokens = "counted_tokens", lossByPosition = "loss_by_position"
    }
}
