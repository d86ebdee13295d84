import Foundation
import XCTest
@testable import Sweeps
import Training
import TestSupport

/// A study's evaluations pick the runs that did not repeat their data, whatever their grid is called.
final class StudyEvaluationsTests: XCTestCase {
    func testSizeRunsAreTheCompletedRunsWithinOneEpochNotRunsNamedSize() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try SweepSpec.parse("""
            name = "pick"
            [set]
            "data.dataset" = "builtin:english-sample"
            "model.n_ctx" = 32
            "train.batch_size" = 8
            [[grid]]
            name = "widths"
            shapes = [[1, 16], [1, 32]]
            tokens = 1e4
            [[grid]]
            name = "size"
            shapes = [[1, 16]]
            data_tokens = [500]
            tokens = 1e4
            """, file: "pick.toml", baseDirectory: dir)
        let plan = try SweepPlan(spec: spec)
        let folder = SweepFolder(dir.appendingPathComponent("sweep"))
        try folder.adopt(plan, specText: nil)
        // Every run completed except the second width.
        for r in plan.runs where r.name != plan.runs[1].name {
            let run = folder.runURL(r.name)
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let summary: [String: Any] = ["run_name": r.name, "dataset": "builtin:english-sample", "modality": "text", "params": r.params,
                                          "n_layer": 1, "d_model": 16, "dataset_tokens": r.datasetTokens, "tokens": r.tokens, "steps": r.steps,
                                          "compute_flops": 1.0, "compute_pfdays": 1e-19, "wall_seconds": 1.0, "tokens_per_second": 1.0,
                                          "status": "completed"]
            try JSONSerialization.data(withJSONObject: summary).write(to: run.appendingPathComponent("summary.json"))
        }
        XCTAssertEqual(plan.runs.map(\.name), ["widths-L1-d16-Dall-s1", "widths-L1-d32-Dall-s1", "size-L1-d16-D500-s1"])
        // The "size" grid repeats its 500 tokens 20 times: it is an L(D) run, not a size run.
        XCTAssertEqual(try StudyEvaluations.sizeRuns(folder).map(\.name), ["widths-L1-d16-Dall-s1"])
    }
}
