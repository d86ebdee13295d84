import XCTest
import Tensors
import Transformer

final class SamplerTests: XCTestCase {
    func testGreedyTopKAndTemperature() {
        let logits: [Float] = [0.1, 2.0, -1.0, 1.9]
        var greedy = Sampler(temperature: 0)
        XCTAssertEqual(greedy.pick(logits), 1)
        var top1 = Sampler(temperature: 1, topK: 1, seed: 5)
        XCTAssertEqual((0..<50).map { _ in top1.pick(logits) }, [Int](repeating: 1, count: 50))
        var top2 = Sampler(temperature: 1, topK: 2, seed: 5)
        let picks = (0..<2000).map { _ in top2.pick(logits) }
        XCTAssertEqual(Set(picks), [1, 3])
        // Frequencies follow softmax over the two kept logits: p(1) = 1/(1+e^-0.1) ≈ 0.525.
        let p1 = Double(picks.filter { $0 == 1 }.count) / 2000
        XCTAssertEqual(p1, 1 / (1 + exp(-0.1)), accuracy: 0.04)
    }

    func testGenerationIsDeterministicInSeed() throws {
        let gpt = GPT(config: GPTConfig(nLayer: 1, dModel: 8, nHead: 2, nCtx: 6, vocabSize: 10), seed: 3)
        var a = Sampler(temperature: 1, seed: 11), b = Sampler(temperature: 1, seed: 11)
        let x = try a.generate(model: gpt, prompt: [1, 2], count: 12)   // longer than n_ctx: context slides
        XCTAssertEqual(x, try b.generate(model: gpt, prompt: [1, 2], count: 12))
        XCTAssertEqual(x.count, 12)
        XCTAssertTrue(x.allSatisfy { (0..<10).contains($0) })
    }
}
