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

/// Plain causal attention: softmax(q kᵀ / √d) v with the full T×T matrix, in Double.
func naiveAttention(qkv: [Float], b: Int, t: Int, heads: Int, hd: Int) -> [Float] {
    let a = heads * hd, ld = 3 * a
    var out = [Float](repeating: 0, count: b * t * a)
    for bi in 0..<b { for h in 0..<heads { for i in 0..<t {
        var s = [Double](repeating: 0, count: i + 1)
        for j in 0...i {
            var d = 0.0
            for k in 0..<hd { d += Double(qkv[(bi * t + i) * ld + h * hd + k]) * Double(qkv[(bi * t + j) * ld + a + h * hd + k]) }
            s[j] = d / Double(hd).squareRoot()
        }
        let m = s.max()!
        let e = s.map { exp($0 - m) }, z = e.reduce(0, +)
        for k in 0..<hd {
            var acc = 0.0
            for j in 0...i { acc += e[j] / z * Double(qkv[(bi * t + j) * ld + 2 * a + h * hd + k]) }
            out[(bi * t + i) * a + h * hd + k] = Float(acc)
        }
    } } }
    return out
}
