import Analysis
import Foundation
import XCTest
import TestSupport

final class RunInputTests: XCTestCase {
    func makeRun(_ metrics: String, summary: String? = nil) throws -> URL {
        let root = temporaryDirectory("input")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("text-n1e5")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try metrics.write(to: dir.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        if let s = summary { try s.write(to: dir.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8) }
        return dir
    }

    let goodLine = #"{"step":10,"tokens":1000,"params":100000,"compute_flops":6e8,"compute_pfdays":6.9e-12,"train_loss":3.1,"test_loss":3.2,"lr":0.001,"wall_seconds":1,"test_loss_book":3.3}"#

    func testEmptyMetricsNamesTheRun() throws {
        let dir = try makeRun("\n\n")
        XCTAssertThrowsError(try RunRecord.load(from: dir)) { e in
            XCTAssertEqual(e as? AnalysisInputError, .emptyMetrics(run: "text-n1e5", path: dir.appendingPathComponent("metrics.jsonl").path))
            XCTAssertTrue("\(e)".contains("run 'text-n1e5'"))
        }
    }

    func testMalformedLineNamesRunAndLine() throws {
        let dir = try makeRun(goodLine + "\n{\"step\": 20, \"tokens\": \n")
        XCTAssertThrowsError(try RunRecord.load(from: dir)) { e in
            guard case let .malformedMetrics(run, _, line, _)? = e as? AnalysisInputError else { return XCTFail("\(e)") }
            XCTAssertEqual(run, "text-n1e5")
            XCTAssertEqual(line, 2)
            XCTAssertTrue("\(e)".contains("line 2"))
        }
    }

    func testMissingKeyIsNamed() throws {
        let dir = try makeRun(goodLine.replacingOccurrences(of: #""test_loss":3.2,"#, with: ""))
        XCTAssertThrowsError(try RunRecord.load(from: dir)) { e in
            XCTAssertTrue("\(e)".contains("line 1: missing numeric key 'test_loss'"), "\(e)")
        }
    }

    func testGoodRunReadsMetricsExtrasAndSummary() throws {
        let summary = #"{"params":100000,"dataset_tokens":5e6,"tokens":1000,"best_test_loss":3.2,"best_step":10,"final_test_loss":3.2,"status":"finished","modality":"text","dataset":"kjv","tokens_per_item":128,"item":"caption"}"#
        let run = try RunRecord.load(from: try makeRun(goodLine + "\n", summary: summary))
        XCTAssertEqual(run.curve.count, 1)
        XCTAssertEqual(run.curve[0].extras["test_loss_book"], 3.3)
        XCTAssertEqual(run.curve[0].computePFDays, 6.9e-12)
        XCTAssertEqual(run.summary.datasetTokens, 5e6)
        XCTAssertEqual(run.summary.modality, "text")
        XCTAssertEqual(run.summary.tokensPerItem, 128)
    }

    func testRunWithoutSummaryIsDerivedFromMetrics() throws {
        let second = goodLine.replacingOccurrences(of: #""step":10"#, with: #""step":20"#).replacingOccurrences(of: #""test_loss":3.2"#, with: #""test_loss":2.9"#)
        let run = try RunRecord.load(from: try makeRun(goodLine + "\n" + second + "\n"))
        XCTAssertEqual(run.summary.bestTestLossNats, 2.9)
        XCTAssertEqual(run.summary.bestStep, 20)
        XCTAssertEqual(run.summary.status, "no summary")
    }

    func testTrainerStyleNullsAreAccepted() throws {
        // As Training's RunDirectory writes them: train_loss may be null; a null test_loss line is skipped.
        let a = #"{"step": 0, "tokens": 0, "params": 1000, "compute_flops": 0.0, "compute_pfdays": 0.0, "train_loss": null, "test_loss": 5.5, "lr": 0.0, "wall_seconds": 0.1}"#
        let b = #"{"step": 5, "tokens": 640, "params": 1000, "compute_flops": 3840000.0, "compute_pfdays": 4.4e-14, "train_loss": 5.0, "test_loss": null, "lr": 0.001, "wall_seconds": 0.2}"#
        let summary = #"{"run_name": "x", "dataset": "kjv", "modality": "text", "params": 1000, "n_layer": 1, "d_model": 8, "dataset_tokens": 5000, "tokens": 640, "steps": 5, "compute_flops": 3840000.0, "compute_pfdays": 4.4e-14, "best_test_loss": null, "wall_seconds": 1, "tokens_per_second": 600, "status": "diverged"}"#
        let run = try RunRecord.load(from: try makeRun(a + "\n" + b + "\n", summary: summary))
        XCTAssertEqual(run.curve.count, 1)
        XCTAssertTrue(run.curve[0].trainLossNats.isNaN)
        XCTAssertEqual(run.summary.bestTestLossNats, 5.5)
        XCTAssertEqual(run.summary.status, "diverged")
        XCTAssertEqual(run.summary.datasetTokens, 5000)
    }

    func testEvalFileOfWorkbenchEvalIsReadWithNullsAndImageShape() throws {
        let dir = temporaryDirectory("eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let u = dir.appendingPathComponent("eval_test.json")
        let values = (0..<12).map { $0 == 0 ? "null" : "\(Double($0))" }.joined(separator: ", ")
        try #"{"split": "test", "loss_nats": 6.5, "counted_tokens": 100, "loss_by_position": [\#(values)]}"#
            .write(to: u, atomically: true, encoding: .utf8)
        let p = try PositionLoss.load(u, modality: "image2")
        XCTAssertEqual(p.imageSide, 2)
        XCTAssertTrue(p.lossByPosition[0].isNaN)
        let maps = try XCTUnwrap(p.pixelMaps())
        XCTAssertEqual(maps[2], [1, 4, 7, 10])   // green channel
        let text = try PositionLoss.load(u, modality: "text")
        XCTAssertNil(text.imageSide)
        XCTAssertEqual(text.modality, "text")
    }

    func testCSVSeriesAndItsErrors() throws {
        let s = try SeriesCSV.parse("N,loss\n# comment\n1e5,3.1\n1e6, 2.9\n", path: "ln.csv")
        XCTAssertEqual(s.x, [1e5, 1e6])
        XCTAssertEqual(s.lossNats, [3.1, 2.9])
        XCTAssertEqual(s.variable, "N")
        XCTAssertThrowsError(try SeriesCSV.parse("1e5,3.1\n1e6,abc\n", path: "bad.csv")) { e in
            XCTAssertTrue("\(e)".contains("'bad.csv': line 2"), "\(e)")
        }
    }

    func testScalingSeriesSplitsConvergedAndDataLimitedRuns() throws {
        let dir = temporaryDirectory("series")
        defer { try? FileManager.default.removeItem(at: dir) }
        var plan = SyntheticRuns(modality: "text")
        plan.sizes = [1e4, 1e5, 1e6, 1e7]
        plan.dataSizes = [1e5, 1e6]
        plan.dataRunSizes = [1e6, 1e8]
        try plan.write(to: dir)
        let runs = try RunRecord.loadAll([dir])
        let ln = ScalingSeries.lossVersusParams(runs)
        XCTAssertEqual(ln.x, [1e4, 1e5, 1e6, 1e7])
        let ld = ScalingSeries.lossVersusData(runs)
        XCTAssertEqual(ld.x, [1e5, 1e6])
        // The larger model reaches the lower early-stopped loss on each dataset.
        XCTAssertTrue(ld.runs.allSatisfy { $0.hasPrefix("text-n1e8") }, "\(ld.runs)")
    }
}
