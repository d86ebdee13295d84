import Foundation
import XCTest
import Sweeps
import Training
import RunFiles
import TestSupport

/// A sweep whose training processes and whose own process are killed with SIGKILL mid-run,
/// then started again, finishes every run with exactly the curves and weights of an
/// uninterrupted sweep, and its index matches the run directories.
final class SweepKillResumeTests: XCTestCase {
    func testKilledSweepResumesToTheUninterruptedResult() throws {
        let exe = try workbenchExecutable()
        let dir = temporaryDirectory()
        let specURL = dir.appendingPathComponent("tiny.toml")
        try tinySweepSpec(steps: 600, evals: 12).write(to: specURL, atomically: true, encoding: .utf8)

        // Reference: uninterrupted.
        let ref = try runWorkbench(exe, ["sweep", specURL.path, "--out", "ref", "--no-estimate", "--max-parallel", "2"], cwd: dir)
        XCTAssertEqual(ref.status, 0, ref.output)

        // Interrupted: kill one training child, then the sweep itself, each mid-run.
        let broken = dir.appendingPathComponent("broken")
        let sweep = Process()
        sweep.executableURL = exe
        sweep.arguments = ["sweep", specURL.path, "--out", broken.path, "--no-estimate", "--max-parallel", "2"]
        sweep.currentDirectoryURL = dir
        sweep.standardOutput = FileHandle.nullDevice
        try sweep.run()

        func partialRun() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: broken.appendingPathComponent("runs").path)) ?? []
            return names.sorted().first { n in
                let st = RunState.read(broken.appendingPathComponent("runs/\(n)"))
                return st.status == .partial && st.step > 0
            }
        }
        func waitFor<T>(_ what: String, _ probe: () -> T?) throws -> T {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                if let v = probe() { return v }
                usleep(2_000)
            }
            XCTFail("timed out waiting for \(what)")
            throw CocoaError(.userCancelled)
        }
        // 1. kill -9 of one training process while it runs.
        let victim = try waitFor("a run with a checkpoint past step 0") { partialRun() }
        let childPIDs = processIDs(commandLineContaining: ["train", "broken/runs/\(victim)"])
        XCTAssertEqual(childPIDs.count, 1, "one training process for \(victim)")
        for pid in childPIDs { kill(pid, SIGKILL) }
        // 2. kill -9 of the sweep itself once another run is under way.
        _ = try waitFor("another run under way") { () -> String? in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: broken.appendingPathComponent("runs").path)) ?? []
            return names.first { $0 != victim && RunState.read(broken.appendingPathComponent("runs/\($0)")).status == .partial }
        }
        kill(sweep.processIdentifier, SIGKILL)
        sweep.waitUntilExit()
        XCTAssertEqual(sweep.terminationReason, .uncaughtSignal)
        // Its children die with it (parent-death signal): nothing keeps writing.
        _ = try waitFor("the killed sweep's children to exit") {
            processIDs(commandLineContaining: ["train", broken.path + "/runs"]).isEmpty ? true : nil
        }
        let unfinished = plannedNames(broken).filter { !RunState.read(broken.appendingPathComponent("runs/\($0)")).status.isFinished }
        XCTAssertFalse(unfinished.isEmpty, "the kills should have left unfinished runs")

        // Again, to the end.
        let again = try runWorkbench(exe, ["sweep", specURL.path, "--out", broken.path, "--no-estimate", "--max-parallel", "2"], cwd: dir)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("resuming at step"), again.output)

        let names = plannedNames(broken)
        XCTAssertEqual(names.count, 4)
        for n in names {
            let a = dir.appendingPathComponent("ref/runs/\(n)"), b = broken.appendingPathComponent("runs/\(n)")
            XCTAssertEqual(RunState.read(b).status, .completed, n)
            XCTAssertEqual(try metricsWithoutWallClock(a), try metricsWithoutWallClock(b), n)
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("checkpoint.safetensors")),
                           try Data(contentsOf: b.appendingPathComponent("checkpoint.safetensors")), n)
        }
        // The index says what the run directories say.
        let index = try ResultsIndex.open(at: broken.appendingPathComponent("index.sqlite"))
        XCTAssertNil(index.recovery)
        let rows = try index.runs()
        XCTAssertEqual(rows.map(\.name).sorted(), names.sorted())
        for r in rows {
            let run = broken.appendingPathComponent("runs/\(r.name)")
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
            XCTAssertEqual(r.status, "completed")
            XCTAssertEqual(r.steps, summary.steps)
            XCTAssertEqual(r.steps, r.plannedSteps)
            XCTAssertEqual(r.bestTestLoss, summary.bestTestLoss)
            XCTAssertEqual(r.finalTestLoss, summary.finalTestLoss)
            XCTAssertEqual(r.evaluations, try metricsWithoutWallClock(run).count)
        }
    }

    func plannedNames(_ sweep: URL) -> [String] {
        guard let data = try? Data(contentsOf: sweep.appendingPathComponent("plan.json")),
              let plan = try? JSONDecoder().decode(SweepFolder.RecordedPlan.self, from: data) else { return [] }
        return plan.runs.map(\.name)
    }
}
