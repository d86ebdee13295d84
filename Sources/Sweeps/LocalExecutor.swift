import Foundation
import WorkbenchCore
import Training
import RunFiles

/// Runs a sweep's runs on this machine: K child processes at a time (`workbench train …
/// --resume` on each run directory, output in the run's `train.log`), the cores split between
/// them. Children die with the executor (parent-death signal), so a killed sweep leaves no
/// orphan writing into a run; running the sweep again resumes every unfinished run from its
/// checkpoint. The results index is refreshed whenever a run starts, evaluates or ends.
///
///     let executor = LocalExecutor(executable: exe, parallel: 2, threadsPerRun: 1)
///     let outcome = try executor.run(plan, in: folder, index: index, names: pending) { print($0) }
public struct LocalExecutor: Sendable {
    public var executable: URL
    public var parallel: Int
    public var threadsPerRun: Int
    /// Seconds between looks at the children.
    public var pollSeconds = 0.25
    /// Seconds between progress events.
    public var progressSeconds = 2.0

    public init(executable: URL, parallel: Int, threadsPerRun: Int) {
        self.executable = executable; self.parallel = max(1, parallel); self.threadsPerRun = max(1, threadsPerRun)
    }

    /// What the executor reports as it goes.
    public enum Event: Sendable {
        case started(run: String, resumingAtStep: Int?)
        case finished(run: String, status: RunState.Status, summary: RunSummary?, message: String?)
        /// Overall progress: runs done of total, training FLOPs done of total (this invocation's
        /// share and the whole), per running run its step and planned steps.
        case progress(Progress)
    }

    /// A snapshot of the whole sweep.
    public struct Progress: Sendable {
        public var runsDone: Int
        public var runsTotal: Int
        public var costDone: Double
        public var costTotal: Double
        /// Cost done since this invocation started and the seconds it took (for an ETA).
        public var costThisSession: Double
        public var secondsThisSession: Double
        public var running: [(run: String, step: Int, steps: Int)]
        public var etaSeconds: Double? {
            guard costThisSession > 0, secondsThisSession > 1 else { return nil }
            return (costTotal - costDone) / (costThisSession / secondsThisSession)
        }
    }

    /// How the invocation ended.
    public struct Outcome: Sendable {
        public var completed: [String] = []
        public var failed: [(run: String, message: String)] = []
        public var diverged: [String] = []
    }

    /// Training cost of a run in FLOPs, as an executor weighs progress: 6·(N + V·d)·E plus
    /// attention (6·n_layer·n_ctx·attn_width per token), embeddings and head included.
    public static func trainingFLOPs(_ r: PlannedRun, vocab: Int = 256) -> Double {
        let c = r.config.model
        let attn = c.attnWidth > 0 ? c.attnWidth : c.dModel
        let perToken = 6.0 * Double(r.params + vocab * c.dModel) + 6.0 * Double(c.nLayer * c.nCtx * attn) / 2
        return perToken * Double(r.tokens)
    }

