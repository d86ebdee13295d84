import Tensors

/// Deterministic column sums `acc[i] += Σ_r f(r, i)` split across threads by column blocks, so
/// every column is summed by one thread in row order whatever the thread count.
public enum ColumnSums {
    @inline(__always)
    public static func accumulate(into acc: UnsafeMutablePointer<Float>, rows: Int, c: Int,
                                  _ f: (Int, Int) -> Float) {
        let block = 64
        let blocks = (c + block - 1) / block
        Parallel.forEach(count: blocks) { bi in
            let lo = bi * block, hi = min(c, lo + block)
            for r in 0..<rows {
                for i in lo..<hi { acc[i] += f(r, i) }
            }
        }
    }

    /// `acc[i] += Σ_r x[r, i]` for a dense `[rows, c]` matrix.
    public static func accumulate(into acc: UnsafeMutablePointer<Float>, matrix x: UnsafePointer<Float>,
                                  rows: Int, c: Int) {
        accumulate(into: acc, rows: rows, c: c) { r, i in x[r * c + i] }
    }
}
