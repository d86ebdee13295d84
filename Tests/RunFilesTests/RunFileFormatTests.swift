import Foundation
import RunFiles
import XCTest

/// Every run-file format: what the writers write reads back equal, and files as earlier
/// versions wrote them (fixtures below reproduce their exact text) still read.
final class RunFileFormatTests: XCTestCase {
    // MARK: metrics.jsonl

    func testTrainerMetricsLineIsTheFormerTextExactly() throws {
        var r = MetricsRecord(step: 20, tokens: 1280, params: 1000, trainLoss: 5.25, testLoss: 5.0, lr: 0.001, wallSeconds: 1.5)
        r.extra["test_loss_book"] = 3.25
        let flops = 6.0 * 1000 * 1280
        // The trainer's hand-built line before the shared type, key for key.
        let former = "{\"step\": 20, \"tokens\": 1280, \"params\": 1000, \"compute_flops\": \(flops), \"compute_pfdays\": \(flops / 8.64e19), "
            + "\"train_loss\": 5.25, \"test_loss\": 5.0, \"lr\": 0.001, \"wall_seconds\": 1.5, \"test_loss_book\": 3.25}"
        XCTAssertEqual(r.jsonLine(), former)
        XCTAssertEqual(try MetricsRecord.parse(line: former), r)
        let first = MetricsRecord(step: 0, tokens: 0, params: 1000, trainLoss: nil, testLoss: 5.5, lr: 0, wallSeconds: 0)
        XCTAssertEqual(first.jsonLine(), "{\"step\": 0, \"tokens\": 0, \"params\": 1000, \"compute_flops\": 0.0, \"compute_pfdays\": 0.0, "
                       + "\"train_loss\": null, \"test_loss\": 5.5, \"lr\": 0.0, \"wall_seconds\": 0.0}")
    }

    func testMetricsRecordRoundTripsThroughCodableAndTheLine() throws {
        let r = MetricsRecord(step: 7, tokens: 3.5e9, params: 85_120, computeFLOPs: 1.8e15, computePFDays: 2.1e-5,
                              trainLoss: nil, testLoss: nil, lr: 2e-4, wallSeconds: 12, extra: ["test_accuracy": 0.75])
        XCTAssertEqual(try MetricsRecord.parse(line: r.jsonLine()), r)
        XCTAssertEqual(try JSONDecoder().decode(MetricsRecord.self, from: JSONEncoder().encode(r)), r)
    }

