import Foundation
import Datasets
import RunFiles
import Tensors
import Transformer
import WorkbenchCore

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
    case cannotShorten(path: String, checkpointStep: Int, steps: Int)

    public var description: String {
        switch self {
        case let .diverged(step, loss):
            return "training diverged: the loss became \(loss) at step \(step); stopped, the last good checkpoint is kept"
        case let .runExists(path, step):
            return "run directory '\(path)' already holds a run at step \(step); pass --resume to continue it, or choose another train.run_dir"
        case let .configChanged(path, keys):
            return "cannot resume '\(path)': the config differs from the saved config.toml in \(keys.joined(separator: ", "))"
                + " (only train.steps may grow, to train a run further; start a new run directory for other changes)"
        case let .dataShape(msg): return "data does not fit the model: \(msg)"
        case let .missingSplit(dataset, split): return "dataset '\(dataset)' has no split '\(split)'"
        case let .cannotShorten(path, at, steps):
            return "cannot resume '\(path)' with train.steps = \(steps): its checkpoint is already at step \(at); give at least \(at) steps"
        case let .runLocked(path):
            return "run directory '\(path)' is in use by another training process; refusing to train into it twice at once"
        }
    }
}

/// The training loop: AdamW on the model `model.kind` names (the shared transformer or an LSTM), evaluation every `eval_every` steps,
/// checkpoints, metrics and a summary in the run directory, exact resume. What is optimised
/// (next-token prediction or classification) is the `objective`; the loop in `run` is the same
/// for both and reads as nanoGPT's `train.py` does: restore, then evaluate / checkpoint / step
/// until the last step, then the summary.
///
///     ThreadSettings.apply(threads: cfg.train.threads)   // once, at the command line
///     let trainer = try Trainer(config: cfg)
///     let summary = try trainer.run { event in print(event) }
public final class Trainer {
    /// The model, its config and its data (shared with evaluation and sampling).
    public let loaded: RunModel
    public let run: RunDirectory
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
    let objective: TrainingObjective
    /// The classification head and its labels when `finetune.task = "classify"`.
    public let classification: ClassificationTask?
    let resume: Bool
    /// Stop (as if killed) after this many steps of this invocation; for tests and time slicing.
    public var stopAfterSteps: Int?

    public var config: TrainConfig { loaded.config }
    public var model: any LanguageModel { loaded.model }
    /// The model as the transformer, when it is one (classification heads, image sampling and
    /// math answers need its pooled features and key–value cache).
    public var transformer: GPT? { loaded.transformer }
    public var dataset: TokenDataset { loaded.dataset }

    public init(config: TrainConfig, resume: Bool = false) throws {
        try config.validate()
        if config.train.checkpointEvery > 0, config.train.checkpointEvery % config.train.evalEvery != 0 {
            throw ConfigError.invalidValue(key: "train.checkpoint_every", reason: "\(config.train.checkpointEvery) must be a multiple of train.eval_every (\(config.train.evalEvery)), e.g. \(max(1, config.train.checkpointEvery / config.train.evalEvery) * config.train.evalEvery)", file: nil)
        }
        self.resume = resume
        loaded = try RunModel(config: config)
        run = RunDirectory(loaded.runDirectory)
        let model = loaded.model, ds = loaded.dataset
        var noDecay = Set<ParameterLayout.Kind>()
        if config.optimizer.noDecay.contains("layernorm") { noDecay.insert(.layerNorm) }
        if config.optimizer.noDecay.contains("bias") { noDecay.insert(.bias) }
        if config.optimizer.noDecay.contains("embedding") { noDecay.insert(.embedding) }
        optimizer = AdamW(tensors: model.parameterTensors, total: model.parameters.count, beta1: Float(config.optimizer.beta1), beta2: Float(config.optimizer.beta2),
                          eps: Float(config.optimizer.eps), weightDecay: Float(config.optimizer.weightDecay), noDecay: noDecay)
        schedule = CooldownBranches.schedule(config)
        branches = try CooldownBranches.plan(for: config)
        sampler = try BatchSampler(split: ds.splits["train"]!, nCtx: model.nCtx, layout: ds.manifest.layout,
                                   seed: UInt64(config.train.seed) &* 1_000_003 &+ 17)
        sampler.blanking = try PairBlanking(manifest: ds.manifest, share: config.data.blankShare, seed: UInt64(config.train.seed) &* 7_919 &+ 0xB1A4)
        classification = config.finetune.task == "classify" ? try ClassificationTask(config: config, dataset: ds, model: loaded.transformer!) : nil
        objective = classification ?? LanguageModelObjective()
    }

    /// Unique training tokens D.
    public var datasetTokens: Int { loaded.datasetTokens }

    /// Mean loss (nats per counted token) on the first `eval_tokens` of a split.
    public func evaluate(split name: String) -> Double { loaded.evaluate(split: name) }

