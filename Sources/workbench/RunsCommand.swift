import ArgumentParser
import Foundation
import Sweeps

/// `workbench runs SWEEP`: the sweep's runs as a table, from its results index (refreshed
/// from the run directories first).
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a sweep's runs (status, N, D, steps, losses) from its results index.")

    @Argument(help: "Sweep folder (holds plan.json and index.sqlite).") var sweep: String
    @Option(help: "Only runs with this status (pending, running, partial, completed, diverged, failed).") var status: String?
    @Option(help: "Only runs of this modality.") var modality: String?

    func run() throws {
        if let status, RunState.Status(rawValue: status) == nil {
            throw ValidationError("unknown status '\(status)'; use one of \(RunState.Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let folder = SweepFolder(URL(fileURLWithPath: sweep))
        let (index, plan) = try SweepIndexLoading.openRefreshed(folder)
        let slurm = try SweepIndexLoading.slurmStates(folder, plan: plan, index: index)
        let rows = try index.runs(status: status, modality: modality)
        let width = max(20, rows.map(\.name.count).max() ?? 20)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        print("\("run".padding(toLength: width, withPad: " ", startingAt: 0))  \("status".padding(toLength: 9, withPad: " ", startingAt: 0)) \(pad("modality", 8)) \(pad("N", 8)) \(pad("D", 8)) \(pad("steps", 11)) \(pad("best", 7)) \(pad("final", 7)) \(pad("wall", 7))" + (slurm.isEmpty ? "" : "  slurm"))
        for r in rows {
            let loss = { (x: Double?) in x.map { String(format: "%.4f", $0) } ?? "–" }
            print("\(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(pad(r.modality, 8)) \(pad(Units.count(r.params), 8)) \(pad(Units.count(r.datasetTokens), 8)) \(pad("\(r.steps)/\(r.plannedSteps)", 11)) \(pad(loss(r.bestTestLoss), 7)) \(pad(loss(r.finalTestLoss), 7)) \(pad(r.wallSeconds.map(Units.duration) ?? "–", 7))"
                  + (slurm.isEmpty ? "" : "  " + (slurm[r.name].map { "\($0.phase.rawValue) (\($0.task)\($0.detail.map { ": \($0)" } ?? ""))" } ?? "–")))
            if let m = r.message, r.status == "failed" || r.status == "diverged" { print("    \(m)") }
            if let t = slurm[r.name], t.phase == .failed {
                print("    log \(t.log):")
                for line in t.logTail { print("      \(line)") }
            }
        }
        var counts: [String: Int] = [:]
        for r in try index.runs() { counts[r.status, default: 0] += 1 }
        print("\(rows.count) shown; " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
}

/// Opens a sweep folder's index and refreshes it from the run directories (rebuilding it when
/// it is missing or unusable).
enum SweepIndexLoading {
    /// The index, and the plan recorded in the folder that it was refreshed against.
    static func openRefreshed(_ folder: SweepFolder) throws -> (index: ResultsIndex, plan: SweepPlan) {
        guard let recorded = try folder.recordedPlan() else { throw SweepError.notASweep(path: folder.url.path) }
        let plan = try SweepIndexLoading.plan(folder, recorded: recorded)
        let index = try ResultsIndex.open(at: folder.indexURL)
        if let why = index.recovery { FileHandle.standardError.write(Data("note: \(why)\n".utf8)) }
        try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: DatasetSize.modalities(plan))
        return (index, plan)
    }

    /// Each run's Slurm array task (when the sweep was submitted with `--backend slurm`), and
    /// the index refreshed again with what Slurm knows: running tasks as running, failed ones
    /// as failed with their log's last line. Empty when nothing was submitted.
    static func slurmStates(_ folder: SweepFolder, plan: SweepPlan, index: ResultsIndex) throws -> [String: SlurmQueue.TaskState] {
        let ledger = try SlurmJobLedger.read(folder)
        guard !ledger.submissions.isEmpty else { return [:] }
        let states = SlurmQueue.states(ledger: ledger, folder: folder, plan: plan)
        var overrides: [String: (status: RunState.Status, message: String?)] = [:]
        for (run, s) in states {
            switch s.phase {
            case .running: overrides[run] = (.running, nil)
            case .failed: overrides[run] = (.failed, "slurm task \(s.task): \(s.detail ?? "failed")")
            default: break
            }
        }
        if !overrides.isEmpty {
            try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: DatasetSize.modalities(plan),
                              only: Set(overrides.keys), overrides: overrides)
        }
        return states
    }

    /// The plan as recorded in the folder (its run configs), without the spec file.
    static func plan(_ folder: SweepFolder, recorded: SweepFolder.RecordedPlan) throws -> SweepPlan {
        try SweepPlan(recorded: recorded, configs: folder.configsURL)
    }
}
