import Tensors
#if canImport(Glibc)
import Glibc
import WorkbenchCore
#endif

/// Causal multi-head self-attention on a packed `qkv` activation, computed one tile of query
/// rows at a time so that no `T×T` matrix is ever kept: forward saves only the attention output
/// and the log-sum-exp of each score row; backward recomputes the scores of one tile at a time
/// (the FlashAttention recipe). Scratch memory is `tile × T` floats per worker thread. For short
/// contexts the caller may instead let forward keep the probability tiles (`probabilities:`),
/// which saves backward a product and an exponential per score. Contexts above `streamsAbove`
/// whose probabilities are not kept also cut the keys into blocks of `keyBlockWidth`
/// (`CausalSelfAttention+Streaming.swift`), so no score row of the full context is formed either.
///
/// Layout: `qkv[b, t, :]` holds `q | k | v`, each of width `A = heads · headDim`; head `h` uses
/// columns `h·headDim ..< (h+1)·headDim` of each. Scores are scaled by `1/√headDim`.
public struct CausalSelfAttention {
    public let heads: Int
    public let headDim: Int
    public let tile: Int
    /// Whether the products run in the hand SIMD kernels (`AttentionKernels`, head dimensions
    /// 16, 32 and 64) or through OpenBLAS (any head dimension).
    public let usesSIMDKernels: Bool
    /// Whether the streamed path (long contexts) runs through the 16-lane `StreamingKernels`
    /// (head dimensions that are multiples of 16) rather than OpenBLAS.
    public let streamsWithSIMDKernels: Bool
    /// Keys per block of the streamed path.
    public let keyBlockWidth: Int
    /// Longest context computed with whole score rows; longer ones stream over key blocks when
    /// their probabilities are not kept.
    public let streamsAbove: Int
    public var width: Int { heads * headDim }

    /// `keyBlockWidth` 256 keeps a 64-row score block (64 KiB) and the block's operands in L2.
    /// `streamingKernels: false` sends the streamed path through OpenBLAS whatever the head dimension.
    public init(heads: Int, headDim: Int, tile: Int = 64, simdKernels: Bool = true, keyBlockWidth: Int = 256,
                streamsAbove: Int = CausalSelfAttention.keepProbabilitiesUpTo, streamingKernels: Bool = true) {
        self.heads = heads; self.headDim = headDim; self.tile = tile
        self.usesSIMDKernels = simdKernels && AttentionKernels.supports(headDim: headDim)
        self.streamsWithSIMDKernels = streamingKernels && StreamingKernels.supports(headDim: headDim)
        self.keyBlockWidth = keyBlockWidth; self.streamsAbove = streamsAbove
    }

    /// `n` keys rounded up to whole key blocks: the row stride of score and probability tiles.
    @inline(__always) static func padded(_ n: Int) -> Int {
        (n + AttentionKernels.keyBlock - 1) / AttentionKernels.keyBlock * AttentionKernels.keyBlock
    }

    /// Floats of scratch one worker needs for sequences of length `t` (allocate `Parallel.workers`
    /// of them): two score tiles; for the SIMD kernels also one head's keys and values transposed,
    /// and its q, k, dO, dq, dk, dv (forward: v) gathered into contiguous rows.
    public func scratchPerWorker(t: Int) -> Int {
        Swift.max((2 * min(tile, t) + 8 * headDim) * Self.padded(t),
                  streamsWithSIMDKernels ? streamingSIMDScratch(t: t) : streamingScratch(t: t))
    }

    /// Longest context for which the model keeps the probabilities (about `t²/2` floats per
    /// sequence and head); longer contexts recompute them in backward, tile by tile.
    public static let keepProbabilitiesUpTo = 512

    /// Floats of the causal probability tiles of one (sequence, head) pair: `Σ tile rows × keys`
    /// (keys padded to whole key blocks), about `t²/2`. Forward can keep them so backward need not
    /// recompute the scores; worth it for short contexts only (quadratic memory).
    public func probabilitiesPerHead(t: Int) -> Int {
        var total = 0, i0 = 0
        while i0 < t { let tq = min(tile, t - i0); total += tq * Self.padded(i0 + tq); i0 += tq }
        return total
    }

