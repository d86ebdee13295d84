import Foundation
import Datasets
import Tensors
import Transformer

/// What the trainer reports while it runs (the command line draws a progress bar from these).
public enum TrainerEvent: Sendable {
    case started(params: Int, datasetTokens: Int, resumedAtStep: Int?)
    case step(step: Int, totalSteps: Int, loss: Double, tokensPerSecond: Double, etaSeconds: Double)
    case evaluated(MetricsRecord)
    case finished(RunSummary)
}

/// Training failures that stop a run; checkpoints already on disk stay intact.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case diverged(step: Int, loss: Double)
    case runExists(path: String, step: Int)
    case configChanged(path: String, keys: [String])
    case dataShape(String)
    case missingSplit(dataset: String, split: String)
    case runLocked(path: String)

    public var description: String {
        switch self {
        case let .diverged(step, loss):
            return "training diverged: the loss became \(loss) at step \(step); stopped, the last good checkpoint is kept"
        case let .runExists(path, step):
            return "run directory '\(path)' already holds a run at step \(step); pass --resume to continue it, or choose another train.run_dir"
        case let .configChanged(path, keys):
            return "cannot resume '\(path)': the config differs from the saved config.toml in \(keys.joined(separator: ", "))"
        case let .dataShape(msg): return "data does not fit the model: \(msg)"
        case let .missingSplit(dataset, split): return "dataset '\(dataset)' has no split '\(split)'"
        case let .runLocked(path):
            return "run directory '\(path)' is in use by another training process; refusing to train into it twice at once"
        }
    }
}

/// The training loop: AdamW on the shared transformer, evaluation every `eval_every` steps,
/// checkpoints, metrics and a summary in the run directory, exact resume.
///
///     let trainer = try Trainer(config: cfg)
///     let summary = try trainer.run { event in print(event) }
public final class Trainer {
    public let config: TrainConfig
    public let run: RunDirectory
    public let model: GPT
    public let dataset: TokenDataset
    let optimizer: AdamW
    let schedule: LearningRateSchedule
    /// Cooldown branches this run hands its state to (`train.cooldown_at`), trained after it.
    public let branches: [CooldownBranch]
    /// For a cooldown branch: the parent run's folder and the fraction it ends at.
    var branchOf: (parent: String, fraction: Double)? {
        let dir = run.url.deletingLastPathComponent()
        guard dir.lastPathComponent == "branches", run.url.lastPathComponent.hasPrefix("cooldown-"),
              let f = Double(run.url.lastPathComponent.dropFirst("cooldown-".count)) else { return nil }
        return (dir.deletingLastPathComponent().lastPathComponent, f)
    }
    var sampler: BatchSampler
    /// The classification head and its labels when `finetune.task = "classify"`.
    public let classification: ClassificationTask?
    let resume: Bool
    /// Stop (as if killed) after this many steps of this invocation; for tests and time slicing.
    public var stopAfterSteps: Int?

    public init(config: TrainConfig, resume: Bool = false) throws {
        try config.validate()
        if config.train.checkpointEvery > 0, config.train.checkpointEvery % config.train.evalEvery != 0 {
            throw ConfigError.invalidValue(key: "train.checkpoint_every", reason: "must be a multiple of train.eval_every", file: nil)
        }
        self.config = config
        self.resume = resume
        run = RunDirectory(URL(fileURLWithPath: config.train.runDir))
        let threads = config.train.threads > 0 ? config.train.threads : ProcessInfoCores.count
        Parallel.workers = threads
        BLAS.threads = threads

        var ds = try DatasetSource.load(config.data.dataset)
        for s in ["train", config.data.evalSplit] + config.data.extraEvalSplits where ds.splits[s] == nil {
            throw TrainingError.missingSplit(dataset: config.data.dataset, split: s)
        }
        let gptConfig = config.gptConfig(datasetVocab: ds.manifest.vocabSize)
        try gptConfig.validate()
        if gptConfig.vocabSize < ds.manifest.vocabSize {
            throw TrainingError.dataShape("model.vocab_size \(gptConfig.vocabSize) is smaller than the dataset's vocabulary \(ds.manifest.vocabSize)")
        }
        DatasetSource.limitTraining(&ds, maxTokens: config.data.maxTrainTokens, nCtx: gptConfig.nCtx)
        dataset = ds
        model = GPT(config: gptConfig, seed: UInt64(config.train.seed))
        model.dropout = Float(config.model.dropout)
        var noDecay = Set<ParameterLayout.Kind>()
        if config.optimizer.noDecay.contains("layernorm") { noDecay.insert(.layerNorm) }
        if config.optimizer.noDecay.contains("bias") { noDecay.insert(.bias) }
        if config.optimizer.noDecay.contains("embedding") { noDecay.insert(.embedding) }
        optimizer = AdamW(layout: model.layout, beta1: Float(config.optimizer.beta1), beta2: Float(config.optimizer.beta2),
                          eps: Float(config.optimizer.eps), weightDecay: Float(config.optimizer.weightDecay), noDecay: noDecay)
        schedule = CooldownBranches.schedule(config)
        branches = try CooldownBranches.plan(for: config)
        sampler = try BatchSampler(split: ds.splits["train"]!, nCtx: gptConfig.nCtx, layout: ds.manifest.layout,
                                   seed: UInt64(config.train.seed) &* 1_000_003 &+ 17)
        classification = config.finetune.task == "classify" ? try ClassificationTask(config: config, dataset: ds, model: model) : nil
    }

