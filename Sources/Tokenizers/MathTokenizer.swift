/// Character-level tokens for math problems: the 95 printable ASCII characters plus a pad, a
/// question/answer separator and an end-of-problem token (vocabulary 98).
///
/// Ids: 0 = pad, 1 = separator (after the question), 2 = end (after the answer), and
/// `3 + (c - 32)` for a printable character `c` (space is 3, `~` is 97).
///
///     let tok = MathTokenizer()
///     let p = try tok.encodeProblem(question: "What is 2 + 3?", answer: "5")
///     // p.tokens = question chars, 1, "5", 2;  p.mask = 0 … 0, 0, 1, 1
///     tok.decode(p.tokens)   // "What is 2 + 3?|5$"  (separator shown as `|`, end as `$` by default)
public struct MathTokenizer: Sendable {
    public static let name = "math-chars"
    public static let pad: UInt16 = 0
    public static let separator: UInt16 = 1
    public static let end: UInt16 = 2
    public static let vocabSize = 98

    public init() {}

    /// Why text could not be encoded, with the character and where it is.
    public struct UnsupportedCharacter: Error, CustomStringConvertible, Equatable {
        /// The offending Unicode scalar value.
        public let scalar: UInt32
        /// Offset in UTF-8 bytes from the start of `text`.
        public let offset: Int
        public let text: String
        public var description: String {
            "math tokenizer: character U+\(String(scalar, radix: 16, uppercase: true)) at byte \(offset) of '\(text)' "
                + "is not printable ASCII"
        }
    }

    /// The ids of the characters of `text`; throws on anything but printable ASCII.
    public func encode(_ text: String) throws -> [UInt16] {
        var out: [UInt16] = []
        out.reserveCapacity(text.utf8.count)
        var offset = 0
        for scalar in text.unicodeScalars {
            guard scalar.value >= 32, scalar.value <= 126 else {
                throw UnsupportedCharacter(scalar: scalar.value, offset: offset, text: text)
            }
            out.append(UInt16(scalar.value) - 29)
            offset += 1
        }
        return out
    }

    /// `question` separator `answer` end, with the loss mask: 1 on the answer's characters and
    /// the end token, 0 on the question and the separator.
    public func encodeProblem(question: String, answer: String) throws -> (tokens: [UInt16], mask: [UInt8]) {
        let q = try encode(question), a = try encode(answer)
        let tokens = q + [Self.separator] + a + [Self.end]
        let mask = [UInt8](repeating: 0, count: q.count + 1) + [UInt8](repeating: 1, count: a.count + 1)
        return (tokens, mask)
    }

    /// Text of `ids`, special tokens drawn as the given strings; ids outside the vocabulary as U+FFFD.
    public func decode(_ ids: [UInt16], separator: String = "|", end: String = "$", pad: String = "") -> String {
        var s = ""
        for id in ids {
            switch id {
            case Self.pad: s += pad
            case Self.separator: s += separator
            case Self.end: s += end
            case 3..<UInt16(Self.vocabSize): s.unicodeScalars.append(Unicode.Scalar(UInt8(id + 29)))
            default: s += "\u{FFFD}"
            }
        }
        return s
    }
}
