import Foundation

/// One evaluation line of a run's `metrics.jsonl`.
public struct MetricsRow: Sendable, Equatable {
    public var step: Int
    /// E, tokens processed so far.
    public var tokens: Double
    /// N, non-embedding parameters.
    public var params: Double
    public var computeFLOPs: Double
    public var computePFDays: Double
    /// NaN when the line had `train_loss: null`.
    public var trainLossNats: Double
    public var testLossNats: Double
    /// Any other numeric keys (e.g. `test_loss_<split>`).
    public var extras: [String: Double]
}

/// What `summary.json` says about a finished run (derived from the metrics when it is absent).
public struct RunSummary: Sendable, Equatable {
    public var params: Double
    /// D, unique training tokens (nil when the run did not record it).
    public var datasetTokens: Double?
    /// E, tokens processed.
    public var tokens: Double
    public var bestTestLossNats: Double
    public var bestStep: Int
    public var finalTestLossNats: Double
    public var status: String
    public var modality: String
    public var dataset: String
    /// Tokens of one item (image, problem, caption) when the run records it, for per-item entropy.
    public var tokensPerItem: Double?
    /// What an item is ("image", "problem", "caption").
    public var itemName: String?
    /// Exact entropy of the source (nats per counted token) when the dataset is synthetic.
    public var trueEntropyNatsPerToken: Double? = nil
    /// Exact image–caption mutual information (nats per pair) when the dataset is synthetic.
    public var trueMutualInformationNats: Double? = nil
    /// Fine-tuning runs (`workbench finetune`): `classify`, the run the weights came from (nil:
    /// from scratch), `full` or `linear-probe`, and the last accuracy. Nil for generative runs,
    /// whose losses are what the scaling fits use.
    public var task: String? = nil
    public var pretrainedFrom: String? = nil
    public var finetuneMode: String? = nil
    public var finalTestAccuracy: Double? = nil
    /// The OpenBLAS kernel set the run used, and the warning when the CPU offered a better one.
    public var blasKernels: String? = nil
    public var blasKernelWarning: String? = nil
}

/// A run directory as Analysis sees it: its name, summary and learning curve.
///
///     let run = try RunRecord.load(from: URL(fileURLWithPath: "runs/img32-n1e5"))
///     run.curve.map(\.computePFDays)
public struct RunRecord: Sendable {
    public var name: String
    public var url: URL
    public var summary: RunSummary
    public var curve: [MetricsRow]

    public init(name: String, url: URL, summary: RunSummary, curve: [MetricsRow]) {
        self.name = name; self.url = url; self.summary = summary; self.curve = curve
    }

    public static func load(from url: URL) throws -> RunRecord {
        let name = url.lastPathComponent
        let metricsURL = url.appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw AnalysisInputError.missingFile(run: name, path: metricsURL.path, what: "metrics.jsonl")
        }
        let curve = try MetricsReader.read(metricsURL, run: name)
        let summaryURL = url.appendingPathComponent("summary.json")
        var summary: RunSummary
        if FileManager.default.fileExists(atPath: summaryURL.path) {
            summary = try SummaryReader.read(summaryURL, run: name, curve: curve)
        } else {
            summary = SummaryReader.derived(from: curve)
        }
        // A summary without modality or dataset (older runs, killed runs): the run's config.toml
        // and its dataset's manifest say what it trained on.
        let info = RunDatasetInfo(runDirectory: url, dataset: summary.dataset == "unknown" ? nil : summary.dataset)
        if summary.dataset == "unknown", let d = info.dataset { summary.dataset = d }
        if summary.modality == "unknown", let m = info.modality { summary.modality = m }
        summary.trueEntropyNatsPerToken = info.trueEntropyNatsPerToken
        summary.trueMutualInformationNats = info.trueMutualInformationNats
        return RunRecord(name: name, url: url, summary: summary, curve: curve)
    }

    /// Loads every run under the given paths: a path is a run (it holds metrics.jsonl) or a
    /// folder of runs. Runs come back sorted by name.
    public static func loadAll(_ paths: [URL]) throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for p in paths {
            if FileManager.default.fileExists(atPath: p.appendingPathComponent("metrics.jsonl").path) {
                runs.append(try load(from: p))
                continue
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p.path, isDirectory: &isDir), isDir.boolValue else {
                throw AnalysisInputError.missingFile(run: p.lastPathComponent, path: p.path, what: "run directory")
            }
            let children = try FileManager.default.contentsOfDirectory(atPath: p.path).sorted()
            for c in children where !c.hasPrefix(".") {
                let u = p.appendingPathComponent(c)
                if FileManager.default.fileExists(atPath: u.appendingPathComponent("metrics.jsonl").path) {
                    runs.append(try load(from: u))
                }
            }
        }
        if runs.isEmpty { throw AnalysisInputError.noRuns(paths: paths.map(\.path)) }
        return runs.sorted { $0.name < $1.name }
    }
}

