import Foundation
import Transformer

/// Everything that defines a training run; with its seed, a run is fully reproducible from it.
///
/// Read from TOML (`[model]`, `[data]`, `[optimizer]`, `[schedule]`, `[train]`); every key has a
/// default here and only here; unknown or mistyped keys are rejected with the key and the file.
///
///     var cfg = try TrainConfig.load(from: URL(fileURLWithPath: "configs/text-tiny.toml"))
///     try cfg.set("train.steps", to: "200")
///     print(cfg.renderTOML())
public struct TrainConfig: Equatable, Sendable {
    /// The model's architecture and shape. `vocab_size = 0` takes the dataset's; widths of 0 take
    /// the text defaults. `kind = "lstm"` builds an LSTM of `n_layer` layers of `d_model` units
    /// (n_head, mlp_width and attn_width do not apply to it).
    public struct Model: Equatable, Sendable {
        /// `transformer` or `lstm`.
        public var kind = "transformer"
        public var nLayer = 2, dModel = 64, nHead = 2, nCtx = 128
        public var vocabSize = 0, mlpWidth = 0, attnWidth = 0
        /// Dropout on embeddings and residual branches while training (0 = off).
        public var dropout = 0.0
    }
    /// What to train on.
    public struct DataSection: Equatable, Sendable {
        /// `builtin:english-sample`, or a token-shard folder (with manifest.json).
        public var dataset = "builtin:english-sample"
        /// Limit on unique training tokens D (0 = the whole train split).
        public var maxTrainTokens = 0
        /// Split used for `test_loss`.
        public var evalSplit = "test"
        /// More splits evaluated as `test_loss_<split>` (e.g. math's interpolate, extrapolate).
        public var extraEvalSplits: [String] = []
    }
    /// AdamW with decoupled weight decay.
    public struct Optimizer: Equatable, Sendable {
        public var lr = 1e-3, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weightDecay = 0.1, gradClip = 1.0
        /// Parameter kinds without weight decay: any of `layernorm`, `bias`, `embedding`.
        public var noDecay: [String] = ["layernorm", "bias", "embedding"]
    }
    /// Learning-rate schedule: linear warm-up, then decay to `min_lr_ratio · lr`.
    public struct Schedule: Equatable, Sendable {
        public var warmupSteps = 100
        /// `cosine`, `linear`, `constant` or `wsd` (warmup–stable–decay).
        public var decay = "cosine"
        public var minLRRatio = 0.1
        /// `wsd`: the share of the run's steps spent cooling down at its end, and the shape of
        /// the fall (`linear` or `1-sqrt`).
        public var cooldownFraction = 0.2
        public var cooldownShape = "linear"
    }
    /// Loop, evaluation, checkpoints, seed and threads.
    public struct TrainSection: Equatable, Sendable {
        public var steps = 1000, batchSize = 16, evalEvery = 100, evalTokens = 32768
        /// 0 = checkpoint at every evaluation.
        public var checkpointEvery = 0
        public var seed = 1
        /// Threads for our kernels and OpenBLAS (0 = all cores).
        public var threads = 0
        public var runDir = "runs/run"
        /// Cooldown branches of a `wsd` run (fractions of its tokens, in (0, 1]): for each fraction
        /// f < 1, a branch forks from the constant-rate state and cools down to end at f of the
        /// run's steps, in `branches/cooldown-<f>/` (see `CooldownBranches`). 1.0 is the run's own end.
        public var cooldownAt: [Double] = []
        /// The compute budget an IsoFLOP grid planned this run to spend (0 = none), in the
        /// measure `computeBudgetMeasure` names ("total": as spent, "6ne": Kaplan's 6·N·E).
        /// Informational: `steps` ends the run; the analysis groups runs by budget with it.
        public var computeBudgetFLOPs = 0.0
        public var computeBudgetMeasure = "total"
    }

    /// Fine-tuning: start from another run's weights, and/or train a classification head on the
    /// dataset's labels (`task = "classify"`: the mean of the final layer norm's output over the
    /// positions, then one linear layer; cross-entropy on the labels). At its defaults the run is
    /// plain generative training and `config.toml` leaves the section out.
    public struct Finetune: Equatable, Sendable {
        /// `""` (next-token prediction) or `classify`.
        public var task = ""
        /// A run directory whose last checkpoint initialises the model (`""` = random
        /// initialisation: training from scratch). The model shapes must match.
        public var from = ""
        /// `full` (the body trains with the head) or `linear-probe` (only the head trains; the
        /// body's weights stay bit-identical).
        public var mode = "full"
    }

    public var model = Model()
    public var data = DataSection()
    public var optimizer = Optimizer()
    public var schedule = Schedule()
    public var train = TrainSection()
    public var finetune = Finetune()

    public init() {}

    /// The model shape once the dataset's vocabulary is known.
    public func gptConfig(datasetVocab: Int) -> GPTConfig {
        GPTConfig(nLayer: model.nLayer, dModel: model.dModel, nHead: model.nHead, nCtx: model.nCtx,
                  vocabSize: model.vocabSize > 0 ? model.vocabSize : datasetVocab,
                  mlpWidth: model.mlpWidth > 0 ? model.mlpWidth : nil,
                  attnWidth: model.attnWidth > 0 ? model.attnWidth : nil)
    }

