import Foundation
import WorkbenchCore
import Training

/// The folder of one sweep: `plan.json` (the runs it was made for), `configs/<run>.toml` (each
/// run's planned config), `runs/<run>/` (run directories), `index.sqlite` (the results index)
/// and `spec.toml` (a copy of the spec as given). A folder belongs to one plan: running a
/// changed spec into it is refused, naming the runs that differ, unless none of those has
/// trained yet; then the folder takes the new plan (`amendment(to:)`).
///
///     let folder = SweepFolder(URL(fileURLWithPath: "sweeps/text-quick"))
///     try folder.adopt(plan, specText: text)
public struct SweepFolder: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var planURL: URL { url.appendingPathComponent("plan.json") }
    public var indexURL: URL { url.appendingPathComponent("index.sqlite") }
    public var runsURL: URL { url.appendingPathComponent("runs") }
    public var configsURL: URL { url.appendingPathComponent("configs") }
    public func runURL(_ name: String) -> URL { runsURL.appendingPathComponent(name) }
    public func configURL(_ name: String) -> URL { configsURL.appendingPathComponent(name + ".toml") }

    /// Whether `dir` looks like a sweep folder (it has a plan.json).
    public static func isSweep(_ dir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dir.appendingPathComponent("plan.json").path)
    }

    /// What `plan.json` records of each run.
    public struct RecordedRun: Codable, Equatable, Sendable {
        public var name: String
        public var configHash: String
        public var params: Int
        public var datasetTokens: Int
        public var steps: Int
        enum CodingKeys: String, CodingKey {
            case name, configHash = "config_hash", params, datasetTokens = "dataset_tokens", steps
        }
    }
    /// `plan.json`.
    public struct RecordedPlan: Codable, Equatable, Sendable {
        public var sweep: String
        public var planHash: String
        public var runs: [RecordedRun]
        enum CodingKeys: String, CodingKey { case sweep, planHash = "plan_hash", runs }
    }

    public func recordedPlan() throws -> RecordedPlan? {
        guard let data = try? Data(contentsOf: planURL) else { return nil }
        do { return try JSONDecoder().decode(RecordedPlan.self, from: data) } catch {
            throw SweepError.unreadablePlan(path: planURL.path, reason: "\(error)")
        }
    }

    /// How a changed plan differs from the folder's when every run that differs has yet to train.
    public struct PlanAmendment: Equatable, Sendable {
        /// Runs whose config changed, runs the new plan adds, runs it drops.
        public var changed: [String], added: [String], removed: [String]
        public init(changed: [String], added: [String], removed: [String]) {
            self.changed = changed; self.added = added; self.removed = removed
        }
        public var summary: String {
            [("changed config", changed), ("new", added), ("dropped", removed)].filter { !$0.1.isEmpty }
                .map { "\($0.0): \(SweepError.list($0.1))" }.joined(separator: "; ")
        }
        /// What `sweep` and `study` print: `applied` once the folder holds the new plan, else
        /// (`--dry-run`) what running would do.
        public func note(applied: Bool) -> String {
            "the spec changed only for runs that have not trained; "
                + (applied ? "the folder now holds the new plan" : "running amends the folder's plan") + " (\(summary))"
        }
    }

    /// What adopting `plan` would change: nil when it is the folder's plan or the folder has none;
    /// an amendment when only runs that have not trained differ (say, runs a spec error had
    /// stopped before their first step); otherwise `SweepError.specChanged`, naming the runs.
    public func amendment(to plan: SweepPlan) throws -> PlanAmendment? {
        guard let old = try recordedPlan(), old.planHash != plan.planHash else { return nil }
        let oldByName = Dictionary(old.runs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newNames = Set(plan.runs.map(\.name))
        let added = plan.runs.filter { oldByName[$0.name] == nil }.map(\.name)
        let removed = old.runs.filter { !newNames.contains($0.name) }.map(\.name)
        let changed = plan.runs.filter { r in oldByName[r.name].map { $0.configHash != r.configHash } ?? false }.map(\.name)
        let trained = (changed + removed).filter { hasTrained($0) }
        guard trained.isEmpty else {
            throw SweepError.specChanged(folder: url.path, added: added, removed: removed, changed: changed, trained: trained)
        }
        return PlanAmendment(changed: changed, added: added, removed: removed)
    }

    /// Whether a run has anything a changed config would invalidate: a checkpoint, an
    /// evaluation, a summary or a cooldown branch.
    func hasTrained(_ name: String) -> Bool {
        let dir = runURL(name)
        let state = RunState.read(dir)
        return state.status != .pending || state.summary != nil
            || FileManager.default.fileExists(atPath: dir.appendingPathComponent("metrics.jsonl").path)
            || FileManager.default.fileExists(atPath: dir.appendingPathComponent("branches").path)
    }

    /// Makes the folder this plan's: writes plan.json and the run configs the first time;
    /// afterwards checks that the plan is the same one, or amends it where only runs that have
    /// not trained differ (returned, so that the caller can say so).
    @discardableResult
    public func adopt(_ plan: SweepPlan, specText: String?) throws -> PlanAmendment? {
        let mine = RecordedPlan(sweep: plan.spec.name, planHash: plan.planHash, runs: plan.runs.map {
            RecordedRun(name: $0.name, configHash: $0.configHash, params: $0.params, datasetTokens: $0.datasetTokens, steps: $0.steps)
        })
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        if try recordedPlan() != nil {
            guard let amend = try amendment(to: plan) else { return nil }
            let touched = Set(amend.changed + amend.added)
            for r in plan.runs where touched.contains(r.name) { try AtomicFile.write(resolved(r.config).renderTOML(), to: configURL(r.name)) }
            for name in amend.removed { try? FileManager.default.removeItem(at: configURL(name)) }
            if let specText { try AtomicFile.write(specText, to: url.appendingPathComponent("spec.toml")) }
            try AtomicFile.write(try enc.encode(mine), to: planURL)
            return amend
        }
        let runsPresent = (try? FileManager.default.contentsOfDirectory(atPath: runsURL.path))?.filter { !$0.hasPrefix(".") } ?? []
        if !runsPresent.isEmpty {
            throw SweepError.foreignRuns(folder: url.path, examples: Array(runsPresent.sorted().prefix(3)))
        }
        try FileManager.default.createDirectory(at: runsURL, withIntermediateDirectories: true)
        for r in plan.runs { try AtomicFile.write(resolved(r.config).renderTOML(), to: configURL(r.name)) }
        if let specText { try AtomicFile.write(specText, to: url.appendingPathComponent("spec.toml")) }
        try AtomicFile.write(try enc.encode(mine), to: planURL)   // last: the folder is adopted once this exists
        return nil
    }

    /// A planned run's config as its trainer reads it: a relative `finetune.from` (a grid's
    /// `pretrained`) is taken from this sweep folder, so a study's fine-tuning sweep finds the
    /// pre-trained runs of its sibling sweeps wherever the study lives.
    public func resolved(_ config: TrainConfig) -> TrainConfig {
        var c = config
        if !c.finetune.from.isEmpty, !c.finetune.from.hasPrefix("/") {
            c.finetune.from = url.absoluteURL.appendingPathComponent(c.finetune.from).standardizedFileURL.path
        }
        return c
    }
}

