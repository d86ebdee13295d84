import XCTest
import Tensors
import Transformer

final class KVCacheTests: XCTestCase {
    /// A tiny random model; larger-than-default weights so the logits are far from uniform.
    func tinyModel(nCtx: Int = 12, mlp: Int? = nil, attn: Int? = nil, seed: UInt64 = 7) -> GPT {
        let gpt = GPT(config: GPTConfig(nLayer: 2, dModel: 16, nHead: 2, nCtx: nCtx, vocabSize: 11,
                                        mlpWidth: mlp, attnWidth: attn), seed: seed)
        for i in 0..<gpt.layout.total where i % 3 == 0 { gpt.parameters[i] *= 8 }
        return gpt
    }

    func testCachedLogitsEqualTheFullForwardAtEveryPosition() throws {
        for (mlp, attn) in [(nil, nil), (16, 4)] as [(Int?, Int?)] {   // text shape and the paper's image/math shape
            let gpt = tinyModel(mlp: mlp, attn: attn)
            let tokens: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
            gpt.forward(TokenBatch(b: 1, t: tokens.count, inputs: tokens, targets: [Int32](repeating: 0, count: tokens.count)))
            let full = gpt.lastLogits, V = gpt.config.vocabSize
            let cache = KVCache(config: gpt.config)
            var maxDiff: Float = 0
            for (p, t) in tokens.enumerated() {
                let logits = try gpt.decode(token: t, position: p, cache: cache)
                XCTAssertEqual(logits.count, V)
                for v in 0..<V { maxDiff = max(maxDiff, abs(logits[v] - full[p * V + v])) }
            }
            XCTAssertLessThan(maxDiff, 1e-5, "mlp \(String(describing: mlp)) attn \(String(describing: attn))")
            XCTAssertEqual(cache.count, tokens.count)
            XCTAssertTrue(cache.isFull)
            // The logits differ from position to position (the test is not vacuous).
            XCTAssertGreaterThan(abs(full[0] - full[V]), 1e-3)
        }
    }

    func testRewindRecomputesTheSameLogits() throws {
        let gpt = tinyModel()
        let cache = KVCache(config: gpt.config)
        let a = try gpt.decode(tokens: [1, 2, 3, 4], cache: cache)!
        _ = try gpt.decode(tokens: [7, 7], cache: cache)
        cache.rewind(to: 3)
        XCTAssertEqual(cache.count, 3)
        let b = try gpt.decode(token: 4, position: 3, cache: cache)
        XCTAssertEqual(a, b)
    }

    func testGreedyGenerationWithTheCacheEqualsRerunning() throws {
        let gpt = tinyModel(nCtx: 16, seed: 21)
        var cached = Sampler(temperature: 0), rerun = Sampler(temperature: 0)
        let a = try cached.generate(model: gpt, prompt: [1, 2, 3], count: 13)     // fills n_ctx exactly
        let b = rerun.generateByRerunning(model: gpt, prompt: [1, 2, 3], count: 13)
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(Set(a).count, 1)
        // Sampling with temperature draws the same tokens from the same seed, too.
        var s1 = Sampler(temperature: 1, topK: 5, seed: 9), s2 = Sampler(temperature: 1, topK: 5, seed: 9)
        XCTAssertEqual(try s1.generate(model: gpt, prompt: [4], count: 15), s2.generateByRerunning(model: gpt, prompt: [4], count: 15))
        // `allowed` keeps the draw below a bound.
        var s3 = Sampler(temperature: 1, seed: 3)
        XCTAssertTrue(try s3.generate(model: gpt, prompt: [4], count: 15, allowed: 3).allSatisfy { $0 < 3 })
    }

    func testBlockSizeLimit() throws {
        let gpt = tinyModel(nCtx: 4)
        let cache = KVCache(config: gpt.config)
        try gpt.decode(tokens: [1, 2, 3, 4], cache: cache)
        XCTAssertThrowsError(try gpt.decode(token: 5, position: 4, cache: cache)) { error in
            XCTAssertEqual(error as? KVCacheError, .full(nCtx: 4))
        }
        XCTAssertEqual(cache.count, 4)
        cache.rewind(to: 1)
        XCTAssertThrowsError(try gpt.decode(token: 5, position: 3, cache: cache)) { error in
            XCTAssertEqual(error as? KVCacheError, .outOfOrder(expected: 1, got: 3))
        }
        // Generation past n_ctx slides the window: the first token past it still matches rerunning
        // (both see the last n_ctx tokens), and the rest is deterministic and in the vocabulary.
        var g1 = Sampler(temperature: 0), g2 = Sampler(temperature: 0)
        let long = try g1.generate(model: gpt, prompt: [1, 2, 3], count: 10)
        XCTAssertEqual(long.count, 10)
        XCTAssertEqual(Array(long.prefix(2)), Array(g2.generateByRerunning(model: gpt, prompt: [1, 2, 3], count: 2)))
        var g3 = Sampler(temperature: 0)
        XCTAssertEqual(long, try g3.generate(model: gpt, prompt: [1, 2, 3], count: 10))
    }
}
