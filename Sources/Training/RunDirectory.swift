import Foundation
import Tensors

/// One evaluation's line of `metrics.jsonl`.
public struct MetricsRecord: Equatable, Sendable {
    public var step: Int
    public var tokens: Int
    public var params: Int
    public var trainLoss: Double?
    public var testLoss: Double
    public var lr: Double
    public var wallSeconds: Double
    /// Training FLOPs per token as spent (`GPTConfig.trainingFLOPsPerToken`): with the tokens,
    /// `compute_flops_total`. Nil leaves the key out (callers that do not know it).
    public var flopsPerTokenTotal: Double? = nil
    /// `test_loss_<split>` for extra evaluation splits, and other figures.
    public var extra: [String: Double] = [:]

    public var computeFLOPs: Double { 6 * Double(params) * Double(tokens) }
    /// Compute as spent: output layer and attention included.
    public var computeFLOPsTotal: Double? { flopsPerTokenTotal.map { $0 * Double(tokens) } }
    public var computePFDays: Double { computeFLOPs / 8.64e19 }

    /// One JSON object, keys in a fixed order.
    public func jsonLine() -> String {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        var parts = ["\"step\": \(step)", "\"tokens\": \(tokens)", "\"params\": \(params)",
                     "\"compute_flops\": \(num(computeFLOPs))", "\"compute_pfdays\": \(num(computePFDays))"]
        if let total = computeFLOPsTotal { parts.append("\"compute_flops_total\": \(num(total))") }
        parts += ["\"train_loss\": \(trainLoss.map(num) ?? "null")", "\"test_loss\": \(num(testLoss))",
                  "\"lr\": \(num(lr))", "\"wall_seconds\": \(num(wallSeconds))"]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { parts.append("\"\(k)\": \(num(v))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// The folder of one run: `config.toml`, `metrics.jsonl`, checkpoint files and `summary.json`.
/// Every file is replaced whole through a temporary name, so a crash never truncates one.
public struct RunDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var configURL: URL { url.appendingPathComponent("config.toml") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    public var summaryURL: URL { url.appendingPathComponent("summary.json") }

    public func create() throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot create run directory: \(error.localizedDescription)")
        }
    }

    /// Takes the run's lock (`.lock`, an advisory `flock` held while the process lives), so
    /// that two processes never train into one run directory; the second is refused.
    public func acquireLock() throws -> RunLock {
        try RunLock(url.appendingPathComponent(".lock"))
    }

    /// Removes temporary files that a killed writer left (`.<name>.tmp-<pid>`, see `AtomicFile`):
    /// only the lock holder calls this, so no live writer owns them. Returns their names.
    @discardableResult
    public func removeStaleTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let stale = names.filter { $0.hasPrefix(".") && $0.contains(".tmp-") }
        for n in stale { try? FileManager.default.removeItem(at: url.appendingPathComponent(n)) }
        return stale
    }

    public func writeConfig(_ cfg: TrainConfig) throws { try AtomicFile.write(cfg.renderTOML(), to: configURL) }

    /// Lines of metrics.jsonl whose step is at most `step` (what a resume keeps).
    public func metricsLines(upToStep step: Int) throws -> [String] {
        guard let text = try? String(contentsOf: metricsURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { line in
            guard let d = line.data(using: .utf8),
                  let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any],
                  let s = obj["step"] as? Int else { return false }
            return s <= step
        }
    }

    /// The `test_loss` of one metrics line (nil when absent, null or unreadable).
    static func testLoss(ofMetricsLine line: String?) -> Double? { number("test_loss", ofMetricsLine: line) }

    /// One number of a metrics line (nil when absent, null or unreadable).
    static func number(_ key: String, ofMetricsLine line: String?) -> Double? {
        guard let d = line?.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return nil }
        return (obj[key] as? NSNumber)?.doubleValue
    }

    public func writeMetrics(_ lines: [String]) throws {
        try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: metricsURL)
    }

    public func writeSummary(_ s: RunSummary) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(s), to: summaryURL)
    }
}

/// `summary.json`: the run's result in one object, for sweeps and analysis.
public struct RunSummary: Codable, Equatable, Sendable {
    public var runName: String
    public var dataset: String
    public var modality: String
    public var params: Int
    public var nLayer: Int
    public var dModel: Int
    /// D: unique training tokens available to the run.
    public var datasetTokens: Int
    /// E: tokens processed.
    public var tokens: Int
    public var steps: Int
    public var computeFLOPs: Double
    public var computePFDays: Double
    public var bestTestLoss: Double?
    public var bestStep: Int?
    public var finalTestLoss: Double?
    public var wallSeconds: Double
    public var tokensPerSecond: Double
    /// `completed`, `diverged` or `stopped` (killed or paused before the last step).
    public var status: String
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
    public var annealed: Bool? = nil
    public var branchOf: String? = nil
    public var cooldownFraction: Double? = nil
    /// Compute as spent (`GPTConfig.trainingFLOPsPerToken` · E), beside Kaplan's 6·N·E.
    public var computeFLOPsTotal: Double? = nil

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
    }
}

/// An exclusive lock on a run directory, held until released or the process ends (the kernel
/// drops `flock` locks of dead processes, so a killed run never leaves a stale lock).
public final class RunLock {
    let fd: Int32
    public let path: String

    init(_ url: URL) throws {
        path = url.path
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot create the run's lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw TrainingError.runLocked(path: url.deletingLastPathComponent().path)
        }
    }

    deinit { flock(fd, LOCK_UN); close(fd) }
}