    public func run(_ plan: SweepPlan, in folder: SweepFolder, index: ResultsIndex, names: [String],
                    modalities: [String: String] = [:], onEvent: (Event) -> Void) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw SweepError.executableMissing(path: executable.path)
        }
        let byName = Dictionary(plan.runs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var queue = names.compactMap { byName[$0] }
        let cost = Dictionary(plan.runs.map { ($0.name, Self.trainingFLOPs($0)) }, uniquingKeysWith: { a, _ in a })
        let costTotal = cost.values.reduce(0, +)
        var outcome = Outcome()
        var running: [String: Process] = [:]
        var startStep: [String: Int] = [:]
        let clock = ContinuousClock(), began = clock.now
        var lastProgress = clock.now
        var costAtStart: Double? = nil

        // A running run's step comes from its log (checkpoints are sparse); any other run's from its directory.
        func loggedStep(_ name: String) -> Int { LocalExecutor.lastLoggedStep(folder.runURL(name)) ?? startStep[name] ?? 0 }
        func progress() -> Progress {
            var done = 0.0, finished = 0
            for r in plan.runs {
                let step: Int
                if running[r.name] != nil {
                    step = loggedStep(r.name)
                } else {
                    let state = RunState.read(folder.runURL(r.name))
                    step = state.step
                    if state.status.isFinished { finished += 1 }
                }
                done += cost[r.name]! * Double(min(r.steps, step)) / Double(max(1, r.steps))
            }
            if costAtStart == nil { costAtStart = done }
            let secs = Double((clock.now - began).components.seconds) + Double((clock.now - began).components.attoseconds) * 1e-18
            return Progress(runsDone: finished, runsTotal: plan.runs.count, costDone: done, costTotal: costTotal,
                            costThisSession: done - costAtStart!, secondsThisSession: secs,
                            running: running.keys.sorted().map { n in (n, loggedStep(n), byName[n]!.steps) })
        }
        _ = progress()

        while !queue.isEmpty || !running.isEmpty {
            while running.count < parallel, !queue.isEmpty {
                let r = queue.removeFirst()
                let dir = folder.runURL(r.name)
                let before = RunState.read(dir)
                let p = try launch(r, folder: folder)
                running[r.name] = p
                startStep[r.name] = before.step
                try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: modalities, only: [r.name],
                                  overrides: [r.name: (.running, nil)])
                onEvent(.started(run: r.name, resumingAtStep: before.status == .partial ? before.step : nil))
            }
            Thread.sleep(forTimeInterval: pollSeconds)
            for (name, p) in running where !p.isRunning {
                running[name] = nil
                let state = RunState.read(folder.runURL(name))
                var status = state.status
                var message: String? = state.summary?.message
                if p.terminationReason == .uncaughtSignal {
                    status = .failed
                    message = "killed by signal \(p.terminationStatus) at step \(state.step)"
                } else if p.terminationStatus != 0 && !state.status.isFinished {
                    status = .failed
                    message = Self.errorLine(folder.runURL(name)) ?? "exited with status \(p.terminationStatus)"
                } else if !state.status.isFinished {
                    status = .failed
                    message = "ended at step \(state.step) of \(byName[name]!.steps) without a summary"
                }
                switch status {
                case .completed: outcome.completed.append(name)
                case .diverged: outcome.diverged.append(name)
                default: outcome.failed.append((name, message ?? "failed"))
                }
                try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: modalities, only: [name],
                                  overrides: status == .failed ? [name: (.failed, message)] : [:])
                onEvent(.finished(run: name, status: status, summary: state.summary, message: message))
            }
            if (clock.now - lastProgress) >= .milliseconds(Int(progressSeconds * 1000)) {
                lastProgress = clock.now
                if !running.isEmpty {
                    try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: modalities, only: Set(running.keys),
                                      overrides: Dictionary(running.keys.map { ($0, (RunState.Status.running, String?.none)) }, uniquingKeysWith: { a, _ in a }))
                }
                onEvent(.progress(progress()))
            }
        }
        onEvent(.progress(progress()))
        return outcome
    }

    func launch(_ r: PlannedRun, folder: SweepFolder) throws -> Process {
        let dir = folder.runURL(r.name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logURL = dir.appendingPathComponent("train.log")
        if !FileManager.default.fileExists(atPath: logURL.path) { FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logURL.path) else {
            throw WorkbenchIOError.writeFailed(path: logURL.path, reason: "cannot open the run's log for writing")
        }
        log.seekToEndOfFile()
        log.write(Data("--- \(ISO8601DateFormatter().string(from: Date())) workbench sweep: start\n".utf8))
        let p = Process()
        p.executableURL = executable
        p.arguments = Self.trainArguments(config: folder.configURL(r.name), runDir: dir, threads: threadsPerRun)
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        try? log.close()
        return p
    }

    /// The command line of one run's training process.
    public static func trainArguments(config: URL, runDir: URL, threads: Int) -> [String] {
        TrainChildCommand(config: config.path, runDir: runDir.path, threads: "\(threads)", exitWithParent: true).arguments
    }

    /// The step of the last progress line in a run's train.log: "step N/M …" or "eval step N …".
    public static func lastLoggedStep(_ dir: URL) -> Int? {
        guard let tail = tailOfLog(dir, bytes: 2048) else { return nil }
        for line in tail.split(separator: "\n").reversed() {
            let words = line.split(separator: " ")
            let field: Substring?
            switch words.first {
            case "step"?: field = words.count > 1 ? words[1].split(separator: "/").first : nil
            case "eval"?: field = words.count > 2 && words[1] == "step" ? words[2] : nil
            default: field = nil
            }
            if let field, let step = Int(field) { return step }
        }
        return nil
    }

    /// The last line of train.log that reads as an error, for a failed run's message.
    public static func errorLine(_ dir: URL) -> String? {
        guard let tail = tailOfLog(dir, bytes: 4096) else { return nil }
        let lines = tail.split(separator: "\n").map(String.init)
        return lines.last { $0.hasPrefix("Error:") || $0.contains("error") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func tailOfLog(_ dir: URL, bytes: Int) -> String? {
        LogTail.text(of: dir.appendingPathComponent("train.log"), bytes: bytes)
    }
}
