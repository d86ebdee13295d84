import Foundation
import XCTest
import Tensors
import WorkbenchCore

/// The SIMD row reductions against Double sums written here, the eight-lane `fastExp` against
/// the scalar one, and the split GEMM against a naive product.
final class VectorMathTests: XCTestCase {
    func values(_ n: Int, seed: UInt64, scale: Float = 4) -> [Float] {
        var rng = SeededRNG(seed: seed)
        return (0..<n).map { _ in (rng.nextFloat() - 0.5) * scale }
    }

    func testReductionsMatchDoubleSumsForEveryTailLength() {
        for n in [0, 1, 7, 8, 9, 31, 64, 100] {
            let x = values(n, seed: UInt64(n) + 1), y = values(n, seed: UInt64(n) + 99)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    let p = xp.baseAddress!, q = yp.baseAddress!
                    let sum = x.reduce(0.0) { $0 + Double($1) }
                    XCTAssertEqual(Double(VectorMath.sum(p, count: n)), sum, accuracy: 1e-5, "sum n=\(n)")
                    let dot = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    XCTAssertEqual(Double(VectorMath.dot(p, q, count: n)), dot, accuracy: 1e-5, "dot n=\(n)")
                    let m: Float = 0.3
                    let ssd = x.reduce(0.0) { $0 + (Double($1) - 0.3) * (Double($1) - 0.3) }
                    XCTAssertEqual(Double(VectorMath.sumSquaredDeviations(p, from: m, count: n)), ssd,
                                   accuracy: 1e-4, "ssd n=\(n)")
                    XCTAssertEqual(VectorMath.max(p, count: n), x.max() ?? -.infinity, "max n=\(n)")
                    let se = x.reduce(0.0) { $0 + Foundation.exp(Double($1) - 1) }
                    XCTAssertEqual(Double(VectorMath.sumExp(p, minus: 1, count: n)), se, accuracy: 1e-5 * max(1, se))
                }
            }
            var z = x
            let s = z.withUnsafeMutableBufferPointer { VectorMath.expInPlaceSum($0.baseAddress!, minus: 0.5, count: n) }
            for i in 0..<n { XCTAssertEqual(z[i], fastExp(x[i] - 0.5), "exp in place n=\(n) i=\(i)") }
            XCTAssertEqual(Double(s), z.reduce(0.0) { $0 + Double($1) }, accuracy: 1e-5 * max(1, Double(s)))
        }
    }

    func testEightLaneFastExpIsBitIdenticalToScalar() {
        var x: Float = -100
        while x < 100 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0131 })
            let e = fastExp(v)
            for i in 0..<8 { XCTAssertEqual(e[i].bitPattern, fastExp(v[i]).bitPattern, "x=\(v[i])") }
            x += 0.37
        }
    }

    func testSplitGEMMMatchesNaiveProductInEveryTransposeCase() {
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = 2
        // Large enough to be split; m > n and m < n split along different axes.
        for (m, n, k) in [(200, 48, 300), (40, 260, 256)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = values(m * k, seed: 1), b = values(k * n, seed: 2), c0 = values(m * n, seed: 3)
                    var c = c0
                    BLAS.sgemmSplit(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, b: b,
                                    beta: 1, c: &c)
                    for i in stride(from: 0, to: m, by: 7) {
                        for j in stride(from: 0, to: n, by: 5) {
                            var ref = Double(c0[i * n + j])
                            for p in 0..<k {
                                let av = transA ? a[p * m + i] : a[i * k + p]
                                let bv = transB ? b[j * k + p] : b[p * n + j]
                                ref += 0.5 * Double(av) * Double(bv)
                            }
                            XCTAssertEqual(Double(c[i * n + j]), ref, accuracy: 1e-3, "m\(m) tA\(transA) tB\(transB) [\(i),\(j)]")
                        }
                    }
                }
            }
        }
    }
}
