import Foundation
import WorkbenchCore

/// A run's `summary.json`, written once when the run ends (completed, diverged or stopped) and
/// read by sweeps, the results index and reports:
///
///     {"run_name": "text-n1e5", "dataset": "data/english", "modality": "text", "params": 98304,
///      "n_layer": 2, "d_model": 64, "dataset_tokens": 4000000, "tokens": 8192000, "steps": 1000,
///      "compute_flops": 4.8e12, "compute_pfdays": 5.6e-08, "best_test_loss": 2.31, "best_step": 1000,
///      "final_test_loss": 2.31, "wall_seconds": 60, "tokens_per_second": 136533, "status": "completed"}
///
/// The trainer fills every field it knows. Every field is optional when reading, so summaries
/// written by hand or by older versions (synthetic runs write only the fit's figures) still
/// read; counts may be written as `100000.0`, but must be whole. JSON that is not an object, or a
/// count that is not whole, throws (a `RunFileFormatError` names the key).
///
///     let s = try RunSummary.read(from: runDir)       // nil when there is no summary.json
public struct RunSummary: Codable, Equatable, Sendable {
    public static let fileName = "summary.json"

    public var runName: String?
    public var dataset: String?
    public var modality: String?
    /// N, non-embedding parameters.
    public var params: Int?
    public var nLayer: Int?
    public var dModel: Int?
    /// D: unique training tokens available to the run.
    public var datasetTokens: Int?
    /// E: tokens processed.
    public var tokens: Int?
    public var steps: Int?
    public var computeFLOPs: Double?
    public var computePFDays: Double?
    public var bestTestLoss: Double?
    public var bestStep: Int?
    public var finalTestLoss: Double?
    public var wallSeconds: Double?
    public var tokensPerSecond: Double?
    /// `completed`, `diverged` or `stopped` (killed or paused before the last step).
    public var status: String?
    public var message: String?
    /// What one item is (`image`, `record`) and how many counted tokens it has, for per-item
    /// entropies in reports; nil for streams of text.
    public var item: String?
    public var tokensPerItem: Double?
    /// The OpenBLAS kernel set the run's products used (e.g. "SkylakeX"): tokens/s depends on it.
    public var blasKernels: String?
    /// Set when the CPU offers a better kernel set than the one used (`OpenBLASKernels.shortfall`).
    public var blasKernelWarning: String?
    /// Fine-tuning runs: `classify`, `full` or `linear-probe`, the pre-trained run they started
    /// from (nil: from scratch), and the last evaluation's accuracy. Nil for generative runs.
    public var task: String?
    public var finetuneMode: String?
    public var pretrainedFrom: String?
    public var finalTestAccuracy: Double?
    /// Whether the last point was annealed (its rate decayed to the schedule's floor: cosine,
    /// linear or wsd), so that it can stand for a converged point of its N and D; and, for a
    /// cooldown branch, the run it forked from and the fraction of that run's steps it ends at.
    public var annealed: Bool?
    public var branchOf: String?
    public var cooldownFraction: Double?
    /// Compute as spent (`GPTConfig.trainingFLOPsPerToken` · E), beside Kaplan's 6·N·E.
    public var computeFLOPsTotal: Double?
    /// `transformer` or `lstm` (`model.kind`); nil in summaries written before there were kinds.
    public var modelKind: String?

    public init(runName: String? = nil, dataset: String? = nil, modality: String? = nil, params: Int? = nil,
                nLayer: Int? = nil, dModel: Int? = nil, datasetTokens: Int? = nil, tokens: Int? = nil,
                steps: Int? = nil, computeFLOPs: Double? = nil, computePFDays: Double? = nil,
                bestTestLoss: Double? = nil, bestStep: Int? = nil, finalTestLoss: Double? = nil,
                wallSeconds: Double? = nil, tokensPerSecond: Double? = nil, status: String? = nil,
                message: String? = nil, item: String? = nil, tokensPerItem: Double? = nil,
                blasKernels: String? = nil, blasKernelWarning: String? = nil, task: String? = nil, finetuneMode: String? = nil,
                pretrainedFrom: String? = nil, finalTestAccuracy: Double? = nil, annealed: Bool? = nil,
                branchOf: String? = nil, cooldownFraction: Double? = nil, computeFLOPsTotal: Double? = nil,
                modelKind: String? = nil) {
        self.runName = runName; self.dataset = dataset; self.modality = modality; self.params = params
        self.nLayer = nLayer; self.dModel = dModel; self.datasetTokens = datasetTokens; self.tokens = tokens
        self.steps = steps; self.computeFLOPs = computeFLOPs; self.computePFDays = computePFDays
        self.bestTestLoss = bestTestLoss; self.bestStep = bestStep; self.finalTestLoss = finalTestLoss
        self.wallSeconds = wallSeconds; self.tokensPerSecond = tokensPerSecond; self.status = status
        self.message = message; self.item = item; self.tokensPerItem = tokensPerItem; self.blasKernels = blasKernels
        self.blasKernelWarning = blasKernelWarning
        self.task = task; self.finetuneMode = finetuneMode; self.pretrainedFrom = pretrainedFrom
        self.finalTestAccuracy = finalTestAccuracy
        self.annealed = annealed; self.branchOf = branchOf; self.cooldownFraction = cooldownFraction
        self.computeFLOPsTotal = computeFLOPsTotal
        self.modelKind = modelKind
    }