    /// The head and its optimiser, for checkpoints.
    var headState: Checkpoint.HeadState? { classification.map { ($0.head, $0.optimizer) } }

    /// What one record is and its counted tokens (records layout only).
    var itemKind: (name: String?, tokens: Double?) {
        guard dataset.manifest.layout == .records, let train = dataset.splits["train"] else { return (nil, nil) }
        let T = model.config.nCtx
        let records = max(1, train.tokens.count / (T + 1))
        let counted = train.mask.map { m in Double(stride(from: 0, to: m.count, by: T + 1).map { r in
            m[(r + 1)..<min(m.count, r + T + 1)].reduce(0) { $0 + Int($1) } }.reduce(0, +)) / Double(records) } ?? Double(T)
        return (dataset.manifest.modality == "image" ? "image" : "record", counted)
    }

    /// Unique training tokens D.
    public var datasetTokens: Int { dataset.splits["train"]!.tokens.count }

    /// Mean loss (nats per counted token) on the first `eval_tokens` of a split.
    public func evaluate(split name: String) -> Double {
        evaluateByPosition(split: name, maxTokens: config.train.evalTokens).lossNats
    }

    /// Runs from the start, or from the checkpoint when resuming, to `train.steps`.
    @discardableResult
    public func run(_ onEvent: (TrainerEvent) -> Void = { _ in }) throws -> RunSummary {
        try run.create()
        let lock = try run.acquireLock()
        defer { withExtendedLifetime(lock) {} }
        var step = 0, tokens = 0, wallBefore = 0.0
        var best: (loss: Double, step: Int)? = nil
        var metrics: [String] = []
        var resumedAtStep: Int? = nil
        var lastTestLoss: Double? = nil
        var lastAccuracy: Double? = nil
        run.removeStaleTemporaryFiles()
        if let settled = try Checkpoint.recoverStaged(in: run.url) {
            FileHandle.standardError.write(Data("note: \(run.url.path): \(settled)\n".utf8))
        }
        if Checkpoint.exists(in: run.url) {
            let saved = try Checkpoint.loadState(from: run.url)
            guard resume else { throw TrainingError.runExists(path: run.url.path, step: saved.step) }
            if let text = try? String(contentsOf: run.configURL, encoding: .utf8) {
                let savedCfg = try TrainConfig.parse(text, file: run.configURL.path)
                // Thread counts give identical numbers (fixed summation order), so they may change.
                let diff = TrainConfig.fields.map(\.key).filter { $0 != "train.threads" && savedCfg.renderValue($0) != config.renderValue($0) }
                if !diff.isEmpty { throw TrainingError.configChanged(path: run.url.path, keys: diff) }
            }
            let state = try Checkpoint.load(into: model, optimizer: optimizer, head: headState, from: run.url)
            step = state.step; tokens = state.tokens; wallBefore = state.wallSeconds
            if let l = state.bestTestLoss, let s = state.bestStep { best = (l, s) }
            sampler.seek(epoch: state.samplerEpoch, index: state.samplerIndex)
            metrics = try run.metricsLines(upToStep: step)
            resumedAtStep = step
            lastTestLoss = RunDirectory.testLoss(ofMetricsLine: metrics.last)
            lastAccuracy = RunDirectory.number("test_accuracy", ofMetricsLine: metrics.last)
            onEvent(.started(params: model.config.nonEmbeddingParameters, datasetTokens: datasetTokens, resumedAtStep: step))
        } else {
            if !config.finetune.from.isEmpty { try loadPretrained(from: config.finetune.from) }
            onEvent(.started(params: model.config.nonEmbeddingParameters, datasetTokens: datasetTokens, resumedAtStep: nil))
        }
        try run.writeConfig(config)

        let N = model.config.nonEmbeddingParameters
        let total = config.train.steps, B = config.train.batchSize, T = model.config.nCtx
        let ckptEvery = config.train.checkpointEvery > 0 ? config.train.checkpointEvery : config.train.evalEvery
        let clock = ContinuousClock(), started = clock.now
        func wall() -> Double { wallBefore + (clock.now - started).seconds }
        var trainLossSum = 0.0, trainLossCount = 0
        var stepsThisRun = 0
        let startTokens = tokens

        func summary(status: String, message: String? = nil) -> RunSummary {
            let w = wall()
            return RunSummary(runName: run.url.lastPathComponent, dataset: config.data.dataset,
                              modality: dataset.manifest.modality, params: N, nLayer: model.config.nLayer,
                              dModel: model.config.dModel, datasetTokens: datasetTokens, tokens: tokens, steps: step,
                              computeFLOPs: 6 * Double(N) * Double(tokens), computePFDays: 6 * Double(N) * Double(tokens) / 8.64e19,
                              bestTestLoss: best?.loss, bestStep: best?.step, finalTestLoss: lastTestLoss.flatMap { $0.isFinite ? $0 : nil },
                              wallSeconds: w, tokensPerSecond: w > wallBefore ? Double(tokens - startTokens) / (w - wallBefore) : 0,
                              status: status, message: message, item: itemKind.name, tokensPerItem: itemKind.tokens,
                              blasKernels: OpenBLASKernels.coreName, blasKernelWarning: OpenBLASKernels.shortfall,
                              task: classification.map { _ in config.finetune.task },
                              finetuneMode: classification.map { _ in config.finetune.mode },
                              pretrainedFrom: config.finetune.from.isEmpty ? nil : config.finetune.from,
                              finalTestAccuracy: lastAccuracy,
                              annealed: status == "completed" && schedule.decay != .constant,
                              branchOf: branchOf?.parent, cooldownFraction: branchOf?.fraction,
                              computeFLOPsTotal: model.config.trainingFLOPsPerToken * Double(tokens))
        }

        while true {
            let evalDue = step % config.train.evalEvery == 0 || step == total
            // A resumed run's checkpoint step was evaluated (and its row kept) before the checkpoint
            // was written, so it is not evaluated again; this holds at step 0 too.
            if evalDue && step != resumedAtStep {
                var testLoss: Double, accuracy: Double? = nil
                if let c = classification {
                    (testLoss, accuracy) = c.evaluate(model: model, dataset: dataset, split: config.data.evalSplit,
                                                      maxRecords: config.train.evalTokens / T, batchSize: B)
                } else {
                    testLoss = evaluate(split: config.data.evalSplit)
                }
                var record = MetricsRecord(step: step, tokens: tokens, params: N,
                                           trainLoss: trainLossCount > 0 ? trainLossSum / Double(trainLossCount) : nil,
                                           testLoss: testLoss, lr: schedule.rate(at: min(step, max(0, total - 1))),
                                           wallSeconds: wall(), flopsPerTokenTotal: model.config.trainingFLOPsPerToken)
                for s in config.data.extraEvalSplits where classification == nil { record.extra["test_loss_\(s)"] = evaluate(split: s) }
                if let accuracy { record.extra["test_accuracy"] = accuracy; lastAccuracy = accuracy }
                trainLossSum = 0; trainLossCount = 0
                lastTestLoss = testLoss
                if testLoss.isFinite, best == nil || testLoss < best!.loss { best = (testLoss, step) }
                metrics.append(record.jsonLine())
                try run.writeMetrics(metrics)
                onEvent(.evaluated(record))
                if step % ckptEvery == 0 || step == total {
                    let state = CheckpointState(step: step, samplerEpoch: sampler.epoch, samplerIndex: sampler.index,
                                                tokens: tokens, adamStep: optimizer.step, bestTestLoss: best?.loss,
                                                bestStep: best?.step, wallSeconds: wall(), model: model.config)
                    try Checkpoint.save(model: model, optimizer: optimizer, head: headState, state: state, to: run.url)
                }
            }
            for branch in branches where branch.forkStep == step && CooldownBranches.needsSeed(branch) {
                try seed(branch, metrics: metrics, state: CheckpointState(
                    step: step, samplerEpoch: sampler.epoch, samplerIndex: sampler.index, tokens: tokens,
                    adamStep: optimizer.step, bestTestLoss: best?.loss, bestStep: best?.step, wallSeconds: wall(),
                    model: model.config))
            }
            if step >= total { break }
            if let stop = stopAfterSteps, stepsThisRun >= stop {
                let s = summary(status: "stopped")
                try run.writeSummary(s)
                return s
            }
            // One optimisation step.
            let lr = schedule.rate(at: step)
            model.dropoutSeed = UInt64(config.train.seed) &* 0x2545_F491_4F6C_DD1D &+ UInt64(step)
            let loss: Double
            if let c = classification {
                loss = c.trainingStep(model: model, split: dataset.splits["train"]!, records: sampler.nextRecords(batchSize: B))
            } else {
                let batch = sampler.next(batchSize: B)
                model.zeroGradients()
                loss = Double(model.forward(batch, needsGradient: true))
            }
            if !loss.isFinite {
                let s = summary(status: "diverged", message: TrainingError.diverged(step: step, loss: loss).description)
                try run.writeSummary(s)
                throw TrainingError.diverged(step: step, loss: loss)
            }
            if let c = classification {
                GradientClipping.clip([model.gradients, c.head.gradients], maxNorm: config.optimizer.gradClip)
                if c.trainsBody { optimizer.update(params: model.parameters, grads: model.gradients, lr: Float(lr)) }
                c.optimizer.update(params: c.head.parameters, grads: c.head.gradients, lr: Float(lr))
            } else {
                model.backward()
                GradientClipping.clip(model.gradients, maxNorm: config.optimizer.gradClip)
                optimizer.update(params: model.parameters, grads: model.gradients, lr: Float(lr))
            }
            step += 1; stepsThisRun += 1
            tokens += B * T
            trainLossSum += loss; trainLossCount += 1
            let elapsed = (clock.now - started).seconds
            let tps = elapsed > 0 ? Double(tokens - startTokens) / elapsed : 0
            onEvent(.step(step: step, totalSteps: total, loss: loss, tokensPerSecond: tps,
                          etaSeconds: tps > 0 ? Double((total - step) * B * T) / tps : 0))
        }
        let s = summary(status: "completed")
        try run.writeSummary(s)
        onEvent(.finished(s))
        for branch in branches { try Trainer(config: branch.config, resume: true).run(onEvent) }
        return s
    }

