import Foundation
import RunFiles
import Training

/// Where one run of a sweep stands, read from its run directory alone (the source of truth;
/// the results index is rebuilt from these).
public struct RunState: Equatable, Sendable {
    /// `pending` (nothing on disk), `partial` (a checkpoint, no final summary), `completed`,
    /// `diverged` (a NaN loss; running it again would diverge again), or `failed` (set by an
    /// executor when the process ended badly; on disk such a run reads as `partial`).
    public enum Status: String, Sendable, CaseIterable {
        case pending, running, partial, completed, diverged, failed
        /// Runs that a sweep does not start again.
        public var isFinished: Bool { self == .completed || self == .diverged }
    }

    public var status: Status
    /// Step of the last checkpoint (or of the summary when finished).
    public var step: Int
    public var summary: RunSummary?
    /// Rows of metrics.jsonl up to the checkpoint's step (what a resume keeps).
    public var evaluations: [Evaluation]
    /// Why the directory could not be read fully, if it could not.
    public var problem: String?

    /// One evaluation row.
    public struct Evaluation: Equatable, Sendable {
        public var step: Int
        public var tokens: Int
        public var computePFDays: Double
        public var trainLoss: Double?
        public var testLoss: Double?
        /// Other figures of the row (`test_loss_<split>`, …) as JSON text.
        public var extraJSON: String
    }

    /// Reads `dir`: summary.json, checkpoint.json and metrics.jsonl.
    public static func read(_ dir: URL) -> RunState {
        let fm = FileManager.default
        guard fm.fileExists(atPath: dir.path) else { return RunState(status: .pending, step: 0, summary: nil, evaluations: [], problem: nil) }
        var problem: String? = nil
        var summary: RunSummary? = nil
        do { summary = try RunSummary.read(from: dir) } catch {
            problem = "summary.json unreadable (\(error)); treated as unfinished"
        }
        var ckptStep: Int? = nil
        if Checkpoint.exists(in: dir) {
            do { ckptStep = try Checkpoint.loadState(from: dir).step } catch {
                problem = "checkpoint unreadable: \(error)"
            }
        }
        let limit = summary?.steps ?? ckptStep ?? -1
        let evals = readEvaluations(dir.appendingPathComponent("metrics.jsonl"), upToStep: limit)
        let status: Status
        switch summary?.status {
        case "completed"?: status = .completed
        case "diverged"?: status = .diverged
        default: status = ckptStep == nil ? .pending : .partial
        }
        return RunState(status: status, step: summary?.steps ?? ckptStep ?? 0, summary: summary, evaluations: evals, problem: problem)
    }

    static func readEvaluations(_ url: URL, upToStep limit: Int) -> [Evaluation] {
        guard limit >= 0, let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return MetricsFile.records(of: text).filter { $0.step <= limit }.map { r in
            let extraJSON = (try? JSONSerialization.data(withJSONObject: r.extra, options: [.sortedKeys]))
                .flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            return Evaluation(step: r.step, tokens: Int(exactly: r.tokens.rounded()) ?? 0, computePFDays: r.computePFDays,
                              trainLoss: r.trainLoss, testLoss: r.testLoss, extraJSON: extraJSON)
        }
    }
}
