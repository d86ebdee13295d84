import Foundation
import XCTest
import Datasets
import Tensors
import Training
import RunFiles
import TestSupport

/// The loop learns, writes the run-directory contract, and fails loudly without losing data.
final class TrainingBehaviourTests: XCTestCase {
    func testTinyModelMemorisesShortText() throws {
        let dir = temporaryDirectory()
        let text = String(try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Datasets/Resources/english-sample/test.txt"), encoding: .utf8)
            .utf8.dropFirst(3000).prefix(2048))!
        let data = try writeTextDataset(train: text, test: text, in: dir)
        var cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("run"))
        // A long context so the few unpredictable first bytes of each window weigh little.
        cfg.model.nLayer = 2; cfg.model.dModel = 96; cfg.model.nHead = 2; cfg.model.nCtx = 128
        cfg.optimizer.lr = 6e-3; cfg.optimizer.weightDecay = 0
        cfg.schedule.warmupSteps = 20; cfg.schedule.decay = "cosine"; cfg.schedule.minLRRatio = 0.02
        cfg.train.steps = 600; cfg.train.batchSize = 8; cfg.train.evalEvery = 600; cfg.train.evalTokens = 4096
        let s = try Trainer(config: cfg).run()
        XCTAssertLessThan(s.finalTestLoss!, 0.1, "2 KB of text memorised below 0.1 nats/byte")
        XCTAssertEqual(s.datasetTokens, 2048)
    }

    func testRunDirectoryHoldsTheContract() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        let cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("run"))
        let s = try Trainer(config: cfg).run()
        let run = URL(fileURLWithPath: cfg.train.runDir)
        for f in ["config.toml", "metrics.jsonl", "checkpoint.safetensors", "checkpoint.json", "optimizer.safetensors", "summary.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(f).path), f)
        }
        let lines = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let last = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        for k in ["step", "tokens", "params", "compute_flops", "compute_pfdays", "train_loss", "test_loss", "lr", "wall_seconds"] {
            XCTAssertNotNil(last[k], k)
        }
        let n = cfg.gptConfig(datasetVocab: 256).nonEmbeddingParameters
        XCTAssertEqual(last["params"] as? Int, n)
        XCTAssertEqual(last["tokens"] as? Int, 12 * 4 * 16)
        XCTAssertEqual(last["compute_flops"] as! Double, 6 * Double(n) * Double(12 * 4 * 16), accuracy: 1)
        XCTAssertEqual(last["compute_pfdays"] as! Double, 6 * Double(n) * Double(12 * 4 * 16) / 8.64e19, accuracy: 1e-25)
        // The first evaluation is the untrained model: about ln(256) nats per byte.
        let first = try JSONSerialization.jsonObject(with: Data(lines.first!.utf8)) as! [String: Any]
        XCTAssertEqual(first["test_loss"] as! Double, log(256), accuracy: 0.1)
        XCTAssertEqual(s.status, "completed")
        // The saved config reproduces the run's config.
        XCTAssertEqual(try TrainConfig.load(from: run.appendingPathComponent("config.toml")), cfg)
        // Weights load back in Python's layout: every tensor named and shaped as nanoGPT's.
        let w = try Safetensors.read(run.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(w.tensors["transformer.h.0.attn.c_attn.weight"]?.shape, [48, 16])
        XCTAssertEqual(w.tensors["lm_head.weight"]?.shape, [256, 16])
    }

    func testNaNLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        var cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("run"))
        cfg.optimizer.lr = 1e30; cfg.optimizer.gradClip = 0; cfg.schedule.warmupSteps = 0
        XCTAssertThrowsError(try Trainer(config: cfg).run()) { error in
            guard case let .diverged(step, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(step, 0)
            XCTAssertTrue("\(error)".contains("at step \(step)"))
        }
        let run = URL(fileURLWithPath: cfg.train.runDir)
        let state = try Checkpoint.loadState(from: run)
        XCTAssertEqual(state.step, 0, "the step-0 checkpoint is kept")
        let w = try Safetensors.read(run.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertTrue(w.tensors.values.allSatisfy { $0.values.allSatisfy(\.isFinite) })
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json"))) as! [String: Any]
        XCTAssertEqual(summary["status"] as? String, "diverged")
    }

    func testMissingDataFolderIsNamed() {
        var cfg = TrainConfig()
        cfg.data.dataset = "/nonexistent/shards"
        XCTAssertThrowsError(try Trainer(config: cfg)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/shards/manifest.json"), "\(error)")
        }
    }

    func testTruncatedCheckpointIsReportedAndLeftOnDisk() throws {
        let cfg = try stoppedTinyRun(stopAfter: 4)
        let weights = URL(fileURLWithPath: cfg.train.runDir).appendingPathComponent("checkpoint.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { error in
            XCTAssertTrue("\(error)".contains("checkpoint.safetensors"), "\(error)")
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: weights).count, bytes.count - 100, "the damaged file is not overwritten")
    }

    func testCheckpointOfAnotherShapeNamesTheTensor() throws {
        let dir = temporaryDirectory()
        let cfg = try stoppedTinyRun(stopAfter: 0, in: dir)
        // Keep checkpoint.json of this model but swap in the weights of a wider one.
        let wide = try stoppedTinyRun(stopAfter: 0, in: dir, name: "wide") { $0.model.dModel = 32 }
        let src = URL(fileURLWithPath: wide.train.runDir).appendingPathComponent("checkpoint.safetensors")
        let dst = URL(fileURLWithPath: cfg.train.runDir).appendingPathComponent("checkpoint.safetensors")
        try FileManager.default.removeItem(at: dst)
        try FileManager.default.copyItem(at: src, to: dst)
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { error in
            XCTAssertTrue("\(error)".contains("transformer.wte.weight' has shape [256, 32], the model expects [256, 16]"), "\(error)")
        }
    }
}