    /// Hands this run's state at a branch's fork step to the branch's run directory: its config,
    /// the learning curve so far and a checkpoint, from which the branch resumes exactly.
    func seed(_ branch: CooldownBranch, metrics: [String], state: CheckpointState) throws {
        let dir = RunDirectory(branch.directory)
        try dir.create()
        let lock = try dir.acquireLock()
        defer { withExtendedLifetime(lock) {} }
        try dir.writeConfig(branch.config)
        try dir.writeMetrics(metrics)
        try Checkpoint.save(model: model, optimizer: optimizer, head: nil, state: state, to: branch.directory)
    }
}

extension Trainer {
    /// Initialises the model from another run's last checkpoint (`finetune.from`): the weights
    /// only, never its optimiser state or position.
    func loadPretrained(from dir: String) throws {
        let url = URL(fileURLWithPath: dir)
        guard Checkpoint.exists(in: url) else {
            throw WorkbenchIOError.missingFile(path: url.appendingPathComponent(Checkpoint.stateFile).path,
                                               what: "checkpoint of the pre-trained run that finetune.from names")
        }
        _ = try Checkpoint.load(into: model, optimizer: nil, from: url)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}


/// A split's loss overall and by position in the context (what `workbench eval` writes).
public struct PositionalEvaluation: Codable, Sendable {
    public var split: String
    public var lossNats: Double
    public var countedTokens: Int
    /// Mean loss (nats) of the targets at each position 0..<n_ctx (nil where nothing counted).
    public var lossByPosition: [Double?]

    enum CodingKeys: String, CodingKey {
        case split, lossNats = "loss_nats", countedTokens = "counted_tokens", lossByPosition = "loss_by_position"
    }
}

extension Trainer {
    /// Loss on the first `maxTokens` of a split, overall and per position.
    public func evaluateByPosition(split name: String, maxTokens: Int) -> PositionalEvaluation {
        let T = model.config.nCtx
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
