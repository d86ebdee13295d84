import Foundation
import XCTest
import Tensors
import Training
import Transformer
import TestSupport
import RunFiles

/// `model.kind = "lstm"` through the same Trainer, run directory, checkpoint and resume as the
/// transformer: N and compute of the LSTM's own, PyTorch's tensor names, exact resume, sampling.
final class LSTMTrainingTests: XCTestCase {
    func lstmConfig(_ dir: URL, _ name: String) throws -> TrainConfig {
        let data = dir.appendingPathComponent("data")
        if !FileManager.default.fileExists(atPath: data.path) {
            _ = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        }
        var c = tinyConfig(dataset: data, runDir: dir.appendingPathComponent(name))
        c.model.kind = "lstm"; c.model.nLayer = 2; c.model.dModel = 12
        c.optimizer.lr = 1e-2
        return c
    }

    func testLSTMRunLearnsResumesExactlyAndWritesItsOwnComputeAndNames() throws {
        let dir = temporaryDirectory()
        let unbroken = try lstmConfig(dir, "unbroken")
        let summary = try Trainer(config: unbroken).run()
        let lstm = LSTMConfig(nLayer: 2, width: 12, nCtx: 16, vocabSize: 256)
        XCTAssertEqual(summary.params, lstm.nonEmbeddingParameters)
        XCTAssertEqual(summary.modelKind, "lstm")
        XCTAssertEqual(summary.computeFLOPs, lstm.trainingFLOPsPerToken * Double(try XCTUnwrap(summary.tokens)))
        XCTAssertLessThan(summary.bestTestLoss!, 0.95 * log(256.0), "the loss falls below a uniform guess (ln 256) in 12 steps")
        let run = URL(fileURLWithPath: unbroken.train.runDir)
        let last = try XCTUnwrap(try metricsWithoutWallClock(run).last)
        XCTAssertTrue(last.contains("\"compute_flops\": \(lstm.trainingFLOPsPerToken * Double(try XCTUnwrap(summary.tokens)))"), last)
        XCTAssertTrue(try String(contentsOf: run.appendingPathComponent("config.toml"), encoding: .utf8).contains("kind = \"lstm\""))
        let weights = try Safetensors.read(run.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(weights.tensors["lstm.weight_ih_l1"]?.shape, [48, 12])
        XCTAssertEqual(weights.tensors["lstm.bias_hh_l0"]?.shape, [48])
        XCTAssertEqual(weights.tensors["embedding.weight"]?.shape, [256, 12])
        XCTAssertEqual(weights.metadata["format"], "workbench-lstm")

        var broken = unbroken
        broken.train.runDir = dir.appendingPathComponent("broken").path
        let first = try Trainer(config: broken)
        first.stopAfterSteps = 6
        XCTAssertEqual(try first.run().status, "stopped")
        XCTAssertEqual(try Trainer(config: broken, resume: true).run().status, "completed")
        XCTAssertEqual(try metricsWithoutWallClock(run), try metricsWithoutWallClock(URL(fileURLWithPath: broken.train.runDir)))
        let resumed = try Safetensors.read(URL(fileURLWithPath: broken.train.runDir).appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(weights.tensors, resumed.tensors)

        // A transformer config cannot load the LSTM's checkpoint: the error names both shapes.
        var other = unbroken
        other.model.kind = "transformer"
        other.train.runDir = dir.appendingPathComponent("other").path
        let gpt = try Trainer(config: other)
        XCTAssertThrowsError(try Checkpoint.load(into: gpt.model, optimizer: nil, from: run)) { error in
            XCTAssertTrue("\(error)".contains("lstm: n_layer 2, width 12"), "\(error)")
        }

        // Loss by position and sampling work on the loaded LSTM.
        let loaded = try Trainer(config: unbroken, resume: true)
        _ = try Checkpoint.load(into: loaded.model, optimizer: nil, from: run)
        let byPosition = loaded.evaluateByPosition(split: "test", maxTokens: 256)
        XCTAssertEqual(byPosition.lossByPosition.count, 16)
        XCTAssertEqual(byPosition.lossNats, summary.finalTestLoss!, accuracy: 1e-9)
        var a = Sampler(temperature: 0, seed: 1), b = Sampler(temperature: 0, seed: 1)
        let prompt = Array("the quick".utf8).map(Int32.init)
        let cached = try a.generate(model: loaded.model, prompt: prompt, count: 6)
        XCTAssertEqual(cached, b.generateByRerunning(model: loaded.model, prompt: prompt, count: 6))
    }

    func testLSTMConfigRejectsWhatItDoesNotImplement() throws {
        var c = try lstmConfig(temporaryDirectory(), "r")
        c.model.dropout = 0.1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("model.dropout"), "\($0)") }
        c.model.dropout = 0
        c.model.kind = "rnn"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("model.kind"), "\($0)") }
        // Transformer configs render as before (no kind key), so their config hashes are unchanged.
        XCTAssertFalse(TrainConfig().renderTOML().contains("kind"))
    }
}
