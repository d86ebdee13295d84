import WorkbenchCore
import Foundation

/// Reads and writes the `safetensors` format (as Python's `safetensors` library does) for
/// Float32 tensors: an 8-byte little-endian header length, a JSON header mapping each name to
/// `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}` plus optional
/// `"__metadata__"` strings, then the raw little-endian data.
///
///     try Safetensors.write([("w", [2, 2], [1, 2, 3, 4])], metadata: ["step": "10"], to: url)
///     let file = try Safetensors.read(url)     // file.tensors["w"]!.values
public enum Safetensors {
    /// One tensor read back from a file.
    public struct Entry: Equatable, Sendable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }
    }

    /// A whole file: tensors by name and the metadata strings.
    public struct File: Sendable {
        public var tensors: [String: Entry]
        public var metadata: [String: String]
    }

    /// Serialises `tensors` in the order given; each is written through a temporary file and a rename.
    public static func write(_ tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String] = [:], to url: URL) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for t in tensors {
            precondition(t.shape.reduce(1, *) == t.values.count, "safetensors: shape of \(t.name) does not match its data")
            let bytes = t.values.count * 4
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }   // pad with spaces, as the reference does
        var out = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        for t in tensors {
            #if _endian(big)
            for v in t.values { var b = v.bitPattern.littleEndian; withUnsafeBytes(of: &b) { out.append(contentsOf: $0) } }
            #else
            out.append(UnsafeBufferPointer(start: UnsafeRawPointer(t.values.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                           count: t.values.count * 4))
            #endif
        }
        try AtomicFile.write(out, to: url)
    }

    /// Reads a file, checking the header, dtypes, shapes and offsets against the file's size.
    public static func read(_ url: URL) throws -> File {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "safetensors file")
        }
        return try decode(try Data(contentsOf: url), path: url.path)
    }

    /// Parses safetensors bytes held in memory, with the checks of `read`; `path` names the
    /// file in errors.
    public static func decode(_ bytes: Data, path: String) throws -> File {
        let data = bytes.startIndex == 0 ? bytes : Data(bytes)   // a slice's indices do not start at 0
        func corrupt(_ why: String) -> WorkbenchIOError { .corrupt(path: path, reason: why) }
        guard data.count >= 8 else { throw corrupt("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let n = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard n <= UInt64(data.count - 8) else {
            throw corrupt("header claims \(n) bytes but the file has only \(data.count - 8) after the length (truncated?)")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        let dataStart = 8 + Int(n)
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            let (shape, bytes) = try checkTensorEntry(name, value, dataBytes: data.count - dataStart, fileBytes: data.count, path: path)
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                _ = data.copyBytes(to: dst, from: (dataStart + bytes.lowerBound)..<(dataStart + bytes.upperBound))
            }
            #if _endian(big)
            for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            #endif
            tensors[name] = Entry(shape: shape, values: values)
        }
        return File(tensors: tensors, metadata: metadata)
    }

    /// Checks one header entry against the data that follows the header (`dataBytes`) before
    /// anything is allocated, and returns its shape and byte range within the data section. Every
    /// error names the tensor: a malformed entry, a dtype other than F32, a negative dimension, an
    /// element count or byte size that overflows, offsets out of order or not spanning exactly
    /// shape × 4 bytes, or data beyond the end of the file (a truncated file).
    static func checkTensorEntry(_ name: String, _ value: Any, dataBytes: Int, fileBytes: Int,
                                 path: String) throws -> (shape: [Int], bytes: Range<Int>) {
        func corrupt(_ why: String) -> WorkbenchIOError { .corrupt(path: path, reason: "tensor '\(name)' \(why)") }
        guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
              let shape = info["shape"] as? [Int], let offs = info["data_offsets"] as? [Int], offs.count == 2 else {
            throw corrupt("has a malformed header entry")
        }
        guard dtype == "F32" else { throw corrupt("has dtype \(dtype); only F32 is supported") }
        if let bad = shape.first(where: { $0 < 0 }) {
            throw corrupt("has an invalid shape \(shape): negative dimension \(bad)")
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw corrupt("has a shape \(shape) too large to hold (too many elements)") }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw corrupt("has a shape \(shape) too large to hold (too many bytes)") }
        let (begin, end) = (offs[0], offs[1])
        guard begin >= 0, end >= begin else {
            throw corrupt("has invalid data offsets \(offs) (data_offsets must satisfy 0 ≤ begin ≤ end)")
        }
        guard end - begin == expected else {
            throw corrupt("of shape \(shape) spans \(end - begin) bytes, expected \(expected)")
        }
        guard end <= dataBytes else {
            throw corrupt("ends at byte \(end) of the data section, but the file has only \(fileBytes) bytes (truncated)")
        }
        return (shape, begin..<end)
    }
}
