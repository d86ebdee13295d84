import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The streamed attention (key blocks, online softmax; used for long contexts) against the
/// whole-row path, a naive full-matrix implementation and finite differences, with tiny tiles
/// and key blocks so that every case (first block, blocks past the diagonal of some rows,
/// partial last blocks) occurs.
final class StreamingAttentionTests: XCTestCase {
    func testStreamedPassesMatchTheWholeRowPath() {
        // (head dim, tile, key block): blocks a multiple of the tile, not one, and narrower than it;
        // head dimension 16 also compares against the SIMD kernels of the whole-row path.
        for (hd, tile, block) in [(4, 8, 16), (4, 8, 12), (3, 5, 4), (16, 8, 16)] {
            var rng = SeededRNG(seed: UInt64(100 + hd + tile + block))
            let b = 2, t = 37, heads = 2, a = heads * hd
            let qkv = randomVector(b * t * 3 * a, &rng), r = randomVector(b * t * a, &rng)
            let streamed = CausalSelfAttention(heads: heads, headDim: hd, tile: tile, keyBlockWidth: block, streamsAbove: 0)
            let whole = CausalSelfAttention(heads: heads, headDim: hd, tile: tile, streamsAbove: .max)
            XCTAssertTrue(streamed.streams(t: t, keepsProbabilities: false))
            XCTAssertFalse(streamed.streams(t: t, keepsProbabilities: true))
            XCTAssertFalse(whole.streams(t: t, keepsProbabilities: false))
            let s = streamed.pass(qkv: qkv, dout: r, b: b, t: t), w = whole.pass(qkv: qkv, dout: r, b: b, t: t)
            let label = "hd \(hd), tile \(tile), block \(block)"
            for i in s.out.indices { XCTAssertEqual(s.out[i], w.out[i], accuracy: 2e-5, "out[\(i)] \(label)") }
            for i in s.lse.indices { XCTAssertEqual(s.lse[i], w.lse[i], accuracy: 2e-5, "lse[\(i)] \(label)") }
            for i in s.dqkv.indices { XCTAssertEqual(s.dqkv[i], w.dqkv[i], accuracy: 5e-5, "dqkv[\(i)] \(label)") }
            let ref = naiveAttention(qkv: qkv, b: b, t: t, heads: heads, hd: hd)
            for i in ref.indices { XCTAssertEqual(s.out[i], ref[i], accuracy: 2e-5, "naive out[\(i)] \(label)") }
            XCTAssertGreaterThan(s.dqkv.map { abs($0) }.max()!, 1e-2, label)
        }
    }

    /// Scores far apart in size: the running maximum grows block after block, so earlier blocks
    /// are rescaled many times; the result must still be the softmax of the whole row.
    func testRescalingWhenTheMaximumGrows() {
        let b = 1, t = 24, heads = 1, hd = 2, a = heads * hd
        var qkv = [Float](repeating: 0, count: b * t * 3 * a)
        for i in 0..<t {
            qkv[i * 3 * a] = 1; qkv[i * 3 * a + 1] = 0.5               // q
            qkv[i * 3 * a + a] = Float(i) * 0.9                           // k: later keys score higher
            qkv[i * 3 * a + 2 * a] = Float(i); qkv[i * 3 * a + 2 * a + 1] = 1   // v
        }
        let streamed = CausalSelfAttention(heads: heads, headDim: hd, tile: 4, keyBlockWidth: 4, streamsAbove: 0)
        let r = [Float](repeating: 1, count: b * t * a)
        let s = streamed.pass(qkv: qkv, dout: r, b: b, t: t)
        let ref = naiveAttention(qkv: qkv, b: b, t: t, heads: heads, hd: hd)
        for i in ref.indices { XCTAssertEqual(s.out[i], ref[i], accuracy: 1e-4 * max(1, abs(ref[i])), "out[\(i)]") }
        // Every row's weights sum to 1: the second value column is 1 everywhere.
        for i in 0..<t { XCTAssertEqual(s.out[i * a + 1], 1, accuracy: 1e-5) }
    }

    func testStreamedBackwardMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 31)
        let b = 2, t = 9, heads = 2, hd = 2, a = heads * hd
        let attn = CausalSelfAttention(heads: heads, headDim: hd, tile: 2, keyBlockWidth: 3, streamsAbove: 0)
        let qkv = randomVector(b * t * 3 * a, &rng), r = randomVector(b * t * a, &rng)
        let scratch = FloatBuffer(count: Parallel.workers * attn.scratchPerWorker(t: t))
        func loss(_ x: [Float]) -> Double { attn.outputDot(qkv: x, r: r, b: b, t: t, scratch: scratch) }
        let pass = attn.pass(qkv: qkv, dout: r, b: b, t: t)
        assertGradientMatches(pass.dqkv, at: qkv, h: 1e-3, "dqkv", loss)
    }
}
