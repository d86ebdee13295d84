import Datasets
import Foundation
import RunFiles
import Training
import WorkbenchCore

/// One run of a sweep as planned: its name, its fully resolved config, and the sizes that place
/// it in the study (N, D, E, compute).
public struct PlannedRun: Equatable, Sendable {
    public var name: String
    public var grid: String
    /// The run's config; `train.run_dir` is the run's name relative to the sweep's `runs/`
    /// folder and `train.threads` is 0 (the executor decides both).
    public var config: TrainConfig
    /// N, non-embedding parameters.
    public var params: Int
    /// D, unique training tokens the run may use.
    public var datasetTokens: Int
    public var steps: Int
    /// E, tokens the run will process.
    public var tokens: Int
    public var computePFDays: Double { ComputeCost.pfDays(params: Double(params), tokens: Double(tokens)) }
    /// SHA-256 of the config as TOML (run_dir and threads neutralised).
    public var configHash: String
}

/// A sweep spec multiplied out into runs, in execution order (grid by grid, then by size).
///
///     let plan = try SweepPlan(spec: try SweepSpec.load(from: url))
///     for r in plan.runs { print(r.name, r.params, r.steps) }
public struct SweepPlan: Sendable {
    public var spec: SweepSpec
    public var runs: [PlannedRun]

    public init(spec: SweepSpec, runs: [PlannedRun]) { self.spec = spec; self.runs = runs }

    public init(spec: SweepSpec, datasetTokens: (TrainConfig) throws -> Int = DatasetSize.trainingTokens) throws {
        try self.init(spec: spec, datasetTokens: datasetTokens, datasetVocab: DatasetSize.vocabulary)
    }

