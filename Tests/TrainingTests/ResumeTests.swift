import Foundation
import XCTest
import Tensors
import Training
import TestSupport

/// A run killed after a checkpoint and resumed gives exactly the curve and weights of an
/// unbroken run with the same config, seed and thread count.
final class ResumeTests: XCTestCase {
    func testResumedRunMatchesUnbrokenRun() throws { try checkResume(dropout: 0) }

    func testResumedRunWithDropoutMatchesUnbrokenRun() throws { try checkResume(dropout: 0.1) }

    func checkResume(dropout: Double) throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        var unbroken = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("unbroken"))
        unbroken.model.dropout = dropout
        try Trainer(config: unbroken).run()

        var broken = unbroken
        broken.train.runDir = dir.appendingPathComponent("broken").path
        let first = try Trainer(config: broken)
        first.stopAfterSteps = 6          // "killed" at step 6; last checkpoint at step 4
        let stopped = try first.run()
        XCTAssertEqual(stopped.status, "stopped")
        XCTAssertEqual(try Checkpoint.loadState(from: URL(fileURLWithPath: broken.train.runDir)).step, 4)
        XCTAssertThrowsError(try Trainer(config: broken).run()) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        let resumed = try Trainer(config: broken, resume: true).run()
        XCTAssertEqual(resumed.status, "completed")

        let a = try metricsWithoutWallClock(URL(fileURLWithPath: unbroken.train.runDir))
        let b = try metricsWithoutWallClock(URL(fileURLWithPath: broken.train.runDir))
        XCTAssertEqual(a.count, 4)        // steps 0, 4, 8, 12
        XCTAssertEqual(a, b)
        let wa = try Safetensors.read(URL(fileURLWithPath: unbroken.train.runDir).appendingPathComponent("checkpoint.safetensors"))
        let wb = try Safetensors.read(URL(fileURLWithPath: broken.train.runDir).appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(wa.tensors, wb.tensors)
    }

    /// Issue 18: a run stopped right after its step-0 evaluation and checkpoint, resumed several
    /// times, has the unbroken run's metrics row for row (one step-0 row, not one per resume).
    func testRunStoppedAtStepZeroAndResumedHasOneStepZeroRow() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        let unbroken = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("unbroken"))
        try Trainer(config: unbroken).run()

        var broken = unbroken
        broken.train.runDir = dir.appendingPathComponent("broken").path
        let first = try Trainer(config: broken)
        first.stopAfterSteps = 0
        XCTAssertEqual(try first.run().status, "stopped")
        XCTAssertEqual(try Checkpoint.loadState(from: URL(fileURLWithPath: broken.train.runDir)).step, 0)
        for _ in 0..<3 {
            let again = try Trainer(config: broken, resume: true)
            again.stopAfterSteps = 0
            XCTAssertEqual(try again.run().status, "stopped")
        }
        let b0 = try metricsWithoutWallClock(URL(fileURLWithPath: broken.train.runDir))
        XCTAssertEqual(b0.count, 1, "one step-0 row after three resumes at step 0: \(b0)")
        try Trainer(config: broken, resume: true).run()
        XCTAssertEqual(try metricsWithoutWallClock(URL(fileURLWithPath: unbroken.train.runDir)),
                       try metricsWithoutWallClock(URL(fileURLWithPath: broken.train.runDir)))
    }

    /// A run killed after its last checkpoint but before summary.json, then resumed, reports
    /// the final test loss of its last evaluation (not null).
    func testResumeAfterLastCheckpointKeepsFinalLoss() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        let cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("run"))
        let done = try Trainer(config: cfg).run()
        let run = URL(fileURLWithPath: cfg.train.runDir)
        try FileManager.default.removeItem(at: run.appendingPathComponent("summary.json"))
        let resumed = try Trainer(config: cfg, resume: true).run()
        XCTAssertEqual(resumed.status, "completed")
        XCTAssertNotNil(done.finalTestLoss)
        XCTAssertEqual(resumed.finalTestLoss, done.finalTestLoss)
        XCTAssertEqual(resumed.bestTestLoss, done.bestTestLoss)
        XCTAssertEqual(resumed.steps, done.steps)
    }

    /// Two processes never train into one run directory: while one holds the run's lock, a
    /// second is refused with a message naming the directory, and the checkpoint stays intact.
    func testSecondTrainerIntoALockedRunDirectoryIsRefused() throws {
        let cfg = try stoppedTinyRun(stopAfter: 4)
        let dir = URL(fileURLWithPath: cfg.train.runDir)
        let before = try Data(contentsOf: dir.appendingPathComponent("checkpoint.safetensors"))
        var held: RunLock? = try RunDirectory(dir).acquireLock()
        XCTAssertNotNil(held)
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { error in
            XCTAssertEqual(error as? TrainingError, .runLocked(path: dir.path))
            XCTAssertTrue("\(error)".contains("in use by another training process"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("checkpoint.safetensors")), before)
        held = nil                        // released, as when the first process ends
        XCTAssertEqual(try Trainer(config: cfg, resume: true).run().status, "completed", "free again once the lock is released")
    }

    /// Temporary files a killed writer left behind are removed when the run resumes.
    func testStaleTemporaryFilesAreRemovedOnResume() throws {
        let cfg = try stoppedTinyRun(stopAfter: 4)
        let dir = URL(fileURLWithPath: cfg.train.runDir)
        let stale = dir.appendingPathComponent(".metrics.jsonl.tmp-99999")
        try Data("half a line".utf8).write(to: stale)
        try Trainer(config: cfg, resume: true).run()
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path))
    }

    func testResumeWithChangedConfigIsRefused() throws {
        var cfg = try stoppedTinyRun(stopAfter: 4)
        cfg.optimizer.lr = 1e-2
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { error in
            XCTAssertEqual(error as? TrainingError, .configChanged(path: cfg.train.runDir, keys: ["optimizer.lr"]))
        }
    }
}
