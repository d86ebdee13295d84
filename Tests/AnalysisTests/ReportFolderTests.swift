import Foundation
import XCTest
@testable import Analysis

/// A report is built aside and renamed into place whole; another input's report is replaced only when forced.
final class ReportFolderTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("report-folder-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func write(_ files: [String: String]) -> (URL) throws -> Void {
        { dir in
            for (name, text) in files {
                let u = dir.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: u, atomically: true, encoding: .utf8)
            }
        }
    }

    func files(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? [])
            .filter { !$0.hasSuffix("plots") }.sorted()
    }

    func testSameInputsReplaceAndOtherInputsNeedForceAndNothingStaleRemains() throws {
        let target = root.appendingPathComponent("report")
        let a = ReportFolder.Inputs(inputs: ["/s/a"], runs: ["r1"]), b = ReportFolder.Inputs(inputs: ["/s/b"], runs: ["r2"])
        try ReportFolder.replace(target, with: a, force: false, build: write(["report.md": "A", "plots/old.svg": "x"]))
        XCTAssertEqual(files(target), ["plots/old.svg", "report-inputs.json", "report.md"])
        try ReportFolder.replace(target, with: a, force: false, build: write(["report.md": "A2"]))
        XCTAssertEqual(files(target), ["report-inputs.json", "report.md"], "the whole folder was replaced: no stale plot")
        XCTAssertThrowsError(try ReportFolder.replace(target, with: b, force: false, build: write(["report.md": "B"]))) {
            XCTAssertTrue("\($0)".contains("made from other inputs (/s/a)") && "\($0)".contains("--force"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8), "A2")
        try ReportFolder.replace(target, with: b, force: true, build: write(["report.md": "B"]))
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8), "B")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["report"], "no hidden folder left")
    }

    func testAFolderThatIsNoReportIsRefusedAndAFailedBuildLeavesTheOldReport() throws {
        let target = root.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try "keep".write(to: target.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReportFolder.replace(target, with: .init(inputs: ["/x"], runs: []), force: false, build: write([:]))) {
            XCTAssertTrue("\($0)".contains("notes.txt") && "\($0)".contains("no report-inputs.json"), "\($0)")
        }
        struct Boom: Error {}
        let other = root.appendingPathComponent("r")
        try ReportFolder.replace(other, with: .init(inputs: ["/x"], runs: []), force: false, build: write(["report.md": "old"]))
        XCTAssertThrowsError(try ReportFolder.replace(other, with: .init(inputs: ["/x"], runs: []), force: false) { _ in throw Boom() })
        XCTAssertEqual(try String(contentsOf: other.appendingPathComponent("report.md"), encoding: .utf8), "old")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: root.path).contains { $0.hasPrefix(".") })
    }

    func testLeftoversOfAKilledReportAreCleanedOrRestored() throws {
        let target = root.appendingPathComponent("report")
        // A dead process's half-built folder, and its moved-aside old report with the target missing.
        let dead: Int32 = 999_999
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".report.building-\(dead)"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".report.old-\(dead)"), withIntermediateDirectories: true)
        try "previous".write(to: root.appendingPathComponent(".report.old-\(dead)/report.md"), atomically: true, encoding: .utf8)
        ReportFolder.cleanLeftovers(parent: root, name: "report")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["report"])
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("report.md"), encoding: .utf8), "previous")
    }
}
