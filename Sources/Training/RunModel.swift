import Foundation
import Datasets
import RunFiles
import Transformer
import WorkbenchCore

/// A run's model with its config and data: what evaluation, sampling and the trainer share.
/// Building one allocates the model (seeded from `train.seed`) and loads the dataset; it makes
/// no optimiser, no batch sampler and takes no lock, so `eval` and `sample` open a run with it.
///
///     let run = try RunModel.open(runDirectory: URL(fileURLWithPath: "runs/text-demo"))
///     let e = run.evaluateByPosition(split: "test", maxTokens: 65_536)
public final class RunModel {
    public let config: TrainConfig
    /// The model `model.kind` names: the shared transformer or an LSTM.
    public let model: any LanguageModel
    /// The model as the transformer, when it is one (classification heads, image sampling and
    /// math answers need its pooled features and key–value cache).
    public var transformer: GPT? { model as? GPT }
    public let dataset: TokenDataset
    /// The run directory the model belongs to (`train.run_dir`, or the folder it was opened from).
    public let runDirectory: URL

    public init(config: TrainConfig, runDirectory: URL? = nil) throws {
        try config.validate()
        self.config = config
        self.runDirectory = runDirectory ?? URL(fileURLWithPath: config.train.runDir)
        var ds = try DatasetSource.load(config.data.dataset)
        for s in ["train", config.data.evalSplit] + config.data.extraEvalSplits where ds.splits[s] == nil {
            throw TrainingError.missingSplit(dataset: config.data.dataset, split: s)
        }
        let modelConfig = config.modelConfig(datasetVocab: ds.manifest.vocabSize)
        try modelConfig.validate()
        if modelConfig.vocabSize < ds.manifest.vocabSize {
            throw TrainingError.dataShape("model.vocab_size \(modelConfig.vocabSize) is smaller than the dataset's vocabulary \(ds.manifest.vocabSize)")
        }
        DatasetSource.limitTraining(&ds, maxTokens: config.data.maxTrainTokens, nCtx: modelConfig.nCtx)
        dataset = ds
        model = LanguageModels.make(modelConfig, seed: UInt64(config.train.seed))
        model.dropout = Float(config.model.dropout)
    }

    /// A finished or running run: its saved `config.toml`, its dataset and its last checkpoint's
    /// weights (never the optimiser state).
    public static func open(runDirectory url: URL) throws -> RunModel {
        let cfg = try TrainConfig.load(from: url.appendingPathComponent(SavedRunConfig.fileName))
        let loaded = try RunModel(config: cfg, runDirectory: url)
        _ = try Checkpoint.load(into: loaded.model, optimizer: nil, from: url)
        return loaded
    }

    /// Unique training tokens D.
    public var datasetTokens: Int { dataset.splits["train"]!.tokens.count }

    /// What one record is and its counted tokens (records layout only).
    var itemKind: (name: String?, tokens: Double?) {
        guard dataset.manifest.layout == .records, let train = dataset.splits["train"] else { return (nil, nil) }
        let T = model.nCtx
        let records = max(1, train.tokens.count / (T + 1))
        let counted = train.mask.map { m in Double(stride(from: 0, to: m.count, by: T + 1).map { r in
            m[(r + 1)..<min(m.count, r + T + 1)].reduce(0) { $0 + Int($1) } }.reduce(0, +)) / Double(records) } ?? Double(T)
        return (dataset.manifest.modality == "image" ? "image" : "record", counted)
    }

    /// Mean loss (nats per counted token) on the first `eval_tokens` of a split.
    public func evaluate(split name: String) -> Double {
        evaluateByPosition(split: name, maxTokens: config.train.evalTokens).lossNats
    }

    /// Loss on the first `maxTokens` of a split, overall and per position.
    public func evaluateByPosition(split name: String, maxTokens: Int) -> PositionalEvaluation {
        let T = model.nCtx
        let batches = BatchSampler.evaluationBatches(dataset.splits[name]!, nCtx: T, layout: dataset.manifest.layout,
                                                     batchSize: config.train.batchSize, maxTokens: maxTokens)
        var sum = [Double](repeating: 0, count: T), count = [Double](repeating: 0, count: T)
        for b in batches {
            model.forward(b)
            let losses = model.lastTokenLosses
            for i in losses.indices where b.weights[i] > 0 {
                sum[i % T] += Double(losses[i]) * Double(b.weights[i]); count[i % T] += Double(b.weights[i])
            }
        }
        let total = count.reduce(0, +)
        return PositionalEvaluation(split: name, lossNats: total > 0 ? sum.reduce(0, +) / total : .nan,
                                    countedTokens: Int(total),
                                    lossByPosition: zip(sum, count).map { $1 > 0 ? $0 / $1 : nil })
    }
}
