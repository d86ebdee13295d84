import Foundation
import RunFiles

/// Analysis reads the learning curve as `MetricsRecord`s (RunFiles) whose test loss is finite;
/// these are the names its fits use.
extension MetricsRecord {
    /// NaN when the line had `train_loss: null`.
    public var trainLossNats: Double { trainLoss ?? .nan }
    public var testLossNats: Double { testLoss ?? .nan }
    /// Any other numeric keys (e.g. `test_loss_<split>`, `test_accuracy`).
    public var extras: [String: Double] { extra }
}

/// What Analysis makes of a run: its `summary.json` (RunFiles' `RunSummary`) with Double
/// counts, missing figures derived from the metrics, and the dataset's ground truth when known.
public struct RunOutcome: Sendable, Equatable {
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
    /// The L(D) exponent theory predicts for the source (`zipf-memory`: Hutter 2021), if any.
    public var predictedDataExponent: Double? = nil
    /// Exact caption entropy H(caption) (nats per caption) when the manifest knows it.
    public var captionEntropyNats: Double? = nil
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
    /// `model.kind` of the run (`transformer`, `lstm`); nil when the summary does not say (a transformer).
    public var modelKind: String? = nil
    /// Whether the run's last point was annealed (`summary.json`'s `annealed`; for summaries
    /// without it, a completed run whose schedule decays), and for a cooldown branch the run it
    /// forked from and the fraction of that run it ends at.
    public var annealed: Bool = false
    public var branchOf: String? = nil
    public var cooldownFraction: Double? = nil
    /// Compute as spent (output layer and attention included) at the run's end; nil in runs made
    /// before it was recorded.
    public var computeFLOPsTotal: Double? = nil
    /// The IsoFLOP budget the run was planned to spend and its measure ("total" or "6ne"), from
    /// `train.compute_budget_flops` in its config (nil: not part of an IsoFLOP grid).
    public var computeBudgetFLOPs: Double? = nil
    public var computeBudgetMeasure: String? = nil
    /// The peak learning rate (`optimizer.lr`) and schedule (`schedule.decay`) from the config.
    public var peakLearningRate: Double? = nil
    public var scheduleDecay: String? = nil
    /// Set while reading a summary that does not say whether it was annealed.
    var annealedUnknown: Bool = false
}

/// A run directory as Analysis sees it: its name, summary and learning curve.
///
///     let run = try RunRecord.load(from: URL(fileURLWithPath: "runs/img32-n1e5"))
///     run.curve.map(\.computePFDays)
public struct RunRecord: Sendable {
    public var name: String
    public var url: URL
    public var summary: RunOutcome
    public var curve: [MetricsRecord]

    public init(name: String, url: URL, summary: RunOutcome, curve: [MetricsRecord]) {
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
        var summary: RunOutcome
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
        summary.predictedDataExponent = info.predictedDataExponent
        summary.captionEntropyNats = info.captionEntropyNats
        summary.computeBudgetFLOPs = info.computeBudgetFLOPs
        summary.computeBudgetMeasure = info.computeBudgetFLOPs == nil ? nil : info.computeBudgetMeasure
        summary.peakLearningRate = info.peakLearningRate
        summary.scheduleDecay = info.scheduleDecay
        if summary.annealedUnknown {
            summary.annealed = summary.status == "completed" && (info.scheduleDecay ?? "cosine") != "constant"
        }
        return RunRecord(name: name, url: url, summary: summary, curve: curve)
    }

    /// Loads every run under the given paths: a path is a run (it holds metrics.jsonl) or a
    /// folder of runs. Each run's cooldown branches (`branches/cooldown-<f>/`) come with it,
    /// named `<run>@<f>`. Runs come back sorted by name.
    public static func loadAll(_ paths: [URL]) throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for p in paths {
            if FileManager.default.fileExists(atPath: p.appendingPathComponent("metrics.jsonl").path) {
                runs += try loadWithBranches(p)
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
                    runs += try loadWithBranches(u)
                }
            }
        }
        if runs.isEmpty { throw AnalysisInputError.noRuns(paths: paths.map(\.path)) }
        return runs.sorted { $0.name < $1.name }
    }

    /// A run and its cooldown branches, each branch named `<run>@<f>`.
    static func loadWithBranches(_ url: URL) throws -> [RunRecord] {
        try [load(from: url)] + CooldownBranchFolders.list(in: url).map { branch in
            var b = try load(from: branch)
            b.name = CooldownBranchFolders.label(run: url.lastPathComponent, branch: branch)
            return b
        }
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
    /// Every line must be a `MetricsRecord`; a line whose `test_loss` is null (a diverged
    /// evaluation) is skipped. Errors name the run, the file and the line.
    static func read(_ url: URL, run: String) throws -> [MetricsRecord] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw AnalysisInputError.malformedMetrics(run: run, path: url.path, line: 0, reason: "not readable as UTF-8 text")
        }
        var rows: [MetricsRecord] = []
        for (lineNo, line) in MetricsFile.lines(of: text) {
            let record: MetricsRecord
            do { record = try MetricsRecord.parse(line: line) } catch let e as RunFileFormatError {
                throw AnalysisInputError.malformedMetrics(run: run, path: url.path, line: lineNo, reason: e.reason)
            }
            guard let test = record.testLoss, test.isFinite else { continue }
            rows.append(record)
        }
        if rows.isEmpty { throw AnalysisInputError.emptyMetrics(run: run, path: url.path) }   // also: every test_loss null
        return rows
    }
}

