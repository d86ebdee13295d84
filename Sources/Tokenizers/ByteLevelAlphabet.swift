/// GPT-2's reversible mapping between the 256 byte values and 256 printable Unicode scalars,
/// used to store byte-level BPE tokens as strings in a Hugging Face `tokenizer.json`.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the 68 others map, in
/// byte order, to U+0100, U+0101, …, so the space byte 0x20 becomes `Ġ` (U+0120) and `\n` becomes `Ċ`.
///
///     ByteLevelAlphabet.string(for: Array(" the".utf8))   // "Ġthe"
///     ByteLevelAlphabet.bytes(of: "Ġthe")                 // [32, 116, 104, 101]
public enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the Unicode scalar value that stands for byte `b`.
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable { table[b] = UInt32(b) } else { table[b] = next; next += 1 }
        }
        return table
    }()

    /// Inverse of `scalarForByte`: scalar value → byte (only for the 256 scalars used).
    static let byteForScalar: [UInt32: UInt8] = {
        var inverse: [UInt32: UInt8] = [:]
        for (b, s) in scalarForByte.enumerated() { inverse[s] = UInt8(b) }
        return inverse
    }()

    /// The byte-level string of a byte sequence.
    public static func string(for bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(scalarForByte[Int(b)])!) }
        return String(s)
    }

    /// The bytes a byte-level string stands for, or nil if it holds a scalar outside the alphabet.
    public static func bytes(of string: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(string.unicodeScalars.count)
        for s in string.unicodeScalars {
            guard let b = byteForScalar[s.value] else { return nil }
            out.append(b)
        }
        return out
    }
}
