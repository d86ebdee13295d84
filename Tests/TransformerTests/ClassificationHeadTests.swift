import XCTest
import Tensors
import Transformer
import WorkbenchCore

/// The classification head on pooled features: its gradients and the body's gradient through it
/// against finite differences, and its predictions.
final class ClassificationHeadTests: XCTestCase {
    func fixture() -> (GPT, ClassificationHead, tokens: [Int32], labels: [Int32]) {
        let (gpt, cfg) = gradientTestModel()
        let head = ClassificationHead(classes: 3, width: cfg.dModel, seed: 5)
        var rng = SeededRNG(seed: 21)
        for i in 0..<head.parameters.count { head.parameters[i] = rng.nextGaussian() * 0.5 }
        let tokens = (0..<15).map { _ in Int32(rng.nextInt(below: 11)) }
        return (gpt, head, tokens, [0, 2, 1])
    }

    func loss(_ gpt: GPT, _ head: ClassificationHead, _ tokens: [Int32], _ labels: [Int32]) -> Double {
        head.begin(labels: labels)
        gpt.forwardPooled(tokens: tokens, b: 3, t: 5, needsGradient: false, head: head.forward)
        return head.meanLossNats
    }

    func testHeadAndBodyGradientsMatchFiniteDifferences() {
        let (gpt, head, tokens, labels) = fixture()
        gpt.microBatchRows = 5   // one sequence per micro-batch: several thread groups
        gpt.zeroGradients(); head.zeroGradients()
        head.begin(labels: labels)
        gpt.forwardPooled(tokens: tokens, b: 3, t: 5, needsGradient: true, head: head.forward)
        gpt.backward(); head.backward()
        let headGrad = head.gradients.array, head0 = head.parameters.array
        assertGradientMatches(headGrad, at: head0, h: 1e-2, atol: 1e-3, rtol: 2e-2, "classifier") { x in
            for i in x.indices { head.parameters[i] = x[i] }
            defer { for i in head0.indices { head.parameters[i] = head0[i] } }
            return loss(gpt, head, tokens, labels)
        }
        let bodyGrad = gpt.gradients.array, body0 = gpt.parameters.array
        for tensor in gpt.layout.tensors {
            let picks = Set((0..<5).map { ($0 * 7919 + 3) % tensor.count }).map { tensor.offset + $0 }
            assertGradientMatches(bodyGrad, at: body0, h: 1e-2, atol: 2e-3, rtol: 3e-2, indices: picks.sorted(), tensor.name) { x in
                for i in x.indices { gpt.parameters[i] = x[i] }
                defer { for i in body0.indices { gpt.parameters[i] = body0[i] } }
                return loss(gpt, head, tokens, labels)
            }
        }
        // The language-model head takes no part in classification.
        let lm = gpt.layout.tensor(named: "lm_head.weight")!
        XCTAssertTrue(bodyGrad[lm.offset..<(lm.offset + lm.count)].allSatisfy { $0 == 0 })
    }

    func testLossAndPredictionsMatchAHandComputation() {
        let head = ClassificationHead(classes: 2, width: 2, seed: 1)
        // W = [[1, 0], [0, 2]], b = [0, -1]
        for (i, v) in [Float(1), 0, 0, 2, 0, -1].enumerated() { head.parameters[i] = v }
        head.begin(labels: [0, 1])
        let pooled: [Float] = [3, 1, 0, 2]   // logits [3, 1] and [0, 3]
        pooled.withUnsafeBufferPointer { head.forward(first: 0, count: 2, pooled: $0.baseAddress!, dPooled: nil) }
        let l0 = log(exp(3.0) + exp(1.0)) - 3, l1 = log(exp(0.0) + exp(3.0)) - 3
        XCTAssertEqual(head.meanLossNats, (l0 + l1) / 2, accuracy: 1e-5)
        XCTAssertEqual(head.predictions, [0, 1])
    }

    func testMicroBatchingDoesNotChangeTheGradient() {
        let (gpt, head, tokens, labels) = fixture()
        func gradients(rows: Int) -> [Float] {
            gpt.microBatchRows = rows
            gpt.zeroGradients(); head.zeroGradients()
            head.begin(labels: labels)
            gpt.forwardPooled(tokens: tokens, b: 3, t: 5, needsGradient: true, head: head.forward)
            gpt.backward(); head.backward()
            return gpt.gradients.array + head.gradients.array
        }
        let one = gradients(rows: 15), three = gradients(rows: 5)
        for i in one.indices { XCTAssertEqual(one[i], three[i], accuracy: 1e-5 * max(1, abs(one[i]))) }
    }
}
