import Analysis
import Foundation
import XCTest
import RunFiles
import WorkbenchCore

/// Synthetic series from known laws with 3 % multiplicative noise.
enum SyntheticSeries {
    static let truth = PowerLaw(lossInfinity: 2.0, scale: 1e3, exponent: 0.3)

    /// `count` log-spaced x in [1e3, 1e9] and y = L(x)·(1 + 0.03·z).
    static func make(_ law: PowerLaw = truth, count: Int = 60, noise: Double = 0.03, seed: UInt64,
                     range: (Double, Double) = (1e3, 1e9)) -> (x: [Double], y: [Double]) {
        var rng = SeededRNG(seed: seed)
        let lo = log(range.0), hi = log(range.1)
        let x = (0..<count).map { exp(lo + (hi - lo) * Double($0) / Double(count - 1)) }
        let y = x.map { law($0) * (1 + noise * Double(rng.nextGaussian())) }
        return (x, y)
    }
}

final class PowerLawFitTests: XCTestCase {
    /// A fit with α at its lower bound has an x₀ beyond Double's range (the full text study's
    /// L(N) once printed "(inf/N)^0.001"): the law keeps ln x₀, evaluates finitely, prints it in
    /// scientific form and reads back from JSON with or without `logScale`.
    func testScaleBeyondDoubleRangeStaysUsable() throws {
        let law = PowerLaw(lossInfinity: 0.046, logScale: 1391.0, exponent: 0.001)
        XCTAssertEqual(law.scale, .infinity)
        XCTAssertEqual(law(1e6), 0.046 + exp(0.001 * (1391.0 - log(1e6))), accuracy: 1e-12)
        XCTAssertEqual(law.formula(variable: "N"), "0.046 + (1.27e604/N)^0.001")
        let old = try JSONDecoder().decode(PowerLaw.self, from: Data(#"{"form":"saturating","lossInfinity":2,"scale":1000,"exponent":0.3}"#.utf8))
        XCTAssertEqual(old.logScale, log(1000), accuracy: 1e-12)
        XCTAssertEqual(old(1e4), SyntheticSeries.truth(1e4), accuracy: 1e-12)
        let back = try JSONFile.decode(PowerLaw.self, from: try JSONFile.encode(law, nonFinite: true), nonFinite: true)
        XCTAssertEqual(back.logScale, 1391.0)
        XCTAssertEqual(back(1e6), law(1e6))
    }

    func testExactDataRecoversParametersToMachinePrecision() throws {
        let (x, y) = SyntheticSeries.make(count: 12, noise: 0, seed: 1)
        let fit = try PowerLawFitter().fit(x: x, y: y)
        XCTAssertEqual(fit.law.exponent, 0.3, accuracy: 1e-7)
        XCTAssertEqual(fit.law.lossInfinity, 2.0, accuracy: 1e-7)
        XCTAssertEqual(fit.law.scale / 1e3, 1, accuracy: 1e-5)
    }

    func testPureLawRecoversKaplanLN() throws {
        // Kaplan et al.: L(N) = (8.8e13/N)^0.076, on N from 1e5 to 1e9.
        let law = PowerLaw(pureScale: 8.8e13, exponent: 0.076)
        let (x, y) = SyntheticSeries.make(law, count: 40, noise: 0.01, seed: 3, range: (1e5, 1e9))
        let fit = try PowerLawFitter(form: .pure).fit(x: x, y: y)
        XCTAssertEqual(fit.law.exponent / 0.076, 1, accuracy: 0.05)
        XCTAssertEqual(fit.law(1e7) / law(1e7), 1, accuracy: 0.01)
    }

    func testNoisyDataRecoversExponentWithin5PercentAndLossInfinityWithin2Percent() throws {
        // 300 points over 8 decades: with 3 % noise the asymptotic standard errors are ≈ 0.6 % on α
        // and ≈ 0.45 % on L∞ (least squares; Huber with δ = 1e-3 behaves like L1, ≈ 25 % wider),
        // so the bounds are ≥ 3.5 standard errors. Fewer points make 5 % on α statistically out of reach.
        let truth = PowerLaw(lossInfinity: 1.0, scale: 1e6, exponent: 0.3)
        for seed in UInt64(1)...10 {
            let (x, y) = SyntheticSeries.make(truth, count: 300, seed: seed, range: (1e3, 1e11))
            let fit = try PowerLawFitter().fit(x: x, y: y)
            XCTAssertEqual(fit.law.exponent / 0.3, 1, accuracy: 0.05, "seed \(seed): α = \(fit.law.exponent)")
            XCTAssertEqual(fit.law.lossInfinity / 1.0, 1, accuracy: 0.02, "seed \(seed): L∞ = \(fit.law.lossInfinity)")
        }
    }

    func testHuberIgnoresAnOutlierThatMovesLeastSquares() throws {
        var (x, y) = SyntheticSeries.make(count: 30, noise: 0.005, seed: 5)
        y[25] *= 1.6
        let robust = try PowerLawFitter(delta: 1e-3).fit(x: x, y: y)
        let squares = try PowerLawFitter(delta: .infinity).fit(x: x, y: y)
        XCTAssertEqual(robust.law.lossInfinity, 2.0, accuracy: 0.02)
        XCTAssertGreaterThan(abs(squares.law.lossInfinity - 2.0), abs(robust.law.lossInfinity - 2.0))
    }

    func testTooFewPointsSaysSo() {
        XCTAssertThrowsError(try PowerLawFitter().fit(x: [1, 2, 3], y: [3, 2, 1.5], series: "L(N) text")) { e in
            XCTAssertEqual(e as? FitError, .tooFewPoints(series: "L(N) text", needed: 4, got: 3))
            XCTAssertTrue("\(e)".contains("'L(N) text'"))
        }
    }

    func testStraightLogLogSeriesRefusesLossInfinity() {
        let law = PowerLaw(pureScale: 1e10, exponent: 0.1)
        let (x, y) = SyntheticSeries.make(law, count: 20, noise: 0.01, seed: 2)
        XCTAssertThrowsError(try PowerLawFitter().fit(x: x, y: y, series: "flat")) { e in
            guard case .noCurvature = e as? FitError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("pure power law"))
        }
        XCTAssertNoThrow(try PowerLawFitter(form: .pure).fit(x: x, y: y))
    }

    func testNonPositiveLossNamesThePoint() {
        XCTAssertThrowsError(try PowerLawFitter().fit(x: [1, 2, 3, 4, 5], y: [3, 2, -1, 1.5, 1.4], series: "s")) { e in
            XCTAssertEqual(e as? FitError, .nonPositive(series: "s", index: 2, x: 3, y: -1))
        }
    }

    func testFormatSignificantDigits() {
        XCTAssertEqual(Format.sig(2.2049, 3), "2.2")
        XCTAssertEqual(Format.sig(0.000123456, 3), "1.23e-4")
        XCTAssertEqual(Format.sig(8.8e13, 2), "8.8e13")
        XCTAssertEqual(Format.sig(9.996e6, 3), "1e7")
    }
}