    /// One (sequence, head) pair's operands: row `i` of q is `q + i·ldq`, of dO `dO + i·ldo`,
    /// of dq, dk, dv `+ i·ldd`.
    struct Head {
        var q, k, v: UnsafePointer<Float>
        var ldq, ldk, ldv: Int
        var dO: UnsafePointer<Float>
        var ldo: Int
        var dq, dk, dv: UnsafeMutablePointer<Float>
        var ldd: Int
    }

    // qkv: [B, T, 3A] -> out: [B, T, A], lse: [B, H, T]; with `probabilities` ([B, H] ×
    // `probabilitiesPerHead(t)` floats), also the softmax tiles, for `backward` to reuse.
    public func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, b: Int, t: Int, scratch: FloatBuffer,
                        probabilities: UnsafeMutablePointer<Float>? = nil) {
        let perHead = probabilities == nil ? 0 : probabilitiesPerHead(t: t)
        let a = width, ld = 3 * a, hd = headDim
        let perWorker = scratchPerWorker(t: t), tPad = Self.padded(t)
        let jobs = b * heads
        let streamed = streams(t: t, keepsProbabilities: probabilities != nil)
        Self.withSingleThreadedBLAS(jobs: jobs) {
            Parallel.forEachChunk(count: jobs) { w, range in
                let workerScratch = scratch.pointer(at: w * perWorker)
                let kt = workerScratch + 2 * min(tile, t) * tPad           // [hd, tPad] keys transposed
                let vc = kt + hd * tPad                                     // [t, hd] values gathered
                for job in range {
                    let bi = job / heads, h = job % heads
                    let q = qkv + bi * t * ld + h * hd, k = q + a, v = q + 2 * a
                    let o = out + bi * t * a + h * hd
                    if streamed && streamsWithSIMDKernels {
                        forwardStreamingHeadSIMD(q: q, k: k, v: v, ld: ld, o: o, ldo: a, lse: lse + job * t, t: t,
                                                 scratch: workerScratch)
                    } else if streamed {
                        forwardStreamingHead(q: q, k: k, v: v, ld: ld, o: o, ldo: a, lse: lse + job * t, t: t,
                                             scratch: workerScratch)
                    } else if usesSIMDKernels {
                        // One head's rows lie 3A floats apart, which maps them all onto a few sets
                        // of the L1 cache, where they evict each other; gathered rows do not.
                        AttentionKernels.transpose(kt, ldd: tPad, k, lds: ld, n: t, nPad: tPad, hd: hd)
                        AttentionKernels.gather(vc, v, lds: ld, rows: t, hd: hd)
                        forwardHead(q: q, ldq: ld, k: k, kt: kt, v: vc, ldv: hd, o: o, ldo: a, lse: lse + job * t,
                                    t: t, s: workerScratch, probabilities: probabilities.map { $0 + job * perHead })
                    } else {
                        forwardHead(q: q, ldq: ld, k: k, kt: nil, v: v, ldv: ld, o: o, ldo: a, lse: lse + job * t,
                                    t: t, s: workerScratch, probabilities: probabilities.map { $0 + job * perHead })
                    }
                }
            }
        }
    }

    /// Forward of one (sequence, head): `q`, `k` rows of stride `ldq`; `kt` the keys transposed
    /// (`[hd, padded(t)]`, SIMD path only); `s` one score tile of scratch, unless `probabilities`.
    func forwardHead(q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, kt: UnsafePointer<Float>?,
                     v: UnsafePointer<Float>, ldv: Int, o: UnsafeMutablePointer<Float>, ldo: Int,
                     lse l: UnsafeMutablePointer<Float>, t: Int, s scratch: UnsafeMutablePointer<Float>,
                     probabilities: UnsafeMutablePointer<Float>?) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), tPad = Self.padded(t)
        var i0 = 0, kept = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq, nPad = Self.padded(n)   // keys 0..<n
            let s = probabilities.map { $0 + kept } ?? scratch
            kept += tq * nPad
            // S = scale · Q_tile · K[0..<n]ᵀ   [tq, n], row stride nPad
            if let kt {
                AttentionKernels.causalScores(c: s, ldc: nPad, a: q + i0 * ldq, lda: ldq, bt: kt, ldbt: tPad,
                                              rows: tq, hd: hd, alpha: scale, n: n, firstKeyRow: i0)
            } else {
                BLAS.sgemm(transB: true, m: tq, n: n, k: hd, alpha: scale,
                           a: q + i0 * ldq, lda: ldq, b: k, ldb: ldq, c: s, ldc: nPad)
            }
            for r in 0..<tq {
                let row = s + r * nPad, visible = i0 + r + 1   // keys 0..<visible
                let mx = VectorMath.max(row, count: visible)
                let sum = VectorMath.expInPlaceSum(row, minus: mx, count: visible)
                let inv = 1 / sum
                for j in 0..<visible { row[j] *= inv }
                (row + visible).update(repeating: 0, count: nPad - visible)
                l[i0 + r] = mx + logf(sum)
            }
            // O_tile = P · V[0..<n]   [tq, hd]
            if kt != nil {
                AttentionKernels.accumulate(hd: hd, c: o + i0 * ldo, ldc: ldo, rows: tq, a: s, aRow: nPad, aK: 1,
                                            b: v, ldb: ldv, kCount: n, kFrom: -tq, kTo: i0 + 1, alpha: 1, overwrite: true)
            } else {
                BLAS.sgemm(m: tq, n: hd, k: n, a: s, lda: nPad, b: v, ldb: ldv, c: o + i0 * ldo, ldc: ldo)
            }
            i0 += tq
        }
    }

    // dout: [B, T, A] -> dqkv: [B, T, 3A] (overwritten); needs qkv, out and lse from forward, and
    // the probabilities if forward kept them (then the scores are not recomputed).
    public func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, out: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                         b: Int, t: Int, scratch: FloatBuffer, probabilities: UnsafePointer<Float>? = nil) {
        let perHead = probabilities == nil ? 0 : probabilitiesPerHead(t: t)
        let a = width, ld = 3 * a, hd = headDim
        let perWorker = scratchPerWorker(t: t), tPad = Self.padded(t)
        let jobs = b * heads
        // D[bi, h, i] = dO_i · O_i for every row and head, in one pass over contiguous rows (per
        // head, the rows of `out` lie A floats apart and each would be a cache miss).
        let rowDots = FloatBuffer(count: jobs * t)
        do {
            let d = rowDots.base
            for bi in 0..<b {
                for i in 0..<t {
                    let o = out + (bi * t + i) * a, g = dout + (bi * t + i) * a
                    for h in 0..<heads {
                        d[(bi * heads + h) * t + i] = VectorMath.dot(o + h * hd, g + h * hd, count: hd)
                    }
                }
            }
        }
        let streamed = streams(t: t, keepsProbabilities: probabilities != nil)
        // The BLAS paths add; the SIMD paths overwrite.
        if streamed ? !streamsWithSIMDKernels : !usesSIMDKernels { dqkv.update(repeating: 0, count: b * t * ld) }
        Self.withSingleThreadedBLAS(jobs: jobs) {
            Parallel.forEachChunk(count: jobs) { w, range in
                let workerScratch = scratch.pointer(at: w * perWorker)
                let kt = workerScratch + 2 * min(tile, t) * tPad, vt = kt + hd * tPad   // [hd, tPad] each
                let gathered = vt + hd * tPad                                           // 6 × [t, hd]
                let qc = gathered, kc = qc + hd * t, dOc = kc + hd * t
                let dqc = dOc + hd * t, dkc = dqc + hd * t, dvc = dkc + hd * t
                for job in range {
                    let bi = job / heads, h = job % heads
                    let q = qkv + bi * t * ld + h * hd, k = q + a, v = q + 2 * a
                    let dq = dqkv + bi * t * ld + h * hd, dk = dq + a, dv = dq + 2 * a
                    let dO = dout + bi * t * a + h * hd, rowDot = UnsafePointer(rowDots.base + job * t)
                    let kept = probabilities.map { $0 + job * perHead }
                    if streamed {
                        let head = Head(q: q, k: k, v: v, ldq: ld, ldk: ld, ldv: ld, dO: dO, ldo: a,
                                        dq: dq, dk: dk, dv: dv, ldd: ld)
                        if streamsWithSIMDKernels {
                            backwardStreamingHeadSIMD(head, lse: lse + job * t, rowDots: rowDot, t: t, scratch: workerScratch)
                            continue
                        }
                        backwardStreamingHead(head, lse: lse + job * t, rowDots: rowDot, t: t, scratch: workerScratch)
                    } else if usesSIMDKernels {
                        AttentionKernels.gather(qc, q, lds: ld, rows: t, hd: hd)
                        AttentionKernels.gather(kc, k, lds: ld, rows: t, hd: hd)
                        AttentionKernels.gather(dOc, dO, lds: a, rows: t, hd: hd)
                        AttentionKernels.transpose(vt, ldd: tPad, v, lds: ld, n: t, nPad: tPad, hd: hd)
                        if kept == nil { AttentionKernels.transpose(kt, ldd: tPad, k, lds: ld, n: t, nPad: tPad, hd: hd) }
                        dqc.update(repeating: 0, count: 3 * hd * t)
                        // Values are read only through `vt` here, so they are not gathered.
                        let head = Head(q: qc, k: kc, v: v, ldq: hd, ldk: hd, ldv: ld, dO: dOc, ldo: hd,
                                        dq: dqc, dk: dkc, dv: dvc, ldd: hd)
                        backwardHead(head, kt: kt, vt: vt, lse: lse + job * t, rowDots: rowDot, t: t,
                                     scratch: workerScratch, probabilities: kept)
                        AttentionKernels.scatter(dq, ldd: ld, dqc, rows: t, hd: hd)
                        AttentionKernels.scatter(dk, ldd: ld, dkc, rows: t, hd: hd)
                        AttentionKernels.scatter(dv, ldd: ld, dvc, rows: t, hd: hd)
                    } else {
                        let head = Head(q: q, k: k, v: v, ldq: ld, ldk: ld, ldv: ld, dO: dO, ldo: a,
                                        dq: dq, dk: dk, dv: dv, ldd: ld)
                        backwardHead(head, kt: nil, vt: nil, lse: lse + job * t, rowDots: rowDot, t: t,
                                     scratch: workerScratch, probabilities: kept)
                    }
                }
            }
        }
    }

    /// Backward of one (sequence, head), adding into `x.dq`, `x.dk`, `x.dv`. `rowDots[i]` is
    /// `dO_i · O_i`. `kt`, `vt`: keys and values transposed (SIMD path only; `kt` only when the
    /// scores are recomputed).
    func backwardHead(_ x: Head, kt: UnsafePointer<Float>?, vt: UnsafePointer<Float>?,
                      lse l: UnsafePointer<Float>, rowDots: UnsafePointer<Float>, t: Int, scratch: UnsafeMutablePointer<Float>,
                      probabilities: UnsafePointer<Float>?) {
        let hd = headDim, scale = 1 / Float(hd).squareRoot(), tPad = Self.padded(t)
        let simd = vt != nil
        let dp = scratch + min(tile, t) * tPad
        var i0 = 0, kept = 0
        while i0 < t {
            let tq = min(tile, t - i0), n = i0 + tq, nPad = Self.padded(n)
            let p: UnsafePointer<Float>
            if let probabilities {
                p = probabilities + kept
            } else {
                // P = exp(scale · Q Kᵀ − lse), causal
                let s = scratch
                if let kt {
                    AttentionKernels.causalScores(c: s, ldc: nPad, a: x.q + i0 * x.ldq, lda: x.ldq, bt: kt, ldbt: tPad,
                                                  rows: tq, hd: hd, alpha: scale, n: n, firstKeyRow: i0)
                } else {
                    BLAS.sgemm(transB: true, m: tq, n: n, k: hd, alpha: scale,
                               a: x.q + i0 * x.ldq, lda: x.ldq, b: x.k, ldb: x.ldk, c: s, ldc: nPad)
                }
                for r in 0..<tq {
                    let row = s + r * nPad, visible = i0 + r + 1, lr = l[i0 + r]
                    for j in 0..<visible { row[j] = fastExp(row[j] - lr) }
                    (row + visible).update(repeating: 0, count: nPad - visible)
                }
                p = UnsafePointer(s)
            }
            kept += tq * nPad
            let dOt = x.dO + i0 * x.ldo
            // dP = dO_tile · Vᵀ   [tq, n]
            if let vt {
                AttentionKernels.causalScores(c: dp, ldc: nPad, a: dOt, lda: x.ldo, bt: vt, ldbt: tPad,
                                              rows: tq, hd: hd, alpha: 1, n: n, firstKeyRow: i0)
            } else {
                BLAS.sgemm(transB: true, m: tq, n: n, k: hd, a: dOt, lda: x.ldo, b: x.v, ldb: x.ldv, c: dp, ldc: nPad)
            }
            // dV[0..<n] += Pᵀ · dO_tile
            if simd {
                AttentionKernels.accumulate(hd: hd, c: x.dv, ldc: x.ldd, rows: n, a: p, aRow: 1, aK: nPad,
                                            b: dOt, ldb: x.ldo, kCount: tq, kFrom: -i0, kTo: tq, alpha: 1, overwrite: false)
            } else {
                BLAS.sgemm(transA: true, m: n, n: hd, k: tq, a: p, lda: nPad, b: dOt, ldb: x.ldo,
                           beta: 1, c: x.dv, ldc: x.ldd)
            }
            // dS = P ∘ (dP − rowsum(dO ∘ O)), zero past the visible keys
            for r in 0..<tq {
                let di = rowDots[i0 + r]
                let prow = p + r * nPad, dprow = dp + r * nPad, visible = i0 + r + 1
                for j in 0..<visible { dprow[j] = prow[j] * (dprow[j] - di) }
                (dprow + visible).update(repeating: 0, count: nPad - visible)
            }
            // dQ_tile += scale · dS · K[0..<n];  dK[0..<n] += scale · dSᵀ · Q_tile
            if simd {
                AttentionKernels.accumulate(hd: hd, c: x.dq + i0 * x.ldd, ldc: x.ldd, rows: tq, a: dp, aRow: nPad, aK: 1,
                                            b: x.k, ldb: x.ldk, kCount: n, kFrom: -tq, kTo: i0 + 1,
                                            alpha: scale, overwrite: false)
                AttentionKernels.accumulate(hd: hd, c: x.dk, ldc: x.ldd, rows: n, a: dp, aRow: 1, aK: nPad,
                                            b: x.q + i0 * x.ldq, ldb: x.ldq, kCount: tq, kFrom: -i0, kTo: tq,
                                            alpha: scale, overwrite: false)
            } else {
                BLAS.sgemm(m: tq, n: hd, k: n, alpha: scale, a: dp, lda: nPad, b: x.k, ldb: x.ldk,
                           beta: 1, c: x.dq + i0 * x.ldd, ldc: x.ldd)
                BLAS.sgemm(transA: true, m: n, n: hd, k: tq, alpha: scale, a: dp, lda: nPad,
                           b: x.q + i0 * x.ldq, ldb: x.ldq, beta: 1, c: x.dk, ldc: x.ldd)
            }
            i0 += tq
        }
    }

    /// Runs `body` with OpenBLAS on one thread while our own threads split the heads.
    static func withSingleThreadedBLAS(jobs: Int, _ body: () -> Void) {
        if Parallel.workers <= 1 || jobs <= 1 { body(); return }
        let saved = BLAS.threads
        BLAS.threads = 1
        body()
        BLAS.threads = saved
    }
}
