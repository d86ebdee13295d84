import Analysis
import Foundation
import XCTest
import TestSupport

/// Fine-tuning runs in a report: their own section (table, loss and error against N, accuracy
/// against steps), and never mixed into the generative fits of their modality.
final class FinetuneReportTests: XCTestCase {
    func writeRun(_ dir: URL, params: Int, from: String?, accuracies: [Double]) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let lines = accuracies.enumerated().map { k, a in
            "{\"step\": \(k * 50), \"tokens\": \(k * 1000), \"params\": \(params), \"compute_flops\": 0, \"compute_pfdays\": 0, \"train_loss\": null, \"test_loss\": \(2.3 * (1 - a)), \"test_accuracy\": \(a)}"
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        var summary: [String: Any] = ["params": params, "status": "completed", "modality": "image", "dataset": "fm8",
                                      "task": "classify", "finetune_mode": "full", "final_test_accuracy": accuracies.last!,
                                      "final_test_loss": 2.3 * (1 - accuracies.last!)]
        if let from { summary["pretrained_from"] = from }
        try JSONSerialization.data(withJSONObject: summary).write(to: dir.appendingPathComponent("summary.json"))
    }

    func testFinetuneRunsGetTheirOwnSectionAndStayOutOfTheFits() throws {
        let root = temporaryDirectory("finetune-report"), out = temporaryDirectory("finetune-report-out")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        try SyntheticRuns.writeDemo(to: root)
        let before = try RunRecord.loadAll([root])
        for (k, n) in [1000, 10_000, 100_000].enumerated() {
            try writeRun(root.appendingPathComponent("ft-pre-\(k)"), params: n, from: "/pre/\(k)", accuracies: [0.1, 0.6, 0.7 + 0.05 * Double(k)])
            try writeRun(root.appendingPathComponent("ft-scratch-\(k)"), params: n, from: nil, accuracies: [0.1, 0.4, 0.5 + 0.02 * Double(k)])
        }
        let runs = try RunRecord.loadAll([root])
        XCTAssertEqual(runs.count, before.count + 6)
        let files = try ScalingReport.write(runs: runs, to: out)
        let names = Set(files.map(\.lastPathComponent))
        for f in ["finetune-loss.png", "finetune-error.png", "finetune-steps.png"] { XCTAssertTrue(names.contains(f), f) }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Fine-tuning for classification"))
        XCTAssertTrue(md.contains("| ft-pre-2 |") && md.contains("| pre-trained | full | 100 |") && md.contains("| 80.0 % |"), md)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let rows = json["finetuning"] as! [[String: Any]]
        XCTAssertEqual(rows.count, 6)
        XCTAssertEqual(rows.filter { $0["start"] as? String == "pre-trained" }.count, 3)
        // The image modality's fits see exactly the generative runs.
        let modalities = json["modalities"] as! [[String: Any]]
        let image = try XCTUnwrap(modalities.first { ($0["modality"] as? String)?.hasPrefix("image") == true })
        XCTAssertEqual(image["runs"] as? Int, before.filter { $0.summary.modality == image["modality"] as? String }.count)
        XCTAssertFalse(modalities.contains { ($0["modality"] as? String)?.contains("fm8") == true || $0["modality"] as? String == "image" })
    }

    func testAReportOfFineTuningRunsAloneSaysSoAndHasNoEmptyEntropyTable() throws {
        let root = temporaryDirectory("finetune-only"), out = temporaryDirectory("finetune-only-out")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        for (k, n) in [1000, 10_000].enumerated() {
            try writeRun(root.appendingPathComponent("ft-pre-\(k)"), params: n, from: "/pre/\(k)", accuracies: [0.1, 0.6])
        }
        try ScalingReport.write(runs: try RunRecord.loadAll([root]), to: out)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertFalse(md.contains("0 runs in 0 modalities"), md)
        XCTAssertTrue(md.contains("No generative runs, so no scaling fits: 2 fine-tuning run(s)"), md)
        XCTAssertFalse(md.contains("Irreducible loss by modality"), md)
        XCTAssertTrue(md.contains("## Fine-tuning for classification"))
    }
}
