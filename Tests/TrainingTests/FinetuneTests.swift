import XCTest
import Datasets
import Tensors
import Training
import WorkbenchCore
import RunFiles
import TestSupport

/// Fine-tuning for classification: a pre-trained body with a head learns the labels, a linear
/// probe leaves the body untouched, resumes are exact, and the config section stays out of
/// generative runs' configs.
final class FinetuneTests: XCTestCase {
    /// Records of 17 tokens (a start token 0, then 16 "pixels"): class c draws its pixels mostly
    /// from tokens 1–3 (c = 0) or 4–6 (c = 1), with a quarter of them from anywhere.
    func writeLabelledDataset(in dir: URL, train: Int = 96, test: Int = 64) throws -> URL {
        var rng = SeededRNG(seed: 77)
        func split(_ n: Int) -> (TokenSplit, [UInt8]) {
            var tokens: [UInt16] = [], labels: [UInt8] = []
            for _ in 0..<n {
                let c = rng.nextInt(below: 2)
                labels.append(UInt8(c))
                tokens.append(0)
                for _ in 0..<16 {
                    tokens.append(UInt16(rng.nextInt(below: 4) == 0 ? 1 + rng.nextInt(below: 6) : 1 + 3 * c + rng.nextInt(below: 3)))
                }
            }
            return (TokenSplit(tokens: tokens), labels)
        }
        let (tr, trLabels) = split(train), (te, teLabels) = split(test)
        let url = dir.appendingPathComponent("labelled")
        let manifest = ShardManifest(name: "labelled", modality: "image", tokenizer: "test", vocabSize: 8, layout: .records,
                                     recordLength: 17, splits: [:], source: "test",
                                     extra: ["labels_train": "train.labels", "labels_test": "test.labels", "classes": "low,high"])
        try TokenDataset(manifest: manifest, splits: ["train": tr, "test": te]).write(to: url)
        try Data(trLabels).write(to: url.appendingPathComponent("train.labels"))
        try Data(teLabels).write(to: url.appendingPathComponent("test.labels"))
        return url
    }

    func config(data: URL, run: URL) -> TrainConfig {
        var c = tinyConfig(dataset: data, runDir: run)
        c.model.nCtx = 16
        c.train.steps = 40; c.train.batchSize = 8; c.train.evalEvery = 20; c.train.evalTokens = 64 * 16
        return c
    }

    func pretrained(_ dir: URL, data: URL) throws -> URL {
        let run = dir.appendingPathComponent("pre")
        try Trainer(config: config(data: data, run: run)).run()
        return run
    }

    func classify(_ base: TrainConfig, from: URL?, mode: String, run: URL) -> TrainConfig {
        var c = base
        c.finetune.task = "classify"; c.finetune.from = from?.path ?? ""; c.finetune.mode = mode
        c.train.runDir = run.path
        return c
    }

