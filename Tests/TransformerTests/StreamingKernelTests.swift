import Foundation
import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The streamed attention through the 16-lane `StreamingKernels` (head dimensions 16, 32, 48, 64)
/// against a naive Double attention (`referenceAttention`, forward and backward), against the OpenBLAS
/// streamed path, and against finite differences; contexts, tiles and key blocks that do not
/// divide each other, so that ragged tiles, ragged blocks, blocks past some rows' diagonal and
/// row groups shorter than eight all occur. A head dimension that is not a multiple of 16 takes
/// the OpenBLAS path and must still be right.
final class StreamingKernelTests: XCTestCase {
    /// The sixteen-lane exponential of the streamed kernels against libm over its whole range and
    /// bit for bit against the scalar `fastExp`; 0 below −87 and for −∞, exp(88) above 88, NaN kept.
    func testSixteenLaneExpMatchesLibm() {
        var x: Float = -87, worst = 0.0
        while x < 88 {
            let v = SIMD16<Float>((0..<16).map { min(88, x + Float($0) * 0.00731) })
            let e = StreamingKernels.exp(v)
            for i in 0..<16 {
                let want = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - want) / want)
                XCTAssertEqual(e[i].bitPattern, fastExp(v[i]).bitPattern, "x=\(v[i])")
            }
            x += 0.1171
        }
        XCTAssertLessThan(worst, 2.5e-7)
        let special = StreamingKernels.exp(SIMD16<Float>(-.infinity, .infinity, .nan, 0, -87.5, 89, -1e30, 1e30,
                                            -300, -88, -87, 88, 1, -1, 20, -20))
        XCTAssertEqual(special[0], 0); XCTAssertEqual(special[1], StreamingKernels.exp(SIMD16<Float>(repeating: 88))[0])
        XCTAssertTrue(special[2].isNaN); XCTAssertEqual(special[3], 1)
        XCTAssertEqual(special[4], 0); XCTAssertEqual(special[5], special[11]); XCTAssertEqual(special[6], 0)
        XCTAssertEqual(special[7], special[11]); XCTAssertEqual(special[8], 0); XCTAssertEqual(special[9], 0)
        XCTAssertEqual(Double(special[10]), Foundation.exp(-87.0), accuracy: 2.5e-7 * Foundation.exp(-87.0))
        XCTAssertEqual(Double(special[11]), Foundation.exp(88.0), accuracy: 2.5e-7 * Foundation.exp(88.0))
        for i in 12..<16 {
            let want = Foundation.exp(Double([1, -1, 20, -20][i - 12]))
            XCTAssertEqual(Double(special[i]), want, accuracy: 2.5e-7 * want)
        }
    }

    func testSIMDStreamingMatchesDoubleReferenceAndTheBLASPath() {
        // (head dim, heads, t, tile, key block)
        let cases = [(16, 2, 37, 8, 32), (16, 1, 100, 64, 256), (16, 2, 70, 12, 20), (32, 2, 45, 16, 48),
                     (48, 1, 29, 5, 7), (64, 1, 40, 64, 32), (16, 1, 1, 64, 256), (12, 2, 33, 8, 16)]
        for (hd, heads, t, tile, block) in cases {
            var rng = SeededRNG(seed: UInt64(7 * hd + t + tile + block))
            let b = 2, a = heads * hd
            let qkv = randomVector(b * t * 3 * a, &rng), r = randomVector(b * t * a, &rng)
            let simd = CausalSelfAttention(heads: heads, headDim: hd, tile: tile, keyBlockWidth: block, streamsAbove: 0)
            let blas = CausalSelfAttention(heads: heads, headDim: hd, tile: tile, keyBlockWidth: block, streamsAbove: 0,
                                           streamingKernels: false)
            XCTAssertEqual(simd.streamsWithSIMDKernels, hd % 16 == 0)
            XCTAssertFalse(blas.streamsWithSIMDKernels)
            let label = "hd \(hd) heads \(heads) t \(t) tile \(tile) block \(block)"
            let got = simd.pass(qkv: qkv, dout: r, b: b, t: t), base = blas.pass(qkv: qkv, dout: r, b: b, t: t)
            let ref = referenceAttention(qkv: qkv, dout: r, b: b, t: t, heads: heads, hd: hd)
            for i in ref.out.indices { XCTAssertEqual(Double(got.out[i]), ref.out[i], accuracy: 2e-5, "\(label) out[\(i)]") }
            for i in ref.lse.indices { XCTAssertEqual(Double(got.lse[i]), ref.lse[i], accuracy: 2e-5, "\(label) lse[\(i)]") }
            let scale = ref.dqkv.map { abs($0) }.max()!
            XCTAssertGreaterThan(scale, 1e-2, label)
            var worst = 0.0, worstBLAS: Float = 0
            for i in ref.dqkv.indices {
                worst = max(worst, abs(Double(got.dqkv[i]) - ref.dqkv[i]))
                worstBLAS = max(worstBLAS, abs(got.dqkv[i] - base.dqkv[i]))
            }
            XCTAssertLessThan(worst, 2e-5 * max(1, scale), "\(label) dqkv against Double")
            XCTAssertLessThan(worstBLAS, 2e-5 * Float(max(1, scale)), "\(label) dqkv against the BLAS path")
            for i in got.out.indices { XCTAssertEqual(got.out[i], base.out[i], accuracy: 2e-5, "\(label) out vs BLAS") }
            // Same inputs, same result, bit for bit.
            XCTAssertEqual(simd.pass(qkv: qkv, dout: r, b: b, t: t).dqkv, got.dqkv, label)
        }
    }

    func testSIMDStreamingBackwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 41)
        let b = 1, t = 21, heads = 2, hd = 16, a = heads * hd
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 8, keyBlockWidth: 9, streamsAbove: 0)
        XCTAssertTrue(attn.streamsWithSIMDKernels)
        let qkv = randomVector(b * t * 3 * a, &rng, scale: 0.5), r = randomVector(b * t * a, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        func loss(_ x: [Float]) -> Double { attn.outputDot(qkv: x, r: r, b: b, t: t, scratch: scratch) }
        let pass = attn.pass(qkv: qkv, dout: r, b: b, t: t)
        assertGradientMatches(pass.dqkv, at: qkv, h: 1e-2, indices: Array(stride(from: 0, to: qkv.count, by: 5)), "dqkv", loss)
    }

    /// Scores far apart in size: every block raises the running maximum, so the output tile is
    /// rescaled block after block.
    func testSIMDStreamingRescalesWhenTheMaximumGrows() {
        let b = 1, t = 70, heads = 1, hd = 16, a = heads * hd
        var qkv = [Float](repeating: 0, count: b * t * 3 * a)
        for i in 0..<t {
            qkv[i * 3 * a] = 1
            qkv[i * 3 * a + a] = Float(i) * 0.9
            qkv[i * 3 * a + 2 * a] = Float(i); qkv[i * 3 * a + 2 * a + 1] = 1
        }
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 16, keyBlockWidth: 8, streamsAbove: 0)
        let s = attn.pass(qkv: qkv, dout: [Float](repeating: 1, count: b * t * a), b: b, t: t)
        let ref = referenceAttention(qkv: qkv, dout: [Float](repeating: 1, count: b * t * a), b: b, t: t, heads: heads, hd: hd)
        for i in ref.out.indices { XCTAssertEqual(Double(s.out[i]), ref.out[i], accuracy: 1e-4 * max(1, abs(ref.out[i])), "out[\(i)]") }
        for i in 0..<t { XCTAssertEqual(s.out[i * a + 1], 1, accuracy: 1e-5) }
    }
}
