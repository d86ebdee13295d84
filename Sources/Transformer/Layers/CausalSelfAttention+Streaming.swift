import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Attention at long context, streamed over blocks of keys (FlashAttention's recipe): for each
/// tile of query rows, the scores of one block of `keyBlockWidth` keys at a time, so the working
/// set (a `tile × keyBlockWidth` score block, the block's keys and values, the tile's queries
/// and output) stays in the core's L2 cache whatever the context. Forward keeps a running
/// maximum and sum per row (online softmax) and rescales the output tile when the maximum grows;
/// backward recomputes each block's probabilities from the saved log-sum-exp. Products run
/// through OpenBLAS (any head dimension). Every sum runs in a fixed order: deterministic, and
/// equal to the unblocked path up to rounding.
extension CausalSelfAttention {
    /// Floats of worker scratch the streamed path needs: score and gradient blocks, and a running
    /// maximum and sum per tile row.
    func streamingScratch(t: Int) -> Int { 2 * min(tile, t) * min(keyBlockWidth, t) + 2 * min(tile, t) }

    /// Whether a pass over sequences of `t` tokens streams over key blocks (long contexts whose
    /// probabilities forward does not keep).
    public func streams(t: Int, keepsProbabilities: Bool) -> Bool { !keepsProbabilities && t > streamsAbove }

    /// Forward of one (sequence, head) pair: `q`, `k`, `v` rows of stride `ld`; writes the output
    /// rows (`o`, stride `ldo`) and the log-sum-exp of each row.
    func forwardStreamingHead(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
                              o: UnsafeMutablePointer<Float>, ldo: Int, lse l: UnsafeMutablePointer<Float>,
                              t: Int, scratch: UnsafeMutablePointer<Float>) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), width = min(keyBlockWidth, t)
        let s = scratch, rowMax = s + 2 * min(tile, t) * width, rowSum = rowMax + min(tile, t)
        var i0 = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq        // keys 0..<n
            let ot = o + i0 * ldo
            for r in 0..<tq {
                (ot + r * ldo).update(repeating: 0, count: hd)
                rowMax[r] = -.infinity; rowSum[r] = 0
            }
            var j0 = 0
            while j0 < n {
                let bw = min(width, n - j0)
                // S = scale · Q_tile · K[j0..<j0+bw]ᵀ   [tq, bw]
                BLAS.sgemm(transB: true, m: tq, n: bw, k: hd, alpha: scale, a: q + i0 * ld, lda: ld,
                           b: k + j0 * ld, ldb: ld, c: s, ldc: bw)
                for r in 0..<tq {
                    let row = s + r * bw, visible = min(bw, i0 + r + 1 - j0)
                    guard visible > 0 else { row.update(repeating: 0, count: bw); continue }
                    let newMax = Swift.max(rowMax[r], VectorMath.max(row, count: visible))
                    let blockSum = VectorMath.expInPlaceSum(row, minus: newMax, count: visible)
                    (row + visible).update(repeating: 0, count: bw - visible)
                    // Earlier blocks were exponentiated against a smaller maximum: rescale them.
                    // (For the first block the old maximum is −∞ and the sum and output are 0.)
                    let rescale = fastExp(rowMax[r] - newMax)
                    rowSum[r] = rowSum[r] * rescale + blockSum
                    rowMax[r] = newMax
                    if rescale != 1 { let orow = ot + r * ldo; for d in 0..<hd { orow[d] *= rescale } }
                }
                // O_tile += P · V[j0..<j0+bw]
                BLAS.sgemm(m: tq, n: hd, k: bw, a: s, lda: bw, b: v + j0 * ld, ldb: ld,
                           beta: 1, c: ot, ldc: ldo)
                j0 += width
            }
            for r in 0..<tq {
                let inv = 1 / rowSum[r], orow = ot + r * ldo
                for d in 0..<hd { orow[d] *= inv }
                l[i0 + r] = rowMax[r] + logf(rowSum[r])
            }
            i0 += tq
        }
    }

    /// Backward of one (sequence, head) pair, adding into `x.dq`, `x.dk`, `x.dv`; `rowDots[i]` is
    /// `dO_i · O_i`. Recomputes each block's probabilities `exp(scale · q·k − lse)`.
    func backwardStreamingHead(_ x: Head, lse l: UnsafePointer<Float>, rowDots: UnsafePointer<Float>, t: Int,
                               scratch: UnsafeMutablePointer<Float>) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), width = min(keyBlockWidth, t)
        let p = scratch, dp = scratch + min(tile, t) * width
        var i0 = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq
            let qt = x.q + i0 * x.ldq, dOt = x.dO + i0 * x.ldo, dqt = x.dq + i0 * x.ldd
            var j0 = 0
            while j0 < n {
                let bw = min(width, n - j0)
                let kb = x.k + j0 * x.ldk, vb = x.v + j0 * x.ldv
                // P = exp(scale · Q_tile · K_blockᵀ − lse), zero past each row's last visible key
                BLAS.sgemm(transB: true, m: tq, n: bw, k: hd, alpha: scale, a: qt, lda: x.ldq, b: kb, ldb: x.ldk,
                           c: p, ldc: bw)
                for r in 0..<tq {
                    let row = p + r * bw, visible = Swift.max(0, min(bw, i0 + r + 1 - j0)), lr = l[i0 + r]
                    for j in 0..<visible { row[j] = fastExp(row[j] - lr) }
                    (row + visible).update(repeating: 0, count: bw - visible)
                }
                // dP = dO_tile · V_blockᵀ
                BLAS.sgemm(transB: true, m: tq, n: bw, k: hd, a: dOt, lda: x.ldo, b: vb, ldb: x.ldv, c: dp, ldc: bw)
                // dV_block += Pᵀ · dO_tile
                BLAS.sgemm(transA: true, m: bw, n: hd, k: tq, a: p, lda: bw, b: dOt, ldb: x.ldo,
                           beta: 1, c: x.dv + j0 * x.ldd, ldc: x.ldd)
                // dS = P ∘ (dP − rowsum(dO ∘ O)); zero where P is
                for r in 0..<tq {
                    let di = rowDots[i0 + r], prow = p + r * bw, dprow = dp + r * bw
                    for j in 0..<bw { dprow[j] = prow[j] * (dprow[j] - di) }
                }
                // dQ_tile += scale · dS · K_block;  dK_block += scale · dSᵀ · Q_tile
                BLAS.sgemm(m: tq, n: hd, k: bw, alpha: scale, a: dp, lda: bw, b: kb, ldb: x.ldk,
                           beta: 1, c: dqt, ldc: x.ldd)
                BLAS.sgemm(transA: true, m: bw, n: hd, k: tq, alpha: scale, a: dp, lda: bw, b: qt, ldb: x.ldq,
                           beta: 1, c: x.dk + j0 * x.ldd, ldc: x.ldd)
                j0 += width
            }
            i0 += tq
        }
    }
}