    /// Loss on the first `maxTokens` of a split, overall and per position.
    public func evaluateByPosition(split name: String, maxTokens: Int) -> PositionalEvaluation {
        loaded.evaluateByPosition(split: name, maxTokens: maxTokens)
    }

    /// Where the loop stands: what a checkpoint saves and a resume restores.
    struct Progress {
        var step = 0, tokens = 0, wallBefore = 0.0
        var best: (loss: Double, step: Int)? = nil
        var lastTestLoss: Double? = nil, lastAccuracy: Double? = nil
        /// The lines of metrics.jsonl so far.
        var metrics: [String] = []
        /// The step a resume started from (already evaluated before its checkpoint was written).
        var resumedAtStep: Int? = nil
    }

    /// Runs from the start, or from the checkpoint when resuming, to `train.steps`.
    @discardableResult
    public func run(_ onEvent: (TrainerEvent) -> Void = { _ in }) throws -> RunSummary {
        try run.create()
        let lock = try run.acquireLock()
        defer { withExtendedLifetime(lock) {} }
        var p = try restore()
        onEvent(.started(params: model.nonEmbeddingParameters, datasetTokens: datasetTokens, resumedAtStep: p.resumedAtStep))
        try run.writeConfig(config)

        let total = config.train.steps, tokensPerStep = config.train.batchSize * model.nCtx
        let ckptEvery = config.train.checkpointEvery > 0 ? config.train.checkpointEvery : config.train.evalEvery
        let clock = ContinuousClock(), started = clock.now, startTokens = p.tokens
        func wall() -> Double { p.wallBefore + (clock.now - started).seconds }
        var trainLossSum = 0.0, trainLossCount = 0, stepsThisRun = 0

        while true {
            // Evaluate (and checkpoint) every eval_every steps and at the end; a resumed run's
            // checkpoint step was evaluated before the checkpoint was written, so not again.
            if (p.step % config.train.evalEvery == 0 || p.step == total) && p.step != p.resumedAtStep {
                try evaluate(&p, trainLoss: trainLossCount > 0 ? trainLossSum / Double(trainLossCount) : nil,
                             lr: schedule.rate(at: min(p.step, max(0, total - 1))), wallSeconds: wall(), onEvent)
                trainLossSum = 0; trainLossCount = 0
                if p.step % ckptEvery == 0 || p.step == total { try saveCheckpoint(p, wallSeconds: wall()) }
            }
            for branch in branches where branch.forkStep == p.step && CooldownBranches.needsSeed(branch) {
                try seed(branch, metrics: p.metrics, state: checkpointState(p, wallSeconds: wall()))
            }
            if p.step >= total { break }
            if let stop = stopAfterSteps, stepsThisRun >= stop {
                return try finish(p, status: "stopped", wallSeconds: wall(), startTokens: startTokens)
            }
            // One optimisation step.
            let lr = schedule.rate(at: p.step)
            model.dropoutSeed = UInt64(config.train.seed) &* 0x2545_F491_4F6C_DD1D &+ UInt64(p.step)
            let loss = objective.loss(loaded, sampler: &sampler)
            if !loss.isFinite {
                let error = TrainingError.diverged(step: p.step, loss: loss)
                _ = try finish(p, status: "diverged", message: error.description, wallSeconds: wall(), startTokens: startTokens)
                throw error
            }
            objective.update(loaded, optimizer: optimizer, lr: Float(lr))
            p.step += 1; stepsThisRun += 1
            p.tokens += tokensPerStep
            trainLossSum += loss; trainLossCount += 1
            let elapsed = (clock.now - started).seconds
            let tps = elapsed > 0 ? Double(p.tokens - startTokens) / elapsed : 0
            onEvent(.step(step: p.step, totalSteps: total, loss: loss, tokensPerSecond: tps,
                          etaSeconds: tps > 0 ? Double((total - p.step) * tokensPerStep) / tps : 0))
        }
        let s = try finish(p, status: "completed", wallSeconds: wall(), startTokens: startTokens)
        onEvent(.finished(s))
        for branch in branches { try Trainer(config: branch.config, resume: true).run(onEvent) }
        return s
    }
}

