import Foundation
import XCTest
import Sweeps
import Training
import RunFiles
import TestSupport

/// The results index against damage: a corrupt or half-written file, a run directory deleted
/// by hand, and a changed spec each give a clear message and a defined outcome.
final class ResultsIndexTests: XCTestCase {
    /// A tiny plan with its run directories trained in-process (2 runs of a few steps).
    func trainedSweep() throws -> (SweepPlan, SweepFolder) {
        let dir = temporaryDirectory()
        let spec = try SweepSpec.parse(tinySweepSpec(steps: 6, evals: 3), file: dir.appendingPathComponent("tiny.toml").path, baseDirectory: dir)
        var plan = try SweepPlan(spec: spec)
        plan.runs = Array(plan.runs.prefix(2))
        let folder = SweepFolder(dir.appendingPathComponent("sweep"))
        try folder.adopt(plan, specText: nil)
        for r in plan.runs {
            var cfg = r.config
            cfg.train.runDir = folder.runURL(r.name).path
            cfg.train.threads = 1
            try Trainer(config: cfg).run()
        }
        return (plan, folder)
    }

    func testIndexMatchesRunDirectories() throws {
        let (plan, folder) = try trainedSweep()
        let index = try ResultsIndex.open(at: folder.indexURL)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        let rows = try index.runs()
        XCTAssertEqual(rows.map(\.name), plan.runs.map(\.name))
        for r in rows {
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: folder.runURL(r.name).appendingPathComponent("summary.json")))
            XCTAssertEqual(r.status, "completed")
            XCTAssertEqual(r.bestTestLoss, summary.bestTestLoss)
            XCTAssertEqual(r.finalTestLoss, summary.finalTestLoss)
            XCTAssertEqual(r.modality, "text")
            XCTAssertEqual(r.evaluations, 4)             // steps 0, 2, 4, 6
            XCTAssertEqual(try index.evaluations(run: r.name).map(\.step), [0, 2, 4, 6])
        }
        XCTAssertEqual(try index.runs(status: "pending").count, 0)
    }

    func testCorruptIndexIsMovedAsideAndRebuilt() throws {
        let (plan, folder) = try trainedSweep()
        try Data("this is not an SQLite database, just bytes that a broken disk left".utf8).write(to: folder.indexURL)
        let index = try ResultsIndex.open(at: folder.indexURL)
        let why = try XCTUnwrap(index.recovery)
        XCTAssertTrue(why.contains("unusable") && why.contains("rebuilt"), why)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        XCTAssertEqual(try index.runs(status: "completed").count, 2)
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix("index.sqlite.unusable-") }
        XCTAssertEqual(aside.count, 1, "the damaged file is kept for inspection")
    }

    func testHalfWrittenIndexIsRebuilt() throws {
        let (plan, folder) = try trainedSweep()
        let index = try ResultsIndex.open(at: folder.indexURL)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        let full = try Data(contentsOf: folder.indexURL)
        XCTAssertGreaterThan(full.count, 4096)
        var damaged = full.prefix(full.count / 2)
        damaged.replaceSubrange(100..<min(damaged.count, 4096), with: Data(repeating: 0xAB, count: min(damaged.count, 4096) - 100))
        try Data(damaged).write(to: folder.indexURL)
        let reopened = try ResultsIndex.open(at: folder.indexURL)
        XCTAssertNotNil(reopened.recovery)
        try reopened.refresh(plan: plan, runsDirectory: folder.runsURL)
        XCTAssertEqual(try reopened.runs().map(\.status), ["completed", "completed"])
    }

    func testRunDirectoryDeletedByHandBecomesPending() throws {
        let (plan, folder) = try trainedSweep()
        let index = try ResultsIndex.open(at: folder.indexURL)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        try FileManager.default.removeItem(at: folder.runURL(plan.runs[1].name))
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        let rows = try index.runs()
        XCTAssertEqual(rows.map(\.status), ["completed", "pending"])
        XCTAssertEqual(rows[1].evaluations, 0)
        XCTAssertNil(rows[1].bestTestLoss)
    }

    func testChangedSpecIsRefusedNamingTheRuns() throws {
        let (plan, folder) = try trainedSweep()
        var changed = plan
        changed.runs[0].config.optimizer.lr *= 2
        changed.runs[0].configHash = SweepPlan.hash(changed.runs[0].config)
        XCTAssertThrowsError(try folder.adopt(changed, specText: nil)) { error in
            guard case let SweepError.specChanged(_, added, removed, changedRuns, trained)? = error as? SweepError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(changedRuns, [plan.runs[0].name])
            XCTAssertEqual(trained, [plan.runs[0].name])
            XCTAssertEqual(added, []); XCTAssertEqual(removed, [])
            XCTAssertTrue("\(error)".contains("refusing to mix"), "\(error)")
        }
        var fewer = plan
        fewer.runs.removeLast()
        XCTAssertThrowsError(try folder.adopt(fewer, specText: nil)) { error in
            XCTAssertTrue("\(error)".contains("dropped runs: \(plan.runs[1].name)"), "\(error)")
        }
        XCTAssertNoThrow(try folder.adopt(plan, specText: nil), "the same plan is accepted again")
    }

    func testAChangeToRunsThatHaveNotTrainedAmendsThePlan() throws {
        let (plan, folder) = try trainedSweep()
        // The second run stopped before its first step (a spec error): only its log is on disk.
        let second = plan.runs[1].name
        for f in try FileManager.default.contentsOfDirectory(atPath: folder.runURL(second).path) where f != "train.log" {
            try FileManager.default.removeItem(at: folder.runURL(second).appendingPathComponent(f))
        }
        var changed = plan
        changed.runs[1].config.schedule.warmupSteps += 1
        changed.runs[1].configHash = SweepPlan.hash(changed.runs[1].config)
        let amend = try XCTUnwrap(try folder.amendment(to: changed))
        XCTAssertEqual(amend, SweepFolder.PlanAmendment(changed: [second], added: [], removed: []))
        XCTAssertEqual(try folder.recordedPlan()?.planHash, plan.planHash, "asking writes nothing")
        XCTAssertEqual(try folder.adopt(changed, specText: nil), amend)
        XCTAssertEqual(try folder.recordedPlan()?.planHash, changed.planHash)
        let written = try TrainConfig.parse(try String(contentsOf: folder.configURL(second), encoding: .utf8), file: nil)
        XCTAssertEqual(written.schedule.warmupSteps, plan.runs[1].config.schedule.warmupSteps + 1)
        XCTAssertNil(try folder.adopt(changed, specText: nil), "the amended plan is the folder's now")
        // A change to the run that trained is still refused.
        var again = changed
        again.runs[0].config.optimizer.lr *= 2
        again.runs[0].configHash = SweepPlan.hash(again.runs[0].config)
        XCTAssertThrowsError(try folder.adopt(again, specText: nil)) { error in
            XCTAssertTrue("\(error)".contains("\(plan.runs[0].name) already trained"), "\(error)")
        }
    }

    func testRecordedPlanReadsBackTheSameRuns() throws {
        let (plan, folder) = try trainedSweep()
        let recorded = try XCTUnwrap(try folder.recordedPlan())
        let again = try SweepPlan(recorded: recorded, configs: folder.configsURL)
        XCTAssertEqual(again.planHash, plan.planHash)
        XCTAssertEqual(again.runs.map(\.tokens), plan.runs.map(\.tokens))
    }
}
