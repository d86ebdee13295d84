import Foundation
import WorkbenchCore

/// An IDX file of unsigned bytes (the MNIST / Fashion-MNIST format): a big-endian header
/// `00 00 08 <ndim>`, `ndim` big-endian `UInt32` sizes, then the values in row-major order.
/// Gzipped files (`.gz`, or starting with `1f 8b`) are inflated with `/bin/gzip -dc`.
///
///     let images = try IDXFile.read(URL(fileURLWithPath: "train-images-idx3-ubyte.gz"))
///     images.dimensions   // [60000, 28, 28]
public struct IDXFile: Equatable, Sendable {
    public var dimensions: [Int]
    public var values: [UInt8]

    public init(dimensions: [Int], values: [UInt8]) { self.dimensions = dimensions; self.values = values }

    /// Reads and checks an IDX file; errors name the file and the fault.
    public static func read(_ url: URL) throws -> IDXFile {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "IDX file")
        }
        var data = try Data(contentsOf: url)
        if data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b {
            data = try DebianPackageFetch.run("/bin/gzip", ["-dc", url.path], what: "gzip -dc \(url.lastPathComponent)")
        }
        return try parse([UInt8](data), name: url.path)
    }

    /// Parses IDX bytes held in memory; `name` is used in errors.
    public static func parse(_ b: [UInt8], name: String) throws -> IDXFile {
        func corrupt(_ why: String) -> WorkbenchIOError { .corrupt(path: name, reason: "IDX " + why) }
        guard b.count >= 4 else { throw corrupt("header truncated: \(b.count) bytes, need 4") }
        guard b[0] == 0, b[1] == 0 else {
            throw corrupt(String(format: "bad magic %02x %02x %02x %02x: must start with 00 00", b[0], b[1], b[2], b[3]))
        }
        guard b[2] == 0x08 else {
            throw corrupt(String(format: "bad magic: type byte 0x%02x, only unsigned bytes (0x08) are supported", b[2]))
        }
        let ndim = Int(b[3])
        guard ndim >= 1 else { throw corrupt("bad magic: zero dimensions") }
        let headerBytes = 4 + 4 * ndim
        guard b.count >= headerBytes else {
            throw corrupt("header truncated: \(b.count) bytes, \(ndim) dimensions need \(headerBytes)")
        }
        var dims: [Int] = []
        for d in 0..<ndim {
            let o = 4 + 4 * d
            dims.append(Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]))
        }
        let count = dims.reduce(1, *)
        guard b.count - headerBytes >= count else {
            throw corrupt("truncated: dimensions \(dims) need \(count) values, file holds \(b.count - headerBytes)")
        }
        guard b.count - headerBytes == count else {
            throw corrupt("\(b.count - headerBytes - count) bytes after the \(count) values of dimensions \(dims)")
        }
        return IDXFile(dimensions: dims, values: Array(b[headerBytes...]))
    }

    /// Splits a 3-D file `[n, rows, cols]` into `n` gray images of `rows·cols` values.
    public func grayImages() throws -> [[UInt8]] {
        guard dimensions.count == 3 else {
            throw WorkbenchIOError.corrupt(path: "IDX", reason: "expected 3 dimensions [n, rows, cols], got \(dimensions)")
        }
        let size = dimensions[1] * dimensions[2]
        return (0..<dimensions[0]).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
    }
}
