import Tensors
#if canImport(Glibc)
import Glibc
import WorkbenchCore
#endif

/// Softmax cross-entropy averaged over the tokens a weight marks as counted.
///
/// `loss = Σ_r w[r] · (−log softmax(logits[r])[target[r]]) / Σ_r w[r]`, in nats. Rows with
/// weight 0 (padding, question tokens of a math problem, the first half of a pair) cost nothing
/// and get no gradient.
public enum SoftmaxCrossEntropy {
    // logits: [R, V], targets: [R], weights: [R] -> losses: [R] (per row, nats), returns weighted mean.
    // When `dlogits` is given it receives the gradient of the mean loss (overwritten, not accumulated).
    @discardableResult
    public static func forwardBackward(losses: UnsafeMutablePointer<Float>,
                                       dlogits: UnsafeMutablePointer<Float>?,
                                       logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                       weights: UnsafePointer<Float>, rows: Int, v: Int) -> Float {
        let norm = normalizer(weights: weights, rows: rows)
        rowsForwardBackward(losses: losses, dlogits: dlogits, logits: logits, targets: targets, weights: weights,
                            norm: norm, rows: rows, v: v)
        return weightedMean(losses: losses, weights: weights, norm: norm, rows: rows)
    }

    /// `1 / Σ_r w[r]`, or 0 when nothing is counted.
    public static func normalizer(weights: UnsafePointer<Float>, rows: Int) -> Float {
        var total: Float = 0
        for r in 0..<rows { total += weights[r] }
        return total > 0 ? 1 / total : 0
    }

    /// `Σ_r w[r]·losses[r] · norm`, summed in Double in row order.
    public static func weightedMean(losses: UnsafePointer<Float>, weights: UnsafePointer<Float>, norm: Float,
                                    rows: Int) -> Float {
        var acc: Double = 0
        for r in 0..<rows { acc += Double(weights[r]) * Double(losses[r]) }
        return Float(acc * Double(norm))
    }

    /// Per-row losses and, when `dlogits` is given, the gradient of `Σ_r w[r]·loss[r] · norm`:
    /// the part of `forwardBackward` one micro-batch does, with `norm` taken over the whole batch.
    public static func rowsForwardBackward(losses: UnsafeMutablePointer<Float>,
                                           dlogits: UnsafeMutablePointer<Float>?,
                                           logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                           weights: UnsafePointer<Float>, norm: Float, rows: Int, v: Int) {
        Parallel.forEachChunk(count: rows, minChunk: 16) { range in
            for r in range {
                let l = logits + r * v
                let mx = VectorMath.max(l, count: v)
                let sum = VectorMath.sumExp(l, minus: mx, count: v)
                let logZ = mx + logf(sum)
                let tgt = Int(targets[r])
                losses[r] = logZ - l[tgt]
                if let dlogits {
                    let d = dlogits + r * v
                    let w = weights[r] * norm
                    if w == 0 {
                        d.update(repeating: 0, count: v)
                    } else {
                        for i in 0..<v { d[i] = fastExp(l[i] - logZ) * w }
                        d[tgt] -= w
                    }
                }
            }
        }
    }
}
