import Foundation
import XCTest
import Tensors
@testable import Analysis

/// IsoFLOP profiles (Hoffmann et al.'s approach 2) on sweeps drawn from a known law
/// L = E + A/N^α + B/D^β with D = C/6N, whose compute-optimal size grows as C^(β/(α+β)).
final class IsoFLOPProfilesTests: XCTestCase {
    /// α = 0.3, β = 0.7: N_opt ∝ C^0.70 exactly.
    struct Law {
        var e = 1.7, a = 31.6, alpha = 0.3, b = 79_433.0, beta = 0.7
        func loss(params n: Double, flops c: Double) -> Double { e + a / pow(n, alpha) + b / pow(c / (6 * n), beta) }
        var exponent: Double { beta / (alpha + beta) }
        func optimalParams(flops c: Double) -> Double {
            pow(alpha * a / (beta * b), 1 / (alpha + beta)) * pow(c / 6, exponent)
        }
    }

    /// Five budgets over four decades, seven sizes a factor 2 apart per budget, centred off the
    /// true optimum by up to ×1.4 (as a guessed grid would be), each loss with `noise` relative error.
    func sweep(_ law: Law, noise: Double, seed: UInt64) -> [IsoFLOPProfiles.Point] {
        var rng = SeededRNG(seed: seed)
        var points: [IsoFLOPProfiles.Point] = []
        for c in [1e13, 1e14, 1e15, 1e16, 1e17] {
            let centre = law.optimalParams(flops: c) * pow(1.4, 2 * rng.nextDouble() - 1)
            for k in -3...3 {
                let n = centre * pow(2, Double(k))
                let loss = law.loss(params: n, flops: c) * (1 + noise * Double(rng.nextGaussian()))
                points.append(.init(budgetFLOPs: c, params: n, lossNats: loss))
            }
        }
        return points
    }

    func testNoiselessProfilesRecoverTheExponentAndTheMinima() throws {
        let law = Law()
        let profiles = IsoFLOPProfiles(points: sweep(law, noise: 0, seed: 1), resamples: 50)
        XCTAssertEqual(profiles.profiles.count, 5)
        XCTAssertTrue(profiles.problems.isEmpty, "\(profiles.problems)")
        // The true profile is not a parabola in ln N: over sizes ×8 either side of the optimum its
        // asymmetry moves the parabola's minimum about 20 % below N_opt, by the same factor at
        // every budget, so the exponent is unaffected.
        let a = try XCTUnwrap(profiles.optimalSizeExponent)
        XCTAssertEqual(a.estimate, 0.70, accuracy: 0.01)
        for p in profiles.profiles {
            XCTAssertEqual(log(p.optimalParams.estimate / law.optimalParams(flops: p.budgetFLOPs)), -0.2, accuracy: 0.05)
            let best = law.loss(params: law.optimalParams(flops: p.budgetFLOPs), flops: p.budgetFLOPs)
            XCTAssertEqual(p.optimalLossNats.estimate, best, accuracy: 0.02 * best)
            XCTAssertTrue(p.minimumInsideGrid)
        }
    }

    func testNoisyProfilesGiveTheExponentWithinThreeHundredthsAndIntervalsThatCoverIt() throws {
        let law = Law()
        var covered = 0, widths: [Double] = []
        let sweeps = 40
        for s in 0..<sweeps {
            let profiles = IsoFLOPProfiles(points: sweep(law, noise: 0.005, seed: UInt64(100 + s)), resamples: 200, seed: UInt64(s))
            let a = try XCTUnwrap(profiles.optimalSizeExponent, "sweep \(s): \(profiles.problems)")
            if s == 0 { XCTAssertEqual(a.estimate, 0.70, accuracy: 0.03, "seed 100: \(a.text())") }
            XCTAssertGreaterThan(a.upper - a.lower, 0, "never a zero-width interval")
            widths.append(a.upper - a.lower)
            if a.contains(law.exponent) { covered += 1 }
        }
        // Nominal 95 %: at least 85 % of 40 sweeps (a binomial 95 % would fall below 34 of 40 about 3 % of the time).
        XCTAssertGreaterThanOrEqual(covered, 34, "coverage \(covered)/\(sweeps), median width \(widths.sorted()[sweeps / 2])")
    }

    func testBudgetsThatCannotBeFittedAreNamed() {
        var points = sweep(Law(), noise: 0, seed: 3)
        points.append(contentsOf: [.init(budgetFLOPs: 1e18, params: 1e5, lossNats: 2), .init(budgetFLOPs: 1e18, params: 2e5, lossNats: 2.1)])
        // Losses still falling, and flattening, at the largest size: the minimum lies beyond it.
        points.append(contentsOf: [.init(budgetFLOPs: 1e19, params: 1e5, lossNats: 3.0), .init(budgetFLOPs: 1e19, params: 2e5, lossNats: 2.6),
                                   .init(budgetFLOPs: 1e19, params: 4e5, lossNats: 2.3)])
        let profiles = IsoFLOPProfiles(points: points, resamples: 20)
        XCTAssertTrue(profiles.problems.contains { $0.contains("2 size(s)") }, "\(profiles.problems)")
        XCTAssertTrue(profiles.problems.contains { $0.contains("1e19") && $0.contains("outside the sizes run") }, "\(profiles.problems)")
        XCTAssertEqual(profiles.profiles.count, 6, "the budget beyond its grid keeps its parabola, flagged")
        XCTAssertEqual(profiles.profiles.filter(\.minimumInsideGrid).count, 5)
        XCTAssertNotNil(profiles.optimalSizeExponent, "the other five budgets still give N_opt(C)")
    }
}
