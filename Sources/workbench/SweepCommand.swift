import ArgumentParser
import Foundation
import Sweeps
import Tensors
import Training
import WorkbenchCore

/// `workbench sweep SPEC`: expands a sweep spec into runs, prints the plan, and runs what is
/// not finished, K at a time, recording everything in the sweep folder's results index.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of training runs from a sweep spec (resumable; results indexed in SQLite).",
        discussion: """
        The sweep folder (default sweeps/<name>) receives plan.json, configs/, runs/<run>/ and index.sqlite.
        Running the same command again skips finished runs and resumes unfinished ones from their checkpoints.
        Example: workbench sweep configs/sweeps/example.toml --dry-run
        With --backend slurm the unfinished runs go to Slurm as one job array (one task per run) instead;
        `workbench runs SWEEP` then shows each task's Slurm state.
        """)

    @Argument(help: "Sweep spec (TOML; see configs/sweeps/).") var spec: String
    @Option(help: "Sweep folder (default: sweeps/<spec name>).") var out: String?
    @Flag(help: "Print the plan (runs, N, D, steps, compute, estimated time) and stop.") var dryRun = false
    @Option(parsing: .upToNextOption, help: "Run only these runs (names as in the plan).") var only: [String] = []
    @Option(help: "Runs at a time (default: the spec's `parallel`, else one per core).") var maxParallel: Int?
    @Flag(help: "Skip the speed measurement behind the time estimates.") var noEstimate = false
    @OptionGroup var slurm: SweepSlurmOptions

    func run() throws {
        let specURL = URL(fileURLWithPath: spec)
        let s = try SweepSpec.load(from: specURL)
        let plan = try SweepPlan(spec: s)
        let folder = SweepFolder(URL(fileURLWithPath: out ?? "sweeps/\(s.name)"))
        let selected = try Self.select(only, in: plan)

        let cores = ProcessInfoCores.count
        let parallel = max(1, min(maxParallel ?? (s.parallel > 0 ? s.parallel : cores), max(1, selected.count)))
        let threads = max(1, cores / parallel)

        if dryRun, let old = try folder.recordedPlan(), old.planHash != plan.planHash {
            try folder.adopt(plan, specText: nil)   // throws the mismatch, naming the runs
        }
        let states = Dictionary(plan.runs.map { ($0.name, RunState.read(folder.runURL($0.name))) }, uniquingKeysWith: { a, _ in a })
        let estimate = noEstimate || slurm.backend == .slurm ? nil : SweepEstimate.measure(plan, threadsPerRun: threads)
        SweepPlanPrinter.print(plan, states: states, estimate: estimate, parallel: parallel, threads: threads, folder: folder)
        if dryRun { return }
        if slurm.backend == .slurm { try slurm.checkBeforeAdopting() }

        let opened = try OpenedSweep.open(folder, plan: plan, specText: try? String(contentsOf: specURL, encoding: .utf8))
        defer { withExtendedLifetime(opened) {} }
        let todo = selected.filter { !(states[$0]?.status.isFinished ?? false) }
        let finished = selected.count - todo.count
        if todo.isEmpty {
            print("every selected run is finished (\(finished)); nothing to do. `workbench runs \(folder.url.path)` lists them.")
            return
        }
        if slurm.backend == .slurm {
            try slurm.submit(plan, folder: folder, todo: todo, finished: finished, executable: try Self.executable())
            return
        }
        print("running \(todo.count) runs (\(finished) already finished), \(parallel) at a time with \(threads) thread\(threads == 1 ? "" : "s") each")
        let executor = LocalExecutor(executable: try Self.executable(), parallel: parallel, threadsPerRun: threads)
        let outcome = try opened.runLocally(todo, of: plan, in: folder, with: executor)
        print("sweep \(s.name): \(outcome.completed.count) completed, \(outcome.diverged.count) diverged, \(outcome.failed.count) failed this time; index: \(folder.indexURL.path)")
        for f in outcome.failed { print("  failed: \(f.run): \(f.message) (log: \(folder.runURL(f.run).path)/train.log)") }
        if !outcome.failed.isEmpty {
            print("run the same command again to resume the failed runs from their checkpoints")
            throw ExitCode(1)
        }
    }

    static func select(_ only: [String], in plan: SweepPlan) throws -> [String] {
        let all = plan.runs.map(\.name)
        guard !only.isEmpty else { return all }
        let unknown = only.filter { !all.contains($0) }
        if !unknown.isEmpty { throw SweepError.unknownRuns(names: unknown, known: all) }
        return all.filter { only.contains($0) }
    }

    /// This program's own executable, which the sweep starts for each run.
    static func executable() throws -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}

/// A sweep folder opened to run into, as `sweep` and `study` both do: locked against a second
/// process running the same folder, made this plan's (a changed spec is refused), its results
/// index opened (rebuilt when unusable, which is said) and refreshed from the run directories.
final class OpenedSweep {
    let lock: RunLock
    let index: ResultsIndex
    /// Modality of each dataset the plan uses, for index rows of runs not yet started.
    let modalities: [String: String]

    private init(lock: RunLock, index: ResultsIndex, modalities: [String: String]) {
        self.lock = lock; self.index = index; self.modalities = modalities
    }

