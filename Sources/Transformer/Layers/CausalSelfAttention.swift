import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Causal multi-head self-attention on a packed `qkv` activation, computed one tile of query
/// rows at a time so that no `T×T` matrix is ever kept: forward saves only the attention output
/// and the log-sum-exp of each score row; backward recomputes the scores of one tile at a time
/// (the FlashAttention recipe). Scratch memory is `tile × T` floats per worker thread. For short
/// contexts the caller may instead let forward keep the probability tiles (`probabilities:`),
/// which saves backward a product and an exponential per score.
///
/// Layout: `qkv[b, t, :]` holds `q | k | v`, each of width `A = heads · headDim`; head `h` uses
/// columns `h·headDim ..< (h+1)·headDim` of each. Scores are scaled by `1/√headDim`.
public struct CausalSelfAttention {
    public let heads: Int
    public let headDim: Int
    public let tile: Int
    public var width: Int { heads * headDim }

    public init(heads: Int, headDim: Int, tile: Int = 64) {
        self.heads = heads; self.headDim = headDim; self.tile = tile
    }

    /// Floats of scratch one worker needs for sequences of length `t` (allocate `Parallel.workers` of them).
    public func scratchPerWorker(t: Int) -> Int { 2 * min(tile, t) * t }

    /// Longest context for which the model keeps the probabilities (about `t²/2` floats per
    /// sequence and head); longer contexts recompute them in backward, tile by tile.
    public static let keepProbabilitiesUpTo = 512

    /// Floats of the causal probability tiles of one (sequence, head) pair: `Σ tile rows × keys`,
    /// about `t²/2`. Forward can keep them so backward need not recompute the scores; worth it for
    /// short contexts only (quadratic memory).
    public func probabilitiesPerHead(t: Int) -> Int {
        var total = 0, i0 = 0
        while i0 < t { let tq = min(tile, t - i0); total += tq * (i0 + tq); i0 += tq }
        return total
    }

    // qkv: [B, T, 3A] -> out: [B, T, A], lse: [B, H, T]; with `probabilities` ([B, H] ×
    // `probabilitiesPerHead(t)` floats), also the softmax tiles, for `backward` to reuse.
    public func forward(out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, b: Int, t: Int, scratch: FloatBuffer,
                        probabilities: UnsafeMutablePointer<Float>? = nil) {
        let perHead = probabilities == nil ? 0 : probabilitiesPerHead(t: t)
        let a = width, ld = 3 * a, hd = headDim, scale = 1 / Float(hd).squareRoot()
        let perWorker = scratchPerWorker(t: t)
        let jobs = b * heads
        Self.withSingleThreadedBLAS(jobs: jobs) {
            Parallel.forEachChunk(count: jobs) { w, range in
                let workerScratch = scratch.pointer(at: w * perWorker)
                for job in range {
                    let bi = job / heads, h = job % heads
                    let q = qkv + bi * t * ld + h * hd, k = q + a, v = q + 2 * a
                    let o = out + bi * t * a + h * hd
                    let l = lse + job * t
                    var i0 = 0, kept = job * perHead
                    while i0 < t {
                        let tq = min(tile, t - i0), n = i0 + tq   // keys 0..<n
                        let s = probabilities.map { $0 + kept } ?? workerScratch
                        kept += tq * n
                        // S = scale · Q_tile · K[0..<n]ᵀ   [tq, n]
                        BLAS.sgemm(transB: true, m: tq, n: n, k: hd, alpha: scale,
                                   a: q + i0 * ld, lda: ld, b: k, ldb: ld, c: s, ldc: n)
                        for r in 0..<tq {
                            let row = s + r * n, visible = i0 + r + 1   // keys 0..<visible
                            let mx = VectorMath.max(row, count: visible)
                            let sum = VectorMath.expInPlaceSum(row, minus: mx, count: visible)
                            let inv = 1 / sum
                            for j in 0..<visible { row[j] *= inv }
                            if visible < n { (row + visible).update(repeating: 0, count: n - visible) }
                            l[i0 + r] = mx + logf(sum)
                        }
                        // O_tile = P · V[0..<n]   [tq, hd]
                        BLAS.sgemm(m: tq, n: hd, k: n, a: s, lda: n, b: v, ldb: ld,
                                   c: o + i0 * a, ldc: a)
                        i0 += tq
                    }
                }
            }
        }
    }

