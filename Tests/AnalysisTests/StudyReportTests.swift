import Analysis
import Foundation
import XCTest
import TestSupport

/// What the study adds to reports: runs named by their dataset's modality when summary.json
/// does not say, separate fits per dataset within a modality, the papers' exponents beside
/// ours, and fitted L∞ beside the exact entropy of a synthetic source.
final class StudyReportTests: XCTestCase {
    func writeManifest(_ dir: URL, modality: String, trueEntropy: Double?) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var obj: [String: Any] = ["name": dir.lastPathComponent, "modality": modality]
        if let t = trueEntropy { obj["true_entropy_nats_per_token"] = t }
        try JSONSerialization.data(withJSONObject: obj).write(to: dir.appendingPathComponent("manifest.json"))
    }

    func testRunWithoutModalityInSummaryTakesItFromConfigAndManifest() throws {
        let root = temporaryDirectory("modality-fallback")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data/pixels")
        try writeManifest(data, modality: "image", trueEntropy: nil)
        let run = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try "{\"step\": 0, \"tokens\": 0, \"params\": 100, \"compute_flops\": 0, \"compute_pfdays\": 0, \"train_loss\": null, \"test_loss\": 5.0}\n"
            .write(to: run.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        try "[model]\nn_layer = 1\n\n[data]\ndataset = \"\(data.path)\"\nmax_train_tokens = 0\n"
            .write(to: run.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        let r = try RunRecord.load(from: run)
        XCTAssertEqual(r.summary.modality, "image")
        XCTAssertEqual(r.summary.dataset, data.path)
        // A summary that names no modality falls back the same way.
        try "{\"params\": 100, \"status\": \"completed\"}".write(to: run.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try RunRecord.load(from: run).summary.modality, "image")
        XCTAssertEqual(try RunRecord.load(from: run).summary.status, "completed")
    }

    func testStudyReportSeparatesDatasetsComparesWithPapersAndGroundTruth() throws {
        let root = temporaryDirectory("study-report"), out = temporaryDirectory("study-report-out")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        let markov = root.appendingPathComponent("data/markov"), english = root.appendingPathComponent("data/english")
        var truth = SyntheticRuns(modality: "text", dataset: markov.path)
        truth.law.lossInfinity = 2.36
        try writeManifest(markov, modality: "text", trueEntropy: 2.36)
        var prose = SyntheticRuns(modality: "text", dataset: english.path)
        prose.law.lossInfinity = 0; prose.law.alphaN = 0.08; prose.seed = 9
        try writeManifest(english, modality: "text", trueEntropy: nil)
        let dirA = root.appendingPathComponent("a"), dirB = root.appendingPathComponent("b")
        try truth.write(to: dirA)
        try prose.write(to: dirB)
        let runs = try RunRecord.loadAll([dirA, dirB])
        _ = try ScalingReport.write(runs: runs, to: out)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## Modality: text (markov)"), md)
        XCTAssertTrue(md.contains("## Modality: text (english)"), md)
        XCTAssertTrue(md.contains("Ground truth"), md)
        XCTAssertTrue(md.contains("In the papers: Henighan et al. 2020 Fig. 3"), "each plot names the papers' figure it corresponds to")
        XCTAssertTrue(md.contains("In the papers: Henighan et al. 2020 Fig. 2"))

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let truthRows = json["groundTruth"] as! [[String: Any]]
        XCTAssertEqual(truthRows.count, 3, "L∞ of L(N), how far the largest model stayed above the floor, L∞ of the joint law")
        XCTAssertEqual(truthRows[0]["quantity"] as? String, "L∞ of L(N) (nats/token)")
        XCTAssertEqual(truthRows[2]["quantity"] as? String, "L∞ of the joint law L(N, D) (nats/token)")
        let joint = truthRows[2]["fitted"] as! [String: Any]
        XCTAssertEqual(joint["estimate"] as! Double, 2.36, accuracy: 0.05, "the joint law's L∞ recovered too")
        XCTAssertLessThanOrEqual(joint["lower"] as! Double, joint["estimate"] as! Double)
        XCTAssertEqual(truthRows[0]["group"] as? String, "text (markov)")
        XCTAssertTrue((truthRows[1]["quantity"] as! String).hasPrefix("loss of the largest model (text-n3e7)"))
        XCTAssertEqual(truthRows[1]["truth"] as! Double, 2.36)
        let largest = runs.first { $0.name == "text-n3e7" && $0.url.path.contains("/a/") }!.summary.bestTestLossNats
        XCTAssertEqual((truthRows[1]["fitted"] as! [String: Any])["estimate"] as! Double, largest, accuracy: 1e-12)
        XCTAssertEqual(truthRows[0]["truth"] as! Double, 2.36)
        let fitted = (truthRows[0]["fitted"] as! [String: Any])["estimate"] as! Double
        XCTAssertEqual(fitted, 2.36, accuracy: 0.05, "L∞ recovered from runs generated with L∞ = 2.36")
        let papers = json["paperComparisons"] as! [[String: Any]]
        XCTAssertFalse(papers.isEmpty)
        XCTAssertTrue(papers.allSatisfy { $0["group"] as? String == "text (english)" && $0["domain"] as? String == "Language" },
                      "only the real dataset is compared with the paper")
        // Language compares pure-form exponents with Kaplan et al.'s, and has no L∞ row.
        let alphaN = papers.first { ($0["quantity"] as? String)?.hasPrefix("α_N, pure form") ?? false }!
        XCTAssertEqual(alphaN["paper"] as! Double, 0.076)
        XCTAssertEqual((alphaN["study"] as! [String: Any])["estimate"] as! Double, 0.08, accuracy: 0.02)
        XCTAssertFalse(papers.contains { ($0["quantity"] as? String)?.hasPrefix("L∞") ?? false })
        // The converged design's numbers stand beside the paper's too, named by their points; a
        // study without an IsoFLOP grid gets no IsoFLOP row.
        XCTAssertFalse(papers.contains { ($0["quantity"] as? String)?.hasPrefix("β, IsoFLOP") ?? false })
        let additive = papers.first { $0["quantity"] as? String == "α_N, additive joint L∞ + A/N^α + B/D^β (annealed points)" }
        XCTAssertEqual(additive?["paper"] as? Double, 0.076)
        XCTAssertTrue(papers.contains { $0["quantity"] as? String == "α_N, Kaplan's joint L(N, D) as D → ∞ (annealed points)" })
        XCTAssertTrue(md.contains("Kaplan et al. 2020, pure power laws"), md)
    }

    func testPaperDomainsOnlyOnMatchingDataAndLayouts() {
        func match(_ m: String, _ d: String, _ t: Double?) -> PaperReference.Match? { PaperReference.match(modality: m, dataset: d, tokensPerItem: t) }
        XCTAssertEqual(match("text", "/data/english", nil)?.reference.name, "Language")
        XCTAssertEqual(match("text", "/data/english", nil)?.reference.form, .pure, "language compares the pure form (Kaplan)")
        XCTAssertNil(match("text", "/data/markov-text", nil), "a synthetic source has no paper row")
        XCTAssertNil(match("text", "notes", nil), "nor text the papers did not fit")
        let fm8 = match("image (fashion-mnist-8)", "fashion-mnist-8", 192)
        XCTAssertEqual(fm8?.reference.name, "Image 8x8")
        XCTAssertEqual(fm8?.reference.form, .saturating)
        XCTAssertEqual(fm8?.perTokenComparable, false, "grey repeated in R, G and B: per token does not compare")
        XCTAssertEqual(fm8?.perImageComparable, true)
        XCTAssertEqual(match("image", "fashion-mnist-16", 768)?.reference.name, "Image 16x16")
        XCTAssertEqual(match("image", "fashion-mnist", 3072)?.reference.name, "Image 32x32")
        XCTAssertEqual(match("image", "emoji-32", 3072)?.perTokenComparable, true, "colour RGB tokens at 32×32 are the paper's layout")
        XCTAssertNil(match("image", "fashion-mnist-gray", 784), "784 grey tokens are no paper resolution (before: matched to 16x16 by token count)")
        XCTAssertNil(match("image", "pets", 1000))
        XCTAssertEqual(match("math", "math", nil)?.reference.name, "Math (extrapolate)")
        XCTAssertNil(match("audio", "x", nil))
        XCTAssertNil(match("text, LSTM", "english", nil))
        XCTAssertNotNil(EntropyRow.perTokenCaveat(dataset: "/d/fashion-mnist"))
        XCTAssertNil(EntropyRow.perTokenCaveat(dataset: "/d/fashion-mnist-gray"))
    }
}