/// Problems with run directories, naming the run, the file and the line.
public enum AnalysisInputError: Error, CustomStringConvertible, Equatable {
    case missingFile(run: String, path: String, what: String)
    case emptyMetrics(run: String, path: String)
    case malformedMetrics(run: String, path: String, line: Int, reason: String)
    case malformedSummary(run: String, path: String, reason: String)
    case malformedInput(path: String, reason: String)
    case noRuns(paths: [String])

    public var description: String {
        switch self {
        case let .missingFile(run, path, what): return "run '\(run)': missing \(what) at '\(path)'"
        case let .emptyMetrics(run, path): return "run '\(run)': '\(path)' has no evaluation lines"
        case let .malformedMetrics(run, path, line, reason): return "run '\(run)': '\(path)' line \(line): \(reason)"
        case let .malformedSummary(run, path, reason): return "run '\(run)': '\(path)': \(reason)"
        case let .malformedInput(path, reason): return "'\(path)': \(reason)"
        case let .noRuns(paths): return "no run directories (folders with metrics.jsonl) under \(paths.joined(separator: ", "))"
        }
    }
}

enum MetricsReader {
    /// Keys every line must have as numbers. `train_loss` may be null (not measured at that
    /// step); a line whose `test_loss` is null (a diverged evaluation) is skipped.
    static let required = ["step", "tokens", "params", "compute_flops", "compute_pfdays"]

    static func read(_ url: URL, run: String) throws -> [MetricsRow] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AnalysisInputError.malformedMetrics(run: run, path: url.path, line: 0, reason: "not readable as UTF-8 text")
        }
        var rows: [MetricsRow] = []
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let lineNo = k + 1
            func bad(_ why: String) -> AnalysisInputError {
                .malformedMetrics(run: run, path: url.path, line: lineNo, reason: why)
            }
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw bad("not a JSON object: \(trimmed.prefix(60))")
            }
            var nums: [String: Double] = [:]
            for (key, v) in obj {
                // (`is Bool` is true for the numbers 0 and 1 on Linux Foundation, so no such test.)
                if let n = v as? NSNumber { nums[key] = n.doubleValue }
            }
            for key in required + ["test_loss"] where nums[key] == nil && !(key == "test_loss" && obj[key] is NSNull) {
                throw bad("missing numeric key '\(key)'")
            }
            guard let step = Int(exactly: nums["step"]!) else {   // Int(_:) would trap on 1e300 or NaN
                throw bad("'step' must be a whole number, got \(nums["step"]!)")
            }
            guard let test = nums["test_loss"], test.isFinite else { continue }
            var extras = nums
            for key in required + ["train_loss", "test_loss", "lr", "wall_seconds"] { extras.removeValue(forKey: key) }
            rows.append(MetricsRow(step: step, tokens: nums["tokens"]!, params: nums["params"]!,
                                   computeFLOPs: nums["compute_flops"]!, computePFDays: nums["compute_pfdays"]!,
                                   trainLossNats: nums["train_loss"] ?? .nan, testLossNats: test, extras: extras))
        }
        if rows.isEmpty { throw AnalysisInputError.emptyMetrics(run: run, path: url.path) }   // also: every test_loss null
        return rows
    }
}

