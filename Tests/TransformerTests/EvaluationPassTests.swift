import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The evaluation pass (no gradient: one activation slot for every block, no GELU tanh, no kept
/// probabilities) computes exactly what the training pass computes.
final class EvaluationPassTests: XCTestCase {
    func testEvaluationPassEqualsTheTrainingPassBitForBit() {
        let cfg = GPTConfig(nLayer: 3, dModel: 16, nHead: 2, nCtx: 12, vocabSize: 30, mlpWidth: 24, attnWidth: 8)
        let gpt = GPT(config: cfg, seed: 4)
        gpt.microBatchRows = 24          // two sequences per micro-batch, several micro-batches
        var rng = SeededRNG(seed: 9)
        let b = 5, t = 12
        let inputs = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 30)) }
        let targets = (0..<(b * t)).map { _ in Int32(rng.nextInt(below: 30)) }
        let batch = TokenBatch(b: b, t: t, inputs: inputs, targets: targets)
        let trainLoss = gpt.forward(batch, needsGradient: true)
        let trainLogits = gpt.lastLogits, trainLosses = gpt.lastTokenLosses
        let evalLoss = gpt.forward(batch)
        XCTAssertEqual(evalLoss, trainLoss)
        XCTAssertEqual(gpt.lastLogits, trainLogits)
        XCTAssertEqual(gpt.lastTokenLosses, trainLosses)
        XCTAssertEqual(Double(evalLoss), log(30.0), accuracy: 0.3)   // near uniform at initialisation
        // A training pass after an evaluation pass still has its own per-block activations.
        gpt.zeroGradients()
        XCTAssertEqual(gpt.forward(batch, needsGradient: true), trainLoss)
        gpt.backward()
        XCTAssertGreaterThan(gpt.gradients.array.map { abs($0) }.max()!, 0)
    }
}
