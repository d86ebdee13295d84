import XCTest
import Tensors
import WorkbenchCore

/// Central finite differences of a scalar function of a Float vector, compared with an
/// analytic gradient. Loss values are accumulated in Double by the callers; `h` is the step.
func assertGradientMatches(_ analytic: [Float], at x: [Float], h: Float = 1e-2,
                           atol: Double = 3e-3, rtol: Double = 2e-2, indices: [Int]? = nil,
                           _ label: String, file: StaticString = #filePath, line: UInt = #line,
                           _ f: ([Float]) -> Double) {
    var worst = 0.0
    for i in indices ?? Array(x.indices) {
        var xp = x, xm = x
        xp[i] += h; xm[i] -= h
        let fd = (f(xp) - f(xm)) / Double(2 * h)
        let err = abs(fd - Double(analytic[i]))
        worst = max(worst, err / (atol + rtol * abs(fd)))
        if err > atol + rtol * abs(fd) {
            XCTFail("\(label)[\(i)]: analytic \(analytic[i]) vs finite difference \(fd)", file: file, line: line)
            return
        }
    }
    XCTAssertLessThanOrEqual(worst, 1, label, file: file, line: line)
}

func randomVector(_ n: Int, _ rng: inout SeededRNG, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in rng.nextGaussian() * scale }
}

func dot(_ a: [Float], _ b: [Float]) -> Double {
    var s = 0.0
    for i in a.indices { s += Double(a[i]) * Double(b[i]) }
    return s
}
