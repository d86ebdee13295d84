import Foundation
import Sweeps
import Training

/// Runs a sweep's unfinished runs on this machine behind the progress display: the one path
/// that `workbench sweep`, `workbench study` and their learning-rate tuning (`[lr_tune]`) share.
///
///     let outcome = try LocalSweepRun.unfinished(plan, in: folder, specText: text, executor: executor)
enum LocalSweepRun {
    /// Opens `folder` for `plan` (locked, adopted, its index refreshed) and runs every run that
    /// has not finished; `nil` when all had (the folder is still opened and adopted).
    static func unfinished(_ plan: SweepPlan, in folder: SweepFolder, specText: String?,
                           executor: LocalExecutor) throws -> LocalExecutor.Outcome? {
        let opened = try OpenedSweep.open(folder, plan: plan, specText: specText)
        defer { withExtendedLifetime(opened) {} }
        let todo = plan.runs.map(\.name).filter { !RunState.read(folder.runURL($0)).status.isFinished }
        if todo.isEmpty { return nil }
        return try run(todo, of: plan, in: folder, opened: opened, executor: executor)
    }

    /// Runs `names` of an opened sweep, a line per run started and finished and an overall bar.
    static func run(_ names: [String], of plan: SweepPlan, in folder: SweepFolder, opened: OpenedSweep,
                    executor: LocalExecutor) throws -> LocalExecutor.Outcome {
        var display = SweepProgressDisplay()
        let outcome = try opened.runLocally(names, of: plan, in: folder, with: executor) { display.handle($0) }
        display.finish()
        return outcome
    }
}
