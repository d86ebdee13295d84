import Tensors
import WorkbenchCore

/// Deterministic column sums over a `[rows, c]` matrix, split across threads by column blocks so
/// that every column is summed by one thread in row order, whatever the thread count.
public enum ColumnSums {
    static let block = 256

    /// `acc[i] += Σ_r x[r, i]`.
    public static func accumulate(into acc: UnsafeMutablePointer<Float>, matrix x: UnsafePointer<Float>,
                                  rows: Int, c: Int) {
        Parallel.forEach(count: (c + block - 1) / block) { bi in
            let lo = bi * block, n = min(c, lo + block) - lo
            let a = acc + lo
            for r in 0..<rows {
                let xr = x + r * c + lo
                for i in 0..<n { a[i] += xr[i] }
            }
        }
    }

    /// `acc[i] += Σ_r g[r, i] · (x[r, i] − mean[r]) · rstd[r]` (layer-norm gain gradient).
    public static func accumulateNormalizedProducts(into acc: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                                                    x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                                    rstd: UnsafePointer<Float>, rows: Int, c: Int) {
        Parallel.forEach(count: (c + block - 1) / block) { bi in
            let lo = bi * block, n = min(c, lo + block) - lo
            let a = acc + lo
            for r in 0..<rows {
                let gr = g + r * c + lo, xr = x + r * c + lo, m = mean[r], s = rstd[r]
                for i in 0..<n { a[i] += gr[i] * (xr[i] - m) * s }
            }
        }
    }
}
