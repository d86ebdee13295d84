import Analysis
import Foundation
import XCTest
import RunFiles
import TestSupport

/// The report's mutual-information section: both directions, standard errors, flags.
final class MutualInformationSectionTests: XCTestCase {
    func row(_ run: String, _ predicted: String, _ i: Double, se: Double, truth: Double? = 2.0, h: Double? = 5.0) -> MutualInformationRow {
        MutualInformationRow(run: run, params: 1e4, predicted: predicted, mutualInformationNats: i, infogain: nil,
                             standardErrorNats: se, trueMutualInformationNats: truth, captionEntropyNats: h)
    }

    func testFlagsDirectionsApartAboveEntropyAndFarFromTruth() {
        let rows = MutualInformationRow.flagged([
            row("a", "image", 2.05, se: 0.1), row("a", "text", 1.95, se: 0.1),   // agree, both within 2 SE of 2.0
            row("b", "image", 2.5, se: 0.1), row("b", "text", 2.0, se: 0.1),     // 0.5 apart: 3.5 SE of the difference
            row("c", "image", 5.3, se: 0.1), row("c", "text", 5.1, se: 0.1),     // above H = 5 (c/text within 2 SE of it)
        ])
        XCTAssertEqual(rows[0].flags, []); XCTAssertEqual(rows[1].flags, [])
        XCTAssertEqual(rows[2].flags.count, 2)
        XCTAssertTrue(rows[2].flags[0].hasPrefix("directions differ by 3.5 SE"), rows[2].flags[0])
        XCTAssertTrue(rows[2].flags[1].contains("5 SE above the exact 2"), rows[2].flags[1])
        XCTAssertEqual(rows[3].flags, ["directions differ by 3.5 SE"])
        XCTAssertTrue(rows[4].flags.contains("above H(caption) = 5 by more than 2 SE"), "\(rows[4].flags)")
        XCTAssertTrue(rows[5].flags.contains("above H(caption) = 5 (within 2 SE)"), "\(rows[5].flags)")
        // Without standard errors (older files) only the entropy bound can be checked.
        let old = MutualInformationRow.flagged([MutualInformationRow(run: "d", params: 1, predicted: "image", mutualInformationNats: 6, infogain: nil, captionEntropyNats: 5)])
        XCTAssertEqual(old[0].flags, ["above H(caption) = 5"])
        // I < 0 (real pairs split by caption and image): flagged, with how far below.
        let negative = MutualInformationRow.flagged([row("e", "text", -0.5, se: 0.04, truth: nil, h: nil), row("f", "text", -0.05, se: 0.04, truth: nil, h: nil)])
        XCTAssertEqual(negative[0].flags, ["below 0 by more than 2 SE: the conditioned path generalizes worse than the blank path"])
        XCTAssertEqual(negative[1].flags, ["below 0 (within 2 SE): the conditioned path generalizes worse than the blank path"])
    }

    /// A run with both paired files and a manifest with exact information: the report reads
    /// both directions, shows their standard errors and compares them with the exact I.
    func testReportReadsBothDirectionsAndTheManifest() throws {
        let dir = temporaryDirectory("mi-report"), out = temporaryDirectory("mi-report-out")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: out) }
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var m = ShardManifest(name: "pairs", modality: "pair", tokenizer: "pair-bytes8-rgb2", vocabSize: 516, layout: .records,
                              recordLength: 21, splits: [:], source: "test")
        m.pairInformation = .init(mutualInformationNats: 2.0, captionEntropyNats: 4.0, infogain: 0.5)
        try JSONFile.write(m, to: data.appendingPathComponent(ShardManifest.fileName))
        for (k, n) in [1e4, 1e5].enumerated() {
            let run = dir.appendingPathComponent("runs/p\(k)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try "[data]\ndataset = \"\(data.path)\"\n".write(to: run.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
            let metrics = (1...3).map { s in
                "{\"step\": \(s * 10), \"tokens\": \(s * 1000), \"params\": \(n), \"compute_flops\": \(6 * n * Double(s * 1000)), \"compute_pfdays\": 0, \"train_loss\": 1, \"test_loss\": \(1.0 / Double(s)), \"lr\": 0.001, \"wall_seconds\": 1}"
            }.joined(separator: "\n")
            try metrics.write(to: run.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
            let i = 1.5 + 0.4 * Double(k)
            try JSONFile.write(PairedEvaluation(predicted: "image", tokensPerItem: 12, lossBlankNatsPerToken: 1 + i / 12, lossConditionedNatsPerToken: 1,
                                                captionLossNatsPerCaption: 4.2, pairs: 400, mutualInformationStandardErrorNats: 0.08),
                               to: run.appendingPathComponent(PairedEvaluation.imageFileName))
            try JSONFile.write(PairedEvaluation(predicted: "text", tokensPerItem: 8, lossBlankNatsPerToken: 4.2 / 8, lossConditionedNatsPerToken: (4.2 - i) / 8,
                                                captionLossNatsPerCaption: 4.2, pairs: 400, mutualInformationStandardErrorNats: 0.06),
                               to: run.appendingPathComponent(PairedEvaluation.textFileName))
        }
        let runs = try RunRecord.loadAll([dir.appendingPathComponent("runs")])
        XCTAssertEqual(runs.first?.summary.captionEntropyNats, 4.0)
        let files = try ScalingReport.write(runs: runs, to: out, options: .init(resamples: 20))
        XCTAssertTrue(files.contains { $0.lastPathComponent == "mutual-information.svg" })
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Exact I = 2 nats per pair, H(caption) = 4, exact infogain I / H(caption) = 0.5."), md)
        XCTAssertTrue(md.contains("| p0 | 10000 | image → caption | 1.5 | 0.06 | 400 |"), md)
        XCTAssertTrue(md.contains("6.2 SE below the exact 2"), "p0 at 1.5 ± 0.08 is 6.25 SE below 2")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let mi = json["mutualInformation"] as! [[String: Any]]
        XCTAssertEqual(mi.count, 4)
        let p1text = mi.first { $0["run"] as? String == "p1" && $0["predicted"] as? String == "text" }!
        XCTAssertEqual(p1text["mutualInformationNats"] as! Double, 1.9, accuracy: 1e-9)
        XCTAssertEqual(p1text["infogain"] as! Double, 1.9 / 4.2, accuracy: 1e-9)
        XCTAssertEqual(p1text["standardErrorNats"] as! Double, 0.06)
        // Bounds from the known H(caption) = 4: the conditioned caption loss is 4.2 − 1.9 = 2.3
        // nats, so 4 − 2.3 = 1.7 ≤ I ≤ 4, on the image → caption rows only.
        XCTAssertEqual(p1text["knownEntropyLowerBoundNats"] as! Double, 1.7, accuracy: 1e-9)
        XCTAssertTrue(md.contains("| p1 | 1e5 | image → caption | 1.9 | 0.06 | 400 | 0.452 ± 0.014 | [1.7, 4] |"), md)
        let p1image = mi.first { $0["run"] as? String == "p1" && $0["predicted"] as? String == "image" }!
        XCTAssertNil(p1image["knownEntropyLowerBoundNats"])
    }
}