    /// The model's architecture and shape once the dataset's vocabulary is known.
    public func modelConfig(datasetVocab: Int) -> ModelConfig {
        guard model.kind == "lstm" else { return .transformer(gptConfig(datasetVocab: datasetVocab)) }
        return .lstm(LSTMConfig(nLayer: model.nLayer, width: model.dModel, nCtx: model.nCtx,
                                vocabSize: model.vocabSize > 0 ? model.vocabSize : datasetVocab))
    }

    /// Checks values that TOML types cannot (positive sizes, known names).
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ why: String) throws {
            if !ok { throw ConfigError.invalidValue(key: key, reason: why, file: nil) }
        }
        try check(train.steps >= 0, "train.steps", "must be ≥ 0, got \(train.steps)")
        try check(train.batchSize >= 1, "train.batch_size", "must be ≥ 1, got \(train.batchSize)")
        try check(train.evalEvery >= 1, "train.eval_every", "must be ≥ 1, got \(train.evalEvery)")
        try check(train.evalTokens >= 1, "train.eval_tokens", "must be ≥ 1, got \(train.evalTokens)")
        try check(train.checkpointEvery >= 0, "train.checkpoint_every", "must be ≥ 0, got \(train.checkpointEvery)")
        try check(train.threads >= 0, "train.threads", "must be ≥ 0, got \(train.threads)")
        try check(optimizer.lr > 0, "optimizer.lr", "must be > 0, got \(optimizer.lr)")
        try check(optimizer.gradClip >= 0, "optimizer.grad_clip", "must be ≥ 0 (0 = no clipping), got \(optimizer.gradClip)")
        try check((0..<1).contains(optimizer.beta1) && (0..<1).contains(optimizer.beta2), "optimizer.beta1/beta2", "must be in [0, 1), got \(optimizer.beta1) and \(optimizer.beta2)")
        for k in optimizer.noDecay where !["layernorm", "bias", "embedding"].contains(k) {
            throw ConfigError.invalidValue(key: "optimizer.no_decay", reason: "unknown kind '\(k)' (use layernorm, bias, embedding)", file: nil)
        }
        let decays = LearningRateSchedule.Decay.allCases.map(\.rawValue)
        try check(decays.contains(schedule.decay), "schedule.decay",
                  "'\(schedule.decay)' is not one of \(decays.joined(separator: ", "))")
        let shapes = LearningRateSchedule.CooldownShape.allCases.map(\.rawValue)
        try check(shapes.contains(schedule.cooldownShape), "schedule.cooldown_shape",
                  "'\(schedule.cooldownShape)' is not one of \(shapes.joined(separator: ", "))")
        try check(schedule.cooldownFraction > 0 && schedule.cooldownFraction <= 1, "schedule.cooldown_fraction",
                  "must be in (0, 1], got \(schedule.cooldownFraction)")
        for f in train.cooldownAt where !(f > 0 && f <= 1) {
            throw ConfigError.invalidValue(key: "train.cooldown_at", reason: "\(f) is not a fraction of the run's tokens in (0, 1]", file: nil)
        }
        try check(train.cooldownAt.isEmpty || schedule.decay == "wsd", "train.cooldown_at",
                  "cooldown branches fork from a constant rate: they need schedule.decay = \"wsd\", not '\(schedule.decay)'")
        try check(train.cooldownAt.isEmpty || finetune.task.isEmpty, "train.cooldown_at",
                  "cooldown branches are for next-token training, not finetune.task = '\(finetune.task)'")
        try check((0...1).contains(schedule.minLRRatio), "schedule.min_lr_ratio", "must be in [0, 1], got \(schedule.minLRRatio)")
        try check(schedule.warmupSteps >= 0, "schedule.warmup_steps", "must be ≥ 0, got \(schedule.warmupSteps)")
        try check((0..<1).contains(model.dropout), "model.dropout", "must be in [0, 1), got \(model.dropout)")
        try check(["transformer", "lstm"].contains(model.kind), "model.kind", "'\(model.kind)' is not one of transformer, lstm")
        try check(model.kind != "lstm" || model.dropout == 0, "model.dropout", "is not implemented for model.kind = \"lstm\" (set it to 0)")
        try check(model.kind != "lstm" || finetune.task.isEmpty, "finetune.task",
                  "classification heads need model.kind = \"transformer\" (the LSTM has no pooled features)")
        try check(data.maxTrainTokens >= 0, "data.max_train_tokens", "must be ≥ 0, got \(data.maxTrainTokens)")
        try check(["", "classify"].contains(finetune.task), "finetune.task", "'\(finetune.task)' is not one of \"\" (next-token prediction), classify")
        try check(["full", "linear-probe"].contains(finetune.mode), "finetune.mode", "'\(finetune.mode)' is not one of full, linear-probe")
        try check(finetune.mode == "full" || finetune.task == "classify", "finetune.mode",
                  "linear-probe needs finetune.task = \"classify\" (a head to train)")
    }
}

/// Config problems, naming the key and the file.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unknownKey(key: String, file: String?, suggestion: String?)
    case wrongType(key: String, expected: String, file: String?)
    case invalidValue(key: String, reason: String, file: String?)
    case unreadable(file: String, reason: String)

    public var description: String {
        func at(_ f: String?) -> String { f.map { " in '\($0)'" } ?? "" }
        switch self {
        case let .unknownKey(key, file, suggestion):
            return "unknown config key '\(key)'\(at(file))" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case let .wrongType(key, expected, file): return "config key '\(key)'\(at(file)) must be \(expected)"
        case let .invalidValue(key, reason, file): return "config key '\(key)'\(at(file)): \(reason)"
        case let .unreadable(file, reason): return "cannot read config '\(file)': \(reason)"
        }
    }
}
