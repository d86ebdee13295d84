import XCTest
import Tensors
import Transformer
import WorkbenchCore
import TestSupport

/// The whole model's backward against finite differences on every parameter tensor.
final class GPTGradientTests: XCTestCase {
    func testModelGradientMatchesFiniteDifferences() {
        let (gpt, cfg) = gradientTestModel()
        var rng = SeededRNG(seed: 9)
        let b = 2, t = 5
        let inputs = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) }
        let targets = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) }
        let weights: [Float] = [1, 1, 0, 1, 1, 0, 1, 1, 1, 0]
        let batch = TokenBatch(b: b, t: t, inputs: inputs, targets: targets, weights: weights)
        gpt.microBatchRows = t   // one sequence per micro-batch: two thread groups
        gpt.zeroGradients()
        gpt.forward(batch, needsGradient: true)
        gpt.backward()
        let analytic = gpt.gradients.array
        let x0 = gpt.parameters.array
        func loss(_ x: [Float]) -> Double {
            for i in x.indices { gpt.parameters[i] = x[i] }
            let l = Double(gpt.forward(batch))
            for i in x0.indices { gpt.parameters[i] = x0[i] }
            return l
        }
        for tensor in gpt.layout.tensors {
            // A few entries of every tensor, spread over it.
            let picks = Set((0..<6).map { ($0 * 7919 + 13) % tensor.count }).map { tensor.offset + $0 }
            assertGradientMatches(analytic, at: x0, h: 1e-2, atol: 2e-3, rtol: 3e-2, indices: picks.sorted(),
                                  tensor.name, loss)
        }
        // Embedding rows of tokens that never occur get no gradient.
        let unused = (0..<11).filter { !inputs.contains(Int32($0)) }
        for tok in unused {
            for c in 0..<cfg.dModel { XCTAssertEqual(analytic[gpt.layout.wte + tok * cfg.dModel + c], 0) }
        }
    }

    func testNonEmbeddingParameterCountMatchesLayout() {
        let cfg = GPTConfig(nLayer: 3, dModel: 16, nHead: 2, nCtx: 10, vocabSize: 50, mlpWidth: 24, attnWidth: 8)
        let layout = ParameterLayout(cfg)
        let nonEmbedding = layout.tensors.filter { $0.kind != .embedding && $0.name != "lm_head.weight" }
            .map(\.count).reduce(0, +)
        XCTAssertEqual(cfg.nonEmbeddingParameters, nonEmbedding)
        XCTAssertEqual(layout.total, cfg.totalParameters)
        // The text shape: 12·L·d² weights plus biases and norms.
        let text = GPTConfig(nLayer: 2, dModel: 64, nHead: 2, nCtx: 8, vocabSize: 256)
        XCTAssertEqual(text.nonEmbeddingParametersApprox, 12 * 2 * 64 * 64)
        XCTAssertEqual(text.nonEmbeddingParameters, 12 * 2 * 64 * 64 + 2 * (13 * 64) + 2 * 64)
    }
}

/// Dropout: deterministic masks, exact gradients through them, and no effect on evaluation.
final class DropoutTests: XCTestCase {
    func testGradientWithDropoutMatchesFiniteDifferences() {
        let (gpt, _) = gradientTestModel()
        let batch = TokenBatch(b: 2, t: 5, inputs: (0..<10).map { Int32($0 % 11) },
                               targets: (0..<10).map { Int32(($0 * 3 + 1) % 11) })
        gpt.microBatchRows = 5   // one sequence per micro-batch: masks are indexed by the row in the batch
        let evalLoss = gpt.forward(batch)
        gpt.dropout = 0.3; gpt.dropoutSeed = 99
        XCTAssertEqual(gpt.forward(batch), evalLoss, "evaluation passes ignore dropout")
        gpt.zeroGradients()
        let trainLoss = gpt.forward(batch, needsGradient: true)
        XCTAssertNotEqual(trainLoss, evalLoss)
        XCTAssertEqual(gpt.forward(batch, needsGradient: true), trainLoss, "same seed, same masks")
        gpt.zeroGradients()
        gpt.forward(batch, needsGradient: true)
        gpt.backward()
        let analytic = gpt.gradients.array, x0 = gpt.parameters.array
        func loss(_ x: [Float]) -> Double {
            for i in x.indices { gpt.parameters[i] = x[i] }
            let l = Double(gpt.forward(batch, needsGradient: true))
            for i in x0.indices { gpt.parameters[i] = x0[i] }
            return l
        }
        for tensor in gpt.layout.tensors {
            let picks = Set((0..<5).map { ($0 * 7919 + 13) % tensor.count }).map { tensor.offset + $0 }
            assertGradientMatches(analytic, at: x0, h: 1e-2, atol: 2e-3, rtol: 3e-2, indices: picks.sorted(),
                                  tensor.name, loss)
        }
        // About 30 % of a mask's elements are dropped.
        let d = Dropout(p: 0.3, seed: 5)
        let dropped = (0..<20000).filter { !d.keeps(stream: 1, $0) }.count
        XCTAssertEqual(Double(dropped) / 20000, 0.3, accuracy: 0.015)
    }
}

