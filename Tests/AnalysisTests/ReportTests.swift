import Analysis
import CPNG
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import RunFiles
import TestSupport

/// Decodes a PNG with libpng's simplified reader into RGB8 (an independent path from the writer).
func decodePNG(_ data: Data) -> (width: Int, height: Int, rgb: [UInt8])? {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let ok = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, data.count) }
    guard ok != 0 else { return nil }
    image.format = UInt32(PNG_FORMAT_FLAG_COLOR)
    var out = [UInt8](repeating: 0, count: Int(image.width * image.height) * 3)
    let done = out.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
    guard done != 0 else { return nil }
    return (Int(image.width), Int(image.height), out)
}

final class ReportTests: XCTestCase {
    func testPNGHasTheShapesWhereTheyWereDrawn() throws {
        var fig = Figure(width: 60, height: 40)
        fig.add(.rect(x: 10, y: 10, width: 20, height: 10, fill: RGB(1, 0, 0), stroke: nil))
        fig.add(.circle(PixelPoint(45, 30), radius: 4, fill: RGB(0, 0, 1), stroke: nil))
        let png = try XCTUnwrap(decodePNG(try fig.png()))
        XCTAssertEqual(png.width, 60)
        XCTAssertEqual(png.height, 40)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(png.rgb[(y * 60 + x) * 3..<(y * 60 + x) * 3 + 3]) }
        XCTAssertEqual(pixel(20, 15), [255, 0, 0])
        XCTAssertEqual(pixel(45, 30), [0, 0, 255])
        XCTAssertEqual(pixel(2, 2), [255, 255, 255])
        XCTAssertEqual(pixel(10, 10), [255, 0, 0], "rect edges are pixel-aligned")
    }

    func testBitmapTextInksPixelsAndSVGIsWellFormed() throws {
        var fig = Figure(width: 80, height: 20)
        fig.add(.text(PixelPoint(4, 14), "L∞ = 2", size: 12, color: .black, anchor: 0, vertical: false))
        let png = try XCTUnwrap(decodePNG(try fig.png()))
        XCTAssertGreaterThan(png.rgb.filter { $0 < 128 }.count, 30)
        let svg = Data(fig.svg().utf8)
        XCTAssertTrue(XMLParser(data: svg).parse())
    }

    func testLogAxisTicksForWideAndNarrowRanges() {
        let wide = Axis(lo: 1e3, hi: 1e8, log: true, pixelLo: 0, pixelHi: 100).ticks().filter { $0.label != nil }
        XCTAssertEqual(wide.map(\.value), [1e3, 1e4, 1e5, 1e6, 1e7, 1e8])
        let narrow = Axis(lo: 2.05, hi: 3.4, log: true, pixelLo: 0, pixelHi: 100).ticks()
        // No decade, no 1-2-5 and a single 1…9 mantissa inside: linear ticks in steps of 0.25.
        XCTAssertEqual(narrow.map(\.value), [2.25, 2.5, 2.75, 3, 3.25])
        let mid = Axis(lo: 1.5, hi: 12, log: true, pixelLo: 0, pixelHi: 100).ticks()
        XCTAssertEqual(mid.map(\.value), [2, 5, 10])
        XCTAssertEqual(Axis(lo: 1, hi: 100, log: true, pixelLo: 0, pixelHi: 100).map(10), 50, accuracy: 1e-9)
    }

    func testReportOverSyntheticRunsWritesEveryPlotTableAndJSON() throws {
        let runsDir = temporaryDirectory("report-runs"), out = temporaryDirectory("report-out")
        defer { try? FileManager.default.removeItem(at: runsDir); try? FileManager.default.removeItem(at: out) }
        try SyntheticRuns.writeDemo(to: runsDir)
        let runs = try RunRecord.loadAll([runsDir])
        let files = try ScalingReport.write(runs: runs, to: out)
        let names = Set(files.map(\.lastPathComponent))
        for m in ["text", "image32", "caption-to-image", "image-to-caption"] {
            for kind in ["loss-vs-params", "loss-vs-data", "frontier", "optimal-size", "joint"] {
                XCTAssertTrue(names.contains("\(m)-\(kind).png") && names.contains("\(m)-\(kind).svg"), "\(m)-\(kind)")
            }
        }
        for f in ["mutual-information.png", "infogain.png", "text-n3e7-position-loss.png", "image32-n3e7-pixel-loss.png",
                  "report.md", "report.html", "fits.json"] {
            XCTAssertTrue(names.contains(f), f)
        }
        for f in files where f.pathExtension == "png" { XCTAssertNotNil(decodePNG(try Data(contentsOf: f)), f.lastPathComponent) }
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Irreducible loss by modality"))
        XCTAssertTrue(md.contains("per image"))
        XCTAssertTrue(md.contains("![L(N), text](plots/text-loss-vs-params.png)"))
        // fits.json holds unrounded parameters close to the generating law of the text runs.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("fits.json"))) as! [String: Any]
        let modalities = json["modalities"] as! [[String: Any]]
        let text = modalities.first { $0["modality"] as? String == "text" }!
        let ln = (text["lossVersusParams"] as! [String: Any])["fit"] as! [String: Any]
        let law = ln["law"] as! [String: Any]
        XCTAssertEqual(law["exponent"] as! Double, 0.3, accuracy: 0.03)
        XCTAssertEqual(law["lossInfinity"] as! Double, 2.0, accuracy: 0.05)
        // Mutual information: I = (blank − conditioned) × tokens, as generated.
        let mi = json["mutualInformation"] as! [[String: Any]]
        XCTAssertEqual(mi.count, 16)
        let row = mi.first { $0["run"] as? String == "caption-to-image-n1e6" }!
        let expected = 60 * (1 - pow(3e3 / 1e6, 0.25))
        XCTAssertEqual(row["mutualInformationNats"] as! Double, expected, accuracy: 1e-6)
        XCTAssertEqual(row["infogain"] as! Double, expected / 300, accuracy: 1e-8)
    }

    func testEntropyRowUnits() {
        let r = EntropyRow(modality: "image32", lossInfinity: Interval(estimate: 2.2, lower: 2.1, upper: 2.3), tokensPerItem: 3072, itemName: "image")
        XCTAssertEqual(r.bitsPerToken.estimate, 2.2 / log(2), accuracy: 1e-12)
        XCTAssertEqual(r.perItemNats!.upper, 2.3 * 3072, accuracy: 1e-9)
        XCTAssertEqual(r.perItemBits!.lower, 2.1 * 3072 / log(2), accuracy: 1e-9)
    }

    func testPositionFitsAndPixelMaps() throws {
        let text = SyntheticRuns.textPositions()
        let fit = try text.powerLawFit()
        XCTAssertEqual(fit.law.exponent, 0.45, accuracy: 0.03)
        XCTAssertEqual(fit.law.lossInfinity, 2.1, accuracy: 0.02)
        let image = PositionLoss(modality: "image", lossByPosition: (0..<12).map(Double.init), imageSide: 2, channels: 3)
        let maps = try XCTUnwrap(image.pixelMaps())
        XCTAssertEqual(maps[0], [1, 4, 7, 10])     // mean of channels per pixel
        XCTAssertEqual(maps[3], [2, 5, 8, 11])     // blue channel
    }

    func testPairedEvaluationRejectsUnknownDirection() throws {
        let dir = temporaryDirectory("paired")
        defer { try? FileManager.default.removeItem(at: dir) }
        let u = dir.appendingPathComponent("paired_eval.json")
        try #"{"predicted":"audio","tokens_per_item":3,"loss_blank_nats_per_token":2,"loss_conditioned_nats_per_token":1}"#.write(to: u, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PairedEvaluation.load(u)) { e in XCTAssertTrue("\(e)".contains("predicted must be"), "\(e)") }
    }
}
