/// Splits text into the pieces that byte-level BPE encodes one at a time, exactly as GPT-2's
/// pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` does,
/// implemented by hand on Unicode scalars (no regex engine).
///
/// Works on raw bytes: valid UTF-8 is decoded to scalars; a byte that is not part of a valid
/// UTF-8 sequence counts as one "other" character (like punctuation), so the pieces always
/// cover every input byte and any byte string round-trips.
///
///     GPT2PreTokenizer.pieces(of: Array("Hello, world's 42!".utf8)).map { String(decoding: $0, as: UTF8.self) }
///     // ["Hello", ",", " world", "'s", " 42", "!"]
public enum GPT2PreTokenizer {
    /// Character classes the pattern distinguishes.
    enum CharClass: UInt8 { case letter, number, whitespace, other }

    /// Calls `body(start, end)` with the byte range of each piece, in order.
    public static func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        let n = text.count
        var i = 0
        while i < n {
            let end = pieceEnd(text, from: i)
            body(i, end)
            i = end
        }
    }

    /// The pieces of `text` as byte arrays.
    public static func pieces(of text: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        text.withUnsafeBufferPointer { buf in
            forEachPiece(in: buf) { s, e in out.append(Array(buf[s..<e])) }
        }
        return out
    }

    /// End (exclusive) of the piece that starts at byte `i`.
    @inline(__always)
    static func pieceEnd(_ t: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = t.count
        // 's 't 're 've 'm 'll 'd
        if t[i] == 0x27, i + 1 < n {
            let a = t[i + 1]
            if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return i + 2 }  // s t m d
            if i + 2 < n {
                let b = t[i + 2]
                if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) {
                    return i + 3  // re ve ll
                }
            }
        }
        //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+
        var start = i
        if t[i] == 0x20, i + 1 < n {
            let (c1, _) = classify(t, at: i + 1)
            if c1 != .whitespace { start = i + 1 }
        }
        let (c0, len0) = classify(t, at: start)
        if c0 != .whitespace {
            var j = start + len0
            while j < n {
                let (c, len) = classify(t, at: j)
                if c != c0 { break }
                j += len
            }
            return j
        }
        // \s+(?!\S) | \s+
        var j = i + len0
        var lastStart = i
        while j < n {
            let (c, len) = classify(t, at: j)
            if c != .whitespace { break }
            lastStart = j
            j += len
        }
        if j == n || lastStart == i { return j }
        return lastStart
    }

    /// Class and byte length of the character at byte `i` (an invalid UTF-8 byte is one `.other`).
    @inline(__always)
    static func classify(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> (CharClass, Int) {
        let b0 = t[i]
        if b0 < 0x80 { return (asciiClass[Int(b0)], 1) }
        guard let (scalar, len) = decodeScalar(t, at: i) else { return (.other, 1) }
        return (unicodeClass(scalar), len)
    }

    static let asciiClass: [CharClass] = (0..<128).map { v in
        let s = Unicode.Scalar(UInt8(v))
        return unicodeClass(s)
    }

    static func unicodeClass(_ s: Unicode.Scalar) -> CharClass {
        let p = s.properties
        if p.isWhitespace { return .whitespace }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// Decodes one well-formed UTF-8 sequence of 2–4 bytes at `i` (Unicode Table 3-7), or nil.
    @inline(__always)
    static func decodeScalar(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int)? {
        let n = t.count, b0 = t[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> UInt32? {
            guard i + k < n, t[i + k] >= lo, t[i + k] <= hi else { return nil }
            return UInt32(t[i + k] & 0x3F)
        }
        var v: UInt32, len: Int
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = cont(1) else { return nil }
            v = (UInt32(b0 & 0x1F) << 6) | c1; len = 2
        case 0xE0...0xEF:
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80, hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard let c1 = cont(1, lo, hi), let c2 = cont(2) else { return nil }
            v = (UInt32(b0 & 0x0F) << 12) | (c1 << 6) | c2; len = 3
        case 0xF0...0xF4:
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80, hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard let c1 = cont(1, lo, hi), let c2 = cont(2), let c3 = cont(3) else { return nil }
            v = (UInt32(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3; len = 4
        default:
            return nil
        }
        guard let s = Unicode.Scalar(v) else { return nil }
        return (s, len)
    }
}
