import Foundation
import Training

/// A sweep folder opened to run into, as `workbench sweep` and `workbench study` both do: locked
/// against a second process running the same folder, made this plan's (a changed spec is
/// refused), its results index opened (rebuilt when unusable, which `note` is told) and
/// refreshed from the run directories.
///
///     let opened = try OpenedSweep.open(folder, plan: plan, specText: text)
///     let outcome = try opened.runLocally(todo, of: plan, in: folder, with: executor) { print($0) }
public final class OpenedSweep {
    public let lock: RunLock
    public let index: ResultsIndex
    /// Modality of each dataset the plan uses, for index rows of runs not yet started.
    public let modalities: [String: String]

    private init(lock: RunLock, index: ResultsIndex, modalities: [String: String]) {
        self.lock = lock; self.index = index; self.modalities = modalities
    }

    public static func open(_ folder: SweepFolder, plan: SweepPlan, specText: String?,
                            note: (String) -> Void = { print("note: \($0)") }) throws -> OpenedSweep {
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        let lock: RunLock
        do { lock = try RunDirectory(folder.url).acquireLock() } catch TrainingError.runLocked {
            throw SweepError.folderInUse(path: folder.url.path)
        }
        if let amend = try folder.adopt(plan, specText: specText) {
            note(amend.note(applied: true))
        }
        let index = try ResultsIndex.open(at: folder.indexURL)
        if let why = index.recovery { note(why) }
        let modalities = DatasetSize.modalities(plan)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: modalities)
        return OpenedSweep(lock: lock, index: index, modalities: modalities)
    }

    /// Runs `names` on this machine, reporting each start, finish and the overall progress.
    public func runLocally(_ names: [String], of plan: SweepPlan, in folder: SweepFolder, with executor: LocalExecutor,
                           onEvent: (LocalExecutor.Event) -> Void) throws -> LocalExecutor.Outcome {
        try executor.run(plan, in: folder, index: index, names: names, modalities: modalities, onEvent: onEvent)
    }
}

/// Opens a sweep folder's results index for reading and refreshes it from the run directories
/// (rebuilding it when it is missing or unusable), as `workbench runs`, `fit` and `report` do.
///
///     let (index, plan) = try SweepIndexLoading.openRefreshed(folder)
///     let rows = try index.runs(status: "completed", modality: nil)
public enum SweepIndexLoading {
    /// The index, and the plan recorded in the folder that it was refreshed against.
    public static func openRefreshed(_ folder: SweepFolder,
                                     note: (String) -> Void = { FileHandle.standardError.write(Data("note: \($0)\n".utf8)) })
        throws -> (index: ResultsIndex, plan: SweepPlan) {
        guard let recorded = try folder.recordedPlan() else { throw SweepError.notASweep(path: folder.url.path) }
        let plan = try SweepPlan(recorded: recorded, configs: folder.configsURL)
        let index = try ResultsIndex.open(at: folder.indexURL)
        if let why = index.recovery { note(why) }
        try index.refresh(plan: plan, runsDirectory: folder.runsURL, modalities: DatasetSize.modalities(plan))
        return (index, plan)
    }

    /// Each run's Slurm array task (when the sweep was submitted with `--backend slurm`), and
    /// the index refreshed again with what Slurm knows: running tasks as running, failed ones
    /// as failed with their log's last line. Empty when nothing was submitted.
    public static func slurmStates(_ folder: SweepFolder, plan: SweepPlan, index: ResultsIndex) throws -> [String: SlurmQueue.TaskState] {
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
}

/// The `workbench` executable of this process, which a sweep starts once per run.
public enum WorkbenchExecutable {
    /// `/proc/self/exe` where there is one, else the path this process was started by.
    public static func current() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}
