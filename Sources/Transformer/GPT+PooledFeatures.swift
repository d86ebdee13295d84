import Tensors
import WorkbenchCore

/// The model's body as a feature extractor for sequence-level heads (classification): each
/// sequence's final-layer-norm output, averaged over its positions, `[b, dModel]`.
///
/// The head sees the pooled features of one micro-batch at a time, on the thread that ran it,
/// and fills their gradient; that gradient then flows back through the body of the same
/// micro-batch while its activations are still in the workspace, as in
/// `forward(_:needsGradient:)`, and `backward()` adds the body's gradient into `gradients`.
///
///     gpt.forwardPooled(tokens: images, b: 8, t: 192, needsGradient: true) { first, n, pooled, dPooled in
///         head.forward(first: first, count: n, pooled: pooled, dPooled: dPooled)
///     }
///     gpt.backward()
extension GPT {
    /// A head over pooled features: sequences `first ..< first + count` of the batch, their
    /// pooled features `[count, dModel]`, and, when the body needs a gradient, `[count, dModel]`
    /// to receive d loss / d pooled. Called concurrently for disjoint sequences.
    public typealias PooledHead = (_ first: Int, _ count: Int, _ pooled: UnsafePointer<Float>,
                                   _ dPooled: UnsafeMutablePointer<Float>?) -> Void

    /// Runs `b` sequences of `t` tokens through the body and hands their pooled features to
    /// `head`. With `needsGradient`, also back-propagates the gradient the head fills through
    /// the body (pending until `backward()`); without it the body is only evaluated (a frozen
    /// body, as in a linear probe, or evaluation).
    public func forwardPooled(tokens: [Int32], b: Int, t: Int, needsGradient: Bool, head: PooledHead) {
        precondition(tokens.count == b * t, "forwardPooled: expected \(b)×\(t) tokens")
        precondition(t <= config.nCtx, "sequence of \(t) tokens exceeds n_ctx \(config.nCtx)")
        let C = config.dModel
        let (perMicro, micros, groups) = prepareWorkspaces(b: b, t: t, needsGradient: needsGradient)
        let drop = needsGradient && dropout > 0 ? Dropout(p: dropout, seed: dropoutSeed) : nil
        let scratch = FloatBuffer(count: groups * 2 * perMicro * C)   // pooled and dPooled per group
        let unitWeights = [Float](repeating: 1, count: b * t)          // the body reads no targets or weights
        tokens.withUnsafeBufferPointer { tok in
            unitWeights.withUnsafeBufferPointer { w in
                func runGroup(_ g: Int) {
                    let a = workspaces[g]
                    let pooled = scratch.pointer(at: g * 2 * perMicro * C), dPooled = pooled + perMicro * C
                    for m in (micros * g / groups)..<(micros * (g + 1) / groups) {
                        let s0 = m * perMicro, n = min(perMicro, b - s0), r0 = s0 * t
                        let micro = MicroBatch(row0: r0, b: n, t: t, tokens: tok.baseAddress! + r0,
                                               targets: tok.baseAddress! + r0, weights: w.baseAddress! + r0)
                        runBody(micro, a: a, dropout: drop, needsGradient: needsGradient)
                        PositionMean.forward(out: pooled, x: a.lnf.base, sequences: n, t: t, c: C)
                        head(s0, n, pooled, needsGradient ? dPooled : nil)
                        if needsGradient {
                            PositionMean.backward(dx: a.dln.base, dout: dPooled, sequences: n, t: t, c: C)
                            runBodyBackward(micro, a: a, grads: pendingGradients[g].base, dropout: drop)
                        }
                    }
                }
                if groups == 1 { runGroup(0) } else { Parallel.forEachExclusive(count: groups, runGroup) }
            }
        }
    }
}

/// The mean over the positions of each sequence, forward and backward side by side.
public enum PositionMean {
    // x: [S, T, C] -> out: [S, C]
    public static func forward(out: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, sequences: Int, t: Int, c: Int) {
        let inv = 1 / Float(t)
        for s in 0..<sequences {
            let o = out + s * c
            o.update(repeating: 0, count: c)
            for i in 0..<t {
                let row = x + (s * t + i) * c
                for k in 0..<c { o[k] += row[k] }
            }
            for k in 0..<c { o[k] *= inv }
        }
    }

    // dout: [S, C] -> dx: [S, T, C] (overwritten: every position gets dout / T)
    public static func backward(dx: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, sequences: Int, t: Int, c: Int) {
        let inv = 1 / Float(t)
        for s in 0..<sequences {
            let g = dout + s * c
            for i in 0..<t {
                let d = dx + (s * t + i) * c
                for k in 0..<c { d[k] = g[k] * inv }
            }
        }
    }
}