/// The streamed path through the hand 16-lane kernels (`StreamingKernels`, head dimensions that are
/// multiples of 16): the same blocks and the same online softmax as the OpenBLAS path above, on
/// one head's rows gathered contiguously, with the row passes fused (scale, mask, exponential and
/// sum in one pass forward; probabilities and their gradient in one pass backward) and the two
/// key-side products of backward (dV, dK) in one pass over the tile.
extension CausalSelfAttention {
    /// Floats of worker scratch the SIMD streamed path needs: two score blocks, four numbers per
    /// tile row and an output tile; keys and values transposed; six gathered `[t, hd]` arrays.
    func streamingSIMDScratch(t: Int) -> Int {
        let rows = min(tile, t), hd = headDim
        return 2 * rows * StreamingKernels.blockStride(min(keyBlockWidth, t)) + rows * (4 + hd)
            + 2 * hd * StreamingKernels.paddedKeys(t) + 6 * hd * t
    }

    /// Forward of one (sequence, head) pair as `forwardStreamingHead`, through `StreamingKernels`.
    func forwardStreamingHeadSIMD(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, ld: Int,
                                  o: UnsafeMutablePointer<Float>, ldo: Int, lse l: UnsafeMutablePointer<Float>,
                                  t: Int, scratch: UnsafeMutablePointer<Float>) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), width = min(keyBlockWidth, t)
        let rows = min(tile, t), sw = StreamingKernels.blockStride(width), tPad = StreamingKernels.paddedKeys(t)
        let s = scratch, rowMax = s + 2 * rows * sw, rowSum = rowMax + rows, rescale = rowSum + rows
        let acc = rescale + 2 * rows                                  // [rows, hd] output tile
        let kt = acc + rows * hd, qc = kt + 2 * hd * tPad, vc = qc + hd * t
        AttentionKernels.gather(qc, q, lds: ld, rows: t, hd: hd)
        AttentionKernels.gather(vc, k, lds: ld, rows: t, hd: hd)     // keys first, to transpose
        StreamingKernels.transpose(kt, ldd: tPad, vc, n: t, hd: hd)
        AttentionKernels.gather(vc, v, lds: ld, rows: t, hd: hd)
        var i0 = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq
            acc.update(repeating: 0, count: tq * hd)
            for r in 0..<tq { rowMax[r] = -.infinity; rowSum[r] = 0 }
            var j0 = 0
            while j0 < n {
                let bw = min(width, n - j0), diagonal = i0 - j0     // row r sees block keys j ≤ diagonal + r
                StreamingKernels.scores(c: s, ldc: sw, a: qc + i0 * hd, lda: hd, bt: kt + j0, ldbt: tPad, rows: tq,
                                        hd: hd, alpha: scale, keys: bw, diagonal: diagonal)
                for r in 0..<tq {
                    let visible = min(bw, diagonal + r + 1)
                    guard visible > 0 else {
                        (s + r * sw).update(repeating: 0, count: bw); rescale[r] = 1; continue
                    }
                    let (m, blockSum) = StreamingKernels.softmaxRow(s + r * sw, visible: visible, width: bw,
                                                                    runningMax: rowMax[r])
                    // Earlier blocks were exponentiated against a smaller maximum (for the first
                    // block the old maximum is −∞ and the sum and output are 0).
                    let c = fastExp(rowMax[r] - m)
                    rescale[r] = c
                    rowSum[r] = rowSum[r] * c + blockSum
                    rowMax[r] = m
                }
                // acc = acc ∘ rescale + P · V_block
                StreamingKernels.rowsTimesBlock(o: acc, rescale: rescale, alpha: 1, p: s, ldp: sw, b: vc + j0 * hd,
                                                rows: tq, hd: hd, keys: bw, diagonal: diagonal)
                j0 += width
            }
            for r in 0..<tq {
                let inv = 1 / rowSum[r], orow = o + (i0 + r) * ldo, arow = acc + r * hd
                for d in 0..<hd { orow[d] = arow[d] * inv }
                l[i0 + r] = rowMax[r] + logf(rowSum[r])
            }
            i0 += tq
        }
    }

    /// Backward of one (sequence, head) pair as `backwardStreamingHead`, through
    /// `StreamingKernels`; overwrites (does not add into) this head's columns of dq, dk, dv.
    func backwardStreamingHeadSIMD(_ x: Head, lse l: UnsafePointer<Float>, rowDots: UnsafePointer<Float>, t: Int,
                                   scratch: UnsafeMutablePointer<Float>) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), width = min(keyBlockWidth, t)
        let rows = min(tile, t), sw = StreamingKernels.blockStride(width), tPad = StreamingKernels.paddedKeys(t)
        let p = scratch, dp = p + rows * sw
        let kt = dp + rows * sw + rows * (4 + hd), vt = kt + hd * tPad
        let qc = vt + hd * tPad, kc = qc + hd * t, dOc = kc + hd * t
        let dqc = dOc + hd * t, dkc = dqc + hd * t, dvc = dkc + hd * t
        AttentionKernels.gather(qc, x.q, lds: x.ldq, rows: t, hd: hd)
        AttentionKernels.gather(dOc, x.dO, lds: x.ldo, rows: t, hd: hd)
        AttentionKernels.gather(dvc, x.v, lds: x.ldv, rows: t, hd: hd)   // values, only to transpose
        StreamingKernels.transpose(vt, ldd: tPad, dvc, n: t, hd: hd)
        AttentionKernels.gather(kc, x.k, lds: x.ldk, rows: t, hd: hd)
        StreamingKernels.transpose(kt, ldd: tPad, kc, n: t, hd: hd)
        dqc.update(repeating: 0, count: 3 * hd * t)
        var i0 = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq
            let qt = qc + i0 * hd, dOt = dOc + i0 * hd
            var j0 = 0
            while j0 < n {
                let bw = min(width, n - j0), diagonal = i0 - j0
                // S = scale · Q_tile · K_blockᵀ;  dP = dO_tile · V_blockᵀ
                StreamingKernels.scores(c: p, ldc: sw, a: qt, lda: hd, bt: kt + j0, ldbt: tPad, rows: tq,
                                        hd: hd, alpha: scale, keys: bw, diagonal: diagonal)
                StreamingKernels.scores(c: dp, ldc: sw, a: dOt, lda: hd, bt: vt + j0, ldbt: tPad, rows: tq,
                                        hd: hd, alpha: 1, keys: bw, diagonal: diagonal)
                // P = exp(S − lse);  dS = P ∘ (dP − rowsum(dO ∘ O)); zero past each row's last visible key
                for r in 0..<tq {
                    StreamingKernels.gradientRow(s: p + r * sw, dp: dp + r * sw, visible: min(bw, diagonal + r + 1),
                                                 width: bw, lse: l[i0 + r], rowDot: rowDots[i0 + r])
                }
                // dV_block += Pᵀ · dO_tile;  dK_block += scale · dSᵀ · Q_tile
                StreamingKernels.keysTimesTile(dv: dvc + j0 * hd, dk: dkc + j0 * hd, alpha: scale, p: p, ds: dp, ldp: sw,
                                               dO: dOt, q: qt, rows: tq, hd: hd, keys: bw, diagonal: diagonal)
                // dQ_tile += scale · dS · K_block
                StreamingKernels.rowsTimesBlock(o: dqc + i0 * hd, rescale: nil, alpha: scale, p: dp, ldp: sw,
                                                b: kc + j0 * hd, rows: tq, hd: hd, keys: bw, diagonal: diagonal)
                j0 += width
            }
            i0 += tq
        }
        AttentionKernels.scatter(x.dq, ldd: x.ldd, dqc, rows: t, hd: hd)
        AttentionKernels.scatter(x.dk, ldd: x.ldd, dkc, rows: t, hd: hd)
        AttentionKernels.scatter(x.dv, ldd: x.ldd, dvc, rows: t, hd: hd)
    }
}