/// Record datasets (images, masked records) report what an item is and its counted tokens.
final class RecordSummaryTests: XCTestCase {
    func testSummaryNamesItemAndCountedTokensPerRecord() throws {
        let dir = temporaryDirectory()
        // 6 records of 9 tokens (n_ctx 8); the last 3 targets of each record count.
        let tokens = (0..<54).map { UInt16($0 % 7) }
        let mask: [UInt8] = Array([[UInt8]](repeating: [0, 0, 0, 0, 0, 0, 1, 1, 1], count: 6).joined())
        for (modality, expectItem) in [("image", "image"), ("pair", "record")] {
            let m = ShardManifest(name: "r", modality: modality, tokenizer: "t", vocabSize: 7, layout: .records,
                                  recordLength: 9, splits: [:], source: "test")
            let url = dir.appendingPathComponent(modality)
            try TokenDataset(manifest: m, splits: ["train": .init(tokens: tokens, mask: mask),
                                                   "test": .init(tokens: tokens, mask: mask)]).write(to: url)
            var cfg = tinyConfig(dataset: url, runDir: dir.appendingPathComponent("run-\(modality)"))
            cfg.model.nCtx = 8; cfg.train.steps = 2; cfg.train.evalEvery = 2
            let s = try Trainer(config: cfg).run()
            XCTAssertEqual(s.item, expectItem)
            XCTAssertEqual(s.tokensPerItem, 3)
            XCTAssertEqual(s.datasetTokens, 54)
        }
    }
}

