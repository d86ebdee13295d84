import Foundation
import Datasets
import Tensors
import Transformer
import WorkbenchCore

/// Fine-tuning for classification (`finetune.task = "classify"`): the labels of a records
/// dataset, a `ClassificationHead` on the model's pooled features with its own AdamW, and the
/// training step and evaluation the trainer runs instead of next-token prediction.
///
/// An example is one record's first `n_ctx` tokens (the inputs the model saw in pre-training)
/// and the record's class id, read from the label file the manifest names
/// (`extra.labels_<split>`: one `UInt8` per record, in record order, as Fashion-MNIST and
/// `workbench data import images --labels` write them). The loss is cross-entropy in nats per
/// example; evaluation also gives the accuracy.
public final class ClassificationTask {
    public let head: ClassificationHead
    let optimizer: AdamW
    /// Class id of each record, by split.
    let labels: [String: [UInt8]]
    /// Class names from the manifest (`extra.classes`, comma-separated), or the ids.
    public let classNames: [String]
    /// `full`: the body trains with the head; `linear-probe`: only the head trains.
    public let trainsBody: Bool
    let nCtx: Int

    init(config: TrainConfig, dataset: TokenDataset, model: GPT) throws {
        let name = config.data.dataset
        guard dataset.manifest.layout == .records else {
            throw TrainingError.dataShape("finetune.task = \"classify\" needs a dataset of records (one image per record); '\(name)' is a stream")
        }
        let extra = dataset.manifest.extra ?? [:]
        var labels: [String: [UInt8]] = [:]
        for split in ["train", config.data.evalSplit] {
            guard let file = extra["labels_\(split)"], !name.hasPrefix("builtin:") else {
                throw TrainingError.dataShape("dataset '\(name)' has no labels for split '\(split)' (manifest extra.labels_\(split)); classification needs labelled records, e.g. fashion-mnist or `workbench data import images --labels`")
            }
            let url = URL(fileURLWithPath: name).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw WorkbenchIOError.missingFile(path: url.path, what: "label file of split '\(split)'")
            }
            let records = dataset.manifest.splits[split]?.sequences ?? 0
            guard data.count == records else {
                throw WorkbenchIOError.corrupt(path: url.path, reason: "\(data.count) labels for \(records) records of split '\(split)'")
            }
            labels[split] = [UInt8](data)
        }
        let named = extra["classes"].map { $0.split(separator: ",").map(String.init) } ?? []
        let classes = max(named.count, Int(labels.values.compactMap { $0.max() }.max() ?? 0) + 1, 2)
        classNames = named.count == classes ? named : (0..<classes).map(String.init)
        self.labels = labels
        nCtx = model.config.nCtx
        trainsBody = config.finetune.mode == "full"
        head = ClassificationHead(classes: classes, width: model.config.dModel,
                                  seed: UInt64(config.train.seed) &* 0x9E37_79B9 &+ 3)
        var noDecay = Set<ParameterLayout.Kind>()
        if config.optimizer.noDecay.contains("bias") { noDecay.insert(.bias) }
        optimizer = AdamW(tensors: head.tensors, total: head.parameters.count, beta1: Float(config.optimizer.beta1),
                          beta2: Float(config.optimizer.beta2), eps: Float(config.optimizer.eps),
                          weightDecay: Float(config.optimizer.weightDecay), noDecay: noDecay)
    }

    /// Inputs of records `records` of a split: each record's first `n_ctx` tokens.
    func inputs(_ split: TokenSplit, records: [Int]) -> [Int32] {
        var out = [Int32](); out.reserveCapacity(records.count * nCtx)
        for r in records {
            let start = r * (nCtx + 1)
            for i in 0..<nCtx { out.append(Int32(split.tokens[start + i])) }
        }
        return out
    }

    /// One batch's forward and backward: fills `model.gradients` (full mode) and the head's
    /// gradients, and returns the batch's mean loss (nats per example).
    func trainingStep(model: GPT, split: TokenSplit, records: [Int]) -> Double {
        model.zeroGradients(); head.zeroGradients()
        head.begin(labels: records.map { Int32(labels["train"]![$0]) })
        model.forwardPooled(tokens: inputs(split, records: records), b: records.count, t: nCtx,
                            needsGradient: trainsBody, head: head.forward)
        if trainsBody { model.backward() }
        head.backward()
        return head.meanLossNats
    }

    /// Cross-entropy (nats per example) and accuracy on the first `maxRecords` records of a split.
    func evaluate(model: GPT, dataset: TokenDataset, split name: String, maxRecords: Int, batchSize: Int)
        -> (lossNats: Double, accuracy: Double) {
        let split = dataset.splits[name]!
        let n = min(split.tokens.count / (nCtx + 1), max(1, maxRecords))
        var lossSum = 0.0, correct = 0, r0 = 0
        while r0 < n {
            let records = Array(r0..<min(n, r0 + batchSize))
            let truth = records.map { Int(labels[name]![$0]) }
            head.begin(labels: truth.map(Int32.init))
            model.forwardPooled(tokens: inputs(split, records: records), b: records.count, t: nCtx,
                                needsGradient: false, head: head.forward)
            lossSum += head.sequenceLosses.reduce(0.0) { $0 + Double($1) }
            correct += zip(head.predictions, truth).filter { $0 == $1 }.count
            r0 += records.count
        }
        return (lossSum / Double(n), Double(correct) / Double(n))
    }
}