    /// The same, with the vocabulary lookup given (IsoFLOP grids need it for FLOPs per token).
    public init(spec: SweepSpec, datasetTokens: (TrainConfig) throws -> Int,
                datasetVocab: (TrainConfig) throws -> Int) throws {
        self.spec = spec
        var runs: [PlannedRun] = []
        var sizeCache: [String: Int] = [:]
        for g in spec.grids {
            var base = spec.base
            for (k, v) in spec.overrides { try base.set(k, to: v) }
            var shapes: [ModelShape]
            // IsoFLOP grids: each shape with the budget it spends (nil: the grid's length rule).
            var budgets: [Double?] = []
            switch g.shapes {
            case .base:
                shapes = [ModelShape.make(nLayer: base.model.nLayer, dModel: base.model.dModel, base: base.model,
                                          headDim: g.headDim, mlpRatio: g.mlpRatio, attnRatio: g.attnRatio)]
            case .pairs(let pairs):
                shapes = pairs.map { ModelShape.make(nLayer: $0[0], dModel: $0[1], base: base.model, headDim: g.headDim,
                                                     mlpRatio: g.mlpRatio, attnRatio: g.attnRatio) }
            case .targetParams(let targets, let aspect):
                shapes = targets.map { ModelShape.forTarget(params: $0, aspectRatio: aspect, base: base.model, headDim: g.headDim,
                                                            mlpRatio: g.mlpRatio, attnRatio: g.attnRatio) }
                if let iso = g.isoflop {
                    shapes = []
                    for c in iso.budgetsFLOPs {
                        // Targets close together can round to one shape: each shape once per budget.
                        var seen: [ModelShape] = []
                        for n in iso.targetParams(budgetFLOPs: c) {
                            let shape = ModelShape.nearest(params: n, aspectRatio: aspect, base: base.model, headDim: g.headDim,
                                                           mlpRatio: g.mlpRatio, attnRatio: g.attnRatio)
                            if seen.contains(shape) { continue }
                            seen.append(shape)
                            shapes.append(shape)
                            budgets.append(c)
                        }
                    }
                }
            }
            if budgets.isEmpty { budgets = shapes.map { _ in nil } }
            // Every combination of the extra axes, in key order.
            var combos: [[(String, String)]] = [[]]
            for (k, values) in g.axes { combos = combos.flatMap { c in values.map { c + [(k, $0)] } } }
            for (shape, budget) in zip(shapes, budgets) {
                for d in g.dataTokens {
                    for seed in g.seeds {
                        for combo in combos {
                            var cfg = base
                            cfg.model.nLayer = shape.nLayer; cfg.model.dModel = shape.dModel; cfg.model.nHead = shape.nHead
                            cfg.model.mlpWidth = shape.mlpWidth; cfg.model.attnWidth = shape.attnWidth
                            cfg.data.maxTrainTokens = d
                            cfg.train.seed = seed
                            if let c = g.cooldownAt { cfg.train.cooldownAt = c }
                            for (k, v) in combo { try cfg.set(k, to: v) }
                            // N of the run's own architecture (an LSTM grid sets model.kind on an axis).
                            let params = cfg.model.kind == "transformer" ? shape.params
                                : cfg.modelConfig(datasetVocab: 2).nonEmbeddingParameters
                            if let rates = spec.learningRates, cfg.model.kind == "transformer",
                               !g.axes.contains(where: { $0.key == "optimizer.lr" }) {
                                cfg.optimizer.lr = Double(NumberFormat.sig(rates.rate(forParams: Double(params)), 4)) ?? cfg.optimizer.lr
                            }
                            if !g.pretrained.isEmpty {
                                cfg.finetune.from = g.pretrained.replacingOccurrences(of: "{n_layer}", with: "\(shape.nLayer)")
                                    .replacingOccurrences(of: "{d_model}", with: "\(shape.dModel)")
                            }
                            let sizeKey = "\(cfg.data.dataset)|\(d)|\(cfg.model.nCtx)"
                            let D: Int
                            if let c = sizeCache[sizeKey] { D = c } else { D = try datasetTokens(cfg); sizeCache[sizeKey] = D }
                            let perStep = cfg.train.batchSize * cfg.model.nCtx
                            var steps: Int
                            func stepsFor(_ e: Double) -> Int { max(1, Int((e / Double(perStep)).rounded(.up))) }
                            switch g.length {
                            case .tokens(let e): steps = stepsFor(e)
                            case .epochs(let k): steps = stepsFor(k * Double(D))
                            case .steps(let n): steps = n
                            case .computeFLOPs(let c): steps = stepsFor(ComputeCost.tokens(flops: c, params: Double(params)))
                            case .tokensPerParam(let k): steps = stepsFor(k * Double(params))
                            case .base: steps = cfg.train.steps
                            }
                            if let budget, let iso = g.isoflop {
                                let vocab = cfg.model.vocabSize > 0 ? cfg.model.vocabSize : try datasetVocab(cfg)
                                let model = cfg.gptConfig(datasetVocab: vocab)
                                let perToken = iso.flopsPerToken(GPTConfigShape(params: model.nonEmbeddingParameters,
                                                                                trainingFLOPsPerToken: model.trainingFLOPsPerToken))
                                // The run ends where its budget is spent (to the nearest step).
                                steps = max(1, Int((budget / perToken / Double(perStep)).rounded()))
                                cfg.train.computeBudgetFLOPs = budget
                                cfg.train.computeBudgetMeasure = iso.compute
                            }
                            if g.minTokens > 0 { steps = max(steps, stepsFor(g.minTokens)) }
                            if g.maxTokens > 0 { steps = min(steps, stepsFor(g.maxTokens)) }
                            cfg.train.steps = steps
                            if let share = g.warmupShare {
                                cfg.schedule.warmupSteps = min(cfg.schedule.warmupSteps, Int((share * Double(steps)).rounded()))
                            }
                            if g.evals > 0 { cfg.train.evalEvery = max(1, steps / g.evals) }
                            if cfg.train.checkpointEvery % cfg.train.evalEvery != 0 { cfg.train.checkpointEvery = 0 }
                            var name = "\(g.name)-" + (budget.map { "C\(Self.compact($0))-" } ?? "") + "L\(shape.nLayer)-d\(shape.dModel)-D\(d == 0 ? "all" : Self.compact(Double(d)))-s\(seed)"
                            for (k, v) in combo { name += "-\(k.split(separator: ".").last!)\(v.replacingOccurrences(of: "/", with: "_"))" }
                            cfg.train.runDir = name
                            cfg.train.threads = 0
                            try Self.check(cfg, run: name, grid: g.name, file: spec.file)
                            runs.append(PlannedRun(name: name, grid: g.name, config: cfg, params: params, datasetTokens: D,
                                                   steps: steps, tokens: steps * perStep, configHash: Self.hash(cfg)))
                        }
                    }
                }
            }
        }
        var seen = Set<String>()
        for r in runs where !seen.insert(r.name).inserted {
            throw SweepSpecError(file: spec.file, key: nil, reason: "two runs would share the name '\(r.name)' (repeated values on an axis?)")
        }
        self.runs = runs
    }

