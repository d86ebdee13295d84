import Tensors

/// Attention of one new position against cached keys and values (forward only), for decoding
/// with `KVCache`: the last row of `forward` without recomputing the rows before it.
extension CausalSelfAttention {
    /// `q`: the new position's queries `[A]` (head `h` at `h·headDim`); `keys`, `values`: rows
    /// `0..<n` of `[*, ld]`, the last of them the new position's; `scores`: `n` floats of scratch.
    /// Writes the attention output `[A]` into `out`.
    public func decodeForward(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
                              keys: UnsafePointer<Float>, values: UnsafePointer<Float>, ld: Int, count n: Int,
                              scores: UnsafeMutablePointer<Float>) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot()
        for h in 0..<heads {
            // s = scale · q_h · K_hᵀ   [1, n]
            BLAS.sgemm(transB: true, m: 1, n: n, k: hd, alpha: scale, a: q + h * hd, lda: hd,
                       b: keys + h * hd, ldb: ld, c: scores, ldc: n)
            let mx = VectorMath.max(scores, count: n)
            let inv = 1 / VectorMath.expInPlaceSum(scores, minus: mx, count: n)
            for j in 0..<n { scores[j] *= inv }
            // o_h = p · V_h   [1, hd]
            BLAS.sgemm(m: 1, n: hd, k: n, a: scores, lda: n, b: values + h * hd, ldb: ld, c: out + h * hd, ldc: hd)
        }
    }
}
