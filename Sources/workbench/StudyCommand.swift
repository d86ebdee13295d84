import Analysis
import ArgumentParser
import Datasets
import Foundation
import Sweeps
import Tensors
import Training
import WorkbenchCore

/// `workbench study --preset quick|full`: the papers' study at small scale in one command —
/// prepares the datasets, runs one sweep per modality (specs in `configs/sweeps/<preset>/`),
/// evaluates loss by position and image–caption mutual information, and writes one report.
/// Resumable like any sweep: the same command again continues where it stopped.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run the scaling study (sweeps per modality, evaluations, one report) from a preset.",
        discussion: """
        quick: about 12 minutes on 2 cores (8×8 images, bytes for text, small models; wsd runs with cooldown branches, the learning rate tuned per size and an IsoFLOP grid for text); full: not yet timed with that design (32×32 images, BPE text, models up to 4.7M parameters; the old fixed-budget design took 2 h 03 min).
        Each modality is one sweep spec in configs/sweeps/<preset>/ (text, image, image-gray, finetune, math, captions, synthetic-text, synthetic-image; full also real-captions);
        its data.dataset names a dataset that is prepared into --data-dir when missing.
        Example: workbench study --preset quick --modalities text image
        """)

    @Option(help: "quick or full.") var preset = "quick"
    @Option(parsing: .upToNextOption, help: "Modalities to run (default: every spec of the preset).") var modalities: [String] = []
    @Option(help: "Folder of prepared datasets (missing ones are prepared into it).") var dataDir = "data"
    @Option(help: "Folder of the preset's sweep specs (default: configs/sweeps/<preset>).") var specs: String?
    @Option(help: "Study folder: one sweep folder per modality and report/ (default: studies/<preset>).") var out: String?
    @Option(help: "Runs at a time (default: one per core).") var maxParallel: Int?
    @Flag(help: "Print each modality's plan (also of sweeps whose data is not prepared yet) and a grand total, and stop.") var dryRun = false
    @Flag(help: "Replace a report in the study folder that was made from other inputs.") var force = false

    func run() throws {
        guard ["quick", "full"].contains(preset) else { throw ValidationError("unknown preset '\(preset)'; use quick or full") }
        let started = Date()
        let specDir = URL(fileURLWithPath: specs ?? "configs/sweeps/\(preset)")
        let available = ((try? FileManager.default.contentsOfDirectory(atPath: specDir.path)) ?? [])
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
        if available.isEmpty { throw ValidationError("no sweep specs in '\(specDir.path)' (run from the workbench's folder, or pass --specs)") }
        let chosen = modalities.isEmpty ? StudyCommand.order(available) : modalities
        let unknown = chosen.filter { !available.contains($0) }
        if !unknown.isEmpty { throw ValidationError("no spec for \(unknown.joined(separator: ", ")) in '\(specDir.path)'; have \(available.joined(separator: ", "))") }
        let studyDir = URL(fileURLWithPath: out ?? "studies/\(preset)")
        let cores = ProcessInfoCores.count
        let parallel = max(1, maxParallel ?? cores), threads = max(1, cores / parallel)

        // 1. Data: prepare what is missing (a dry run plans without it, D unknown).
        var plans: [(name: String, plan: SweepPlan, specText: String, dataKnown: Bool)] = []
        var prepSeconds = 0.0
        var toPrepare = Set<String>()
        for m in chosen {
            let url = specDir.appendingPathComponent(m + ".toml")
            var spec = try SweepSpec.load(from: url)
            guard let i = spec.overrides.firstIndex(where: { $0.key == "data.dataset" }) else {
                throw ValidationError("spec '\(url.path)' must set \"data.dataset\" in [set] (the study prepares that dataset)")
            }
            let name = URL(fileURLWithPath: spec.overrides[i].value).lastPathComponent
            let dataset = URL(fileURLWithPath: dataDir).appendingPathComponent(name)
            spec.overrides[i].value = dataset.path
            var dataKnown = true
            if !DatasetLocation.isPrepared(name, dataDir: URL(fileURLWithPath: dataDir)) {
                guard let recipe = DatasetCatalog.recipe(named: name) else {
                    throw ValidationError("spec '\(url.path)' uses dataset '\(name)', which is not prepared in '\(dataDir)' and has no recipe")
                }
                if dryRun {
                    print("\(m): dataset \(name) would be prepared into \(dataset.path)")
                    toPrepare.insert(name)
                    dataKnown = false
                } else {
                    print("preparing dataset \(name) into \(dataset.path) …")
                    let t0 = Date()
                    _ = try recipe.prepare(PrepareOptions(dataDir: URL(fileURLWithPath: dataDir),
                                                          cacheDir: URL(fileURLWithPath: dataDir).appendingPathComponent(".cache")))
                    prepSeconds += Date().timeIntervalSince(t0)
                    print(String(format: "prepared %@ in %.0f s", name, Date().timeIntervalSince(t0)))
                }
            }
            // Without the dataset, D is what max_train_tokens asks for (0 = all, unknown until prepared).
            let plan = dataKnown ? try SweepPlan(spec: spec) : try SweepPlan(spec: spec) { max(0, $0.data.maxTrainTokens) }
            plans.append((m, plan, (try? String(contentsOf: url, encoding: .utf8)) ?? "", dataKnown))
        }

        // 2. Sweeps, one modality after another, each with every core.
        let executor = LocalExecutor(executable: WorkbenchExecutable.current(), parallel: parallel, threadsPerRun: threads)
        var folders: [(String, SweepFolder)] = []
        var failed: [String] = []
        var grand = SweepPlanPrinter.Totals()
        let sweepsStarted = Date()
        for (m, plannedWithBaseRate, text, dataKnown) in plans {
            let folder = SweepFolder(studyDir.appendingPathComponent(m))
            folders.append((m, folder))
            // Learning rate per size ([lr_tune]): short runs first, then the sweep with the tuned rates.
            var plan = plannedWithBaseRate
            if plan.spec.learningRateTuning != nil {
                if dryRun {
                    let known: (TrainConfig) throws -> Int = { max(0, $0.data.maxTrainTokens) }
                    plan = try LearningRateTuning.savedRatesPlan(plan, folder: folder, datasetTokens: dataKnown ? DatasetSize.trainingTokens : known)
                    // Round 1 of the tuning is timed like the sweep; a further round (at most 2) runs only
                    // when some size's best rate lies at an end of the rates tried.
                    let tuneFolder = SweepFolder(folder.url.appendingPathComponent(LearningRateTuning.folderName))
                    if let tunePlan = try (dataKnown ? LearningRateTuning.firstRoundPlan(plan, folder: folder)
                                                     : LearningRateTuning.firstRoundPlan(plan, folder: folder, datasetTokens: known)) {
                        print("")
                        print("\(m): [lr_tune] first trains these short runs (\(LearningRateTuning.laterRoundsNote)); "
                              + "the plan after them uses the base rate until they pick the rates")
                        let tuneStates = Dictionary(tunePlan.runs.map { ($0.name, RunState.read(tuneFolder.runURL($0.name))) }, uniquingKeysWith: { a, _ in a })
                        let t = SweepPlanPrinter.print(tunePlan, states: tuneStates, estimate: SweepEstimate.measure(tunePlan, threadsPerRun: threads),
                                                       parallel: parallel, threads: threads, folder: tuneFolder, dataKnown: dataKnown)
                        grand.runs += t.runs; grand.pfDays += t.pfDays; grand.seconds += t.seconds; grand.leftSeconds += t.leftSeconds
                        grand.estimated = grand.estimated && t.estimated
                    }
                } else {
                    plan = try LearningRateTuning.tunedPlan(plan, folder: folder) { tunePlan, tuneFolder in
                        print("\(m): tuning the learning rate per size (\(tunePlan.runs.count) short runs in \(tuneFolder.url.path))")
                        let outcome = try LocalSweepRun.unfinished(tunePlan, in: tuneFolder, specText: text, executor: executor)
                        failed += (outcome?.failed ?? []).map { "\(m)/lr-tune/\($0.run): \($0.message)" }
                    }
                    if let r = plan.spec.learningRates {
                        for line in LearningRateTuning.describe(r) { print("\(m): \(line)") }
                    }
                }
            }
            let states = Dictionary(plan.runs.map { ($0.name, RunState.read(folder.runURL($0.name))) }, uniquingKeysWith: { a, _ in a })
            print("")
            // Timed on random tokens: no dataset needed (a length rule in epochs needs D, unknown until prepared).
            let estimate = dryRun ? SweepEstimate.measure(plan, threadsPerRun: threads) : nil
            let t = SweepPlanPrinter.print(plan, states: states, estimate: estimate, parallel: parallel, threads: threads,
                                           folder: folder, dataKnown: dataKnown)
            grand.runs += t.runs; grand.pfDays += t.pfDays; grand.seconds += t.seconds; grand.leftSeconds += t.leftSeconds
            grand.estimated = grand.estimated && t.estimated
            if dryRun {
                // What running would do to a folder made from another version of this spec.
                do {
                    if let amend = try folder.amendment(to: plan) {
                        print("\(m): note: " + amend.note(applied: false))
                    }
                } catch { print("\(m): warning: \(error)") }
                continue
            }
            guard let outcome = try LocalSweepRun.unfinished(plan, in: folder, specText: text, executor: executor) else {
                print("\(m): every run is finished"); continue
            }
            failed += outcome.failed.map { "\(m)/\($0.run): \($0.message)" }
        }
        if dryRun {
            let prepareMissing = toPrepare.count
            print("")
            print("study \(preset), \(plans.count) sweeps: \(grand.runs) runs, \(String(format: "%.3e", grand.pfDays)) PF-days (6·N·E)"
                + "; estimated \(Units.duration(grand.seconds)) of wall time for the sweeps, \(Units.duration(grand.leftSeconds)) for what is left"
                + (prepareMissing > 0 ? ", plus preparing \(prepareMissing) dataset\(prepareMissing == 1 ? "" : "s")" : ""))
            return
        }
        let sweepSeconds = Date().timeIntervalSince(sweepsStarted)

        // 3. Evaluations the report needs beyond the learning curves.
        let evalStarted = Date()
        for (m, folder) in folders {
            try StudyEvaluations.run(folder: folder, modality: m, open: { try RunLoading.open($0.path) })
        }
        let evalSeconds = Date().timeIntervalSince(evalStarted)

        // 4. One report over every modality, made whole in a hidden folder and renamed into place.
        let reportStarted = Date()
        let runs = try RunRecord.load(labelled: try RunAddress.runDirectories(folders.map(\.1.url.path)).map { ($0.url, $0.label) })
        let options = ScalingStudy.Options(resamples: preset == "quick" ? 300 : 1000)
        let reportDir = studyDir.appendingPathComponent("report")
        let record = ReportFolder.Inputs(inputs: [studyDir.standardizedFileURL.path], runs: runs.map(\.name))
        try ReportFolder.replace(reportDir, with: record, force: force) { dir in
            _ = try ScalingReport.write(runs: runs, to: dir, options: options,
                                        title: "Scaling study (\(preset) preset): \(chosen.joined(separator: ", "))")
        }
        let reportSeconds = Date().timeIntervalSince(reportStarted)
        print("")
        print(String(format: "study %@: %d runs; data preparation %@, sweeps %@, evaluations %@, report %@; total %@",
                     preset, runs.count, Units.duration(prepSeconds), Units.duration(sweepSeconds), Units.duration(evalSeconds),
                     Units.duration(reportSeconds), Units.duration(Date().timeIntervalSince(started))))
        print("report: \(reportDir.path)/report.html (and report.md, fits.json, plots/)")
        if !failed.isEmpty {
            print("failed runs (run the same command again to resume them):")
            for f in failed { print("  \(f)") }
            throw ExitCode(1)
        }
    }

    /// Real modalities first (fine-tuning right after the image sweep it starts from), ground truth last.
    static func order(_ names: [String]) -> [String] {
        let preferred = ["text", "image", "finetune", "image-gray", "math", "captions", "real-captions", "synthetic-text", "synthetic-image"]
        return names.sorted { (preferred.firstIndex(of: $0) ?? 99, $0) < (preferred.firstIndex(of: $1) ?? 99, $1) }
    }
}