    func testSyntheticMetricsLinesOfEarlierVersionsStillRead() throws {
        // SyntheticRuns wrote compact JSON with Double counts.
        let line = #"{"step":10,"tokens":1280.0,"params":100000.0,"compute_flops":768000000.0,"compute_pfdays":8.888888888888889e-12,"train_loss":4.9,"test_loss":5.0,"lr":0.001,"wall_seconds":0.0}"#
        let r = try MetricsRecord.parse(line: line)
        XCTAssertEqual(r.step, 10); XCTAssertEqual(r.tokens, 1280); XCTAssertEqual(r.params, 100_000)
        XCTAssertEqual(r.trainLoss, 4.9); XCTAssertEqual(r.testLoss, 5.0); XCTAssertEqual(r.extra, [:])
        // Hand-written lines without lr or wall_seconds, and a diverged evaluation.
        let bare = try MetricsRecord.parse(line: #"{"step": 0, "tokens": 0, "params": 100, "compute_flops": 0, "compute_pfdays": 0, "test_loss": null}"#)
        XCTAssertNil(bare.testLoss); XCTAssertNil(bare.trainLoss); XCTAssertNil(bare.lr)
    }

    func testMalformedMetricsLinesSayWhatIsWrong() {
        func reason(_ line: String) -> String {
            do { _ = try MetricsRecord.parse(line: line); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertEqual(reason("[1, 2]"), "not a JSON object: [1, 2]")
        XCTAssertEqual(reason("{\"step\": 1"), "not a JSON object: {\"step\": 1")
        XCTAssertEqual(reason(#"{"step": 1, "tokens": 0, "params": 1, "compute_flops": 0}"#), "missing numeric key 'compute_pfdays'")
        XCTAssertEqual(reason(#"{"step": 1, "tokens": 0, "params": 1, "compute_flops": 0, "compute_pfdays": 0}"#), "missing numeric key 'test_loss'")
        XCTAssertEqual(reason(#"{"step": 2.5, "tokens": 0, "params": 1, "compute_flops": 0, "compute_pfdays": 0, "test_loss": 1}"#),
                       "'step' must be a whole number, got 2.5")
    }

    func testResumeKeepsTheLinesUpToTheCheckpointAsWritten() {
        let text = "{\"step\": 0, \"tokens\": 0, \"params\": 10, \"compute_flops\": 0.0, \"compute_pfdays\": 0.0, \"train_loss\": null, \"test_loss\": 5.5}\n"
            + "not json\n\n"
            + "{\"step\": 10, \"tokens\": 80, \"params\": 10, \"compute_flops\": 4800.0, \"compute_pfdays\": 1e-16, \"train_loss\": 5.0, \"test_loss\": 5.1}\n"
        XCTAssertEqual(MetricsFile.lines(of: text, upToStep: 5).count, 1)
        XCTAssertEqual(MetricsFile.lines(of: text, upToStep: 10).last, String(text.split(separator: "\n").last!))
        XCTAssertEqual(MetricsFile.lines(of: text).map(\.number), [1, 2, 4])
        XCTAssertEqual(MetricsFile.records(of: text).map(\.step), [0, 10])
    }

    // MARK: summary.json

    /// summary.json as the trainer wrote it before the shared type (pretty-printed, sorted keys).
    static let formerTrainerSummary = """
    {
      "best_step" : 40,
      "best_test_loss" : 2.5,
      "blas_kernels" : "Haswell",
      "compute_flops" : 1966080000,
      "compute_pfdays" : 2.2755555555555555e-11,
      "d_model" : 64,
      "dataset" : "builtin:english-sample",
      "dataset_tokens" : 250000,
      "final_test_loss" : 2.5,
      "item" : "image",
      "message" : "stopped by test",
      "modality" : "text",
      "n_layer" : 2,
      "params" : 100000,
      "run_name" : "run-a",
      "status" : "completed",
      "steps" : 40,
      "tokens" : 3276,
      "tokens_per_item" : 768,
      "tokens_per_second" : 1200.5,
      "wall_seconds" : 2.7
    }
    """

    func testFormerTrainerSummaryStillReadsAndRoundTrips() throws {
        let s = try RunSummary.decode(Data(Self.formerTrainerSummary.utf8))
        XCTAssertEqual(s.runName, "run-a"); XCTAssertEqual(s.params, 100_000); XCTAssertEqual(s.steps, 40)
        XCTAssertEqual(s.tokens, 3276); XCTAssertEqual(s.bestStep, 40); XCTAssertEqual(s.status, "completed")
        XCTAssertEqual(s.tokensPerItem, 768); XCTAssertEqual(s.blasKernels, "Haswell"); XCTAssertNil(s.task)
        XCTAssertEqual(try RunSummary.decode(s.encoded()), s)
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: s.encoded()) as? [String: Any]).keys.sorted()
        XCTAssertEqual(keys.count, 21)   // absent optional fields are left out, as before
    }

    func testPartialAndSyntheticSummariesRead() throws {
        let synthetic = #"{"params":100000.0,"dataset_tokens":1000000000000.0,"tokens":3276800.0,"best_test_loss":3.1,"best_step":1000,"final_test_loss":3.1,"status":"finished","modality":"text","dataset":"synthetic-text"}"#
        let s = try RunSummary.decode(Data(synthetic.utf8))
        XCTAssertEqual(s.params, 100_000); XCTAssertEqual(s.datasetTokens, 1_000_000_000_000); XCTAssertNil(s.runName)
        XCTAssertEqual(try RunSummary.decode(Data(#"{"params": 100, "best_test_loss": null}"#.utf8)).bestTestLoss, nil)
        XCTAssertThrowsError(try RunSummary.decode(Data(#"{"best_step": 1e300}"#.utf8))) {
            XCTAssertEqual("\($0)", "'best_step' must be a whole number, got 1e+300")
        }
        XCTAssertThrowsError(try RunSummary.decode(Data("[]".utf8))) { XCTAssertEqual("\($0)", "not a JSON object") }
    }

    // MARK: checkpoint.json

    func testFormerCheckpointStateStillReadsAndRoundTrips() throws {
        let former = """
        {
          "adam_step" : 5,
          "best_step" : 5,
          "best_test_loss" : 5.125,
          "model" : {
            "attnWidth" : 16,
            "dModel" : 16,
            "mlpWidth" : 64,
            "nCtx" : 16,
            "nHead" : 2,
            "nLayer" : 1,
            "vocabSize" : 256
          },
          "sampler_epoch" : 0,
          "sampler_index" : 40,
          "step" : 5,
          "tokens" : 640,
          "wall_seconds" : 1.5
        }
        """
        let s = try JSONDecoder().decode(CheckpointState.self, from: Data(former.utf8))
        XCTAssertEqual(s.step, 5); XCTAssertEqual(s.samplerIndex, 40); XCTAssertEqual(s.bestTestLoss, 5.125)
        XCTAssertEqual(s.model, .transformer(SavedModelShape(nLayer: 1, dModel: 16, nHead: 2, nCtx: 16, vocabSize: 256, mlpWidth: 64, attnWidth: 16)))
        XCTAssertEqual(String(decoding: try JSONFile.encode(s), as: UTF8.self), former)
    }

    func testLSTMCheckpointStateRecordsItsKindAndRoundTrips() throws {
        let state = CheckpointState(step: 3, samplerEpoch: 0, samplerIndex: 12, tokens: 96, adamStep: 3, bestTestLoss: nil,
                                    bestStep: nil, wallSeconds: 0.5, model: .lstm(SavedLSTMShape(nLayer: 2, width: 8, nCtx: 4, vocabSize: 256)))
        let text = String(decoding: try JSONFile.encode(state), as: UTF8.self)
        XCTAssertTrue(text.contains(#""kind" : "lstm""#), text)
        XCTAssertFalse(text.contains("dModel"), text)
        let back = try JSONDecoder().decode(CheckpointState.self, from: Data(text.utf8))
        XCTAssertEqual(back, state)
        XCTAssertEqual(back.model.kind, "lstm"); XCTAssertNil(back.model.transformer)
        let unknown = text.replacingOccurrences(of: #""kind" : "lstm""#, with: #""kind" : "rnn""#)
        XCTAssertThrowsError(try JSONDecoder().decode(CheckpointState.self, from: Data(unknown.utf8)))
    }

    // MARK: paired, eval and answers files

    func testPairedEvaluationReadsFormerFilesAndChecksThem() throws {
        let former = #"{"caption_loss_nats_per_caption" : 310.5, "loss_blank_nats_per_token" : 2.5, "loss_conditioned_nats_per_token" : 2.25, "predicted" : "image", "tokens_per_item" : 3072}"#
        let p = try PairedEvaluation.decode(Data(former.utf8))
        XCTAssertEqual(p.mutualInformationNats, 0.25 * 3072)
        XCTAssertEqual(p.infogain, 768 / 310.5)
        XCTAssertEqual(try PairedEvaluation.decode(JSONFile.encode(p)), p)
        XCTAssertThrowsError(try PairedEvaluation.decode(Data(former.replacingOccurrences(of: "\"image\"", with: "\"sound\"").utf8))) {
            XCTAssertEqual("\($0)", "predicted must be \"image\" or \"text\", not \"sound\"")
        }
        let text = PairedEvaluation(predicted: "text", tokensPerItem: 128, lossBlankNatsPerToken: 2, lossConditionedNatsPerToken: 1.5)
        XCTAssertEqual(text.captionLossNats, 256)
    }

    func testPositionalEvaluationReadsTheFormerFile() throws {
        let former = #"{"counted_tokens" : 96, "loss_by_position" : [5.5, null, 4.25], "loss_nats" : 4.875, "split" : "test"}"#
        let e = try JSONDecoder().decode(PositionalEvaluation.self, from: Data(former.utf8))
        XCTAssertEqual(e, PositionalEvaluation(split: "test", lossNats: 4.875, countedTokens: 96, lossByPosition: [5.5, nil, 4.25]))
        XCTAssertEqual(try JSONDecoder().decode(PositionalEvaluation.self, from: JSONFile.encode(e)), e)
        XCTAssertEqual(PositionalEvaluation.fileName(split: "test"), "eval_test.json")
    }

    func testMathAnswerResultsReadTheFormerFile() throws {
        let former = """
        {"checkpoint_step": 40, "dataset": "data/math", "decoding": "greedy", "module_source": "none",
         "splits": {"interpolate": {"examples": [{"answer": "4", "module": "all", "predicted": "5", "question": "2+2="}],
           "modules": {"all": {"accuracy": 0.5, "correct": 1, "problems": 2}}, "split": "interpolate",
           "total": {"accuracy": 0.5, "correct": 1, "problems": 2}}}}
        """
        let r = try JSONDecoder().decode(MathAnswerResults.self, from: Data(former.utf8))
        XCTAssertEqual(r.checkpointStep, 40)
        XCTAssertEqual(r.splits["interpolate"]?.total, MathAnswerCount(problems: 2, correct: 1))
        XCTAssertEqual(r.splits["interpolate"]?.examples.first?.predicted, "5")
        XCTAssertEqual(try JSONDecoder().decode(MathAnswerResults.self, from: JSONFile.encode(r)), r)
    }

    // MARK: manifest.json

    func testShardManifestRoundTripsAndPartialManifestsGiveTheirFacts() throws {
        let m = ShardManifest(name: "pairs", modality: "pair", tokenizer: "pair-16", vocabSize: 512, layout: .records,
                              recordLength: 897, splits: ["train": .init(tokens: 8970, sequences: 10, sha256: "ab", hasMask: true)],
                              source: "synthetic", trueEntropyNatsPerToken: 1.25, extra: ["true_mi_nats_per_pair": "4.85"])
        XCTAssertEqual(try JSONDecoder().decode(ShardManifest.self, from: JSONFile.encode(m)), m)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runfiles-manifest-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try JSONFile.write(m, to: dir.appendingPathComponent(ShardManifest.fileName))
        let facts = try XCTUnwrap(ShardManifest.facts(in: dir))
        XCTAssertEqual(facts.modality, "pair"); XCTAssertEqual(facts.trueEntropyNatsPerToken, 1.25)
        XCTAssertEqual(facts.trueMutualInformationNats, 4.85)
        try Data(#"{"name": "x", "modality": "image", "extra": {"true_mi_nats_per_pair": 2.5}}"#.utf8)
            .write(to: dir.appendingPathComponent(ShardManifest.fileName))
        XCTAssertEqual(ShardManifest.facts(in: dir)?.modality, "image")
        XCTAssertEqual(ShardManifest.facts(in: dir)?.trueMutualInformationNats, 2.5)
    }

    // MARK: config.toml

    func testSavedConfigRendersTheFormerTextAndReadsItBack() {
        let former = "[model]\nn_layer = 2\nd_model = 64\n\n[data]\ndataset = \"data/my \\\"quoted\\\" set\"\nextra_eval_splits = [\"a\", \"b\"]\n\n[optimizer]\nlr = 0.001\n"
        let saved = SavedRunConfig(values: [("model.n_layer", "2"), ("model.d_model", "64"),
                                            ("data.dataset", SavedRunConfig.quote("data/my \"quoted\" set")),
                                            ("data.extra_eval_splits", "[\"a\", \"b\"]"), ("optimizer.lr", "0.001")])
        XCTAssertEqual(saved.rendered(), former)
        let read = SavedRunConfig(parsing: "# a comment\n" + former)
        XCTAssertEqual(read, saved)
        XCTAssertEqual(read.string("data.dataset"), "data/my \"quoted\" set")
        XCTAssertEqual(read.number("optimizer.lr"), 0.001)
        XCTAssertNil(read.string("model.n_layer"))
        XCTAssertNil(read.value("train.steps"))
    }

    func testComputeCostIsSixNEInPFDays() {
        XCTAssertEqual(ComputeCost.flops(params: 1e6, tokens: 1e9), 6e15)
        XCTAssertEqual(ComputeCost.pfDays(flops: 8.64e19), 1)
        XCTAssertEqual(ComputeCost.tokens(flops: 6e15, params: 1e6), 1e9)
    }
}