    static func open(_ folder: SweepFolder, plan: SweepPlan, specText: String?) throws -> OpenedSweep {
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        let lock: RunLock
        do { lock = try RunDirectory(folder.url).acquireLock() } catch TrainingError.runLocked {
            throw ValidationError("the sweep folder '\(folder.url.path)' is in use by another `workbench sweep` or `study`; wait for it or stop it first")
        }
        try folder.adopt(plan, specText: specText)
        let index = try ResultsIndex.open(at: folder.indexURL)
        if let why = index.recovery { print("note: \(why)") }
        let modalities = DatasetSize.modalities(plan)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: modalities)
        return OpenedSweep(lock: lock, index: index, modalities: modalities)
    }

    /// Runs `names` on this machine with a line per run and an overall bar.
    func runLocally(_ names: [String], of plan: SweepPlan, in folder: SweepFolder, with executor: LocalExecutor) throws -> LocalExecutor.Outcome {
        var display = SweepProgressDisplay()
        defer { display.finish() }
        return try executor.run(plan, in: folder, index: index, names: names, modalities: modalities) { display.handle($0) }
    }
}

/// The plan as a table: one line per run, then totals.
enum SweepPlanPrinter {
    static func print(_ plan: SweepPlan, states: [String: RunState], estimate: SweepEstimate?, parallel: Int, threads: Int, folder: SweepFolder) {
        let width = max(20, plan.runs.map(\.name.count).max() ?? 20)
        Swift.print("sweep \(plan.spec.name): \(plan.runs.count) runs → \(folder.url.path)")
        Swift.print("\("run".padding(toLength: width, withPad: " ", startingAt: 0))  \(pad("N", 8)) \(pad("D", 8)) \(pad("steps", 7)) \(pad("E", 8)) \(pad("PF-days", 9)) \(pad("est.", 8))  status")
        var totalPF = 0.0, totalSeconds = 0.0, leftSeconds = 0.0
        for r in plan.runs {
            let st = states[r.name]
            let secs = estimate?.seconds(for: r)
            totalPF += r.computePFDays
            totalSeconds += secs ?? 0
            let frac = st.map { $0.status.isFinished ? 0 : 1 - Double($0.step) / Double(max(1, r.steps)) } ?? 1
            leftSeconds += (secs ?? 0) * frac
            let status = st.map { s -> String in
                s.status == .partial ? "partial (step \(s.step))" : s.status.rawValue
            } ?? "pending"
            Swift.print("\(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(pad(Units.count(r.params), 8)) \(pad(Units.count(r.datasetTokens), 8)) \(pad("\(r.steps)", 7)) \(pad(Units.count(r.tokens), 8)) \(pad(String(format: "%.2e", r.computePFDays), 9)) \(pad(secs.map(Units.duration) ?? "–", 8))  \(status)")
        }
        let wall = leftSeconds / Double(parallel)
        Swift.print("total: \(String(format: "%.3e", totalPF)) PF-days (6·N·E)"
            + (estimate == nil ? "" : "; estimated \(Units.duration(totalSeconds / Double(parallel))) of wall time for the whole sweep, \(Units.duration(wall)) for what is left (from solo timings; runs sharing the machine take up to ~1.5× longer)")
            + "; \(parallel) run\(parallel == 1 ? "" : "s") at a time × \(threads) thread\(threads == 1 ? "" : "s")")
    }

    static func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}

/// Short numbers (1.2k, 3.4M) and durations (5m02s) for tables and progress lines.
enum Units {
    static func count(_ x: Int) -> String { NumberFormat.count(Double(x)) }

    static func duration(_ s: Double) -> String { NumberFormat.duration(s) }
}

/// Sweep progress: a line per run started and finished, and an overall bar with ETA (redrawn
/// on a terminal, a line every 30 s otherwise).
struct SweepProgressDisplay {
    let interactive = isatty(STDOUT_FILENO) != 0
    var lastLine = Date.distantPast
    var barShown = false

    mutating func handle(_ e: LocalExecutor.Event) {
        switch e {
        case let .started(run, resuming):
            clearBar()
            print("start  \(run)" + (resuming.map { " (resuming at step \($0))" } ?? ""))
        case let .finished(run, status, summary, message):
            clearBar()
            var line = "\(status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(run)"
            if let s = summary, status == .completed {
                line += String(format: ": best test loss %.4f, final %.4f, %.0f tok/s, %@", s.bestTestLoss ?? .nan,
                               s.finalTestLoss ?? .nan, s.tokensPerSecond ?? 0, Units.duration(s.wallSeconds ?? 0))
            } else if let message { line += ": \(message)" }
            print(line)
        case let .progress(p):
            let frac = p.costTotal > 0 ? p.costDone / p.costTotal : 1
            let width = 30, done = min(width, Int(Double(width) * frac))
            let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
            let running = p.running.map { "\($0.run) \($0.step)/\($0.steps)" }.joined(separator: ", ")
            let text = "\(bar) \(String(format: "%5.1f", 100 * frac)) %  runs \(p.runsDone)/\(p.runsTotal)  ETA \(p.etaSeconds.map(Units.duration) ?? "–")"
                + (running.isEmpty ? "" : "  [\(running)]")
            if interactive {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8)); barShown = true
            } else if Date().timeIntervalSince(lastLine) >= 30 {
                print(text); lastLine = Date()
            }
        }
        fflush(stdout)
    }

    mutating func clearBar() {
        if barShown { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)); barShown = false }
    }

    mutating func finish() { clearBar() }
}