    /// Refuses, before anything trains, a run its trainer would refuse (a bad value, a cooldown
    /// branch inside the warm-up), naming the run and its grid.
    static func check(_ cfg: TrainConfig, run: String, grid: String, file: String) throws {
        do {
            try cfg.validate()
            _ = try CooldownBranches.plan(for: cfg)
        } catch {
            throw SweepSpecError(file: file, key: nil, reason: "run '\(run)' of grid '\(grid)': \(error)")
        }
    }

    /// The config hash that identifies a run across machines: TOML with run_dir and threads neutralised.
    public static func hash(_ cfg: TrainConfig) -> String {
        var c = cfg
        c.train.runDir = URL(fileURLWithPath: cfg.train.runDir).lastPathComponent
        c.train.threads = 0
        return SHA256.hex(of: Data(c.renderTOML().utf8))
    }

    /// Digest of the whole plan (names and config hashes): a sweep folder belongs to one plan.
    public var planHash: String {
        SHA256.hex(of: Data(runs.map { "\($0.name) \($0.configHash)\n" }.joined().utf8))
    }

    /// 250000 → "2.5e5", 100000 → "1e5", 64 → "64".
    static func compact(_ x: Double) -> String {
        if x < 1000 { return String(Int(x)) }
        let e = Int(floor(log10(x)))
        let m = x / pow(10, Double(e))
        let ms = m == m.rounded() ? String(Int(m)) : String(format: "%g", (m * 100).rounded() / 100)
        return "\(ms)e\(e)"
    }
}

/// D for a config: the unique training tokens the trainer will keep (whole records for the
/// records layout), read from the shard manifest without loading the shards.
public enum DatasetSize {
    /// The vocabulary size a dataset's manifest gives (for FLOPs per token of the output layer).
    public static func vocabulary(_ cfg: TrainConfig) throws -> Int {
        let spec = cfg.data.dataset
        if spec.hasPrefix("builtin:") { return try DatasetSource.load(spec).manifest.vocabSize }
        let url = URL(fileURLWithPath: spec).appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url),
              let m = try? JSONDecoder().decode(ShardManifest.self, from: data) else {
            throw SweepSpecError(file: spec, key: "data.dataset",
                                 reason: "no readable manifest.json to take the vocabulary from; prepare the dataset or set model.vocab_size")
        }
        return m.vocabSize
    }

    public static func trainingTokens(_ cfg: TrainConfig) throws -> Int {
        let spec = cfg.data.dataset
        let available: Int
        var records = false
        if spec.hasPrefix("builtin:") {
            available = try DatasetSource.load(spec).splits["train"]?.tokens.count ?? 0
        } else {
            let url = URL(fileURLWithPath: spec).appendingPathComponent("manifest.json")
            guard let data = try? Data(contentsOf: url) else {
                throw SweepSpecError(file: spec, key: "data.dataset",
                                     reason: "no prepared dataset here (missing manifest.json); prepare it with `workbench data prepare NAME --data-dir …`")
            }
            let m: ShardManifest
            do { m = try JSONDecoder().decode(ShardManifest.self, from: data) } catch {
                throw SweepSpecError(file: url.path, key: nil, reason: "unreadable manifest: \(error)")
            }
            guard let train = m.splits["train"] else {
                throw SweepSpecError(file: url.path, key: nil, reason: "the dataset has no train split")
            }
            available = train.tokens
            records = m.layout == .records
        }
        return DatasetSource.keptTrainingTokens(available: available, maxTokens: cfg.data.maxTrainTokens,
                                                nCtx: cfg.model.nCtx, layout: records ? .records : .stream)
    }
}

extension DatasetSize {
    /// The modality a dataset's manifest names (`text` for the built-in sample); nil when unreadable.
    public static func modality(of dataset: String) -> String? {
        if dataset.hasPrefix("builtin:") { return "text" }
        let url = URL(fileURLWithPath: dataset).appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url), let m = try? JSONDecoder().decode(ShardManifest.self, from: data) else { return nil }
        return m.modality
    }

    /// Modalities of every dataset a plan uses.
    public static func modalities(_ plan: SweepPlan) -> [String: String] {
        var out: [String: String] = [:]
        for d in Set(plan.runs.map(\.config.data.dataset)) { out[d] = modality(of: d) }
        return out
    }
}
