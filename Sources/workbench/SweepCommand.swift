import ArgumentParser
import Datasets
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
    @Option(help: "Folder of prepared datasets, for a data.dataset given by name.") var dataDir = "data"
    @OptionGroup var slurm: SweepSlurmOptions

    func run() throws {
        let specURL = URL(fileURLWithPath: spec)
        var s = try SweepSpec.load(from: specURL)
        // A dataset given by name (`"data.dataset" = "pics"`) is the one prepared under --data-dir.
        let dataFolder = URL(fileURLWithPath: dataDir)
        for i in s.overrides.indices where s.overrides[i].key == "data.dataset" {
            s.overrides[i].value = DatasetLocation.resolve(s.overrides[i].value, dataDir: dataFolder)
        }
        s.base.data.dataset = DatasetLocation.resolve(s.base.data.dataset, dataDir: dataFolder)
        var plan = try SweepPlan(spec: s)
        let folder = SweepFolder(out.map { URL(fileURLWithPath: $0) } ?? RunAddress.defaultSweepFolder(specName: s.name))
        if s.learningRateTuning != nil && !dryRun {
            // [lr_tune]: its short runs train here, on this machine (with Slurm too), before the sweep.
            let cores = ProcessInfoCores.count
            let tuneExecutor = LocalExecutor(executable: WorkbenchExecutable.current(), parallel: cores, threadsPerRun: 1)
            plan = try LearningRateTuning.tunedPlan(plan, folder: folder) { tunePlan, tuneFolder in
                print("tuning the learning rate per size: \(tunePlan.runs.count) short runs in \(tuneFolder.url.path)")
                let outcome = try LocalSweepRun.unfinished(tunePlan, in: tuneFolder, specText: try? String(contentsOf: specURL, encoding: .utf8),
                                                           executor: tuneExecutor)
                for f in outcome?.failed ?? [] { print("  failed: \(f.run): \(f.message)") }
            }
            for line in LearningRateTuning.describe(plan.spec.learningRates!) { print("learning rate: \(line)") }
        }
        if dryRun { plan = try LearningRateTuning.savedRatesPlan(plan, folder: folder) }
        let selected = try Self.select(only, in: plan)

        let cores = ProcessInfoCores.count
        let parallel = max(1, min(maxParallel ?? (s.parallel > 0 ? s.parallel : cores), max(1, selected.count)))
        let threads = max(1, cores / parallel)

        if dryRun, let amend = try folder.amendment(to: plan) {   // throws a mismatch with trained runs, naming them
            print("note: " + amend.note(applied: false))
        }
        let states = Dictionary(plan.runs.map { ($0.name, RunState.read(folder.runURL($0.name))) }, uniquingKeysWith: { a, _ in a })
        let estimate = noEstimate || slurm.backend == .slurm ? nil : SweepEstimate.measure(plan, threadsPerRun: threads)
        SweepPlanPrinter.print(plan, states: states, estimate: estimate, parallel: parallel, threads: threads, folder: folder)
        if dryRun, let tunePlan = try LearningRateTuning.firstRoundPlan(plan, folder: folder) {
            // [lr_tune]'s first round trains before the sweep (one run per core, a thread each).
            let tuneFolder = SweepFolder(folder.url.appendingPathComponent(LearningRateTuning.folderName))
            let cores = ProcessInfoCores.count
            print("")
            print("[lr_tune] first trains these short runs (\(LearningRateTuning.laterRoundsNote)); "
                  + "the plan above uses the base rate until they pick the rates")
            let tuneStates = Dictionary(tunePlan.runs.map { ($0.name, RunState.read(tuneFolder.runURL($0.name))) }, uniquingKeysWith: { a, _ in a })
            SweepPlanPrinter.print(tunePlan, states: tuneStates, estimate: noEstimate ? nil : SweepEstimate.measure(tunePlan, threadsPerRun: 1),
                                   parallel: cores, threads: 1, folder: tuneFolder)
        }
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
            try slurm.submit(plan, folder: folder, todo: todo, finished: finished, executable: WorkbenchExecutable.current())
            return
        }
        print("running \(todo.count) runs (\(finished) already finished), \(parallel) at a time with \(threads) thread\(threads == 1 ? "" : "s") each")
        let executor = LocalExecutor(executable: WorkbenchExecutable.current(), parallel: parallel, threadsPerRun: threads)
        let outcome = try LocalSweepRun.run(todo, of: plan, in: folder, opened: opened, executor: executor)
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
}
