import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The LSTM language model: backward through time against finite differences on every tensor,
/// the incremental decoder against the full forward pass, thread-count independence, N.
final class LSTMTests: XCTestCase {
    static func tinyModel(seed: UInt64 = 3) -> LSTM {
        let lstm = LSTM(config: LSTMConfig(nLayer: 2, width: 6, nCtx: 8, vocabSize: 11), seed: seed)
        // Larger weights than the default initialisation, so that the gates are far from linear.
        for i in 0..<lstm.parameters.count { lstm.parameters[i] *= 4 }
        return lstm
    }

    static func batch(b: Int, t: Int, seed: UInt64) -> TokenBatch {
        var rng = SeededRNG(seed: seed)
        let inputs = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) }
        let targets = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) }
        let weights = (0..<(b * t)).map { i in i % 4 == 3 ? Float(0) : 1 }
        return TokenBatch(b: b, t: t, inputs: inputs, targets: targets, weights: weights)
    }

    func testModelGradientMatchesFiniteDifferences() {
        let lstm = Self.tinyModel()
        let batch = Self.batch(b: 3, t: 7, seed: 9)   // three sequences: two thread groups of unequal size
        lstm.zeroGradients()
        lstm.forward(batch, needsGradient: true)
        lstm.backward()
        let analytic = lstm.gradients.array
        let x0 = lstm.parameters.array
        func loss(_ x: [Float]) -> Double {
            for i in x.indices { lstm.parameters[i] = x[i] }
            let l = Double(lstm.forward(batch))
            for i in x0.indices { lstm.parameters[i] = x0[i] }
            return l
        }
        for tensor in lstm.parameterTensors {
            let picks = Set((0..<8).map { ($0 * 7919 + 13) % tensor.count }).map { tensor.offset + $0 }
            assertGradientMatches(analytic, at: x0, h: 1e-2, atol: 2e-3, rtol: 3e-2, indices: picks.sorted(),
                                  tensor.name, loss)
        }
        // Every gate of every layer gets gradient (a gate dropped from backward would leave zeros).
        for tensor in lstm.parameterTensors where tensor.name.hasPrefix("lstm.weight_hh") {
            let g = lstm.gradients.array(offset: tensor.offset, count: tensor.count)
            let perGate = tensor.count / 4
            for gate in 0..<4 {
                XCTAssertGreaterThan(g[(gate * perGate)..<((gate + 1) * perGate)].map(abs).max()!, 1e-5, "\(tensor.name) gate \(gate)")
            }
        }
    }

    func testDecoderMatchesFullForwardAndRewinds() throws {
        let lstm = Self.tinyModel()
        let batch = Self.batch(b: 1, t: 8, seed: 4)
        lstm.forward(batch)
        let full = lstm.lastLogits, V = 11
        let decoder = lstm.makeDecoder()
        var stepped: [Float] = []
        for tok in batch.inputs { stepped += try decoder.decode(token: tok) }
        XCTAssertEqual(stepped.count, full.count)
        for i in full.indices { XCTAssertEqual(stepped[i], full[i], accuracy: 1e-5 * max(1, abs(full[i]))) }
        XCTAssertTrue(decoder.isFull)
        XCTAssertThrowsError(try decoder.decode(token: 0))
        // Rewinding to position 3 and feeding the same token gives position 3's logits again.
        decoder.rewind(to: 3)
        let again = try decoder.decode(token: batch.inputs[3])
        XCTAssertEqual(again, Array(stepped[(3 * V)..<(4 * V)]))
    }

    func testOneAndTwoThreadsGiveIdenticalNumbers() {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        var results: [([Float], Float)] = []
        for workers in [1, 2] {
            Parallel.workers = workers
            let lstm = Self.tinyModel()
            lstm.zeroGradients()
            let loss = lstm.forward(Self.batch(b: 5, t: 8, seed: 2), needsGradient: true)
            lstm.backward()
            results.append((lstm.gradients.array, loss))
        }
        XCTAssertEqual(results[0].1, results[1].1)
        XCTAssertEqual(results[0].0, results[1].0)
    }

    func testParameterCountsAndNames() {
        let cfg = LSTMConfig(nLayer: 2, width: 64, nCtx: 64, vocabSize: 256)
        let lstm = LSTM(config: cfg, seed: 1)
        XCTAssertEqual(cfg.nonEmbeddingParameters, 2 * (8 * 64 * 64 + 8 * 64))
        let lstmTensors = lstm.parameterTensors.filter { $0.name.hasPrefix("lstm.") }
        XCTAssertEqual(lstmTensors.map(\.count).reduce(0, +), cfg.nonEmbeddingParameters)
        XCTAssertEqual(lstm.parameters.count, cfg.totalParameters)
        XCTAssertEqual(lstm.parameterTensors.map(\.name), [
            "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
            "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1", "lm_head.weight"])
        XCTAssertEqual(lstm.parameterTensors[1].shape, [256, 64])
        // C per token: 3 × (2 FLOPs per gate weight + 20 per unit) per layer.
        XCTAssertEqual(cfg.trainingFLOPsPerToken, 3 * 2 * (16 * 64 * 64 + 20 * 64))
        XCTAssertEqual(ModelConfig.lstm(cfg).computeFLOPsPerToken, cfg.trainingFLOPsPerToken)
    }

    func testModelConfigRoundTripsThroughJSON() throws {
        let lstm = ModelConfig.lstm(LSTMConfig(nLayer: 3, width: 32, nCtx: 64, vocabSize: 256))
        let gpt = ModelConfig.transformer(GPTConfig(nLayer: 2, dModel: 32, nHead: 2, nCtx: 64, vocabSize: 256))
        for c in [lstm, gpt] {
            XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: JSONEncoder().encode(c)), c)
        }
        // A transformer is saved as plain GPTConfig fields (checkpoints written before there were kinds).
        let plain = try JSONEncoder().encode(GPTConfig(nLayer: 2, dModel: 32, nHead: 2, nCtx: 64, vocabSize: 256))
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: plain), gpt)
        let text = String(decoding: try JSONEncoder().encode(lstm), as: UTF8.self)
        XCTAssertTrue(text.contains("\"kind\":\"lstm\""), text)
    }
}
