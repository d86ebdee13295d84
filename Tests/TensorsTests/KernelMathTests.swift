import Foundation
import XCTest
import Tensors
import WorkbenchCore

final class KernelMathTests: XCTestCase {
    func testFastExpAndTanhMatchLibm() {
        var worst: Double = 0
        var x: Float = -80
        while x < 80 {
            let rel = abs(Double(fastExp(x)) - Foundation.exp(Double(x))) / Foundation.exp(Double(x))
            worst = max(worst, rel)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 2e-7)
        XCTAssertEqual(fastExp(0), 1)
        XCTAssertEqual(fastTanh(0), 0, accuracy: 1e-7)
        XCTAssertEqual(fastTanh(20), 1, accuracy: 1e-7)
        XCTAssertEqual(fastTanh(-20), -1, accuracy: 1e-7)
        XCTAssertEqual(fastTanh(0.5), Float(Foundation.tanh(0.5)), accuracy: 3e-7)
    }

    /// A diverged run feeds NaN and ±inf through softmax: no trap (even in checked builds), NaN
    /// stays NaN, infinities clamp to the ends of the range.
    func testFastExpPassesNaNAndClampsInfinities() {
        XCTAssertTrue(fastExp(.nan).isNaN)
        XCTAssertTrue(fastTanh(.nan).isNaN)
        XCTAssertEqual(fastExp(.infinity), fastExp(88))
        XCTAssertEqual(fastExp(-.infinity), fastExp(-87))
        XCTAssertGreaterThan(fastExp(-.infinity), 0)
        XCTAssertLessThan(fastExp(-.infinity), 2e-38)
    }

    func testSeededRNGIsReproducibleAndRestorable() {
        var a = SeededRNG(seed: 9), b = SeededRNG(seed: 9)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var c = SeededRNG(state: a.stateWords)
        XCTAssertEqual(a.next(), c.next())
        let p = a.permutation(100)
        XCTAssertEqual(p.sorted(), Array(0..<100))
        XCTAssertNotEqual(p, Array(0..<100))
        // Gaussian moments over many draws.
        var g = SeededRNG(seed: 3)
        let xs = (0..<20000).map { _ in Double(g.nextGaussian()) }
        let mean = xs.reduce(0, +) / 20000, varr = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(varr, 1, accuracy: 0.05)
    }

    func testParallelChunksCoverEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 1000)
        hits.withUnsafeMutableBufferPointer { h in
            let p = h.baseAddress!
            Parallel.forEachChunk(count: 1000, minChunk: 7) { _, range in for i in range { p[i] += 1 } }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: 1000))
    }
}
