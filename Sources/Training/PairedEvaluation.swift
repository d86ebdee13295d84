import Foundation
import Datasets

/// Losses of an image–caption model on one part with and without the other part, the input of
/// the mutual-information analysis (written as `paired_eval.json` by `workbench eval --paired`).
///
/// Mutual information I = (blank − conditioned) × tokensPerItem nats per item.
public struct PairedLosses: Codable, Equatable, Sendable {
    /// The part whose loss is measured: `image` (caption → image) or `text` (image → caption).
    public var predicted: String
    /// Counted tokens of that part per record.
    public var tokensPerItem: Double
    public var lossBlankNatsPerToken: Double
    public var lossConditionedNatsPerToken: Double
    /// L(text): the caption's loss with a blank image, in nats per caption.
    public var captionLossNatsPerCaption: Double?

    enum CodingKeys: String, CodingKey {
        case predicted, tokensPerItem = "tokens_per_item", lossBlankNatsPerToken = "loss_blank_nats_per_token"
        case lossConditionedNatsPerToken = "loss_conditioned_nats_per_token"
        case captionLossNatsPerCaption = "caption_loss_nats_per_caption"
    }

    public var mutualInformationNats: Double { (lossBlankNatsPerToken - lossConditionedNatsPerToken) * tokensPerItem }
}

extension Trainer {
    /// The evaluation splits a pair dataset must have.
    public static let pairedSplits = (captionFirst: "test-caption-first", captionFirstBlank: "test-caption-first-blank",
                                      imageFirst: "test-image-first", imageFirstBlank: "test-image-first-blank")

    /// Both directions' paired losses on the first `maxTokens` of each evaluation split.
    public func pairedEvaluation(maxTokens: Int) throws -> (image: PairedLosses, text: PairedLosses) {
        let s = Self.pairedSplits
        for name in [s.captionFirst, s.captionFirstBlank, s.imageFirst, s.imageFirstBlank] where dataset.splits[name] == nil {
            throw TrainingError.missingSplit(dataset: config.data.dataset, split: name)
        }
        let T = model.nCtx
        func measure(_ name: String) -> (loss: Double, perRecord: Double) {
            let e = evaluateByPosition(split: name, maxTokens: maxTokens)
            let records = min(dataset.splits[name]!.tokens.count / (T + 1), max(1, maxTokens / T))
            return (e.lossNats, Double(e.countedTokens) / Double(max(1, records)))
        }
        let imageCond = measure(s.captionFirst), imageBlank = measure(s.captionFirstBlank)
        let textCond = measure(s.imageFirst), textBlank = measure(s.imageFirstBlank)
        let captionLoss = textBlank.loss * textBlank.perRecord
        return (PairedLosses(predicted: "image", tokensPerItem: imageCond.perRecord, lossBlankNatsPerToken: imageBlank.loss,
                             lossConditionedNatsPerToken: imageCond.loss, captionLossNatsPerCaption: captionLoss),
                PairedLosses(predicted: "text", tokensPerItem: textCond.perRecord, lossBlankNatsPerToken: textBlank.loss,
                             lossConditionedNatsPerToken: textCond.loss, captionLossNatsPerCaption: captionLoss))
    }
}
