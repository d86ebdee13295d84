import Datasets
import Tensors
import Transformer

/// What the trainer optimises, behind one interface: next-token prediction
/// (`LanguageModelObjective`) or a class per record (`ClassificationTask`, for
/// `finetune.task = "classify"`). The trainer's loop is the same for both: evaluate, take a
/// batch's loss, and if it is finite, update.
protocol TrainingObjective: AnyObject {
    /// The evaluation split's loss (nats per counted token, or per example) and the other figures
    /// of the metrics row (`test_loss_<split>`, `test_accuracy`).
    func evaluate(_ run: RunModel) -> (testLoss: Double, extra: [String: Double])
    /// One batch drawn from `sampler`: its mean loss, gradients ready for `update` to use.
    func loss(_ run: RunModel, sampler: inout BatchSampler) -> Double
    /// Completes the gradients, clips them and steps the optimiser(s) at rate `lr`.
    func update(_ run: RunModel, optimizer: AdamW, lr: Float)
    /// The parameters besides the model's that checkpoints carry (a classification head).
    var headState: Checkpoint.HeadState? { get }
}

/// Next-token prediction: mean cross-entropy over the counted tokens of a batch of windows.
final class LanguageModelObjective: TrainingObjective {
    func evaluate(_ run: RunModel) -> (testLoss: Double, extra: [String: Double]) {
        let testLoss = run.evaluate(split: run.config.data.evalSplit)
        var extra: [String: Double] = [:]
        for s in run.config.data.extraEvalSplits { extra["test_loss_\(s)"] = run.evaluate(split: s) }
        return (testLoss, extra)
    }

    func loss(_ run: RunModel, sampler: inout BatchSampler) -> Double {
        let batch = sampler.next(batchSize: run.config.train.batchSize)
        run.model.zeroGradients()
        return Double(run.model.forward(batch, needsGradient: true))
    }

    func update(_ run: RunModel, optimizer: AdamW, lr: Float) {
        run.model.backward()
        GradientClipping.clip(run.model.gradients, maxNorm: run.config.optimizer.gradClip)
        optimizer.update(params: run.model.parameters, grads: run.model.gradients, lr: lr)
    }

    var headState: Checkpoint.HeadState? { nil }
}

extension ClassificationTask: TrainingObjective {
    // Classification needs the transformer's pooled features; TrainConfig.validate refuses
    // finetune.task with model.kind = "lstm", so `run.transformer` is there.
    func evaluate(_ run: RunModel) -> (testLoss: Double, extra: [String: Double]) {
        let T = run.model.nCtx
        let (loss, accuracy) = evaluate(model: run.transformer!, dataset: run.dataset, split: run.config.data.evalSplit,
                                        maxRecords: run.config.train.evalTokens / T, batchSize: run.config.train.batchSize)
        return (loss, ["test_accuracy": accuracy])
    }

    func loss(_ run: RunModel, sampler: inout BatchSampler) -> Double {
        trainingStep(model: run.transformer!, split: run.dataset.splits["train"]!,
                     records: sampler.nextRecords(batchSize: run.config.train.batchSize))
    }

    func update(_ run: RunModel, optimizer: AdamW, lr: Float) {
        GradientClipping.clip([run.model.gradients, head.gradients], maxNorm: run.config.optimizer.gradClip)
        if trainsBody { optimizer.update(params: run.model.parameters, grads: run.model.gradients, lr: lr) }
        self.optimizer.update(params: head.parameters, grads: head.gradients, lr: lr)
    }

    var headState: Checkpoint.HeadState? { (head, optimizer) }
}
