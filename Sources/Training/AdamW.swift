import Tensors
import Transformer
import WorkbenchCore

/// AdamW (Loshchilov & Hutter) with decoupled weight decay, over the model's flat parameter
/// buffer. Moments share the parameter layout, so one loop updates everything; a per-element
/// decay flag (built from the layout and `noDecay` kinds) says where weight decay applies.
///
/// Update, with bias correction at step `t` (1-based):
/// `m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·(m̂ / (√v̂ + ε) + λ·p·decay)`.
public final class AdamW {
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Steps taken so far.
    public var step: Int = 0
    /// The flat buffer cut into pieces of at most `pieceSize` elements that share one decay
    /// flag (no per-element mask: that was one more float per parameter to store and read).
    let pieces: [(range: Range<Int>, decays: Bool)]
    static let pieceSize = 32768

    public convenience init(layout: ParameterLayout, beta1: Float, beta2: Float, eps: Float, weightDecay: Float,
                            noDecay: Set<ParameterLayout.Kind>) {
        self.init(tensors: layout.tensors, total: layout.total, beta1: beta1, beta2: beta2, eps: eps,
                  weightDecay: weightDecay, noDecay: noDecay)
    }

    /// For any flat buffer of `total` floats cut into named `tensors` (a classification head's).
    public init(tensors: [ParameterLayout.Tensor], total: Int, beta1: Float, beta2: Float, eps: Float,
                weightDecay: Float, noDecay: Set<ParameterLayout.Kind>) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
        m = FloatBuffer(count: total)
        v = FloatBuffer(count: total)
        var pieces: [(range: Range<Int>, decays: Bool)] = []
        for t in tensors.sorted(by: { $0.offset < $1.offset }) {
            let decays = !noDecay.contains(t.kind)
            var lo = t.offset
            while lo < t.offset + t.count {
                let hi = min(t.offset + t.count, lo + Self.pieceSize)
                pieces.append((lo..<hi, decays))
                lo = hi
            }
        }
        self.pieces = pieces
    }

    /// Whether weight decay applies to element `i` of the flat buffer.
    public func decays(_ i: Int) -> Bool {
        pieces.first { $0.range.contains(i) }?.decays ?? false
    }

    /// One update of `params` from `grads` at learning rate `lr`, fused in one pass per piece.
    public func update(params: FloatBuffer, grads: FloatBuffer, lr: Float) {
        step += 1
        let b1 = beta1, b2 = beta2, e = eps, wd = weightDecay
        let c1 = 1 / (1 - Float(Double(b1).pow(step))), c2 = 1 / (1 - Float(Double(b2).pow(step)))
        let p = params.base, g = grads.base, mm = m.base, vv = v.base
        pieces.withUnsafeBufferPointer { list in
            Parallel.forEachChunk(count: list.count) { chunk in
                for piece in list[chunk] {
                    let decay: Float = piece.decays ? wd : 0
                    for i in piece.range {
                        let gi = g[i]
                        let mi = b1 * mm[i] + (1 - b1) * gi
                        let vi = b2 * vv[i] + (1 - b2) * gi * gi
                        mm[i] = mi; vv[i] = vi
                        let mhat = mi * c1, vhat = vi * c2
                        p[i] -= lr * (mhat / (vhat.squareRoot() + e) + decay * p[i])
                    }
                }
            }
        }
    }
}

/// Global-norm gradient clipping.
public enum GradientClipping {
    /// The L2 norm of the whole gradient, summed in Double in a fixed order.
    public static func globalNorm(_ grads: FloatBuffer) -> Double {
        let chunks = 64, n = grads.count
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            Parallel.forEach(count: chunks) { c in
                var s = 0.0
                for i in (n * c / chunks)..<(n * (c + 1) / chunks) { let x = Double(grads[i]); s += x * x }
                o[c] = s
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// Scales gradients so their global norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ grads: FloatBuffer, maxNorm: Double) -> Double { clip([grads], maxNorm: maxNorm) }

    /// The same over several buffers taken as one gradient (a model and its classification head).
    @discardableResult
    public static func clip(_ buffers: [FloatBuffer], maxNorm: Double) -> Double {
        let norm = buffers.map { let n = globalNorm($0); return n * n }.reduce(0, +).squareRoot()
        if maxNorm > 0, norm > maxNorm {
            let s = Float(maxNorm / (norm + 1e-6))
            for grads in buffers { for i in 0..<grads.count { grads[i] *= s } }
        }
        return norm
    }
}

extension Double {
    func pow(_ n: Int) -> Double {
        var r = 1.0, b = self, e = n
        while e > 0 { if e & 1 == 1 { r *= b }; b *= b; e >>= 1 }
        return r
    }
}
