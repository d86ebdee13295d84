import Foundation

/// A run's `paired_eval.json` (caption → image) or `paired_eval_text.json` (image → caption),
/// written by `workbench eval --paired` and read for mutual information:
///
///     {"predicted": "image", "tokens_per_item": 3072,
///      "loss_blank_nats_per_token": 2.31, "loss_conditioned_nats_per_token": 2.28,
///      "caption_loss_nats_per_caption": 310.5}
///
/// `predicted` is the part whose loss is measured: "image" for a caption→image model, "text"
/// for an image→caption model. Blank means the other part replaced by the blank caption/image.
/// Mutual information I = (blank − conditioned) × tokens_per_item, in nats per item; the
/// infogain is I / L(text), with L(text) the caption loss in nats per caption
/// (`caption_loss_nats_per_caption`, or for predicted = text the blank loss × tokens).
/// Files written since the estimate became paired also hold `pairs` (test pairs measured) and
/// `mutual_information_se_nats`: the standard error of the mean over pairs of (summed loss
/// blank − summed loss given), the same pairs measured both ways.
public struct PairedEvaluation: Codable, Equatable, Sendable {
    public static let imageFileName = "paired_eval.json"
    public static let textFileName = "paired_eval_text.json"

    public var predicted: String
    /// Counted tokens of the predicted part per record.
    public var tokensPerItem: Double
    public var lossBlankNatsPerToken: Double
    public var lossConditionedNatsPerToken: Double
    /// L(text): the caption's loss with a blank image, in nats per caption.
    public var captionLossNatsPerCaption: Double?
    /// Test pairs measured (absent in older files).
    public var pairs: Int?
    /// Paired standard error of I over the test pairs, nats per item (absent in older files).
    public var mutualInformationStandardErrorNats: Double?

    enum CodingKeys: String, CodingKey {
        case predicted, tokensPerItem = "tokens_per_item", lossBlankNatsPerToken = "loss_blank_nats_per_token"
        case lossConditionedNatsPerToken = "loss_conditioned_nats_per_token", captionLossNatsPerCaption = "caption_loss_nats_per_caption"
        case pairs, mutualInformationStandardErrorNats = "mutual_information_se_nats"
    }

    public init(predicted: String, tokensPerItem: Double, lossBlankNatsPerToken: Double,
                lossConditionedNatsPerToken: Double, captionLossNatsPerCaption: Double? = nil,
                pairs: Int? = nil, mutualInformationStandardErrorNats: Double? = nil) {
        self.predicted = predicted; self.tokensPerItem = tokensPerItem; self.lossBlankNatsPerToken = lossBlankNatsPerToken
        self.lossConditionedNatsPerToken = lossConditionedNatsPerToken; self.captionLossNatsPerCaption = captionLossNatsPerCaption
        self.pairs = pairs; self.mutualInformationStandardErrorNats = mutualInformationStandardErrorNats
    }

    /// Standard error of the mean of `d` (sample standard deviation / √n; nil below 2 values).
    public static func standardError(_ d: [Double]) -> Double? {
        guard d.count >= 2 else { return nil }
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)
        return (variance / Double(d.count)).squareRoot()
    }

    /// Decodes and checks the file's content; `RunFileFormatError` says what is wrong.
    public static func decode(_ data: Data) throws -> PairedEvaluation {
        let p: PairedEvaluation
        do { p = try JSONDecoder().decode(PairedEvaluation.self, from: data) } catch {
            throw RunFileFormatError("expected predicted, tokens_per_item, loss_blank_nats_per_token, loss_conditioned_nats_per_token: \(error)")
        }
        guard p.predicted == "image" || p.predicted == "text" else {
            throw RunFileFormatError("predicted must be \"image\" or \"text\", not \"\(p.predicted)\"")
        }
        guard p.tokensPerItem > 0 else { throw RunFileFormatError("tokens_per_item must be positive") }
        if let se = p.mutualInformationStandardErrorNats, !(se >= 0) { throw RunFileFormatError("mutual_information_se_nats must be ≥ 0, not \(se)") }
        if let n = p.pairs, n < 1 { throw RunFileFormatError("pairs must be positive, not \(n)") }
        return p
    }

    /// I in nats per item.
    public var mutualInformationNats: Double { (lossBlankNatsPerToken - lossConditionedNatsPerToken) * tokensPerItem }

    /// L(text) in nats per caption, when known.
    public var captionLossNats: Double? {
        captionLossNatsPerCaption ?? (predicted == "text" ? lossBlankNatsPerToken * tokensPerItem : nil)
    }

    /// I / L(text).
    public var infogain: Double? { captionLossNats.map { mutualInformationNats / $0 } }
}
