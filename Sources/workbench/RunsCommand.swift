import ArgumentParser
import Foundation
import Sweeps

/// `workbench runs SWEEP`: the sweep's runs as a table, from its results index (refreshed
/// from the run directories first).
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a sweep's runs (status, N, D, steps, losses) from its results index.")

    @Argument(help: "Sweep folder (holds plan.json and index.sqlite), or the spec that made it (then its folder sweeps/<name>).") var sweep: String
    @Option(help: "Only runs with this status: pending, running (a live process trains it), partial (stopped before its last step), completed, diverged, failed.") var status: String?
    @Option(help: "Only runs of this modality.") var modality: String?

    func run() throws {
        if let status, RunState.Status(rawValue: status) == nil {
            throw ValidationError("unknown status '\(status)'; use one of \(RunState.Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let folder = try RunAddress.sweepFolder(sweep)
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
