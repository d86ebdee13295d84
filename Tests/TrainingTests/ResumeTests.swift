import Foundation
import XCTest
import Tensors
import Training

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

    func testResumeWithChangedConfigIsRefused() throws {
        var cfg = try stoppedTinyRun(stopAfter: 4)
        cfg.optimizer.lr = 1e-2
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { error in
            XCTAssertEqual(error as? TrainingError, .configChanged(path: cfg.train.runDir, keys: ["optimizer.lr"]))
        }
    }
}
