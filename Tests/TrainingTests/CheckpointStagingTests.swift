import Foundation
import XCTest
import Tensors
import Training
import TestSupport

/// A process killed while saving a checkpoint (Slurm's scancel or preemption sends SIGTERM at
/// any moment) leaves a run that resumes to exactly the unbroken result: a complete staged
/// checkpoint is finished, an incomplete one discarded.
final class CheckpointStagingTests: XCTestCase {
    let fm = FileManager.default

    /// The unbroken run, and a run directory stopped with its checkpoint at `step` (4 or 8).
    func makeRuns() throws -> (unbroken: TrainConfig, stopped: (String, Int) throws -> URL) {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        let unbroken = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("unbroken"))
        try Trainer(config: unbroken).run()
        func stopped(_ name: String, _ step: Int) throws -> URL {
            var cfg = unbroken
            cfg.train.runDir = dir.appendingPathComponent(name).path
            let t = try Trainer(config: cfg)
            t.stopAfterSteps = step + 2
            try t.run()
            let url = URL(fileURLWithPath: cfg.train.runDir)
            XCTAssertEqual(try Checkpoint.loadState(from: url).step, step)
            return url
        }
        return (unbroken, stopped)
    }

    /// Resumes the run in `dir` to the end; returns the step it resumed at.
    func resume(_ dir: URL, like unbroken: TrainConfig) throws -> Int? {
        var cfg = unbroken
        cfg.train.runDir = dir.path
        var resumedAt: Int?? = nil
        let summary = try Trainer(config: cfg, resume: true).run { e in
            if case let .started(_, _, r) = e { resumedAt = r }
        }
        XCTAssertEqual(summary.status, "completed")
        let a = URL(fileURLWithPath: unbroken.train.runDir)
        XCTAssertEqual(try metricsWithoutWallClock(a), try metricsWithoutWallClock(dir))
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(Checkpoint.weightsFile)),
                       try Data(contentsOf: dir.appendingPathComponent(Checkpoint.weightsFile)))
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(Checkpoint.optimizerFile)),
                       try Data(contentsOf: dir.appendingPathComponent(Checkpoint.optimizerFile)))
        let left = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(Checkpoint.stagedSuffix) }
        XCTAssertEqual(left, [], "no staged files remain")
        return resumedAt ?? nil
    }

    func testKilledWhileRenamingAStagedCheckpointResumesFromTheNewOne() throws {
        let (unbroken, stopped) = try makeRuns()
        let at8 = try stopped("at8", 8)
        // Killed after the optimizer file of step 8 was renamed into place, before the weights and state.
        let run = try stopped("mid-commit", 4)
        for f in [Checkpoint.optimizerFile, "metrics.jsonl"] {
            try fm.removeItem(at: run.appendingPathComponent(f))
            try fm.copyItem(at: at8.appendingPathComponent(f), to: run.appendingPathComponent(f))
        }
        for f in [Checkpoint.weightsFile, Checkpoint.stateFile] {
            try fm.copyItem(at: at8.appendingPathComponent(f), to: run.appendingPathComponent(f + Checkpoint.stagedSuffix))
        }
        XCTAssertEqual(try Safetensors.read(run.appendingPathComponent(Checkpoint.optimizerFile)).metadata["step"], "8")
        XCTAssertEqual(try Checkpoint.loadState(from: run).step, 4, "the mixed set as a reader sees it")
        XCTAssertEqual(try resume(run, like: unbroken), 8)
    }

    func testKilledWhileStagingResumesFromThePreviousCheckpoint() throws {
        let (unbroken, stopped) = try makeRuns()
        let at8 = try stopped("at8", 8)
        // Killed after staging the tensors of step 8, before its checkpoint.json.next.
        let run = try stopped("mid-stage", 4)
        for f in [Checkpoint.optimizerFile, Checkpoint.weightsFile] {
            try fm.copyItem(at: at8.appendingPathComponent(f), to: run.appendingPathComponent(f + Checkpoint.stagedSuffix))
        }
        XCTAssertEqual(try resume(run, like: unbroken), 4)
    }
}