    enum CodingKeys: String, CodingKey {
        case runName = "run_name", dataset, modality, params, nLayer = "n_layer", dModel = "d_model"
        case datasetTokens = "dataset_tokens", tokens, steps, computeFLOPs = "compute_flops"
        case computePFDays = "compute_pfdays", bestTestLoss = "best_test_loss", bestStep = "best_step"
        case finalTestLoss = "final_test_loss", wallSeconds = "wall_seconds", tokensPerSecond = "tokens_per_second"
        case status, message, item, tokensPerItem = "tokens_per_item", blasKernels = "blas_kernels"
        case blasKernelWarning = "blas_kernel_warning"
        case task, finetuneMode = "finetune_mode", pretrainedFrom = "pretrained_from"
        case finalTestAccuracy = "final_test_accuracy"
        case annealed, branchOf = "branch_of", cooldownFraction = "cooldown_fraction"
        case computeFLOPsTotal = "compute_flops_total"
        case modelKind = "model_kind"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runName = c.text(.runName); dataset = c.text(.dataset); modality = c.text(.modality)
        params = try c.wholeNumber(.params); nLayer = try c.wholeNumber(.nLayer); dModel = try c.wholeNumber(.dModel)
        datasetTokens = try c.wholeNumber(.datasetTokens); tokens = try c.wholeNumber(.tokens)
        steps = try c.wholeNumber(.steps)
        computeFLOPs = c.number(.computeFLOPs); computePFDays = c.number(.computePFDays)
        bestTestLoss = c.number(.bestTestLoss); bestStep = try c.wholeNumber(.bestStep)
        finalTestLoss = c.number(.finalTestLoss); wallSeconds = c.number(.wallSeconds)
        tokensPerSecond = c.number(.tokensPerSecond); status = c.text(.status); message = c.text(.message)
        item = c.text(.item); tokensPerItem = c.number(.tokensPerItem); blasKernels = c.text(.blasKernels)
        blasKernelWarning = c.text(.blasKernelWarning)
        task = c.text(.task); finetuneMode = c.text(.finetuneMode); pretrainedFrom = c.text(.pretrainedFrom)
        finalTestAccuracy = c.number(.finalTestAccuracy)
        annealed = (try? c.decodeIfPresent(Bool.self, forKey: .annealed)) ?? nil
        branchOf = c.text(.branchOf); cooldownFraction = c.number(.cooldownFraction)
        computeFLOPsTotal = c.number(.computeFLOPsTotal)
        modelKind = c.text(.modelKind)
    }

    /// Decodes a summary; `RunFileFormatError` for JSON that is not an object or a count that is
    /// not whole.
    public static func decode(_ data: Data) throws -> RunSummary {
        do { return try JSONDecoder().decode(RunSummary.self, from: data) } catch let e as RunFileFormatError {
            throw e
        } catch {
            throw RunFileFormatError("not a JSON object")
        }
    }

    /// The summary in `runDirectory`, nil when it has none.
    public static func read(from runDirectory: URL) throws -> RunSummary? {
        guard let data = try? Data(contentsOf: runDirectory.appendingPathComponent(fileName)) else { return nil }
        return try decode(data)
    }

    /// Pretty-printed JSON with sorted keys; absent fields are left out.
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }

    /// Writes `summary.json` into `runDirectory` (atomically).
    public func write(to runDirectory: URL) throws {
        try AtomicFile.write(try encoded(), to: runDirectory.appendingPathComponent(Self.fileName))
    }
}
