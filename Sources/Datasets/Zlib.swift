import CZlib
import Foundation
import WorkbenchCore

/// zlib streams (RFC 1950) in memory, through the system zlib: what SWORD modules keep their
/// text blocks in.
///
///     let text = try Zlib.inflate(block, uncompressedSize: 4096, name: "ot.bzz block 3")
///     let packed = try Zlib.deflate(Array("hello".utf8))
public enum Zlib {
    /// Inflates one zlib stream. `uncompressedSize` (from an index) sizes the output; when it is
    /// too small the buffer grows, so an index that is slightly off still reads.
    public static func inflate(_ input: [UInt8], uncompressedSize: Int, name: String) throws -> [UInt8] {
        var capacity = max(64, uncompressedSize)
        for _ in 0..<8 {
            var out = [UInt8](repeating: 0, count: capacity)
            var outLength = uLongf(capacity)
            let status = out.withUnsafeMutableBufferPointer { dst in
                input.withUnsafeBufferPointer { src in
                    uncompress(dst.baseAddress, &outLength, src.baseAddress, uLong(src.count))
                }
            }
            switch status {
            case Z_OK: return Array(out[0..<Int(outLength)])
            case Z_BUF_ERROR where Int(outLength) == capacity: capacity *= 4
            default:
                throw WorkbenchIOError.corrupt(path: name, reason: "zlib stream of \(input.count) bytes does not inflate (zlib status \(status))")
            }
        }
        throw WorkbenchIOError.corrupt(path: name, reason: "zlib stream of \(input.count) bytes inflates to more than \(capacity) bytes")
    }

    /// Deflates bytes into one zlib stream (level 6); used to build test fixtures.
    public static func deflate(_ input: [UInt8]) throws -> [UInt8] {
        var outLength = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(outLength))
        let status = out.withUnsafeMutableBufferPointer { dst in
            input.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &outLength, src.baseAddress, uLong(src.count), 6) }
        }
        guard status == Z_OK else {
            throw WorkbenchIOError.writeFailed(path: "<zlib>", reason: "compress2 failed with status \(status)")
        }
        return Array(out[0..<Int(outLength)])
    }
}
