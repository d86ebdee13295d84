import Analysis
import Foundation
import XCTest
import TestSupport

/// `eval_answers.json` of math runs in a report: its own section, rows in fits.json, fits unchanged.
final class MathAnswerReportTests: XCTestCase {
    func answers(interpolate: (Int, Int), extrapolate: (Int, Int)) -> String {
        func split(_ c: (Int, Int), _ name: String) -> String {
            """
            "\(name)": {"split": "\(name)", "examples": [],
              "total": {"problems": \(c.0), "correct": \(c.1), "accuracy": 0},
              "modules": {"add": {"problems": \(c.0 - 1), "correct": \(c.1), "accuracy": 0},
                          "sort": {"problems": 1, "correct": 0, "accuracy": 0}}}
            """
        }
        return "{\"dataset\": \"d\", \"module_source\": \"problem_modules.json\", \"decoding\": \"greedy\", \"splits\": {"
            + split(interpolate, "interpolate") + ", " + split(extrapolate, "extrapolate") + "}}"
    }

    func testMathRunsWithAnswersGetASection() throws {
        let root = temporaryDirectory("math-answers"), out = temporaryDirectory("math-answers-out")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        var synth = SyntheticRuns(modality: "math")
        synth.sizes = [1e4, 1e5, 1e6, 1e7]; synth.dataSizes = []; synth.dataRunSizes = []
        let dirs = try synth.write(to: root).sorted { $0.path < $1.path }
        let plain = try ScalingReport.write(runs: try RunRecord.loadAll([root]), to: temporaryDirectory("math-plain"))
        XCTAssertFalse(plain.isEmpty)
        try answers(interpolate: (10, 4), extrapolate: (8, 1)).write(to: dirs[0].appendingPathComponent("eval_answers.json"), atomically: true, encoding: .utf8)
        try answers(interpolate: (10, 7), extrapolate: (8, 3)).write(to: dirs[1].appendingPathComponent("eval_answers.json"), atomically: true, encoding: .utf8)
        _ = try ScalingReport.write(runs: try RunRecord.loadAll([root]), to: out)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Math answers by exact match"), md)
        XCTAssertTrue(md.contains("| \(dirs[0].lastPathComponent) |"))
        XCTAssertTrue(md.contains("40.0 % (4 of 10)") && md.contains("37.5 % (3 of 8)"), md)
        XCTAssertTrue(md.contains("| add |") && md.contains("| sort |"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let rows = try XCTUnwrap(json["mathAnswers"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows.filter { $0["split"] as? String == "interpolate" }.map { $0["correct"] as! Int }.sorted(), [4, 7])
        // The fits see the same runs as without the answers.
        let modalities = try XCTUnwrap(json["modalities"] as? [[String: Any]])
        XCTAssertEqual(modalities.first { $0["modality"] as? String == "math" }?["runs"] as? Int, dirs.count)
        // A malformed file names itself.
        try "{}".write(to: dirs[2].appendingPathComponent("eval_answers.json"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ScalingReport.write(runs: try RunRecord.loadAll([root]), to: out)) {
            XCTAssertTrue("\($0)".contains("eval_answers.json"))
        }
    }
}
