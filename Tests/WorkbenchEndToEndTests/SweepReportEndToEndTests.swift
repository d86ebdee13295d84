import Foundation
import XCTest

/// Issue 30, points 1, 2 and 4, through the real executable: the example sweep plans every fit
/// it promises; a report says which runs went to which fit and why; a report belongs to its
/// input, is replaced whole, and replaces another input's report only when forced; every command
/// takes sweep folders and the spec that made them.
final class SweepReportEndToEndTests: XCTestCase {
    /// The example spec's size runs see each token at most once (so they make L(N), L(C) and
    /// N_opt(C)), and its data runs give L(D) at least the 4 points a fit needs.
    func testExampleSweepPlansEveryFitItPromises() throws {
        let dir = try Workbench.temporaryFolder("example")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = Workbench.packageRoot.appendingPathComponent("configs/sweeps/example.toml").path
        let r = try Workbench.ok(["sweep", spec, "--dry-run", "--no-estimate", "--out", dir.appendingPathComponent("ex").path], in: dir)
        // Columns: run N D steps E E/D PF-days est. status
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let size = rows.filter { $0.first?.hasPrefix("size-") ?? false }, data = rows.filter { $0.first?.hasPrefix("data-") ?? false }
        XCTAssertGreaterThanOrEqual(size.count, 4, r.stdout)
        XCTAssertGreaterThanOrEqual(Set(size.map { $0[1] }).count, 4, "at least 4 distinct N for L(N)")
        for row in size { XCTAssertLessThanOrEqual(Double(row[5]) ?? 99, 1.0, "size run \(row[0]) must not repeat its data: \(row)") }
        XCTAssertGreaterThanOrEqual(Set(data.map { $0[2] }).count, 4, "at least 4 distinct D for L(D)")
        for row in data { XCTAssertGreaterThan(Double(row[5]) ?? 0, 1.0, "data run \(row[0]) repeats its data: \(row)") }
        XCTAssertFalse(r.stdout.contains("reports count"), "no run on the whole dataset repeats it:\n\(r.stdout)")
    }

    /// Runs that repeated the whole dataset are named in the report as moved to L(D), with E/D.
    func testReportSaysWhichRunsMovedToLossVersusData() throws {
        let dir = try SharedSweep.folder()
        let out = dir.appendingPathComponent("moved-report")
        try Workbench.ok(["report", "sweeps/e2e", "--out", out.path], in: dir)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        // E = 32 steps × 4 × 32 = 4,096 tokens on D = 2,000: 2.0 epochs.
        XCTAssertTrue(md.contains("2 runs moved to L(D)"), md)
        XCTAssertTrue(md.contains("E/D = 2 epochs > 1") || md.contains("E/D = 2.0 epochs > 1"), md)
        XCTAssertTrue(md.contains("size-L1-d8-") && md.contains("size-L1-d16-"), md)
        XCTAssertTrue(md.contains("1 run is not an L(D) point"), "of the two runs on D = 2,000 only the lower loss is a point:\n\(md)")
        let fits = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let modality = (fits["modalities"] as! [[String: Any]])[0]
        XCTAssertEqual((modality["placement"] as? [String])?.count, 2, "\(modality)")
        // The plan already warns: the dry run of the same spec names the runs that will repeat their data.
        let plan = try Workbench.ok(["sweep", "specs/e2e.toml", "--dry-run", "--no-estimate"], in: dir)
        XCTAssertTrue(plan.stdout.contains("note: 2 runs on the largest D of the sweep repeat their data (E/D up to 2 epochs > 1)"), plan.stdout)
    }