/// `pairedEvaluation` measures each direction on its own pair of splits.
final class PairedEvaluationTests: XCTestCase {
    func testPairedLossesComeFromTheMatchingSplits() throws {
        let dir = temporaryDirectory()
        func split(_ seed: Int, maskFrom: Int) -> TokenSplit {
            let tokens = (0..<45).map { UInt16(($0 * 7 + seed) % 11) }
            let one: [UInt8] = (0..<9).map { $0 >= maskFrom ? 1 : 0 }
            return TokenSplit(tokens: tokens, mask: Array([[UInt8]](repeating: one, count: 5).joined()))
        }
        let m = ShardManifest(name: "p", modality: "pair", tokenizer: "t", vocabSize: 11, layout: .records,
                              recordLength: 9, splits: [:], source: "test")
        let ds = TokenDataset(manifest: m, splits: [
            "train": split(0, maskFrom: 1), "test": split(0, maskFrom: 1),
            "test-caption-first": split(1, maskFrom: 4), "test-caption-first-blank": split(2, maskFrom: 4),
            "test-image-first": split(3, maskFrom: 7), "test-image-first-blank": split(4, maskFrom: 7)])
        try ds.write(to: dir.appendingPathComponent("data"))
        var cfg = tinyConfig(dataset: dir.appendingPathComponent("data"), runDir: dir.appendingPathComponent("run"))
        cfg.model.nCtx = 8; cfg.train.steps = 2; cfg.train.evalEvery = 2
        let t = try Trainer(config: cfg)
        try t.run()
        let r = try t.pairedEvaluation(maxTokens: 1000)
        XCTAssertEqual(r.image.tokensPerItem, 5)      // mask on positions 4...8 of each record
        XCTAssertEqual(r.text.tokensPerItem, 2)       // mask on positions 7...8
        XCTAssertEqual(r.image.lossConditionedNatsPerToken, t.evaluateByPosition(split: "test-caption-first", maxTokens: 1000).lossNats, accuracy: 1e-9)
        XCTAssertEqual(r.image.lossBlankNatsPerToken, t.evaluateByPosition(split: "test-caption-first-blank", maxTokens: 1000).lossNats, accuracy: 1e-9)
        // I is the mean over the 5 pairs of (summed loss blank − given), its error the paired standard error.
        let given = t.loaded.lossPerRecord(split: "test-caption-first", maxRecords: 100), blank = t.loaded.lossPerRecord(split: "test-caption-first-blank", maxRecords: 100)
        XCTAssertEqual(given.lossNats.count, 5); XCTAssertEqual(given.counted, [5, 5, 5, 5, 5])
        let d = (0..<5).map { blank.lossNats[$0] - given.lossNats[$0] }
        let mean = d.reduce(0, +) / 5
        let se = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4 / 5).squareRoot()
        XCTAssertEqual(r.image.pairs, 5)
        XCTAssertEqual(r.image.mutualInformationNats, mean, accuracy: 1e-9)
        XCTAssertEqual(r.image.mutualInformationStandardErrorNats!, se, accuracy: 1e-12)
        XCTAssertGreaterThan(se, 0)
        XCTAssertEqual(PairedEvaluation.standardError([1, 2, 3, 4])!, (5.0 / 3 / 4).squareRoot(), accuracy: 1e-15)
        XCTAssertNil(PairedEvaluation.standardError([1]))
        XCTAssertEqual(r.text.captionLossNatsPerCaption!, r.text.lossBlankNatsPerToken * 2, accuracy: 1e-9)
        XCTAssertEqual(r.image.mutualInformationNats,
                       (r.image.lossBlankNatsPerToken - r.image.lossConditionedNatsPerToken) * 5, accuracy: 1e-12)
        XCTAssertNotEqual(r.image.lossBlankNatsPerToken, r.image.lossConditionedNatsPerToken)
        // The default (`eval --paired` without --eval-tokens) reads every pair, and a limit reads whole records.
        let all = try t.loaded.pairedEvaluation()
        XCTAssertEqual(all.image.pairs, 5); XCTAssertEqual(all.text.pairs, 5)
        XCTAssertEqual(all.image.mutualInformationNats, r.image.mutualInformationNats, accuracy: 1e-12)
        XCTAssertEqual(t.loaded.lossPerRecord(split: "test-caption-first", maxRecords: .max).lossNats.count, 5)
        XCTAssertEqual(try t.pairedEvaluation(maxTokens: 3 * 8 + 5).image.pairs, 3)
        // Without the splits it says which one is missing.
        var plain = cfg
        plain.data.dataset = dir.appendingPathComponent("plain").path
        try TokenDataset(manifest: m, splits: ["train": split(0, maskFrom: 1), "test": split(0, maskFrom: 1)])
            .write(to: dir.appendingPathComponent("plain"))
        plain.train.runDir = dir.appendingPathComponent("run2").path
        XCTAssertThrowsError(try Trainer(config: plain).pairedEvaluation(maxTokens: 100)) { e in
            XCTAssertTrue("\(e)".contains("test-caption-first"), "\(e)")
        }
    }
}
