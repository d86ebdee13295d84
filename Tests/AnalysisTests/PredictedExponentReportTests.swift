import Analysis
import Foundation
import XCTest
import TestSupport

/// A source whose manifest states the L(D) exponent theory predicts (`zipf-memory`) gets a
/// ground-truth row with the fitted exponent beside it; a true floor of 0 gets no relative error.
final class PredictedExponentReportTests: XCTestCase {
    func testReportPutsTheFittedDataExponentBesideThePredictedOne() throws {
        let root = temporaryDirectory("predicted-exponent"), out = temporaryDirectory("predicted-exponent-out")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        let data = root.appendingPathComponent("data/zipf")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let manifest: [String: Any] = ["name": "zipf", "modality": "text", "true_entropy_nats_per_token": 0,
                                       "extra": ["predicted_data_exponent": "0.350000"]]
        try JSONSerialization.data(withJSONObject: manifest).write(to: data.appendingPathComponent("manifest.json"))
        var runs = SyntheticRuns(modality: "text", dataset: data.path)
        runs.law.lossInfinity = 0.5; runs.law.alphaD = 0.35
        let dir = root.appendingPathComponent("runs")
        try runs.write(to: dir)
        let records = try RunRecord.loadAll([dir])
        XCTAssertEqual(records.first?.summary.predictedDataExponent, 0.35)
        _ = try ScalingReport.write(runs: records, to: out, options: .init(resamples: 50))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let rows = json["groundTruth"] as! [[String: Any]]
        let row = try XCTUnwrap(rows.first { ($0["quantity"] as? String)?.hasPrefix("α_D") ?? false })
        XCTAssertEqual(row["truth"] as! Double, 0.35)
        XCTAssertEqual((row["fitted"] as! [String: Any])["estimate"] as! Double, 0.35, accuracy: 0.05,
                       "runs drawn from α_D = 0.35 give it back")
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("– (true value 0)"), "the L∞ row of a floor of 0 has no relative error")
    }
}
