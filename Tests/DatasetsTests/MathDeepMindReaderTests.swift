import Datasets
import Foundation
import XCTest

/// The reader of DeepMind's `.txt` files, on the committed samples under datasets/samples/math.
final class MathDeepMindReaderTests: XCTestCase {
    let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/samples/math")

    func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("math-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testReadsAlternatingLines() throws {
        let file = samples.appendingPathComponent("deepmind/train-easy/comparison__sort.txt")
        let ps = try MathDeepMindReader.read(file: file)
        XCTAssertEqual(ps.count, 4)
        XCTAssertEqual(ps[0], MathProblem(question: "Sort -5, 2, 14, -4 in descending order.", answer: "14, 2, -4, -5",
                                          module: "comparison__sort"))
        XCTAssertEqual(ps[3].answer, "92, 6/5, -1")
    }

    func testOddLineCountNamesFileAndLine() {
        let file = samples.appendingPathComponent("odd_lines.txt")
        XCTAssertThrowsError(try MathDeepMindReader.read(file: file)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("odd_lines.txt"), text)
            XCTAssertTrue(text.contains("line 5"), text)
        }
    }

    func testBlankLineAndMissingFileAreReported() throws {
        let dir = try temporaryFolder()
        let file = dir.appendingPathComponent("x.txt")
        try "What is 1 + 1?\n2\n\n3\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MathDeepMindReader.read(file: file)) { XCTAssertTrue("\($0)".contains("line 3 is empty"), "\($0)") }
        XCTAssertThrowsError(try MathDeepMindReader.read(file: dir.appendingPathComponent("none.txt"))) {
            XCTAssertTrue("\($0)".contains("none.txt"), "\($0)")
        }
    }

    func testWindowsLineEndingsAndRoundTrip() throws {
        let dir = try temporaryFolder()
        let file = dir.appendingPathComponent("numbers__gcd.txt")
        try "What is 4 and 6?\r\n2\r\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try MathDeepMindReader.read(file: file), [MathProblem(question: "What is 4 and 6?", answer: "2", module: "numbers__gcd")])
        let ps = try MathDeepMindReader.readFolder(samples.appendingPathComponent("deepmind/train-easy"))
        XCTAssertEqual(ps.count, 16)
        XCTAssertEqual(Set(ps.map(\.module)).count, 4)
        let out = dir.appendingPathComponent("copy/all.txt")
        try MathDeepMindReader.write(ps, to: out)
        XCTAssertEqual(try MathDeepMindReader.read(file: out).map(\.question), ps.map(\.question))
    }

    func testDatasetFromDeepMindFolder() throws {
        let (ds, packed) = try MathDataset.fromDeepMind(root: samples.appendingPathComponent("deepmind"), seed: 3)
        XCTAssertEqual(ds.manifest.modality, "math")
        XCTAssertEqual(packed["train"]!.problems, 16)
        XCTAssertEqual(packed["interpolate"]!.problems, 8)
        XCTAssertEqual(packed["extrapolate"]!.problems, 4)
        let text = MathPacking.unpack(ds.splits["train"]!.tokens)
        XCTAssertTrue(text.contains { $0.question == "Sort -5, 2, 14, -4 in descending order." && $0.answer == "14, 2, -4, -5" })
        XCTAssertThrowsError(try MathDataset.fromDeepMind(root: try temporaryFolder(), seed: 1)) {
            XCTAssertTrue("\($0)".contains("train-easy"), "\($0)")
        }
    }
}
