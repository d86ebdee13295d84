import Foundation

/// A fine-tuned (classification) run's loss and accuracy on a split, as `workbench eval` writes
/// it to `eval_<split>.json`: loss in nats per example, not per token.
public struct ClassificationEvaluation: Codable, Sendable, Equatable {
    public var split: String
    public var lossNatsPerExample: Double
    public var accuracy: Double
    public var examples: Int

    enum CodingKeys: String, CodingKey {
        case split, lossNatsPerExample = "loss_nats_per_example", accuracy, examples
    }
}

extension Trainer {
    /// Classification loss and accuracy on the first `maxTokens / n_ctx` records of a split (as
    /// the trainer's own evaluation counts them). Only for runs with `finetune.task = "classify"`.
    public func evaluateClassification(split name: String, maxTokens: Int) -> ClassificationEvaluation {
        precondition(classification != nil, "evaluateClassification needs a classification run")
        let T = model.config.nCtx
        let records = min(dataset.splits[name]!.tokens.count / (T + 1), max(1, maxTokens / T))
        let r = classification!.evaluate(model: model, dataset: dataset, split: name, maxRecords: records,
                                         batchSize: config.train.batchSize)
        return ClassificationEvaluation(split: name, lossNatsPerExample: r.lossNats, accuracy: r.accuracy, examples: records)
    }
}
