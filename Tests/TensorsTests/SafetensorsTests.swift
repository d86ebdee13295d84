import Foundation
import XCTest
import TestSupport
import Tensors

final class SafetensorsTests: XCTestCase {
    func url(_ name: String) -> URL {
        temporaryDirectory("st").appendingPathComponent(name)
    }

    func testRoundTripKeepsNamesShapesValuesAndMetadata() throws {
        let u = url("a.safetensors")
        let a: [Float] = [1, -2.5, 3e-8, .pi], b: [Float] = [42]
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try Safetensors.write([("w", [2, 2], pa), ("b", [1], pb)], metadata: ["step": "7"], to: u)
            }
        }
        let f = try Safetensors.read(u)
        XCTAssertEqual(f.tensors["w"], .init(shape: [2, 2], values: a))
        XCTAssertEqual(f.tensors["b"], .init(shape: [1], values: b))
        XCTAssertEqual(f.metadata["step"], "7")
        // Layout: 8-byte length, JSON header padded to 8 bytes, then w's bytes, then b's.
        let data = try Data(contentsOf: u)
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(data.count, 8 + n + 20)
    }

    func testTruncatedAndGarbageFilesAreReportedWithThePath() throws {
        let u = url("t.safetensors")
        let a = [Float](repeating: 1, count: 64)
        try a.withUnsafeBufferPointer { try Safetensors.write([("w", [64], $0)], to: u) }
        let data = try Data(contentsOf: u)
        try data.prefix(data.count - 4).write(to: u)
        XCTAssertThrowsError(try Safetensors.read(u)) { e in
            XCTAssertTrue("\(e)".contains(u.path) && "\(e)".contains("truncated"), "\(e)")
        }
        try Data("not a tensor file".utf8).write(to: u)
        XCTAssertThrowsError(try Safetensors.read(u)) { e in XCTAssertTrue("\(e)".contains(u.path), "\(e)") }
        XCTAssertThrowsError(try Safetensors.read(url("missing"))) { e in XCTAssertTrue("\(e)".contains("does not exist")) }
    }
}
