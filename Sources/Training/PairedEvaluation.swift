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
    /// Summed loss (nats) and counted tokens of each of the first `maxRecords` records of a
    /// records-layout split (every record for `Int.max`), in order.
    public func lossPerRecord(split name: String, maxRecords: Int) -> (lossNats: [Double], counted: [Double]) {
        let T = model.nCtx
        // Saturate: `Int.max · T` would wrap in release builds (-Ounchecked) and read one record.
        let maxTokens = max(1, maxRecords) > Int.max / T ? Int.max : max(1, maxRecords) * T
        let batches = BatchSampler.evaluationBatches(dataset.splits[name]!, nCtx: T, layout: .records,
                                                     batchSize: config.train.batchSize, maxTokens: maxTokens)
        var loss: [Double] = [], counted: [Double] = []
        for b in batches {
            model.forward(b)
            let losses = model.lastTokenLosses
            for r in 0..<b.b {
                var s = 0.0, c = 0.0
                for i in (r * T)..<((r + 1) * T) where b.weights[i] > 0 {
                    s += Double(losses[i]) * Double(b.weights[i]); c += Double(b.weights[i])
                }
                loss.append(s); counted.append(c)
            }
        }
        return (loss, counted)
    }

    /// Both directions' paired losses (`paired_eval.json`, `paired_eval_text.json`) on the first
    /// `maxTokens / n_ctx` records of each evaluation split (every test pair by default): the loss of
    /// each part with and without the other, and the mutual information as the mean over test
    /// pairs of (loss blank − loss given) with its paired standard error, the input of the
    /// mutual-information analysis.
    public func pairedEvaluation(maxTokens: Int = .max) throws -> (image: PairedEvaluation, text: PairedEvaluation) {
        let s = Trainer.pairedSplits
        for name in [s.captionFirst, s.captionFirstBlank, s.imageFirst, s.imageFirstBlank] where dataset.splits[name] == nil {
            throw TrainingError.missingSplit(dataset: config.data.dataset, split: name)
        }
        let T = model.nCtx
        let records = maxTokens == .max ? Int.max : max(1, maxTokens / T)
        func direction(_ given: String, _ blank: String, predicted: String) -> PairedEvaluation {
            let g = lossPerRecord(split: given, maxRecords: records), b = lossPerRecord(split: blank, maxRecords: records)
            let n = min(g.lossNats.count, b.lossNats.count)
            let countedGiven = g.counted.prefix(n).reduce(0, +), countedBlank = b.counted.prefix(n).reduce(0, +)
            let d = (0..<n).map { b.lossNats[$0] - g.lossNats[$0] }
            return PairedEvaluation(predicted: predicted, tokensPerItem: countedGiven / Double(max(1, n)),
                                    lossBlankNatsPerToken: b.lossNats.prefix(n).reduce(0, +) / max(1, countedBlank),
                                    lossConditionedNatsPerToken: g.lossNats.prefix(n).reduce(0, +) / max(1, countedGiven),
                                    pairs: n, mutualInformationStandardErrorNats: PairedEvaluation.standardError(d))
        }
        var image = direction(s.captionFirst, s.captionFirstBlank, predicted: "image")
        var text = direction(s.imageFirst, s.imageFirstBlank, predicted: "text")
        let captionLoss = text.lossBlankNatsPerToken * text.tokensPerItem
        image.captionLossNatsPerCaption = captionLoss
        text.captionLossNatsPerCaption = captionLoss
        return (image, text)
    }
}