enum SummaryReader {
    static func read(_ url: URL, run: String, curve: [MetricsRecord]) throws -> RunOutcome {
        let s: RunSummary
        do { s = try RunSummary.decode((try? Data(contentsOf: url)) ?? Data()) } catch let e as RunFileFormatError {
            throw AnalysisInputError.malformedSummary(run: run, path: url.path, reason: e.reason)
        }
        let derived = derived(from: curve)
        guard let params = s.params.map(Double.init) ?? Optional(derived.params), params > 0 else {
            throw AnalysisInputError.malformedSummary(run: run, path: url.path, reason: "'params' must be a positive number")
        }
        return RunOutcome(params: params, datasetTokens: s.datasetTokens.map(Double.init), tokens: s.tokens.map(Double.init) ?? derived.tokens,
                          bestTestLossNats: s.bestTestLoss ?? derived.bestTestLossNats,
                          bestStep: s.bestStep ?? derived.bestStep,
                          finalTestLossNats: s.finalTestLoss ?? derived.finalTestLossNats,
                          status: s.status ?? "unknown",
                          modality: s.modality ?? "unknown",
                          dataset: s.dataset ?? "unknown",
                          tokensPerItem: s.tokensPerItem, itemName: s.item,
                          task: s.task, pretrainedFrom: s.pretrainedFrom,
                          finetuneMode: s.finetuneMode,
                          finalTestAccuracy: s.finalTestAccuracy ?? curve.last?.extras["test_accuracy"],
                          blasKernels: s.blasKernels, blasKernelWarning: s.blasKernelWarning,
                          modelKind: s.modelKind, annealed: s.annealed ?? false, branchOf: s.branchOf,
                          cooldownFraction: s.cooldownFraction, computeFLOPsTotal: s.computeFLOPsTotal ?? curve.last?.computeFLOPsTotal,
                          annealedUnknown: s.annealed == nil)
    }

    static func derived(from curve: [MetricsRecord]) -> RunOutcome {
        let best = curve.min { $0.testLossNats < $1.testLossNats }!
        return RunOutcome(params: curve.last!.params, datasetTokens: nil, tokens: curve.last!.tokens,
                          bestTestLossNats: best.testLossNats, bestStep: best.step,
                          finalTestLossNats: curve.last!.testLossNats, status: "no summary",
                          modality: "unknown", dataset: "unknown", tokensPerItem: nil, itemName: nil,
                          computeFLOPsTotal: curve.last!.computeFLOPsTotal)
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
    var predictedDataExponent: Double?
    var captionEntropyNats: Double?
    var computeBudgetFLOPs: Double?
    var computeBudgetMeasure: String?
    var peakLearningRate: Double?
    var scheduleDecay: String?

    init(runDirectory: URL, dataset known: String?) {
        let config = (try? String(contentsOf: runDirectory.appendingPathComponent("config.toml"), encoding: .utf8))
            .map(SavedRunConfig.init(parsing:))
        if let budget = config?.number("train.compute_budget_flops"), budget > 0 {
            computeBudgetFLOPs = budget
            computeBudgetMeasure = config?.string("train.compute_budget_measure") ?? "total"
        }
        peakLearningRate = config?.number("optimizer.lr")
        scheduleDecay = config?.string("schedule.decay")
        dataset = known ?? config?.string("data.dataset")
        guard let d = dataset else { return }
        if d.hasPrefix("builtin:") { modality = "text"; return }
        let candidates = d.hasPrefix("/") ? [URL(fileURLWithPath: d)]
            : [URL(fileURLWithPath: d), runDirectory.deletingLastPathComponent().appendingPathComponent(d)]
        for dir in candidates {
            guard let facts = ShardManifest.facts(in: dir) else { continue }
            modality = facts.modality
            trueEntropyNatsPerToken = facts.trueEntropyNatsPerToken
            trueMutualInformationNats = facts.trueMutualInformationNats
            predictedDataExponent = facts.predictedDataExponent
            captionEntropyNats = facts.captionEntropyNats
            return
        }
    }

    /// `dataset = "…"` in the `[data]` table of a resolved config.toml.
    static func configuredDataset(_ url: URL) -> String? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return SavedRunConfig(parsing: text).string("data.dataset")
    }
}
