import Foundation
import XCTest
import Sweeps
import TestSupport

/// `workbench report` on a sweep folder reads the run directories through the results index
/// and gives exactly the fits it gives on the run directories themselves; `workbench runs`
/// lists the sweep from the index.
final class SweepReportTests: XCTestCase {
    func testReportOnSweepFolderEqualsReportOnRunDirectories() throws {
        let exe = try workbenchExecutable()
        let dir = temporaryDirectory()
        try tinySweepSpec(steps: 40, evals: 4).write(to: dir.appendingPathComponent("tiny.toml"), atomically: true, encoding: .utf8)
        let sweep = try runWorkbench(exe, ["sweep", "tiny.toml", "--out", "sw", "--no-estimate"], cwd: dir)
        XCTAssertEqual(sweep.status, 0, sweep.output)

        let viaIndex = try runWorkbench(exe, ["report", "sw", "--out", "r1"], cwd: dir)
        XCTAssertEqual(viaIndex.status, 0, viaIndex.output)
        XCTAssertTrue(viaIndex.output.contains("read 4 runs"), viaIndex.output)
        let direct = try runWorkbench(exe, ["report", "sw/runs", "--out", "r2"], cwd: dir)
        XCTAssertEqual(direct.status, 0, direct.output)
        let a = try Data(contentsOf: dir.appendingPathComponent("r1/fits.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("r2/fits.json"))
        XCTAssertGreaterThan(a.count, 100)
        XCTAssertEqual(a, b)
        let report = try String(contentsOf: dir.appendingPathComponent("r1/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Modality: text"), "runs are named by their dataset's modality")
        XCTAssertFalse(report.contains("unknown"))

        let runs = try runWorkbench(exe, ["runs", "sw", "--status", "completed"], cwd: dir)
        XCTAssertEqual(runs.status, 0, runs.output)
        XCTAssertEqual(runs.output.split(separator: "\n").filter { $0.hasPrefix("g-L1-") }.count, 4, runs.output)
        XCTAssertTrue(runs.output.contains("4 completed"), runs.output)
        let bad = try runWorkbench(exe, ["runs", "sw", "--status", "finished"], cwd: dir)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("unknown status 'finished'"), bad.output)

        // Again: nothing to do, and the same spec into the folder is accepted.
        let again = try runWorkbench(exe, ["sweep", "tiny.toml", "--out", "sw", "--no-estimate"], cwd: dir)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("nothing to do"), again.output)
        // A changed spec into the same folder is refused, naming the runs.
        try tinySweepSpec(steps: 50, evals: 4).write(to: dir.appendingPathComponent("tiny.toml"), atomically: true, encoding: .utf8)
        let changed = try runWorkbench(exe, ["sweep", "tiny.toml", "--out", "sw", "--no-estimate"], cwd: dir)
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue(changed.output.contains("different spec") && changed.output.contains("g-L1-d16-Dall-s1"), changed.output)
    }
}
