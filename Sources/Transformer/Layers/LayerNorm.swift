import Tensors
import WorkbenchCore

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
                let m = VectorMath.sum(xr, count: c) / Float(c)
                let v = VectorMath.sumSquaredDeviations(xr, from: m, count: c) / Float(c)
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
                let (sumDnorm, sumDnormNorm) = dnormSums(g: g, weight: weight, x: xr, mean: m, rstd: s, c: c)
                let meanDnorm = sumDnorm / Float(c), meanDnormNorm = sumDnormNorm / Float(c)
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

    /// `(Σ g·w, Σ g·w·(x − mean)·rstd)` over one row, with eight-lane accumulators.
    @inline(__always)
    static func dnormSums(g: UnsafePointer<Float>, weight: UnsafePointer<Float>, x: UnsafePointer<Float>,
                          mean m: Float, rstd s: Float, c: Int) -> (Float, Float) {
        typealias V = SIMD8<Float>
        func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var a = V(repeating: 0), b = V(repeating: 0), i = 0
        let mv = V(repeating: m), sv = V(repeating: s)
        while i + 8 <= c {
            let dn = load(g + i) * load(weight + i)
            a += dn
            b += dn * ((load(x + i) - mv) * sv)
            i += 8
        }
        var sa = a.sum(), sb = b.sum()
        while i < c { let dn = g[i] * weight[i]; sa += dn; sb += dn * ((x[i] - m) * s); i += 1 }
        return (sa, sb)
    }
}
