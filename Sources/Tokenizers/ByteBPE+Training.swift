/// Training a byte-level BPE: count the pre-tokenized pieces once, then repeatedly merge the
/// most frequent adjacent pair, updating pair counts only in the words that hold that pair.
///
///     let bpe = ByteBPE.train(on: Array(text.utf8), vocabSize: 4096) { print($0) }
extension ByteBPE {
    /// Trains on a corpus until the vocabulary holds `vocabSize` tokens (256 bytes + merges), or
    /// no pair occurs any more. Ties in pair frequency go to the pair with the smaller ids, so the
    /// result is the same on every run.
    public static func train(on corpus: [UInt8], vocabSize: Int,
                             log: ((String) -> Void)? = nil) -> ByteBPE {
        train(wordCounts: countPieces(corpus), vocabSize: vocabSize, log: log)
    }

    /// How often each pre-tokenized piece occurs in `corpus`.
    public static func countPieces(_ corpus: [UInt8]) -> [[UInt8]: Int] {
        var counts: [[UInt8]: Int] = [:]
        corpus.withUnsafeBufferPointer { buf in
            GPT2PreTokenizer.forEachPiece(in: buf) { s, e in
                counts[Array(buf[s..<e]), default: 0] += 1
            }
        }
        return counts
    }

    /// Trains from piece counts (several corpora can be counted separately and added).
    public static func train(wordCounts: [[UInt8]: Int], vocabSize: Int,
                             log: ((String) -> Void)? = nil) -> ByteBPE {
        precondition(vocabSize >= 256, "a byte-level vocabulary holds at least the 256 bytes")
        // Words in a fixed order so that every run does the same work.
        let sortedWords = wordCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var words: [[Int32]] = sortedWords.map { $0.key.map { Int32($0) } }
        let counts: [Int] = sortedWords.map { $0.value }

        var tokenBytes: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var idOfBytes: [[UInt8]: Int32] = [:]
        for b in 0..<256 { idOfBytes[[UInt8(b)]] = Int32(b) }
        var merges: [Merge] = []

        var pairCounts: [UInt64: Int] = [:]
        var wordsWithPair: [UInt64: [Int32]] = [:]
        for (w, symbols) in words.enumerated() where symbols.count > 1 {
            for i in 0..<(symbols.count - 1) {
                let key = pairKey(symbols[i], symbols[i + 1])
                pairCounts[key, default: 0] += counts[w]
                wordsWithPair[key, default: []].append(Int32(w))
            }
        }
        var heap = BinaryHeap<PairCandidate>()
        for (key, c) in pairCounts { heap.push(PairCandidate(count: c, pair: key)) }

        var lastVisit = [Int32](repeating: -1, count: words.count)
        var mergedPairs: Set<UInt64> = []
        var mergesTried = 0
        while tokenBytes.count < vocabSize, let top = heap.pop() {
            let current = pairCounts[top.pair] ?? 0
            if current != top.count {
                if current > 0 { heap.push(PairCandidate(count: current, pair: top.pair)) }
                continue
            }
            let a = Int32(truncatingIfNeeded: top.pair >> 32), b = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            let newBytes = tokenBytes[Int(a)] + tokenBytes[Int(b)]
            let newId: Int32
            if let existing = idOfBytes[newBytes] {
                newId = existing
            } else {
                newId = Int32(tokenBytes.count)
                tokenBytes.append(newBytes); idOfBytes[newBytes] = newId
            }
            // A pair can come back after its merge only when a later merge yields one of its
            // tokens again (same bytes); it is merged in the words again but listed once.
            let mergeIndex = Int32(mergesTried)
            mergesTried += 1
            if mergedPairs.insert(top.pair).inserted {
                merges.append(Merge(left: Int(a), right: Int(b), merged: Int(newId)))
            }

            var touched: Set<UInt64> = []
            for w32 in wordsWithPair[top.pair] ?? [] {
                let w = Int(w32)
                if lastVisit[w] == mergeIndex { continue }
                lastVisit[w] = mergeIndex
                let c = counts[w]
                var symbols = words[w]
                var found = false
                for i in 0..<(symbols.count - 1) where symbols[i] == a && symbols[i + 1] == b { found = true; break }
                if !found { continue }
                for i in 0..<(symbols.count - 1) { pairCounts[pairKey(symbols[i], symbols[i + 1])]! -= c }
                var wr = 0, r = 0
                let n = symbols.count
                while r < n {
                    if r + 1 < n && symbols[r] == a && symbols[r + 1] == b { symbols[wr] = newId; r += 2 }
                    else { symbols[wr] = symbols[r]; r += 1 }
                    wr += 1
                }
                symbols.removeLast(n - wr)
                if symbols.count > 1 {
                    for i in 0..<(symbols.count - 1) {
                        let key = pairKey(symbols[i], symbols[i + 1])
                        pairCounts[key, default: 0] += c
                        if symbols[i] == newId || symbols[i + 1] == newId {
                            wordsWithPair[key, default: []].append(w32)
                            touched.insert(key)
                        }
                    }
                }
                words[w] = symbols
            }
            wordsWithPair[top.pair] = nil
            pairCounts[top.pair] = nil
            for key in touched { if let c = pairCounts[key], c > 0 { heap.push(PairCandidate(count: c, pair: key)) } }
            if let log, mergesTried % 512 == 0 {
                log("bpe: \(merges.count) merges, vocabulary \(tokenBytes.count)/\(vocabSize)")
            }
        }
        // The tables are consistent by construction.
        return try! ByteBPE(tokenBytes: tokenBytes, byteTokens: Array(0..<256), merges: merges)
    }
}

/// A candidate merge in training's queue: a pair and its count when queued. The largest count
/// comes out first, and among equal counts the smaller pair key.
struct PairCandidate: Comparable {
    var count: Int
    var pair: UInt64
    static func < (l: PairCandidate, r: PairCandidate) -> Bool { l.count != r.count ? l.count > r.count : l.pair < r.pair }
}
