import Foundation
import WorkbenchCore

/// Hands a sweep's unfinished runs to Slurm as one job array: writes
/// `<sweep>/slurm/array-<time>.sbatch` (see `SlurmArrayScript`), submits it with
/// `sbatch --parsable` unless told not to, and records the job in `<sweep>/slurm/jobs.json`.
/// Runs already finished, and runs whose task from an earlier submission is still queued or
/// running, are left out. Nothing here writes a run directory or the results index: array
/// tasks write only their own run directory, and the head node's `workbench runs` rebuilds the
/// index from them.
///
///     let backend = SlurmBackend(executable: exe, options: SlurmOptions(partition: "cpu", time: "02:00:00"))
///     let sub = try backend.submit(plan, folder: folder, names: unfinished, submit: true)
public struct SlurmBackend: Sendable {
    public var executable: URL
    public var options: SlurmOptions

    public init(executable: URL, options: SlurmOptions) { self.executable = executable; self.options = options }

    /// What a submission did.
    public struct Submission: Sendable {
        /// The job array's id; nil when the script was written but not submitted.
        public var jobID: String?
        public var script: URL
        /// Array index i trains `runs[i]`.
        public var runs: [String]
        /// Runs left out because a task of an earlier array is still queued or running for them.
        public var alreadyQueued: [(run: String, task: String)]
        /// Cautions worth printing (e.g. a node-local sweep folder on a one-node cluster).
        public var notes: [String]
    }

    /// Checks before anything is written: options, sbatch on the PATH (when submitting),
    /// paths Slurm can be given, and that the sweep folder is shared when the cluster has
    /// more than one node.
    public func check(folder: SweepFolder, submit: Bool) throws -> [String] {
        try options.validate()
        if submit, !SlurmCommand.available("sbatch") { throw SlurmError.commandMissing("sbatch") }
        for path in [folder.url.path, executable.path] {
            if path.contains(where: { $0.isWhitespace || $0 == "%" || $0 == "'" || $0 == "\\" }) {
                throw SlurmError.unusablePath(path: path, reason: "sbatch directives cannot carry a path with spaces, quotes, backslashes or '%'; use another --out")
            }
        }
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw SweepError.executableMissing(path: executable.path) }
        var notes: [String] = []
        let nodes = submit ? Self.nodeCount(partition: options.partition) : nil
        for (what, path) in [("sweep folder", folder.url.path), ("workbench executable", executable.path)] {
            guard let why = NodeLocalPath.reason(path) else { continue }
            if let nodes, nodes > 1 {
                if what == "sweep folder" { throw SlurmError.folderNotShared(path: path, reason: why, nodes: nodes) }
                throw SlurmError.unusablePath(path: path, reason: "the \(what) is \(why), which the \(nodes) nodes of this cluster do not share; build the workbench on a shared filesystem")
            }
            notes.append("the \(what) '\(path)' is \(why): fine on a one-node cluster, not visible to other nodes"
                         + (nodes == nil ? " (could not count this cluster's nodes)" : ""))
        }
        return notes
    }

    /// Writes the script and, when `submit`, submits it. `names` are the runs to train (the
    /// caller has left out finished ones); runs still queued from an earlier array are dropped.
    public func submit(_ plan: SweepPlan, folder: SweepFolder, names: [String], submit: Bool) throws -> Submission {
        var notes = try check(folder: folder, submit: submit)
        var ledger = try SlurmJobLedger.read(folder)
        var alreadyQueued: [(run: String, task: String)] = []
        if !ledger.submissions.isEmpty {
            let states = SlurmQueue.states(ledger: ledger, folder: folder, plan: plan)
            alreadyQueued = names.compactMap { n in
                guard let s = states[n], s.phase == .pending || s.phase == .running else { return nil }
                return (n, s.task)
            }
            if states.values.contains(where: { $0.phase == .unknown }) {
                notes.append("could not ask Slurm about earlier arrays (\(states.values.compactMap { $0.phase == .unknown ? $0.detail : nil }.first ?? "?")); runs of theirs still queued may be submitted twice and then wait for the run's lock")
            }
        }
        let queuedNames = Set(alreadyQueued.map(\.run))
        let runs = names.filter { !queuedNames.contains($0) }
        let stamp = Self.timestamp()
        let scriptURL = folder.url.appendingPathComponent("slurm/array-\(stamp).sbatch")
        guard !runs.isEmpty else {
            return Submission(jobID: nil, script: scriptURL, runs: [], alreadyQueued: alreadyQueued, notes: notes)
        }
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("slurm/logs"), withIntermediateDirectories: true)
        let script = SlurmArrayScript(sweepName: plan.spec.name, folder: folder.url, executable: executable, runs: runs, options: options)
        try AtomicFile.write(script.render(), to: scriptURL)
        chmod(scriptURL.path, 0o755)
        guard submit else {
            return Submission(jobID: nil, script: scriptURL, runs: runs, alreadyQueued: alreadyQueued, notes: notes)
        }
        let reply = try SlurmCommand.run("sbatch", ["--parsable", scriptURL.path])
        guard reply.status == 0 else { throw SlurmError.rejected(script: scriptURL.path, message: reply.message) }
        // --parsable prints "<job id>" or "<job id>;<cluster>".
        let first = reply.output.split(separator: "\n").first.map(String.init) ?? ""
        let jobID = String(first.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces)
        guard !jobID.isEmpty, jobID.allSatisfy(\.isNumber) else {
            throw SlurmError.unexpectedReply(command: "sbatch --parsable \(scriptURL.path)", output: reply.output + reply.error)
        }
        ledger.submissions.append(.init(jobID: jobID, script: scriptURL.path, submittedAt: stamp, runs: runs))
        try ledger.write(folder)
        return Submission(jobID: jobID, script: scriptURL, runs: runs, alreadyQueued: alreadyQueued, notes: notes)
    }

    /// Nodes in the partition (or the cluster), from `sinfo`; nil when sinfo cannot tell.
    public static func nodeCount(partition: String?) -> Int? {
        var args = ["--noheader", "--Node", "--format=%N"]
        if let partition { args.append("--partition=\(partition)") }
        guard let reply = try? SlurmCommand.run("sinfo", args), reply.status == 0 else { return nil }
        let nodes = Set(reply.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        return nodes.isEmpty ? nil : nodes.count
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss-SSS"
        return f.string(from: Date())
    }
}
