import Foundation
import Tensors
import Transformer
import WorkbenchCore

/// One forward and backward pass of an attention layer, as the attention tests compare them.
struct AttentionPass { var out: [Float]; var lse: [Float]; var dqkv: [Float] }

extension CausalSelfAttention {
    /// Forward then backward on `qkv` with output gradient `dout`, keeping the probabilities when
    /// `keep`. The outputs start filled with `initial`: NaN (the default) shows any entry a path
    /// leaves unwritten.
    func pass(qkv: [Float], dout: [Float], b: Int, t: Int, keep: Bool = false, initial: Float = .nan) -> AttentionPass {
        let scratch = FloatBuffer(count: Parallel.workers * scratchPerWorker(t: t))
        let kept = FloatBuffer(count: keep ? b * heads * probabilitiesPerHead(t: t) : 0)
        var out = [Float](repeating: initial, count: b * t * width), lse = [Float](repeating: initial, count: b * heads * t)
        forward(out: &out, lse: &lse, qkv: qkv, b: b, t: t, scratch: scratch, probabilities: keep ? kept.base : nil)
        var dqkv = [Float](repeating: initial, count: qkv.count)
        backward(dqkv: &dqkv, dout: dout, qkv: qkv, out: out, lse: lse, b: b, t: t, scratch: scratch,
                 probabilities: keep ? UnsafePointer(kept.base) : nil)
        return AttentionPass(out: out, lse: lse, dqkv: dqkv)
    }

    /// Σ out·r of a forward pass on `qkv`: the loss whose gradient `pass(…, dout: r)` gives, for
    /// finite-difference checks.
    func outputDot(qkv: [Float], r: [Float], b: Int, t: Int, scratch: FloatBuffer) -> Double {
        var out = [Float](repeating: 0, count: b * t * width), lse = [Float](repeating: 0, count: b * heads * t)
        forward(out: &out, lse: &lse, qkv: qkv, b: b, t: t, scratch: scratch)
        return dot(out, r)
    }
}