enum SummaryReader {
    static func read(_ url: URL, run: String, curve: [MetricsRow]) throws -> RunSummary {
        guard let data = try? Data(contentsOf: url),
              let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AnalysisInputError.malformedSummary(run: run, path: url.path, reason: "not a JSON object")
        }
        func num(_ k: String) -> Double? { (obj[k] as? NSNumber).map(\.doubleValue) }
        let derived = derived(from: curve)
        guard let params = num("params") ?? Optional(derived.params), params > 0 else {
            throw AnalysisInputError.malformedSummary(run: run, path: url.path, reason: "'params' must be a positive number")
        }
        let bestStep = try num("best_step").map { x -> Int in
            guard let step = Int(exactly: x) else {   // Int(_:) would trap on 1e300 or NaN
                throw AnalysisInputError.malformedSummary(run: run, path: url.path, reason: "'best_step' must be a whole number, got \(x)")
            }
            return step
        }
        return RunSummary(params: params, datasetTokens: num("dataset_tokens"), tokens: num("tokens") ?? derived.tokens,
                          bestTestLossNats: num("best_test_loss") ?? derived.bestTestLossNats,
                          bestStep: bestStep ?? derived.bestStep,
                          finalTestLossNats: num("final_test_loss") ?? derived.finalTestLossNats,
                          status: obj["status"] as? String ?? "unknown",
                          modality: obj["modality"] as? String ?? "unknown",
                          dataset: obj["dataset"] as? String ?? "unknown",
                          tokensPerItem: num("tokens_per_item"), itemName: obj["item"] as? String,
                          task: obj["task"] as? String, pretrainedFrom: obj["pretrained_from"] as? String,
                          finetuneMode: obj["finetune_mode"] as? String,
                          finalTestAccuracy: num("final_test_accuracy") ?? curve.last?.extras["test_accuracy"],
                          blasKernels: obj["blas_kernels"] as? String, blasKernelWarning: obj["blas_kernel_warning"] as? String)
    }

    static func derived(from curve: [MetricsRow]) -> RunSummary {
        let best = curve.min { $0.testLossNats < $1.testLossNats }!
        return RunSummary(params: curve.last!.params, datasetTokens: nil, tokens: curve.last!.tokens,
                          bestTestLossNats: best.testLossNats, bestStep: best.step,
                          finalTestLossNats: curve.last!.testLossNats, status: "no summary",
                          modality: "unknown", dataset: "unknown", tokensPerItem: nil, itemName: nil)
    }
}

/// What a run's `config.toml` and its dataset's `manifest.json` say about the data: the
/// dataset, its modality, and the exact entropy and mutual information of synthetic sources.
/// Read without the trainer's types (Analysis depends on files only).
struct RunDatasetInfo {
    var dataset: String?
    var modality: String?
    var trueEntropyNatsPerToken: Double?
    var trueMutualInformationNats: Double?

    init(runDirectory: URL, dataset known: String?) {
        dataset = known ?? Self.configuredDataset(runDirectory.appendingPathComponent("config.toml"))
        guard let d = dataset else { return }
        if d.hasPrefix("builtin:") { modality = "text"; return }
        let candidates = d.hasPrefix("/") ? [URL(fileURLWithPath: d)]
            : [URL(fileURLWithPath: d), runDirectory.deletingLastPathComponent().appendingPathComponent(d)]
        for dir in candidates {
            guard let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
                  let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { continue }
            modality = obj["modality"] as? String
            trueEntropyNatsPerToken = (obj["true_entropy_nats_per_token"] as? NSNumber)?.doubleValue
            if let extra = obj["extra"] as? [String: Any], let mi = extra["true_mi_nats_per_pair"] {
                trueMutualInformationNats = (mi as? NSNumber)?.doubleValue ?? (mi as? String).flatMap(Double.init)
            }
            return
        }
    }

    /// `dataset = "…"` in the `[data]` table of a resolved config.toml.
    static func configuredDataset(_ url: URL) -> String? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[data]", line.hasPrefix("dataset"), let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard key == "dataset" else { continue }
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard value.hasPrefix("\""), value.count >= 2, value.hasSuffix("\"") else { return nil }
            return String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return nil
    }
}