    func testPretrainedModelFineTunesWellAboveChance() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        let pre = try pretrained(dir, data: data)
        let cfg = classify(config(data: data, run: pre), from: pre, mode: "full", run: dir.appendingPathComponent("ft"))
        let summary = try Trainer(config: cfg).run()
        XCTAssertEqual(summary.task, "classify")
        XCTAssertEqual(summary.pretrainedFrom, pre.path)
        let accuracy = try XCTUnwrap(summary.finalTestAccuracy)
        XCTAssertGreaterThan(accuracy, 0.85, "two balanced classes: chance is 0.5")
        XCTAssertLessThan(try XCTUnwrap(summary.finalTestLoss), 0.45, "cross-entropy per example, log 2 = 0.69 at chance")
        let metrics = try String(contentsOf: dir.appendingPathComponent("ft/metrics.jsonl"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"test_accuracy\""))
    }

    func testEvaluatingAFineTunedRunGivesItsClassificationLossAndAccuracy() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        let cfg = classify(config(data: data, run: dir), from: nil, mode: "full", run: dir.appendingPathComponent("ft"))
        let summary = try Trainer(config: cfg).run()
        // The same records as the trainer's last evaluation: the same numbers, per example,
        // from the weights and head of the last checkpoint.
        let e = try RunModel.open(runDirectory: dir.appendingPathComponent("ft")).evaluateClassification(split: "test", maxTokens: cfg.train.evalTokens)
        XCTAssertEqual(e.examples, 64)
        XCTAssertEqual(e.lossNatsPerExample, try XCTUnwrap(summary.finalTestLoss), accuracy: 1e-12)
        XCTAssertEqual(e.accuracy, try XCTUnwrap(summary.finalTestAccuracy), accuracy: 1e-12)
        let json = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        XCTAssertTrue(json.contains("loss_nats_per_example") && json.contains("accuracy"), json)
    }

    func testLinearProbeLeavesTheBodyBitIdentical() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        let pre = try pretrained(dir, data: data)
        let ftDir = dir.appendingPathComponent("probe")
        let summary = try Trainer(config: classify(config(data: data, run: pre), from: pre, mode: "linear-probe", run: ftDir)).run()
        XCTAssertGreaterThan(try XCTUnwrap(summary.finalTestAccuracy), 0.7)
        let before = try Safetensors.read(pre.appendingPathComponent("checkpoint.safetensors"))
        let after = try Safetensors.read(ftDir.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(Set(after.tensors.keys), Set(before.tensors.keys).union(["classifier.weight", "classifier.bias"]))
        for (name, t) in before.tensors {
            XCTAssertEqual(after.tensors[name]?.values.map(\.bitPattern), t.values.map(\.bitPattern), name)
        }
        // The head did train.
        let w = try XCTUnwrap(after.tensors["classifier.weight"]).values
        XCTAssertGreaterThan(w.map { abs($0) }.max()!, 0.05)
    }

    func testStoppedAndResumedFinetuneEqualsUnbrokenRun() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        let pre = try pretrained(dir, data: data)
        let base = config(data: data, run: pre)
        let whole = classify(base, from: pre, mode: "full", run: dir.appendingPathComponent("whole"))
        try Trainer(config: whole).run()
        let broken = classify(base, from: pre, mode: "full", run: dir.appendingPathComponent("broken"))
        let first = try Trainer(config: broken)
        first.stopAfterSteps = 25
        try first.run()
        let summary = try Trainer(config: broken, resume: true).run()
        XCTAssertEqual(try metricsWithoutWallClock(dir.appendingPathComponent("whole")),
                       try metricsWithoutWallClock(dir.appendingPathComponent("broken")))
        for file in ["checkpoint.safetensors", "optimizer.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("whole/\(file)")),
                           try Data(contentsOf: dir.appendingPathComponent("broken/\(file)")), file)
        }
        XCTAssertNotNil(summary.finalTestAccuracy)
    }

    func testScratchBaselineStartsFromRandomWeights() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        let pre = try pretrained(dir, data: data)
        let cfg = classify(config(data: data, run: pre), from: nil, mode: "full", run: dir.appendingPathComponent("scratch"))
        let t = try Trainer(config: cfg)
        t.stopAfterSteps = 0
        try t.run()
        let a = try Safetensors.read(pre.appendingPathComponent("checkpoint.safetensors"))
        let b = try Safetensors.read(dir.appendingPathComponent("scratch/checkpoint.safetensors"))
        XCTAssertNotEqual(a.tensors["transformer.h.0.mlp.c_fc.weight"], b.tensors["transformer.h.0.mlp.c_fc.weight"])
    }

    func testFinetuneErrorsNameTheProblem() throws {
        let dir = temporaryDirectory(), data = try writeLabelledDataset(in: dir)
        var cfg = classify(config(data: data, run: dir), from: dir.appendingPathComponent("nowhere"), mode: "full",
                           run: dir.appendingPathComponent("ft"))
        XCTAssertThrowsError(try Trainer(config: cfg).run()) { error in
            XCTAssertTrue("\(error)".contains("nowhere"), "\(error)")
        }
        // A text dataset has no labels.
        let text = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        cfg = classify(tinyConfig(dataset: text, runDir: dir), from: nil, mode: "full", run: dir.appendingPathComponent("t"))
        XCTAssertThrowsError(try Trainer(config: cfg)) { error in
            XCTAssertTrue("\(error)".contains("records"), "\(error)")
        }
        cfg.finetune.mode = "probe"
        XCTAssertThrowsError(try cfg.validate()) { XCTAssertTrue("\($0)".contains("finetune.mode"), "\($0)") }
    }

    func testFinetuneSectionIsWrittenOnlyWhenUsed() throws {
        var cfg = TrainConfig()
        XCTAssertFalse(cfg.renderTOML().contains("[finetune]"))
        try cfg.set("finetune.task", to: "classify")
        let text = cfg.renderTOML()
        XCTAssertTrue(text.contains("[finetune]\ntask = \"classify\"\nfrom = \"\"\nmode = \"full\""), text)
        XCTAssertEqual(try TrainConfig.parse(text), cfg)
    }
}
