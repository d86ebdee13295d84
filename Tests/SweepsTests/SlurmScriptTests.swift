import Foundation
import XCTest
import Sweeps
import TestSupport

/// What needs no cluster: the job-array script's text, option checks, node-local paths, and the
/// message when sbatch is not on the PATH (with nothing of the sweep lost).
final class SlurmScriptTests: XCTestCase {
    func testScriptHasOneRequeueSafeTaskPerRun() {
        let script = SlurmArrayScript(sweepName: "tiny sweep", folder: URL(fileURLWithPath: "/shared/sweeps/tiny"),
                                      executable: URL(fileURLWithPath: "/shared/bin/workbench"),
                                      runs: ["a-1", "b-2", "c-3"],
                                      options: SlurmOptions(partition: "cpu", time: "01:30:00", cpusPerTask: 4, mem: "4G")).render()
        let lines = script.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "#!/bin/bash")
        for d in ["--job-name=wb-tiny_sweep", "--array=0-2", "--requeue", "--open-mode=append",
                  "--output=/shared/sweeps/tiny/slurm/logs/%A_%a.log", "--chdir=/shared/sweeps/tiny",
                  "--partition=cpu", "--time=01:30:00", "--cpus-per-task=4", "--mem=4G"] {
            XCTAssertTrue(lines.contains("#SBATCH " + d), "missing #SBATCH \(d)")
        }
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        let firstCommand = lines.firstIndex { !$0.hasPrefix("#") }!
        XCTAssertFalse(lines[firstCommand...].contains { $0.hasPrefix("#SBATCH") })
        XCTAssertTrue(lines.contains("RUNS=('a-1' 'b-2' 'c-3')"))
        XCTAssertTrue(script.contains(#"train --config "$CONFIG" --run-dir "$RUN_DIR" --resume --set "train.threads=${SLURM_CPUS_PER_TASK:-1}""#))
        XCTAssertFalse(script.contains("exit-with-parent"))
    }

    func testOptionsAreCheckedBeforeAnythingIsWritten() {
        XCTAssertNoThrow(try SlurmOptions(time: "2-12:00:00", mem: "500M").validate())
        XCTAssertThrowsError(try SlurmOptions(time: "1h").validate()) { XCTAssertTrue("\($0)".contains("--time '1h'")) }
        XCTAssertThrowsError(try SlurmOptions(cpusPerTask: 0).validate())
        XCTAssertThrowsError(try SlurmOptions(mem: "4 GB").validate())
        XCTAssertThrowsError(try SlurmOptions(partition: "a b").validate())
    }

    func testNodeLocalPaths() {
        XCTAssertNotNil(NodeLocalPath.reason("/tmp/sweeps/x"))
        XCTAssertNotNil(NodeLocalPath.reason("/dev/shm/x"))
        XCTAssertNil(NodeLocalPath.reason("/home/someone/sweeps"))
        XCTAssertEqual(NodeLocalPath.filesystemType("/proc/self"), "proc")
    }

    func testNoSbatchOnThePathIsAClearErrorAndTouchesNothing() throws {
        let exe = try workbenchExecutable()
        let dir = temporaryDirectory()
        let specURL = dir.appendingPathComponent("tiny.toml")
        try tinySweepSpec(steps: 20, evals: 2).write(to: specURL, atomically: true, encoding: .utf8)
        let r = try runWorkbench(exe, ["sweep", specURL.path, "--out", "s", "--backend", "slurm", "--no-estimate"], cwd: dir,
                                 environment: ["PATH": "/nonexistent"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("'sbatch' is not on the PATH"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("s/plan.json").path))

        // --no-submit needs no Slurm: it writes the script and says how to submit it.
        let w = try runWorkbench(exe, ["sweep", specURL.path, "--out", "s", "--backend", "slurm", "--no-submit", "--no-estimate"],
                                 cwd: dir, environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(w.status, 0, w.output)
        XCTAssertTrue(w.output.contains("not submitted (--no-submit)"), w.output)
        let scripts = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("s/slurm").path).filter { $0.hasSuffix(".sbatch") }
        XCTAssertEqual(scripts.count, 1)
        XCTAssertEqual(try SlurmJobLedger.read(SweepFolder(dir.appendingPathComponent("s"))).submissions.count, 0)
    }
}
