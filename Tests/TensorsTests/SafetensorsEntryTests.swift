import Foundation
import XCTest
import TestSupport
import Tensors
import WorkbenchCore

/// Truncated and mismatched safetensors files: every error names the file and the tensor.
final class SafetensorsEntryTests: XCTestCase {
    func url() -> URL {
        temporaryDirectory("st-entry").appendingPathComponent("entry.safetensors")
    }

    /// A file with a hand-written JSON header (padded to 8 bytes) and `dataBytes` bytes of data.
    func rawFile(header: String, dataBytes: Int) throws -> URL {
        var json = Data(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(Data(repeating: 0, count: dataBytes))
        let u = url()
        try out.write(to: u)
        return u
    }

    func assertError(_ u: URL, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors.read(u), file: file, line: line) { e in
            for p in parts + [u.path] { XCTAssertTrue("\(e)".contains(p), "'\(e)' should mention '\(p)'", file: file, line: line) }
        }
    }

    func testTruncatedDataNamesTheTensorThatIsCut() throws {
        let u = url()
        let a = [Float](repeating: 1, count: 16), b = [Float](repeating: 2, count: 8)
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in try Safetensors.write([("first", [16], pa), ("second.weight", [2, 4], pb)], to: u) }
        }
        let data = try Data(contentsOf: u)
        try data.prefix(data.count - 5).write(to: u)
        assertError(u, mentions: ["tensor 'second.weight'", "truncated", "\(data.count - 5) bytes"])
    }

    func testFileShorterThanItsHeaderSays() throws {
        let u = url()
        var data = Data()
        var n = UInt64(4096).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(Data("{\"w\": {".utf8))
        try data.write(to: u)
        assertError(u, mentions: ["header claims 4096 bytes", "truncated"])
    }

    func testShapeThatDoesNotMatchItsOffsetsNamesTheTensor() throws {
        let u = try rawFile(header: #"{"w":{"dtype":"F32","shape":[3,3],"data_offsets":[0,32]}}"#, dataBytes: 32)
        assertError(u, mentions: ["tensor 'w'", "[3, 3]", "spans 32 bytes, expected 36"])
    }

    func testOffsetsOutOfRangeNameTheTensor() throws {
        let backwards = try rawFile(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, dataBytes: 8)
        assertError(backwards, mentions: ["tensor 'w'", "invalid data offsets [8, 4]"])
        let negative = try rawFile(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#, dataBytes: 8)
        assertError(negative, mentions: ["tensor 'w'", "invalid data offsets"])
        let beyond = try rawFile(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[1000,1016]}}"#, dataBytes: 16)
        assertError(beyond, mentions: ["tensor 'w'", "truncated"])
        let negativeShape = try rawFile(header: #"{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}}"#, dataBytes: 16)
        assertError(negativeShape, mentions: ["tensor 'w'", "invalid shape"])
        let huge = try rawFile(header: #"{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,16]}}"#, dataBytes: 16)
        assertError(huge, mentions: ["tensor 'w'", "too large"])
    }

    func testOtherDtypeAndMalformedEntryNameTheTensor() throws {
        let f16 = try rawFile(header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 4)
        assertError(f16, mentions: ["tensor 'h'", "dtype F16"])
        let malformed = try rawFile(header: #"{"m":{"dtype":"F32","shape":"two"}}"#, dataBytes: 0)
        assertError(malformed, mentions: ["tensor 'm'", "malformed"])
    }

    /// Temporary files of dead writers go; those of live processes (this one) stay.
    func testStaleTemporaryFilesOfDeadWritersAreRemoved() throws {
        let dir = temporaryDirectory("atomic")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let dead = dir.appendingPathComponent(".report.md.tmp-2147483000"), live = dir.appendingPathComponent(".fits.json.tmp-\(getpid())")
        let keep = dir.appendingPathComponent("report.md")
        for u in [dead, live, keep] { try Data("x".utf8).write(to: u) }
        XCTAssertEqual(AtomicFile.removeStaleTemporaryFiles(in: dir), [".report.md.tmp-2147483000"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), [".fits.json.tmp-\(getpid())", "report.md"])
    }

    /// A write that fails says why in the system's words and leaves no temporary file.
    func testFailedWriteNamesTheReasonAndLeavesNoTemporaryFile() throws {
        let dir = temporaryDirectory("atomic")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let target = dir.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: target.appendingPathComponent("x"))
        XCTAssertThrowsError(try AtomicFile.write("text", to: target)) { e in   // rename over a non-empty folder fails
            XCTAssertTrue("\(e)".contains(target.path) && "\(e)".contains("directory"), "\(e)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a-folder"])
    }
}