/// Cutting a batch into micro-batches run by thread groups changes only float rounding, and
/// 1 and 2 threads give identical numbers.
final class MicroBatchTests: XCTestCase {
    struct Pass { var loss: Float; var tokenLosses: [Float]; var logits: [Float]; var gradients: [Float] }

    func pass(microBatchRows: Int, workers: Int, dropout: Float) -> Pass {
        let (gpt, _) = gradientTestModel()
        gpt.microBatchRows = microBatchRows
        gpt.dropout = dropout; gpt.dropoutSeed = 3
        var rng = SeededRNG(seed: 21)
        let b = 5, t = 6
        let batch = TokenBatch(b: b, t: t, inputs: (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) },
                               targets: (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 11)) },
                               weights: (0..<(b * t)).map { $0 % 4 == 3 ? 0 : 1 })
        let saved = Parallel.workers
        Parallel.workers = workers
        defer { Parallel.workers = saved }
        gpt.zeroGradients()
        let loss = gpt.forward(batch, needsGradient: true)
        gpt.backward()
        return Pass(loss: loss, tokenLosses: gpt.lastTokenLosses, logits: gpt.lastLogits, gradients: gpt.gradients.array)
    }

    /// Split and whole batches sum in another order: within 1e-5 of the scale (at least 1e-3).
    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        TestSupport.assertClose(a, b, relativeTolerance: 1e-5, scaleFloor: 1e-3, what, file: file, line: line)
    }

    func testMicroBatchesMatchOneBatch() {
        for dropout: Float in [0, 0.2] {
            let whole = pass(microBatchRows: 1000, workers: 2, dropout: dropout)
            for rows in [6, 12, 18] {   // 5, 3 and 2 micro-batches of whole sequences
                let split = pass(microBatchRows: rows, workers: 2, dropout: dropout)
                XCTAssertEqual(split.loss, whole.loss, accuracy: 1e-5 * whole.loss, "loss, rows \(rows)")
                assertClose(split.tokenLosses, whole.tokenLosses, "token losses, rows \(rows), dropout \(dropout)")
                assertClose(split.logits, whole.logits, "logits, rows \(rows), dropout \(dropout)")
                assertClose(split.gradients, whole.gradients, "gradients, rows \(rows), dropout \(dropout)")
            }
            XCTAssertGreaterThan(whole.gradients.map { abs($0) }.max()!, 1e-3, "gradients are not all zero")
        }
    }

    func testOneAndTwoThreadsGiveIdenticalNumbers() {
        for rows in [6, 12, 1000] {
            let one = pass(microBatchRows: rows, workers: 1, dropout: 0.2)
            let two = pass(microBatchRows: rows, workers: 2, dropout: 0.2)
            XCTAssertEqual(one.loss, two.loss)
            XCTAssertEqual(one.tokenLosses, two.tokenLosses)
            XCTAssertEqual(one.gradients, two.gradients, "gradients, micro-batch rows \(rows)")
        }
    }
}

/// A tiny model with larger weights than GPT-2's init, so gradients stand well above float noise.
func gradientTestModel() -> (GPT, GPTConfig) {
    let cfg = GPTConfig(nLayer: 2, dModel: 8, nHead: 2, nCtx: 6, vocabSize: 11, mlpWidth: 12, attnWidth: 4)
    let gpt = GPT(config: cfg, seed: 7)
    var rng = SeededRNG(seed: 8)
    for t in gpt.layout.tensors where t.kind != .layerNorm {
        for i in 0..<t.count { gpt.parameters[t.offset + i] = rng.nextGaussian() * 0.4 }
    }
    return (gpt, cfg)
}