/// Problems with a sweep as a whole, saying what to do about them.
public enum SweepError: Error, CustomStringConvertible, Equatable {
    case specChanged(folder: String, added: [String], removed: [String], changed: [String], trained: [String])
    case foreignRuns(folder: String, examples: [String])
    case unreadablePlan(path: String, reason: String)
    case unknownRuns(names: [String], known: [String])
    case executableMissing(path: String)
    case notASweep(path: String)
    case folderInUse(path: String)
    /// A sweep spec was given where its folder was meant, and that folder does not exist yet.
    case specNotRun(spec: String, folder: String)
    case notAnInput(path: String)
    case noRuns(paths: [String])

    /// Up to five names, then how many more.
    static func list(_ xs: [String]) -> String { xs.prefix(5).joined(separator: ", ") + (xs.count > 5 ? " and \(xs.count - 5) more" : "") }

    public var description: String {
        let list = Self.list
        switch self {
        case let .specChanged(folder, added, removed, changed, trained):
            var parts: [String] = []
            if !changed.isEmpty { parts.append("changed config: \(list(changed))") }
            if !added.isEmpty { parts.append("new runs: \(list(added))") }
            if !removed.isEmpty { parts.append("dropped runs: \(list(removed))") }
            return "the sweep folder '\(folder)' was made from a different spec (\(parts.joined(separator: "; "))), "
                + "and \(list(trained)) already trained under the old one; "
                + "refusing to mix two specs in one folder: give another --out, or delete the folder to start over"
        case let .foreignRuns(folder, examples):
            return "'\(folder)/runs' already holds run directories (\(examples.joined(separator: ", "))) but no plan.json; refusing to adopt them"
        case let .unreadablePlan(path, reason):
            return "cannot read the sweep's plan '\(path)': \(reason)"
        case let .unknownRuns(names, known):
            return "no run named \(names.joined(separator: ", ")) in this sweep; its runs: \(list(known))"
        case let .executableMissing(path):
            return "cannot start training processes: the workbench executable '\(path)' is missing"
        case let .notASweep(path):
            return "'\(path)' is not a sweep folder (no plan.json); run `workbench sweep SPEC` first"
        case let .folderInUse(path):
            return "the sweep folder '\(path)' is in use by another `workbench sweep` or `study`; wait for it or stop it first"
        case let .notAnInput(path):
            return "'\(path)' is neither a run directory, a folder of runs, a sweep folder or spec, nor a study folder (it does not exist)"
        case let .noRuns(paths):
            return "no run directories with an evaluation under \(paths.map { "'\($0)'" }.joined(separator: ", ")) (a run directory holds metrics.jsonl)"
        case let .specNotRun(spec, folder):
            return "'\(spec)' is a sweep spec; its sweep folder '\(folder)' does not exist yet: run `workbench sweep \(spec)` first (or give the folder its --out made)"
        }
    }
}

extension SweepPlan {
    /// The plan a sweep folder records (plan.json and configs/), for reading a sweep without
    /// its spec file: `workbench runs`, reports, cluster back-ends.
    public init(recorded: SweepFolder.RecordedPlan, configs: URL) throws {
        var runs: [PlannedRun] = []
        for r in recorded.runs {
            let url = configs.appendingPathComponent(r.name + ".toml")
            let cfg: TrainConfig
            do { cfg = try TrainConfig.load(from: url) } catch {
                throw SweepError.unreadablePlan(path: url.path, reason: "\(error)")
            }
            runs.append(PlannedRun(name: r.name, grid: String(r.name.split(separator: "-").first ?? ""), config: cfg,
                                   params: r.params, datasetTokens: r.datasetTokens, steps: r.steps,
                                   tokens: r.steps * cfg.train.batchSize * cfg.model.nCtx, configHash: r.configHash))
        }
        self.init(spec: SweepSpec(name: recorded.sweep, file: configs.deletingLastPathComponent().appendingPathComponent("spec.toml").path,
                                  base: TrainConfig()), runs: runs)
    }
}