extension Trainer {
    /// Settles what a killed process left, then either starts fresh (from `finetune.from`'s
    /// weights when set) or, with `resume`, restores the checkpoint, the sampler and the metrics
    /// up to it; a changed config (other than thread counts) is refused.
    func restore() throws -> Progress {
        var p = Progress()
        run.removeStaleTemporaryFiles()
        if let settled = try Checkpoint.recoverStaged(in: run.url) {
            FileHandle.standardError.write(Data("note: \(run.url.path): \(settled)\n".utf8))
        }
        guard Checkpoint.exists(in: run.url) else {
            if !config.finetune.from.isEmpty { try loadPretrained(from: config.finetune.from) }
            return p
        }
        let saved = try Checkpoint.loadState(from: run.url)
        guard resume else { throw TrainingError.runExists(path: run.url.path, step: saved.step) }
        if let text = try? String(contentsOf: run.configURL, encoding: .utf8) {
            let savedCfg = try TrainConfig.parse(text, file: run.configURL.path)
            // Thread counts give identical numbers (fixed summation order), so they may change.
            let diff = TrainConfig.fields.map(\.key).filter { $0 != "train.threads" && savedCfg.renderValue($0) != config.renderValue($0) }
            if !diff.isEmpty { throw TrainingError.configChanged(path: run.url.path, keys: diff) }
        }
        let state = try Checkpoint.load(into: model, optimizer: optimizer, head: objective.headState, from: run.url)
        p.step = state.step; p.tokens = state.tokens; p.wallBefore = state.wallSeconds
        if let l = state.bestTestLoss, let s = state.bestStep { p.best = (l, s) }
        sampler.seek(epoch: state.samplerEpoch, index: state.samplerIndex)
        p.metrics = try run.metricsLines(upToStep: p.step)
        p.resumedAtStep = p.step
        let lastRecord = p.metrics.last.flatMap { try? MetricsRecord.parse(line: $0) }
        p.lastTestLoss = lastRecord?.testLoss
        p.lastAccuracy = lastRecord?.extra["test_accuracy"]
        return p
    }

    /// Evaluates, appends the row to metrics.jsonl and tells `onEvent`.
    func evaluate(_ p: inout Progress, trainLoss: Double?, lr: Double, wallSeconds: Double,
                  _ onEvent: (TrainerEvent) -> Void) throws {
        let (testLoss, extra) = objective.evaluate(loaded)
        let record = MetricsRecord(step: p.step, tokens: p.tokens, params: model.nonEmbeddingParameters,
                                   trainLoss: trainLoss, testLoss: testLoss, lr: lr, wallSeconds: wallSeconds,
                                   flopsPerTokenTotal: model.modelConfig.totalFLOPsPerToken, extra: extra,
                                   flopsPerToken: model.computeFLOPsPerToken)
        if let accuracy = extra["test_accuracy"] { p.lastAccuracy = accuracy }
        p.lastTestLoss = testLoss
        if testLoss.isFinite, p.best == nil || testLoss < p.best!.loss { p.best = (testLoss, p.step) }
        p.metrics.append(record.jsonLine())
        try run.writeMetrics(p.metrics)
        onEvent(.evaluated(record))
    }

    func checkpointState(_ p: Progress, wallSeconds: Double) -> CheckpointState {
        CheckpointState(step: p.step, samplerEpoch: sampler.epoch, samplerIndex: sampler.index,
                        tokens: p.tokens, adamStep: optimizer.step, bestTestLoss: p.best?.loss,
                        bestStep: p.best?.step, wallSeconds: wallSeconds, model: SavedModel(model.modelConfig))
    }

    func saveCheckpoint(_ p: Progress, wallSeconds: Double) throws {
        try Checkpoint.save(model: model, optimizer: optimizer, head: objective.headState,
                            state: checkpointState(p, wallSeconds: wallSeconds), to: run.url)
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

    /// Writes summary.json with `status` and returns it.
    func finish(_ p: Progress, status: String, message: String? = nil, wallSeconds w: Double, startTokens: Int) throws -> RunSummary {
        let N = model.nonEmbeddingParameters
        let flops = model.computeFLOPsPerToken * Double(p.tokens)
        let item = loaded.itemKind
        let s = RunSummary(runName: run.url.lastPathComponent, dataset: config.data.dataset,
                           modality: dataset.manifest.modality, params: N, nLayer: model.modelConfig.nLayer,
                           dModel: model.modelConfig.width, datasetTokens: datasetTokens, tokens: p.tokens, steps: p.step,
                           computeFLOPs: flops, computePFDays: ComputeCost.pfDays(flops: flops),
                           bestTestLoss: p.best?.loss, bestStep: p.best?.step, finalTestLoss: p.lastTestLoss.flatMap { $0.isFinite ? $0 : nil },
                           wallSeconds: w, tokensPerSecond: w > p.wallBefore ? Double(p.tokens - startTokens) / (w - p.wallBefore) : 0,
                           status: status, message: message, item: item.name, tokensPerItem: item.tokens,
                           blasKernels: OpenBLASKernels.coreName, blasKernelWarning: OpenBLASKernels.shortfall,
                           task: classification.map { _ in config.finetune.task },
                           finetuneMode: classification.map { _ in config.finetune.mode },
                           pretrainedFrom: config.finetune.from.isEmpty ? nil : config.finetune.from,
                           finalTestAccuracy: p.lastAccuracy,
                           annealed: status == "completed" && schedule.decay != .constant,
                           branchOf: branchOf?.parent, cooldownFraction: branchOf?.fraction,
                           computeFLOPsTotal: model.modelConfig.totalFLOPsPerToken * Double(p.tokens),
                           modelKind: model.modelConfig.kind)
        try run.writeSummary(s)
        return s
    }

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
