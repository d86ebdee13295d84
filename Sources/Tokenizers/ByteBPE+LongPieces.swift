/// Merging a long piece (a long run of letters, digits or punctuation without spaces) in
/// O(n log n): a linked list of symbols and a min-heap of candidate merges keyed by
/// (rank, position), so the lowest-rank pair is merged first and, within a rank, the leftmost;
/// this gives the same tokens as `mergePiece`, which rescans the piece once per rank applied.
extension ByteBPE {
    /// Pieces longer than this many bytes use the heap.
    static let longPieceBytes = 64

    func mergeLongPiece(_ symbols: inout [Int32]) {
        let n = symbols.count
        guard n > 1 else { return }
        var next = (0..<n).map { Int32($0 + 1) }
        next[n - 1] = -1
        var prev = (0..<n).map { Int32($0 - 1) }
        var alive = [Bool](repeating: true, count: n)
        var heap = BinaryHeap<UInt64>()
        @inline(__always) func consider(_ i: Int32) {
            guard i >= 0, next[Int(i)] >= 0 else { return }
            if let v = mergeTable[ByteBPE.pairKey(symbols[Int(i)], symbols[Int(next[Int(i)])])] {
                heap.push((v >> 32) << 32 | UInt64(i))
            }
        }
        for i in 0..<(n - 1) { consider(Int32(i)) }
        while let top = heap.pop() {
            let rank = Int(top >> 32), i = Int(top & 0xFFFF_FFFF)
            guard alive[i], next[i] >= 0 else { continue }
            let j = Int(next[i])
            let m = merges[rank]
            guard symbols[i] == Int32(m.left), symbols[j] == Int32(m.right) else { continue }
            symbols[i] = Int32(m.merged)
            alive[j] = false
            next[i] = next[j]
            if next[j] >= 0 { prev[Int(next[j])] = Int32(i) }
            consider(prev[i])
            consider(Int32(i))
        }
        var out: [Int32] = []
        var k: Int32 = 0
        while k >= 0 { out.append(symbols[Int(k)]); k = next[Int(k)] }
        symbols = out
    }
}
