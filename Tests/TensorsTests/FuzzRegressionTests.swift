import Foundation
import Tensors
import XCTest

/// safetensors headers whose shape and offsets disagree or overflow (the `safetensors` fuzz
/// target's crash class): each must be an error naming the tensor, never a trap.
final class SafetensorsFuzzRegressionTests: XCTestCase {
    /// A file with one header entry for tensor `t` and `dataBytes` zero bytes of data.
    func file(entry: String, dataBytes: Int = 16) -> Data {
        var json = Data("{\"t\":\(entry)}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var n = UInt64(json.count).littleEndian
        var out = Data(bytes: &n, count: 8)
        out.append(json)
        out.append(Data(count: dataBytes))
        return out
    }

    func testBadShapesAndOffsetsNameTheTensor() {
        let cases: [(entry: String, says: String)] = [
            // Negative shape with offsets in reverse: the old reader allocated a count of -1.
            (#"{"dtype":"F32","shape":[-1],"data_offsets":[8,4]}"#, "negative dimension"),
            (#"{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}"#, "negative dimension"),
            // Element count overflows Int: the old reader trapped in `reduce(1, *)`.
            (#"{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}"#, "too many elements"),
            (#"{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,16]}"#, "too many bytes"),
            // Offsets near Int.max: the old reader trapped adding them to the data start.
            (#"{"dtype":"F32","shape":[0],"data_offsets":[9223372036854775807,9223372036854775807]}"#, "truncated"),
            (#"{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}"#, "data_offsets"),
            (#"{"dtype":"F32","shape":[8],"data_offsets":[0,32]}"#, "truncated"),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,4]}"#, "expected 8"),
        ]
        for c in cases {
            XCTAssertThrowsError(try Safetensors.decode(file(entry: c.entry), path: "fuzz.safetensors"), c.entry) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.contains("fuzz.safetensors") && msg.contains("tensor 't'") && msg.contains(c.says),
                              "\(c.entry) → \(msg)")
            }
        }
    }

    func testDecodeReadsSlicesAndEmptyTensors() throws {
        let bytes = file(entry: #"{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}"#, dataBytes: 0)
        let slice = (Data([0xFF, 0xFF]) + bytes).dropFirst(2)   // indices start at 2
        let f = try Safetensors.decode(slice, path: "slice")
        XCTAssertEqual(f.tensors["t"], .init(shape: [0, 3], values: []))
    }
}
