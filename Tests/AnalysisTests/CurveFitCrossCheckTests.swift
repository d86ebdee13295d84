import Analysis
import Foundation
import XCTest

/// The fitter against SciPy's curve_fit on the committed fixture (tools/analysis/crosscheck_curve_fit.py).
final class CurveFitCrossCheckTests: XCTestCase {
    func objective(_ law: PowerLaw, delta: Double) -> Double {
        let r = zip(CurveFitFixture.params, CurveFitFixture.loss).map { log(law($0)) - log($1) }
        return HuberLM(delta: delta).objective(r)
    }

    func testLeastSquaresMatchesCurveFit() throws {
        let fit = try PowerLawFitter(delta: .infinity).fit(x: CurveFitFixture.params, y: CurveFitFixture.loss)
        let s = CurveFitFixture.leastSquares
        XCTAssertEqual(fit.law.lossInfinity / s.lossInfinity, 1, accuracy: 1e-7)
        XCTAssertEqual(fit.law.exponent / s.exponent, 1, accuracy: 1e-7)
        XCTAssertEqual(fit.law.scale / s.scale, 1, accuracy: 1e-6)
    }

    func testHuberMatchesCurveFitWithHuberLoss() throws {
        let fit = try PowerLawFitter(delta: 1e-3).fit(x: CurveFitFixture.params, y: CurveFitFixture.loss)
        let s = CurveFitFixture.huber
        let scipy = PowerLaw(lossInfinity: s.lossInfinity, scale: s.scale, exponent: s.exponent)
        // Same objective: ours is no worse than SciPy's optimum, and the parameters agree.
        XCTAssertLessThanOrEqual(objective(fit.law, delta: 1e-3), objective(scipy, delta: 1e-3) * (1 + 1e-9))
        XCTAssertEqual(fit.law.lossInfinity / s.lossInfinity, 1, accuracy: 1e-5)
        XCTAssertEqual(fit.law.exponent / s.exponent, 1, accuracy: 1e-5)
        XCTAssertEqual(fit.law.scale / s.scale, 1, accuracy: 1e-5)
    }
}
