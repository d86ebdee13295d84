import Analysis
import Foundation
import XCTest
import TestSupport

/// metrics.jsonl and summary.json inputs that trapped in `Int(_:)` (found by `tools/fuzz`,
/// targets `metrics-jsonl` and `summary-json`): they must be errors naming run, file and line.
final class RunInputFuzzRegressionTests: XCTestCase {
    func makeRun(_ metrics: String, summary: String? = nil) throws -> URL {
        let root = temporaryDirectory("fuzz-regression")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("run-a")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try metrics.write(to: dir.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        if let s = summary { try s.write(to: dir.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8) }
        return dir
    }

    func line(step: String) -> String {
        #"{"step":\#(step),"tokens":0,"params":100,"compute_flops":0,"compute_pfdays":0,"train_loss":null,"test_loss":5.5}"#
    }

    func testStepThatIsNotAWholeNumberIsAnErrorNamingTheLine() throws {
        for step in ["1e300", "-1e19", "2.5"] {
            let dir = try makeRun(line(step: "0") + "\n" + line(step: step) + "\n")
            XCTAssertThrowsError(try RunRecord.load(from: dir), step) { e in
                let msg = "\(e)"
                XCTAssertTrue(msg.contains("run 'run-a'") && msg.contains("line 2") && msg.contains("'step' must be a whole number"), msg)
            }
        }
        XCTAssertEqual(try RunRecord.load(from: makeRun(line(step: "20.0"))).curve.map(\.step), [20])
    }

    func testBestStepThatIsNotAWholeNumberIsAnError() throws {
        let dir = try makeRun(line(step: "0"), summary: #"{"params": 100, "best_step": 1e300}"#)
        XCTAssertThrowsError(try RunRecord.load(from: dir)) { e in
            let msg = "\(e)"
            XCTAssertTrue(msg.contains("summary.json") && msg.contains("'best_step' must be a whole number"), msg)
        }
        let ok = try makeRun(line(step: "0"), summary: #"{"params": 100, "best_step": 40}"#)
        XCTAssertEqual(try RunRecord.load(from: ok).summary.bestStep, 40)
    }
}
