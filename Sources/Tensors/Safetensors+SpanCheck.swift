import Foundation

extension Safetensors {
    /// Checks one header entry against the data section before anything is allocated: every
    /// dimension ≥ 0, an element count and byte size that do not overflow, offsets in order and
    /// spanning exactly `4 · count` bytes inside the `dataBytes` after the header. Returns the
    /// element count and the byte range within the data section; errors name the tensor.
    static func checkedSpan(name: String, shape: [Int], offsets: [Int], dataBytes: Int,
                            path: String) throws -> (count: Int, bytes: Range<Int>) {
        func corrupt(_ why: String) -> WorkbenchIOError {
            .corrupt(path: path, reason: "tensor '\(name)' \(why)")
        }
        if let bad = shape.first(where: { $0 < 0 }) {
            throw corrupt("has a negative dimension \(bad) in shape \(shape)")
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw corrupt("has shape \(shape), too many elements to count") }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw corrupt("has shape \(shape), too many bytes to address") }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, end >= begin else {
            throw corrupt("has data_offsets [\(begin), \(end)], which must satisfy 0 ≤ begin ≤ end")
        }
        guard end - begin == expected else {
            throw corrupt("of shape \(shape) spans \(end - begin) bytes, expected \(expected)")
        }
        guard end <= dataBytes else {
            throw corrupt("ends at byte \(end) of the data section but it has only \(dataBytes) bytes (truncated)")
        }
        return (count, begin..<end)
    }
}
