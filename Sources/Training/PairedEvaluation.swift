import Foundation
import Datasets
import RunFiles

extension Trainer {
    /// The evaluation splits a pair dataset must have.
    public static let pairedSplits = (captionFirst: "test-caption-first", captionFirstBlank: "test-caption-first-blank",
                                      imageFirst: "test-image-first", imageFirstBlank: "test-image-first-blank")

    /// Both directions' paired losses of the trainer's model (see `RunModel.pairedEvaluation`).
    public func pairedEvaluation(maxTokens: Int) throws -> (image: PairedEvaluation, text: PairedEvaluation) {
        try loaded.pairedEvaluation(maxTokens: maxTokens)
    }
}

extension RunModel {
    /// Both directions' paired losses (`paired_eval.json`, `paired_eval_text.json`) on the first
    /// `maxTokens` of each evaluation split: the loss of each part with and without the other,
    /// the input of the mutual-information analysis.
    public func pairedEvaluation(maxTokens: Int) throws -> (image: PairedEvaluation, text: PairedEvaluation) {
        let s = Trainer.pairedSplits
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
        return (PairedEvaluation(predicted: "image", tokensPerItem: imageCond.perRecord, lossBlankNatsPerToken: imageBlank.loss,
                             lossConditionedNatsPerToken: imageCond.loss, captionLossNatsPerCaption: captionLoss),
                PairedEvaluation(predicted: "text", tokensPerItem: textCond.perRecord, lossBlankNatsPerToken: textBlank.loss,
                             lossConditionedNatsPerToken: textCond.loss, captionLossNatsPerCaption: captionLoss))
    }
}
