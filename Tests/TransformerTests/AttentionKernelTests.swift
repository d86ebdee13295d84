import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The hand SIMD attention kernels (head dimensions 16, 32, 64) against the naive full-matrix
/// attention and against the OpenBLAS path of the same layer, forward and backward, with
/// contexts that are not multiples of the key block or the tile, and with and without kept
/// probabilities.
final class AttentionKernelTests: XCTestCase {
    func testSIMDKernelsMatchNaiveAttentionAndTheBLASPath() {
        var rng = SeededRNG(seed: 21)
        for (hd, heads, t, tile) in [(16, 2, 37, 16), (32, 2, 45, 64), (64, 1, 29, 8), (32, 3, 70, 5), (16, 1, 1, 64)] {
            let b = 2, a = heads * hd
            let simd = CausalSelfAttention(heads: heads, headDim: hd, tile: tile)
            let blas = CausalSelfAttention(heads: heads, headDim: hd, tile: tile, simdKernels: false)
            XCTAssertTrue(simd.usesSIMDKernels)
            XCTAssertFalse(blas.usesSIMDKernels)
            let qkv = randomVector(b * t * 3 * a, &rng), dout = randomVector(b * t * a, &rng)
            let ref = naiveAttention(qkv: qkv, b: b, t: t, heads: heads, hd: hd)
            let base = blas.pass(qkv: qkv, dout: dout, b: b, t: t, keep: false, initial: 0)
            for keep in [false, true] {
                let got = simd.pass(qkv: qkv, dout: dout, b: b, t: t, keep: keep, initial: 0)
                let label = "hd \(hd) t \(t) tile \(tile) keep \(keep)"
                for i in ref.indices { XCTAssertEqual(got.out[i], ref[i], accuracy: 1e-5, "\(label) out[\(i)]") }
                for i in base.lse.indices { XCTAssertEqual(got.lse[i], base.lse[i], accuracy: 1e-5, "\(label) lse[\(i)]") }
                let scale = base.dqkv.map { abs($0) }.max()!
                XCTAssertGreaterThan(scale, 1e-2)
                var worst: Float = 0
                for i in base.dqkv.indices { worst = max(worst, abs(got.dqkv[i] - base.dqkv[i])) }
                XCTAssertLessThan(worst, 1e-5 * max(1, scale), "\(label) dqkv")
            }
        }
    }

    func testSIMDBackwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 22)
        let b = 1, t = 19, heads = 1, hd = 16, a = heads * hd
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 8)
        XCTAssertTrue(attn.usesSIMDKernels)
        let qkv = randomVector(b * t * 3 * a, &rng, scale: 0.5), r = randomVector(b * t * a, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        func loss(_ x: [Float]) -> Double { attn.outputDot(qkv: x, r: r, b: b, t: t, scratch: scratch) }
        let pass = attn.pass(qkv: qkv, dout: r, b: b, t: t, keep: false, initial: 0)
        // A spread of entries of q, k and v at early, middle and last positions.
        let indices = Array(stride(from: 0, to: qkv.count, by: 7))
        assertGradientMatches(pass.dqkv, at: qkv, h: 1e-2, indices: indices, "dqkv", loss)
    }

    func testKernelsComputeOnlyTheCausalProducts() {
        // Scores of a 4-row group stop at the key block holding the group's last visible key.
        let hd = 16, n = 40, nPad = 48
        var rng = SeededRNG(seed: 23)
        let q = randomVector(4 * hd, &rng), kt = randomVector(hd * nPad, &rng)
        var c = [Float](repeating: .nan, count: 4 * nPad)
        AttentionKernels.causalScores(c: &c, ldc: nPad, a: q, lda: hd, bt: kt, ldbt: nPad, rows: 4, hd: hd,
                                      alpha: 0.5, n: n, firstKeyRow: 10)
        for i in 0..<4 {
            for j in 0..<nPad {
                if j < 16 {
                    var d = 0.0
                    for e in 0..<hd { d += Double(q[i * hd + e]) * Double(kt[e * nPad + j]) }
                    XCTAssertEqual(Double(c[i * nPad + j]), 0.5 * d, accuracy: 1e-4)
                } else {
                    XCTAssertTrue(c[i * nPad + j].isNaN, "row \(i) key \(j) was written")   // keys ≥ 16 unseen by rows 10…13
                }
            }
        }
    }
}
