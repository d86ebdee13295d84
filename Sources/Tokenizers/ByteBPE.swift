import Foundation

/// A byte-level BPE tokenizer in the manner of GPT-2: text is split by `GPT2PreTokenizer`, each
/// piece's bytes start as one token per byte, and learned merges join adjacent tokens in rank
/// order. Any byte string, including invalid UTF-8, encodes and decodes back exactly.
///
/// Train one with `ByteBPE.train(on:vocabSize:)`, store it as a Hugging Face `tokenizer.json`
/// with `save(to:)` (Python's `tokenizers` then gives the same ids), and read it with `load(from:)`.
///
///     let bpe = ByteBPE.train(on: Array(corpus.utf8), vocabSize: 4096)
///     let ids = bpe.encode("Hello, world")
///     String(decoding: bpe.decode(ids), as: UTF8.self)   // "Hello, world"
public struct ByteBPE: Sendable {
    /// One learned merge: `left` and `right` next to each other become `merged`.
    public struct Merge: Sendable, Equatable {
        public var left: Int, right: Int, merged: Int
        public init(left: Int, right: Int, merged: Int) { self.left = left; self.right = right; self.merged = merged }
    }

    /// The bytes each token id stands for.
    public let tokenBytes: [[UInt8]]
    /// Merges in rank order (rank 0 is applied first).
    public let merges: [Merge]
    /// `byteTokens[b]` is the id of the single-byte token for byte `b`.
    public let byteTokens: [Int]
    /// (left << 32 | right) → (rank << 32 | merged id).
    let mergeTable: [UInt64: UInt64]

    public var vocabSize: Int { tokenBytes.count }

    /// Builds a tokenizer from its tables; checks that they are consistent.
    public init(tokenBytes: [[UInt8]], byteTokens: [Int], merges: [Merge]) throws {
        guard byteTokens.count == 256 else { throw ByteBPEError.invalid("needs 256 byte tokens, got \(byteTokens.count)") }
        for (b, id) in byteTokens.enumerated() where !(0..<tokenBytes.count).contains(id) || tokenBytes[id] != [UInt8(b)] {
            throw ByteBPEError.invalid("byte \(b) maps to token \(id), which is not that single byte")
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, m) in merges.enumerated() {
            let ids = [m.left, m.right, m.merged]
            guard ids.allSatisfy({ (0..<tokenBytes.count).contains($0) }),
                  tokenBytes[m.merged] == tokenBytes[m.left] + tokenBytes[m.right] else {
                throw ByteBPEError.invalid("merge \(rank) (\(m.left), \(m.right)) → \(m.merged) does not join its tokens' bytes")
            }
            // A pair listed twice keeps its last rank, as Python's `tokenizers` does.
            table[ByteBPE.pairKey(Int32(m.left), Int32(m.right))] = UInt64(rank) << 32 | UInt64(m.merged)
        }
        self.tokenBytes = tokenBytes; self.byteTokens = byteTokens; self.merges = merges; self.mergeTable = table
    }

    @inline(__always) static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int] { encode(bytes: Array(text.utf8)) }

    /// Token ids of a byte string. Pieces already seen in this call are looked up, not re-merged.
    public func encode(bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(bytes.count / 3)
        var cache = PieceCache()
        var symbols: [Int32] = []
        bytes.withUnsafeBufferPointer { buf in
            GPT2PreTokenizer.forEachPiece(in: buf) { s, e in
                let piece = UnsafeBufferPointer(rebasing: buf[s..<e])
                if let ids = cache.lookup(piece) { out.append(contentsOf: ids); return }
                symbols.removeAll(keepingCapacity: true)
                for b in piece { symbols.append(Int32(byteTokens[Int(b)])) }
                if symbols.count > ByteBPE.longPieceBytes { mergeLongPiece(&symbols) } else { mergePiece(&symbols) }
                cache.insert(piece, symbols)
                for id in symbols { out.append(Int(id)) }
            }
        }
        return out
    }

    /// Applies merges to one piece: repeatedly joins every occurrence (left to right) of the
    /// adjacent pair with the lowest rank, until no adjacent pair has a merge.
    func mergePiece(_ symbols: inout [Int32]) {
        while symbols.count > 1 {
            var best = UInt64.max
            for i in 0..<(symbols.count - 1) {
                if let v = mergeTable[ByteBPE.pairKey(symbols[i], symbols[i + 1])], v < best { best = v }
            }
            if best == .max { return }
            let merged = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            let rank = best >> 32
            let m = merges[Int(rank)]
            let a = Int32(m.left), b = Int32(m.right)
            var w = 0, r = 0
            let n = symbols.count
            while r < n {
                if r + 1 < n && symbols[r] == a && symbols[r + 1] == b {
                    symbols[w] = merged; r += 2
                } else {
                    symbols[w] = symbols[r]; r += 1
                }
                w += 1
            }
            symbols.removeLast(n - w)
        }
    }

    // MARK: Decoding

    /// The bytes of a token sequence (exact inverse of `encode(bytes:)`).
    public func decode(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        for id in ids { out.append(contentsOf: tokenBytes[id]) }
        return out
    }

    /// Decoded text; invalid UTF-8 shows as U+FFFD.
    public func decodeText(_ ids: [Int]) -> String { String(decoding: decode(ids), as: UTF8.self) }
}

/// Errors of building, reading or writing a `ByteBPE`.
public enum ByteBPEError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(reason): return "invalid byte-level BPE: \(reason)"
        case let .badFile(path, reason): return "cannot read tokenizer '\(path)': \(reason)"
        }
    }
}

/// Remembers the ids of pieces already encoded, keyed by a 64-bit FNV-1a hash of their bytes
/// (the bytes are compared too, so a hash collision only costs a re-merge).
struct PieceCache {
    private var index: [UInt64: Int] = [:]
    private var keyBytes: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    private var idStore: [Int32] = []
    private var idRanges: [Range<Int>] = []

    @inline(__always) static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> ArraySlice<Int32>? {
        guard let e = index[PieceCache.hash(p)] else { return nil }
        let r = keyRanges[e]
        guard r.count == p.count else { return nil }
        var k = r.lowerBound
        for b in p { if keyBytes[k] != b { return nil }; k += 1 }
        return idStore[idRanges[e]]
    }

    mutating func insert(_ p: UnsafeBufferPointer<UInt8>, _ ids: [Int32]) {
        let h = PieceCache.hash(p)
        guard index[h] == nil, p.count <= 256 else { return }
        index[h] = keyRanges.count
        keyRanges.append(keyBytes.count..<(keyBytes.count + p.count)); keyBytes.append(contentsOf: p)
        idRanges.append(idStore.count..<(idStore.count + ids.count)); idStore.append(contentsOf: ids)
    }
}

private extension Array where Element == Int {
    mutating func append(contentsOf ids: ArraySlice<Int32>) { for id in ids { append(Int(id)) } }
}
