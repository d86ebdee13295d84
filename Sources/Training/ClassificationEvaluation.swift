import Foundation
import RunFiles

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

extension RunModel {
    /// Whether the run trains a classification head (`finetune.task = "classify"`).
    public var isClassification: Bool { config.finetune.task == "classify" }

    /// Classification loss and accuracy on the first `maxTokens / n_ctx` records of a split (as
    /// the trainer's own evaluation counts them), with the head's weights from the run's last
    /// checkpoint. Only for runs with `finetune.task = "classify"`.
    public func evaluateClassification(split name: String, maxTokens: Int) throws -> ClassificationEvaluation {
        // TrainConfig.validate refuses finetune.task with model.kind = "lstm".
        guard let gpt = transformer else { throw TrainingError.dataShape("classification needs model.kind = \"transformer\"") }
        let task = try ClassificationTask(config: config, dataset: dataset, model: gpt)
        _ = try Checkpoint.load(into: gpt, optimizer: nil, head: (task.head, nil), from: runDirectory)
        let T = gpt.config.nCtx
        let records = min(dataset.splits[name]!.tokens.count / (T + 1), max(1, maxTokens / T))
        let r = task.evaluate(model: gpt, dataset: dataset, split: name, maxRecords: records, batchSize: config.train.batchSize)
        return ClassificationEvaluation(split: name, lossNatsPerExample: r.lossNats, accuracy: r.accuracy, examples: records)
    }
}
