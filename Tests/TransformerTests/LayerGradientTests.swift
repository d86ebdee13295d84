import XCTest
import Foundation
import Tensors
import Transformer
import WorkbenchCore

/// Every layer's backward against central finite differences of `Σ r ∘ forward(x)` for a
/// random projection `r`.
final class LayerGradientTests: XCTestCase {
    func testLayerNormGradientMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 1)
        let rows = 3, c = 7
        let x = randomVector(rows * c, &rng), w = randomVector(c, &rng), b = randomVector(c, &rng)
        let r = randomVector(rows * c, &rng)
        func run(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var out = [Float](repeating: 0, count: rows * c), mean = [Float](repeating: 0, count: rows)
            var rstd = mean
            LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, x: x, weight: w, bias: b, rows: rows, c: c)
            return dot(out, r)
        }
        var out = [Float](repeating: 0, count: rows * c), mean = [Float](repeating: 0, count: rows), rstd = mean
        LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, x: x, weight: w, bias: b, rows: rows, c: c)
        var dx = [Float](repeating: 0, count: rows * c), dw = [Float](repeating: 0, count: c), db = dw
        LayerNorm.backward(dx: &dx, dweight: &dw, dbias: &db, dout: r, x: x, weight: w, mean: mean, rstd: rstd,
                           rows: rows, c: c)
        assertGradientMatches(dx, at: x, "dx") { run($0, w, b) }
        assertGradientMatches(dw, at: w, "dweight") { run(x, $0, b) }
        assertGradientMatches(db, at: b, "dbias") { run(x, w, $0) }
        // Normalised rows have mean 0 and variance 1 before the affine part.
        XCTAssertEqual(mean[0], x[0..<c].reduce(0, +) / Float(c), accuracy: 1e-5)
    }

    func testGELUGradientMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 2)
        let n = 40
        let x = randomVector(n, &rng, scale: 2), r = randomVector(n, &rng)
        func run(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n), tanh = out
            GELU.forward(out: &out, tanh: &tanh, x: x, count: n)
            return dot(out, r)
        }
        var out = [Float](repeating: 0, count: n), tanh = out
        GELU.forward(out: &out, tanh: &tanh, x: x, count: n)
        var dx = r
        GELU.backwardInPlace(&dx, x: x, tanh: tanh, count: n)
        assertGradientMatches(dx, at: x, h: 1e-3, "dx", run)
        // The saved tanh is tanh(√(2/π)·(x + 0.044715·x³)).
        for i in 0..<n {
            let v = Double(x[i])
            XCTAssertEqual(Double(tanh[i]), Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)),
                           accuracy: 1e-6)
        }
        // Known values of the tanh approximation.
        var known = [Float](repeating: 0, count: 3), knownTanh = known
        GELU.forward(out: &known, tanh: &knownTanh, x: [0, 1, -1], count: 3)
        XCTAssertEqual(known[0], 0, accuracy: 1e-7)
        XCTAssertEqual(known[1], 0.841192, accuracy: 1e-5)
        XCTAssertEqual(known[2], -0.158808, accuracy: 1e-5)
    }

    func testLinearGradientMatchesFiniteDifferences() {
        var rng = SeededRNG(seed: 3)
        let rows = 4, ic = 5, oc = 3
        let x = randomVector(rows * ic, &rng), w = randomVector(oc * ic, &rng), b = randomVector(oc, &rng)
        let r = randomVector(rows * oc, &rng)
        func run(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var out = [Float](repeating: 0, count: rows * oc)
            Linear.forward(out: &out, x: x, weight: w, bias: b, rows: rows, inC: ic, outC: oc)
            return dot(out, r)
        }
        var dx = [Float](repeating: 0, count: rows * ic), dw = [Float](repeating: 0, count: oc * ic)
        var db = [Float](repeating: 0, count: oc)
        Linear.backward(dx: &dx, dweight: &dw, dbias: &db, dout: r, x: x, weight: w, rows: rows, inC: ic, outC: oc)
        assertGradientMatches(dx, at: x, "dx") { run($0, w, b) }
        assertGradientMatches(dw, at: w, "dweight") { run(x, $0, b) }
        assertGradientMatches(db, at: b, "dbias") { run(x, w, $0) }
        // out[0][0] by hand.
        var out = [Float](repeating: 0, count: rows * oc)
        Linear.forward(out: &out, x: x, weight: w, bias: b, rows: rows, inC: ic, outC: oc)
        var expect = b[0]
        for k in 0..<ic { expect += x[k] * w[k] }
        XCTAssertEqual(out[0], expect, accuracy: 1e-5)
    }

    func testSoftmaxCrossEntropyGradientAndMask() {
        var rng = SeededRNG(seed: 4)
        let rows = 5, v = 6
        let logits = randomVector(rows * v, &rng, scale: 2)
        let targets: [Int32] = [0, 5, 2, 2, 1]
        let weights: [Float] = [1, 0, 1, 1, 0]
        func run(_ l: [Float]) -> Double {
            var losses = [Float](repeating: 0, count: rows)
            return Double(SoftmaxCrossEntropy.forwardBackward(losses: &losses, dlogits: nil, logits: l,
                                                              targets: targets, weights: weights, rows: rows, v: v))
        }
        var losses = [Float](repeating: 0, count: rows), d = [Float](repeating: 0, count: rows * v)
        let loss = SoftmaxCrossEntropy.forwardBackward(losses: &losses, dlogits: &d, logits: logits,
                                                       targets: targets, weights: weights, rows: rows, v: v)
        assertGradientMatches(d, at: logits, h: 1e-3, "dlogits", run)
        // Independent computation of the masked mean.
        var expect = 0.0
        for r in [0, 2, 3] {
            let row = logits[(r * v)..<((r + 1) * v)].map(Double.init)
            let z = row.map { exp($0) }.reduce(0, +)
            expect += log(z) - row[Int(targets[r])]
        }
        XCTAssertEqual(Double(loss), expect / 3, accuracy: 1e-5)
        XCTAssertEqual(d[(1 * v)..<(2 * v)].map(abs).max()!, 0, "masked rows get no gradient")
    }

    func testEmbeddingGradientSumsRepeatedTokens() {
        let b = 1, t = 3, c = 2
        let tokens: [Int32] = [1, 0, 1]
        var dwte = [Float](repeating: 0, count: 2 * c), dwpe = [Float](repeating: 0, count: t * c)
        let dout: [Float] = [1, 2, 3, 4, 5, 6]
        Embedding.backward(dwte: &dwte, dwpe: &dwpe, dout: dout, tokens: tokens, b: b, t: t, c: c)
        XCTAssertEqual(dwte, [3, 4, 6, 8])
        XCTAssertEqual(dwpe, [1, 2, 3, 4, 5, 6])
    }
}