    /// `report SWEEP` writes SWEEP/report; the same input replaces it; another input's report
    /// is replaced only with --force, whole (no plot of the old report stays).
    func testReportBelongsToItsInputAndIsReplacedWholeOnlyWhenForced() throws {
        let dir = try SharedSweep.folder()
        let fm = FileManager.default
        let target = dir.appendingPathComponent("sweeps/e2e/report")
        try Workbench.ok(["report", "sweeps/e2e"], in: dir)
        XCTAssertTrue(fm.fileExists(atPath: target.appendingPathComponent("report.md").path))
        let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("report-inputs.json"))) as! [String: Any]
        XCTAssertEqual((inputs["runs"] as? [String])?.count, 5)
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("report").path), "nothing in ./report")
        // Again from the same input (and through its spec): replaced without --force.
        try Workbench.ok(["report", "specs/e2e.toml"], in: dir)
        // A report of one run into the sweep's report folder: refused, then forced.
        let oneRun = try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("sweeps/e2e/runs").path).sorted().first { $0.hasPrefix("data-") }!
        let runPath = "sweeps/e2e/runs/\(oneRun)"
        let before = try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8)
        let refused = try Workbench.run(["report", runPath, "--out", target.path], in: dir)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("made from other inputs") && refused.stderr.contains("--force"), refused.output)
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8), before, "the refused report left the old one alone")
        try Workbench.ok(["report", runPath, "--out", target.path, "--force"], in: dir)
        let after = try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(after.contains("1 runs in 1 modalities") || after.contains("1 run"), after)
        // Whole replacement: the plots folder holds exactly what the new report.md links to.
        let linked = Set(after.components(separatedBy: "plots/").dropFirst().compactMap { $0.split(separator: ")").first.map { String($0) } }
            .map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        let present = Set(((try? fm.contentsOfDirectory(atPath: target.appendingPathComponent("plots").path)) ?? [])
            .map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        XCTAssertEqual(present, linked, "no stale plot of the earlier report")
        let leftovers = try fm.contentsOfDirectory(atPath: target.deletingLastPathComponent().path).filter { $0.hasPrefix(".report.") }
        XCTAssertEqual(leftovers, [], "no building or old folder left beside the report")
    }

    /// Sweep folders and their specs work wherever runs are taken; an unrun spec says which folder it would have made.
    func testEveryCommandTakesSweepFoldersAndTheirSpecs() throws {
        let dir = try SharedSweep.folder()
        let listed = try Workbench.ok(["runs", "specs/e2e.toml"], in: dir)
        XCTAssertTrue(listed.stdout.contains("5 shown; 5 completed"), listed.stdout)
        let fit = try Workbench.run(["fit", "--runs", "sweeps/e2e", "--x", "data", "--hold-out", "0"], in: dir)
        XCTAssertFalse(fit.output.contains("no run directories"), fit.output)
        XCTAssertTrue(fit.stdout.contains("L(D) text") || fit.stderr.contains("L(D) text"), "reached the L(D) fit of the sweep's runs:\n\(fit.output)")
        if fit.status == 0 { XCTAssertTrue(fit.stdout.contains("points 4"), fit.stdout) }
        // A spec that was never run: the error names the folder it would have made.
        try "name = \"never\"\nbase = \"\(Workbench.packageRoot.path)/configs/text-tiny.toml\"\n[[grid]]\nname = \"size\"\nsteps = 1\n"
            .write(to: dir.appendingPathComponent("specs/never.toml"), atomically: true, encoding: .utf8)
        let never = try Workbench.run(["runs", "specs/never.toml"], in: dir)
        XCTAssertNotEqual(never.status, 0)
        XCTAssertTrue(never.stderr.contains("sweeps/never") && never.stderr.contains("workbench sweep specs/never.toml"), never.output)
        // A study folder (a folder of sweep folders) is a report input.
        let study = dir.appendingPathComponent("study")
        try? FileManager.default.removeItem(at: study)
        try FileManager.default.createDirectory(at: study, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("sweeps/e2e"), to: study.appendingPathComponent("text"))
        try? FileManager.default.removeItem(at: study.appendingPathComponent("text/report"))
        try Workbench.ok(["report", "study"], in: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: study.appendingPathComponent("report/report.md").path))
    }

    /// `runs --status running` lists a run whose directory a live process holds locked, not as partial.
    func testRunsShowsARunBeingTrainedAsRunning() throws {
        let shared = try SharedSweep.folder()
        let dir = try Workbench.temporaryFolder("running")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: shared.appendingPathComponent("sweeps/e2e"), to: dir.appendingPathComponent("e2e"))
        let runs = dir.appendingPathComponent("e2e/runs")
        let name = try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted().first { $0.hasPrefix("size-") }!
        try FileManager.default.removeItem(at: runs.appendingPathComponent("\(name)/summary.json"))   // unfinished now
        let partial = try Workbench.ok(["runs", "e2e", "--status", "partial"], in: dir)
        XCTAssertTrue(partial.stdout.contains(name) && partial.stdout.contains("1 shown"), partial.stdout)
        // Hold the run's lock as a trainer does (flock on .lock).
        let fd = open(runs.appendingPathComponent("\(name)/.lock").path, O_CREAT | O_RDWR, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let running = try Workbench.ok(["runs", "e2e", "--status", "running"], in: dir)
        flock(fd, LOCK_UN); close(fd)
        XCTAssertTrue(running.stdout.contains(name) && running.stdout.contains("1 shown"), running.stdout)
        XCTAssertTrue(running.stdout.contains("1 running"), running.stdout)
        let after = try Workbench.ok(["runs", "e2e", "--status", "running"], in: dir)
        XCTAssertTrue(after.stdout.contains("0 shown"), "the lock released, the run reads as partial again:\n\(after.stdout)")
    }
}
