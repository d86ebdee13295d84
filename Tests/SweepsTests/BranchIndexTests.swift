import Foundation
import RunFiles
import Sweeps
import TestSupport
import Training
import XCTest

/// Cooldown branches in a sweep: the results index has a row for each, `runs` lists them, and
/// the report's inputs include them as `<run>@<fraction>`.
final class BranchIndexTests: XCTestCase {
    func testBranchesAreIndexedAndAddressedBesideTheirRun() throws {
        let dir = temporaryDirectory()
        let text = tinySweepSpec(steps: 20, evals: 4)
            .replacingOccurrences(of: "\"schedule.warmup_steps\" = 5", with: "\"schedule.warmup_steps\" = 2\n\"schedule.decay\" = \"wsd\"\n\"train.cooldown_at\" = [0.5, 1.0]")
            .replacingOccurrences(of: "data_tokens = [0, 4000]", with: "data_tokens = [0]")
            .replacingOccurrences(of: "shapes = [[1, 16], [1, 32]]", with: "shapes = [[1, 16]]")
        let spec = try SweepSpec.parse(text, file: dir.appendingPathComponent("tiny.toml").path, baseDirectory: dir)
        let plan = try SweepPlan(spec: spec)
        XCTAssertEqual(plan.runs.count, 1)
        let folder = SweepFolder(dir.appendingPathComponent("sweep"))
        try folder.adopt(plan, specText: nil)
        var cfg = plan.runs[0].config
        cfg.train.runDir = folder.runURL(plan.runs[0].name).path
        cfg.train.threads = 1
        try Trainer(config: cfg).run()

        let index = try ResultsIndex.open(at: folder.indexURL)
        try index.refresh(plan: plan, runsDirectory: folder.runsURL)
        let rows = try index.runs()
        let branch = "\(plan.runs[0].name)/branches/cooldown-0.50"
        XCTAssertEqual(rows.map(\.name), [plan.runs[0].name, branch])
        XCTAssertEqual(rows[1].status, "completed")
        XCTAssertEqual(rows[1].plannedSteps, 10)
        XCTAssertEqual(rows[1].steps, 10)
        XCTAssertGreaterThan(rows[1].evaluations, 0)
        let summary = try RunSummary.decode(Data(contentsOf: folder.runURL(branch).appendingPathComponent("summary.json")))
        XCTAssertEqual(rows[1].finalTestLoss, summary.finalTestLoss)
        XCTAssertEqual(summary.annealed, true)

        let addressed = try RunAddress.runDirectories([folder.url.path])
        XCTAssertEqual(addressed.map(\.label), [plan.runs[0].name, "\(plan.runs[0].name)@0.50"])
        XCTAssertEqual(addressed[1].url.standardizedFileURL.path, folder.runURL(branch).standardizedFileURL.path)
    }
}