    // dout: [B, T, A] -> dqkv: [B, T, 3A] (+=); needs qkv, out and lse from forward, and the
    // probabilities if forward kept them (then the scores are not recomputed).
    public func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, out: UnsafePointer<Float>, lse: UnsafePointer<Float>,
                         b: Int, t: Int, scratch: FloatBuffer, probabilities: UnsafePointer<Float>? = nil) {
        let perHead = probabilities == nil ? 0 : probabilitiesPerHead(t: t)
        let a = width, ld = 3 * a, hd = headDim, scale = 1 / Float(hd).squareRoot()
        let perWorker = scratchPerWorker(t: t)
        let jobs = b * heads
        Self.withSingleThreadedBLAS(jobs: jobs) {
            Parallel.forEachChunk(count: jobs) { w, range in
                let workerScratch = scratch.pointer(at: w * perWorker)
                let dp = workerScratch + min(tile, t) * t
                for job in range {
                    let bi = job / heads, h = job % heads
                    let q = qkv + bi * t * ld + h * hd, k = q + a, v = q + 2 * a
                    let dq = dqkv + bi * t * ld + h * hd, dk = dq + a, dv = dq + 2 * a
                    let o = out + bi * t * a + h * hd, dO = dout + bi * t * a + h * hd
                    let l = lse + job * t
                    var i0 = 0, kept = job * perHead
                    while i0 < t {
                        let tq = min(tile, t - i0), n = i0 + tq
                        let p: UnsafePointer<Float>
                        if let probabilities {
                            p = probabilities + kept
                        } else {
                            // P = exp(scale · Q Kᵀ − lse), causal
                            let s = workerScratch
                            BLAS.sgemm(transB: true, m: tq, n: n, k: hd, alpha: scale,
                                       a: q + i0 * ld, lda: ld, b: k, ldb: ld, c: s, ldc: n)
                            for r in 0..<tq {
                                let row = s + r * n, visible = i0 + r + 1, lr = l[i0 + r]
                                for j in 0..<visible { row[j] = fastExp(row[j] - lr) }
                                if visible < n { (row + visible).update(repeating: 0, count: n - visible) }
                            }
                            p = UnsafePointer(s)
                        }
                        kept += tq * n
                        // dP = dO_tile · Vᵀ   [tq, n]
                        BLAS.sgemm(transB: true, m: tq, n: n, k: hd, a: dO + i0 * a, lda: a,
                                   b: v, ldb: ld, c: dp, ldc: n)
                        // dV[0..<n] += Pᵀ · dO_tile
                        BLAS.sgemm(transA: true, m: n, n: hd, k: tq, a: p, lda: n, b: dO + i0 * a, ldb: a,
                                   beta: 1, c: dv, ldc: ld)
                        // dS = P ∘ (dP − rowsum(dO ∘ O))
                        for r in 0..<tq {
                            let oi = o + (i0 + r) * a, gi = dO + (i0 + r) * a
                            let di = VectorMath.dot(oi, gi, count: hd)
                            let prow = p + r * n, dprow = dp + r * n
                            for j in 0..<n { dprow[j] = prow[j] * (dprow[j] - di) }
                        }
                        // dQ_tile += scale · dS · K[0..<n];  dK[0..<n] += scale · dSᵀ · Q_tile
                        BLAS.sgemm(m: tq, n: hd, k: n, alpha: scale, a: dp, lda: n, b: k, ldb: ld,
                                   beta: 1, c: dq + i0 * ld, ldc: ld)
                        BLAS.sgemm(transA: true, m: n, n: hd, k: tq, alpha: scale, a: dp, lda: n,
                                   b: q + i0 * ld, ldb: ld, beta: 1, c: dk, ldc: ld)
                        i0 += tq
                    }
                }
            }
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
