import Tensors

/// Layer normalisation over the last axis, forward and backward side by side.
///
/// Rows are independent: `out[r] = (x[r] - mean[r]) · rstd[r] · weight + bias` with
/// `rstd = 1 / sqrt(var + eps)` (biased variance, as PyTorch's `nn.LayerNorm`).
/// Backward *accumulates* into `dx`, `dweight`, `dbias` (llm.c convention).
public enum LayerNorm {
    public static let eps: Float = 1e-5

    // x: [R, C], weight/bias: [C] -> out: [R, C], mean/rstd: [R]
    public static func forward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                               rstd: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, c: Int) {
        Parallel.forEachChunk(count: rows, minChunk: 64) { range in
            for r in range {
                let xr = x + r * c, o = out + r * c
                var m: Float = 0
                for i in 0..<c { m += xr[i] }
                m /= Float(c)
                var v: Float = 0
                for i in 0..<c { let d = xr[i] - m; v += d * d }
                v /= Float(c)
                let s = 1 / (v + eps).squareRoot()
                for i in 0..<c { o[i] = (xr[i] - m) * s * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    // dout: [R, C] -> dx: [R, C] (+=), dweight/dbias: [C] (+=)
    public static func backward(dx: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, c: Int) {
        // Input gradient: rows are independent.
        Parallel.forEachChunk(count: rows, minChunk: 64) { range in
            for r in range {
                let xr = x + r * c, g = dout + r * c, d = dx + r * c
                let m = mean[r], s = rstd[r]
                var meanDnorm: Float = 0, meanDnormNorm: Float = 0
                for i in 0..<c {
                    let norm = (xr[i] - m) * s
                    let dn = g[i] * weight[i]
                    meanDnorm += dn
                    meanDnormNorm += dn * norm
                }
                meanDnorm /= Float(c)
                meanDnormNorm /= Float(c)
                for i in 0..<c {
                    let norm = (xr[i] - m) * s
                    let dn = g[i] * weight[i]
                    d[i] += s * (dn - meanDnorm - norm * meanDnormNorm)
                }
            }
        }
        // Parameter gradients: a fixed-order sum over rows (deterministic).
        ColumnSums.accumulate(into: dbias, matrix: dout, rows: rows, c: c)
        ColumnSums.accumulateNormalizedProducts(into: dweight, g: dout, x: x, mean: mean, rstd: rstd, rows: rows, c: c)
    }
}
