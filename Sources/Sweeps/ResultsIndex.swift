import Foundation
import GRDB
import Training

/// The results index of a sweep: an SQLite file (`index.sqlite`) with one row per run and one
/// per evaluation, for queries, `workbench runs` and reports.
///
/// Run directories are the source of truth: the index is refreshed from them in transactions
/// (a kill at any moment leaves the previous state), and a corrupt or foreign index is moved
/// aside and rebuilt from them.
///
///     let index = try ResultsIndex.open(at: sweep.indexURL, planHash: plan.planHash)
///     try index.refresh(plan: plan, runsDirectory: sweep.runsURL)
///     for row in try index.runs(status: "completed") { print(row.name, row.bestTestLoss ?? .nan) }
public final class ResultsIndex {
    public let url: URL
    let db: DatabaseQueue
    /// Set when the file found was unusable and a fresh index replaced it: what happened.
    public private(set) var recovery: String?

    /// One run's row.
    public struct RunRow: Equatable, Sendable {
        public var name: String
        public var grid: String
        public var configHash: String
        public var modality: String
        public var dataset: String
        public var nLayer: Int
        public var dModel: Int
        public var params: Int
        public var datasetTokens: Int
        public var plannedSteps: Int
        public var steps: Int
        public var tokens: Int
        public var status: String
        public var bestTestLoss: Double?
        public var bestStep: Int?
        public var finalTestLoss: Double?
        public var wallSeconds: Double?
        public var blasKernels: String?
        public var message: String?
        public var evaluations: Int
    }

    static let schemaVersion = "1"

    private init(url: URL, db: DatabaseQueue) { self.url = url; self.db = db }

