import Foundation
import WorkbenchCore

/// `<sweep>/slurm/jobs.json`: every job array submitted for a sweep (job id, script, which run
/// each array index trains). Written only by the `workbench` process that submits, under the
/// sweep folder's lock, never by array tasks; read by `workbench runs` to find each run's task.
public struct SlurmJobLedger: Codable, Equatable, Sendable {
    /// One submitted job array.
    public struct Submission: Codable, Equatable, Sendable {
        public var jobID: String
        public var script: String
        public var submittedAt: String
        /// Array index i trains `runs[i]`.
        public var runs: [String]
        enum CodingKeys: String, CodingKey { case jobID = "job_id", script, submittedAt = "submitted_at", runs }
        public init(jobID: String, script: String, submittedAt: String, runs: [String]) {
            self.jobID = jobID; self.script = script; self.submittedAt = submittedAt; self.runs = runs
        }
    }

    public var submissions: [Submission] = []
    public init(submissions: [Submission] = []) { self.submissions = submissions }

    public static func url(_ folder: SweepFolder) -> URL { folder.url.appendingPathComponent("slurm/jobs.json") }

    /// The ledger of a sweep folder; empty when nothing was submitted.
    public static func read(_ folder: SweepFolder) throws -> SlurmJobLedger {
        let url = url(folder)
        guard let data = FileManager.default.contents(atPath: url.path) else { return SlurmJobLedger() }
        do { return try JSONDecoder().decode(SlurmJobLedger.self, from: data) } catch {
            throw SweepError.unreadablePlan(path: url.path, reason: "\(error)")
        }
    }

    public func write(_ folder: SweepFolder) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(self), to: Self.url(folder))
    }

    /// Each run's latest array task: job id and index.
    public func latestTasks() -> [String: (jobID: String, index: Int)] {
        var out: [String: (jobID: String, index: Int)] = [:]
        for s in submissions {
            for (i, r) in s.runs.enumerated() { out[r] = (s.jobID, i) }
        }
        return out
    }
}
