import Foundation
import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The tiled attention against a naive full-matrix implementation written here, and its
/// backward against finite differences, with tiles smaller than the sequence.
final class AttentionTests: XCTestCase {
    func testTiledForwardMatchesNaiveAttention() {
        var rng = SeededRNG(seed: 5)
        let b = 2, t = 7, heads = 2, hd = 3
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 3)
        let qkv = randomVector(b * t * 3 * heads * hd, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        var out = [Float](repeating: 0, count: b * t * heads * hd), lse = [Float](repeating: 0, count: b * heads * t)
        attn.forward(out: &out, lse: &lse, qkv: qkv, b: b, t: t, scratch: scratch)
        let ref = naiveAttention(qkv: qkv, b: b, t: t, heads: heads, hd: hd)
        for i in out.indices { XCTAssertEqual(out[i], ref[i], accuracy: 1e-5, "out[\(i)]") }
        // The first position attends only to itself: output = its own v.
        XCTAssertEqual(out[0], qkv[2 * heads * hd], accuracy: 1e-6)
    }

    func testTiledBackwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 6)
        let b = 2, t = 5, heads = 2, hd = 2, a = heads * hd
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 2)
        let qkv = randomVector(b * t * 3 * a, &rng), r = randomVector(b * t * a, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        func run(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: b * t * a), lse = [Float](repeating: 0, count: b * heads * t)
            attn.forward(out: &out, lse: &lse, qkv: x, b: b, t: t, scratch: scratch)
            return dot(out, r)
        }
        var out = [Float](repeating: 0, count: b * t * a), lse = [Float](repeating: 0, count: b * heads * t)
        attn.forward(out: &out, lse: &lse, qkv: qkv, b: b, t: t, scratch: scratch)
        var dqkv = [Float](repeating: 0, count: qkv.count)
        attn.backward(dqkv: &dqkv, dout: r, qkv: qkv, out: out, lse: lse, b: b, t: t, scratch: scratch)
        assertGradientMatches(dqkv, at: qkv, h: 1e-3, "dqkv", run)
    }

    /// Backward from the probabilities forward kept gives the gradient of the recomputing path.
    func testKeptProbabilitiesGiveTheRecomputedGradient() {
        var rng = SeededRNG(seed: 12)
        let b = 3, t = 7, heads = 2, hd = 4, a = heads * hd
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 3)
        let qkv = randomVector(b * t * 3 * a, &rng), r = randomVector(b * t * a, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        let kept = FloatBuffer(count: b * heads * attn.probabilitiesPerHead(t: t))
        XCTAssertEqual(attn.probabilitiesPerHead(t: t), 3 * 16 + 3 * 16 + 1 * 16)   // rows × keys padded to 16
        var out = [Float](repeating: 0, count: b * t * a), lse = [Float](repeating: 0, count: b * heads * t)
        var outKept = out, lseKept = lse
        attn.forward(out: &out, lse: &lse, qkv: qkv, b: b, t: t, scratch: scratch)
        attn.forward(out: &outKept, lse: &lseKept, qkv: qkv, b: b, t: t, scratch: scratch, probabilities: kept.base)
        XCTAssertEqual(outKept, out)
        XCTAssertEqual(lseKept, lse)
        // Each kept row is a probability distribution over the visible keys.
        XCTAssertEqual(kept.array.reduce(0, +), Float(b * heads * t), accuracy: 1e-4)
        var dqkv = [Float](repeating: 0, count: qkv.count), dqkvKept = dqkv
        attn.backward(dqkv: &dqkv, dout: r, qkv: qkv, out: out, lse: lse, b: b, t: t, scratch: scratch)
        attn.backward(dqkv: &dqkvKept, dout: r, qkv: qkv, out: out, lse: lse, b: b, t: t, scratch: scratch,
                      probabilities: kept.base)
        for i in dqkv.indices { XCTAssertEqual(dqkvKept[i], dqkv[i], accuracy: 1e-5) }
        XCTAssertGreaterThan(dqkv.map { abs($0) }.max()!, 1e-2)
    }
}

/// Plain causal attention: softmax(q kᵀ / √d) v with the full T×T matrix, computed in Double
/// (`referenceAttention`'s output), as Float.
func naiveAttention(qkv: [Float], b: Int, t: Int, heads: Int, hd: Int) -> [Float] {
    referenceAttention(qkv: qkv, dout: [Float](repeating: 0, count: b * t * heads * hd), b: b, t: t, heads: heads, hd: hd)
        .out.map { Float($0) }
}

/// Causal attention forward and backward in Double with the full T×T matrix: output, log-sum-exp
/// and the gradient of `Σ out·dout` with respect to the packed `qkv`.
func referenceAttention(qkv: [Float], dout: [Float], b: Int, t: Int, heads: Int, hd: Int)
    -> (out: [Double], lse: [Double], dqkv: [Double]) {
    let a = heads * hd, ld = 3 * a, scale = 1 / Double(hd).squareRoot()
    var out = [Double](repeating: 0, count: b * t * a), lse = [Double](repeating: 0, count: b * heads * t)
    var dqkv = [Double](repeating: 0, count: qkv.count)
    func x(_ bi: Int, _ i: Int, _ part: Int, _ h: Int, _ d: Int) -> Double { Double(qkv[(bi * t + i) * ld + part * a + h * hd + d]) }
    for bi in 0..<b { for h in 0..<heads {
        var p = [[Double]](repeating: [], count: t)
        for i in 0..<t {
            let s = (0...i).map { j in scale * (0..<hd).reduce(0.0) { $0 + x(bi, i, 0, h, $1) * x(bi, j, 1, h, $1) } }
            let m = s.max()!, e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            p[i] = e.map { $0 / z }
            lse[(bi * heads + h) * t + i] = m + Foundation.log(z)
            for d in 0..<hd { out[(bi * t + i) * a + h * hd + d] = (0...i).reduce(0.0) { $0 + p[i][$1] * x(bi, $1, 2, h, d) } }
        }
        for i in 0..<t {
            let g = (0..<hd).map { Double(dout[(bi * t + i) * a + h * hd + $0]) }
            let rowDot = (0..<hd).reduce(0.0) { $0 + g[$1] * out[(bi * t + i) * a + h * hd + $1] }
            for j in 0...i {
                let dp = (0..<hd).reduce(0.0) { $0 + g[$1] * x(bi, j, 2, h, $1) }
                let ds = p[i][j] * (dp - rowDot) * scale
                for d in 0..<hd {
                    dqkv[(bi * t + i) * ld + h * hd + d] += ds * x(bi, j, 1, h, d)
                    dqkv[(bi * t + j) * ld + a + h * hd + d] += ds * x(bi, i, 0, h, d)
                    dqkv[(bi * t + j) * ld + 2 * a + h * hd + d] += p[i][j] * g[d]
                }
            }
        }
    } }
    return (out, lse, dqkv)
}