    /// Opens (or creates) the index. A file that is not a readable index of this plan's schema
    /// is moved aside (`index.sqlite.unusable-<time>`) and replaced; `recovery` says why.
    public static func open(at url: URL) throws -> ResultsIndex {
        do {
            return try openChecked(url)
        } catch {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let aside = url.path + ".unusable-\(stamp)"
            for suffix in ["", "-journal", "-wal", "-shm"] where FileManager.default.fileExists(atPath: url.path + suffix) {
                try? FileManager.default.moveItem(atPath: url.path + suffix, toPath: aside + suffix)
            }
            let fresh = try openChecked(url)
            fresh.recovery = "the results index '\(url.path)' was unusable (\(Self.describe(error))); moved it to '\(aside)' and rebuilt it from the run directories"
            return fresh
        }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    static func openChecked(_ url: URL) throws -> ResultsIndex {
        var config = Configuration()
        config.busyMode = .timeout(30)
        let db = try DatabaseQueue(path: url.path, configuration: config)
        let check = try db.read { try String.fetchOne($0, sql: "PRAGMA quick_check") }
        guard check == "ok" else { throw IndexError.unusable(check ?? "integrity check failed") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE runs (
                    name TEXT PRIMARY KEY NOT NULL, grid TEXT NOT NULL, config_hash TEXT NOT NULL,
                    modality TEXT NOT NULL, dataset TEXT NOT NULL, n_layer INTEGER NOT NULL, d_model INTEGER NOT NULL,
                    params INTEGER NOT NULL, dataset_tokens INTEGER NOT NULL, planned_steps INTEGER NOT NULL,
                    steps INTEGER NOT NULL, tokens INTEGER NOT NULL, status TEXT NOT NULL,
                    best_test_loss REAL, best_step INTEGER, final_test_loss REAL, wall_seconds REAL,
                    blas_kernels TEXT, message TEXT, updated_at TEXT NOT NULL);
                CREATE TABLE evaluations (
                    run TEXT NOT NULL REFERENCES runs(name) ON DELETE CASCADE, step INTEGER NOT NULL,
                    tokens INTEGER NOT NULL, compute_pfdays REAL NOT NULL, train_loss REAL, test_loss REAL,
                    extra TEXT NOT NULL, PRIMARY KEY (run, step));
                """)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('schema', ?)", arguments: [schemaVersion])
        }
        let known = try db.read { try migrator.appliedIdentifiers($0) }
        if !known.isSubset(of: ["v1"]) { throw IndexError.unusable("written by a newer workbench (migrations \(known.sorted()))") }
        try migrator.migrate(db)
        return ResultsIndex(url: url, db: db)
    }

    /// The plan digest recorded in the index, if any.
    public func planHash() throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'plan_hash'") }
    }

    /// Brings every planned run's row and evaluations up to date with its run directory, in
    /// one transaction. `overrides` sets a status and message for runs the caller knows more
    /// about (running, failed); a run recorded as failed stays failed until its step moves.
    public func refresh(plan: SweepPlan, runsDirectory: URL, modalities: [String: String] = [:],
                        only names: Set<String>? = nil, overrides: [String: (status: RunState.Status, message: String?)] = [:]) throws {
        // Planned runs, each followed by its cooldown branches (rows named
        // `<run>/branches/cooldown-<f>`, the branch's folder under the runs folder).
        var rows: [(name: String, run: PlannedRun, plannedSteps: Int, state: RunState)] = []
        for run in plan.runs where names?.contains(run.name) ?? true {
            rows.append((run.name, run, run.steps, RunState.read(runsDirectory.appendingPathComponent(run.name))))
            for (name, steps) in Self.branchRows(of: run) {
                let dir = runsDirectory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: dir.path) else { continue }
                rows.append((name, run, steps, RunState.read(dir)))
            }
        }
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('plan_hash', ?), ('sweep', ?)",
                           arguments: [plan.planHash, plan.spec.name])
            let planned = Set(plan.runs.flatMap { [$0.name] + Self.branchRows(of: $0).map(\.name) })
            for name in try String.fetchAll(db, sql: "SELECT name FROM runs") where !planned.contains(name) {
                try db.execute(sql: "DELETE FROM runs WHERE name = ?", arguments: [name])
            }
            for (name, run, plannedSteps, state) in rows {
                let old = try Row.fetchOne(db, sql: "SELECT status, steps, message FROM runs WHERE name = ?", arguments: [name])
                var status = state.status.rawValue
                var message: String? = state.summary?.message ?? state.problem
                if let o = overrides[name] {
                    status = o.status.rawValue; message = o.message ?? message
                } else if !state.status.isFinished, RunLiveness.isTraining(runsDirectory.appendingPathComponent(name)) {
                    status = RunState.Status.running.rawValue; message = nil
                } else if let old, (old["status"] as String) == "failed", !state.status.isFinished, (old["steps"] as Int) == state.step {
                    status = "failed"; message = old["message"]
                }
                let s = state.summary
                let best = s?.bestTestLoss ?? state.evaluations.compactMap(\.testLoss).min()
                let bestStep = s?.bestStep ?? state.evaluations.first { $0.testLoss == best }?.step
                try db.execute(sql: """
                    INSERT OR REPLACE INTO runs (name, grid, config_hash, modality, dataset, n_layer, d_model, params,
                        dataset_tokens, planned_steps, steps, tokens, status, best_test_loss, best_step, final_test_loss,
                        wall_seconds, blas_kernels, message, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        name, run.grid, run.configHash, s?.modality ?? modalities[run.config.data.dataset] ?? "unknown",
                        run.config.data.dataset, run.config.model.nLayer, run.config.model.dModel, run.params,
                        run.datasetTokens, plannedSteps, state.step, state.evaluations.last?.tokens ?? 0, status,
                        best, bestStep, s?.finalTestLoss ?? (s == nil ? nil : state.evaluations.last?.testLoss),
                        s?.wallSeconds, s?.blasKernels, message, ISO8601DateFormatter().string(from: Date()),
                    ])
                try db.execute(sql: "DELETE FROM evaluations WHERE run = ?", arguments: [name])
                for e in state.evaluations {
                    try db.execute(sql: """
                        INSERT INTO evaluations (run, step, tokens, compute_pfdays, train_loss, test_loss, extra)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [name, e.step, e.tokens, e.computePFDays, e.trainLoss, e.testLoss, e.extraJSON])
                }
            }
        }
    }

    /// The cooldown branches a planned run makes (`train.cooldown_at` below 1): their row names,
    /// `<run>/branches/cooldown-<f>` (their folders under the runs folder), and planned steps.
    static func branchRows(of run: PlannedRun) -> [(name: String, steps: Int)] {
        Set(run.config.train.cooldownAt).filter { $0 < 1 }.sorted().map { f in
            ("\(run.name)/branches/\(CooldownBranches.folderName(f))", CooldownBranches.steps(fraction: f, parentSteps: run.steps))
        }
    }

    /// Runs in plan order of insertion, filtered by status and modality when given.
    public func runs(status: String? = nil, modality: String? = nil) throws -> [RunRow] {
        try db.read { db in
            var sql = """
                SELECT r.*, (SELECT COUNT(*) FROM evaluations e WHERE e.run = r.name) AS n_evals
                FROM runs r WHERE 1 = 1
                """
            var args: [DatabaseValueConvertible?] = []
            if let status { sql += " AND r.status = ?"; args.append(status) }
            if let modality { sql += " AND r.modality = ?"; args.append(modality) }
            sql += " ORDER BY r.rowid"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { r in
                RunRow(name: r["name"], grid: r["grid"], configHash: r["config_hash"], modality: r["modality"], dataset: r["dataset"],
                       nLayer: r["n_layer"], dModel: r["d_model"], params: r["params"], datasetTokens: r["dataset_tokens"],
                       plannedSteps: r["planned_steps"], steps: r["steps"], tokens: r["tokens"], status: r["status"],
                       bestTestLoss: r["best_test_loss"], bestStep: r["best_step"], finalTestLoss: r["final_test_loss"],
                       wallSeconds: r["wall_seconds"], blasKernels: r["blas_kernels"], message: r["message"], evaluations: r["n_evals"])
            }
        }
    }

    /// The evaluation rows of one run, by step: (step, tokens, test loss).
    public func evaluations(run: String) throws -> [(step: Int, tokens: Int, testLoss: Double?)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT step, tokens, test_loss FROM evaluations WHERE run = ? ORDER BY step", arguments: [run])
                .map { ($0["step"], $0["tokens"], $0["test_loss"]) }
        }
    }

    /// Problems with the index file itself.
    public enum IndexError: Error, CustomStringConvertible {
        case unusable(String)
        public var description: String {
            switch self { case .unusable(let why): return why }
        }
    }
}
