import Analysis
import Foundation
import WorkbenchCore
import XCTest

final class ProfileFitTests: XCTestCase {
    let sizes = (0..<7).map { pow(10, 4 + 0.5 * Double($0)) }

    func testNoiselessSaturatingLawIsRecoveredExactly() throws {
        let truth = PowerLaw(lossInfinity: 2.0, scale: 4e3, exponent: 0.3)
        let p = try ProfileFitter(noise: NoiseLevel(sigmaLog: 0.001, degreesOfFreedom: .infinity, groups: 1))
            .fit(x: sizes, y: sizes.map { truth($0) })
        XCTAssertEqual(p.law.lossInfinity, 2.0, accuracy: 1e-4)
        XCTAssertEqual(p.law.exponent, 0.3, accuracy: 1e-4)
        XCTAssertEqual(p.law.scale / 4e3, 1, accuracy: 1e-3)
        XCTAssertTrue(p.lossInfinityDetermined, p.lossInfinityRangeText)
        XCTAssertTrue(p.lossInfinity.contains(2.0) && p.exponent.contains(0.3))
        XCTAssertGreaterThan(p.lossInfinity.upper, p.lossInfinity.lower)
        XCTAssertTrue(p.onBound.isEmpty, "\(p.onBound)")
        XCTAssertEqual(p.residualRMS, 0, accuracy: 1e-5)
    }

    func testPurePowerLawLeavesLossInfinityUndeterminedAndAlphaGrowsWithIt() throws {
        // Text-like: L = (1e-30/N)^-… a pure law with α = 0.05 and 0.3 % noise, noise known.
        var rng = SeededRNG(seed: 5)
        let truth = PowerLaw(pureScale: 1e-3, exponent: 0.05)
        let y = sizes.map { truth($0) * exp(0.003 * Double(rng.nextGaussian())) }
        let p = try ProfileFitter(noise: NoiseLevel(sigmaLog: 0.003, degreesOfFreedom: .infinity, groups: 1)).fit(x: sizes, y: y)
        XCTAssertEqual(p.lossInfinity.lower, 0, "L∞ = 0 is allowed")
        XCTAssertFalse(p.lossInfinityDetermined)
        XCTAssertTrue(p.lossInfinityText.hasPrefix("not determined: [0, "), p.lossInfinityText)
        XCTAssertEqual(p.exponentAtLossInfinityBounds[0], 0.05, accuracy: 0.01, "α of the pure law at L∞ = 0")
        XCTAssertGreaterThan(p.exponentAtLossInfinityBounds[1], p.exponentAtLossInfinityBounds[0] + 0.005, "α grows with the allowed L∞")
        XCTAssertTrue(p.exponent.contains(p.law.exponent), "the interval holds its own estimate")
        XCTAssertTrue(p.exponent.contains(0.05))
        XCTAssertGreaterThan(p.exponent.upper, p.exponent.lower)
    }

    func testThreePointsWithoutMeasuredNoiseAllowEveryLossInfinityAndExponent() throws {
        let truth = PowerLaw(lossInfinity: 1.0, scale: 1e3, exponent: 0.4)
        let x = [1e4, 1e5, 1e6]
        let p = try ProfileFitter().fit(x: x, y: x.map { truth($0) * 1.001 })
        XCTAssertEqual(p.lossInfinity.lower, 0)
        XCTAssertEqual(p.lossInfinity.upper, p.smallestLoss)
        XCTAssertEqual(p.exponent.lower, 0)
        XCTAssertEqual(p.exponent.upper, 2)
        XCTAssertEqual(p.degreesOfFreedom, 0)
    }

    func testHeldOutPredictionOfExactLawLiesInItsInterval() throws {
        var rng = SeededRNG(seed: 11)
        let truth = PowerLaw(lossInfinity: 2.0, scale: 4e3, exponent: 0.3)
        let y = sizes.map { truth($0) * exp(0.004 * Double(rng.nextGaussian())) }
        let check = try ProfileFitter(noise: NoiseLevel(sigmaLog: 0.004, degreesOfFreedom: 6, groups: 3)).extrapolationCheck(x: sizes, y: y, holdOut: 2)
        XCTAssertEqual(check.heldOut.count, 2)
        XCTAssertEqual(check.fittedOn, 5)
        for p in check.heldOut {
            XCTAssertEqual(p.withinInterval, true, "\(p)")
            XCTAssertLessThan(abs(p.predicted - truth(p.x)) / truth(p.x), 0.02)
        }
    }

    func testStudentQuantilesMatchTables() {
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 1), 12.706)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 5), 2.571)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 40), 2.021, accuracy: 1e-3)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: 120), 1.980, accuracy: 1e-3)
        XCTAssertEqual(StudentT.quantile975(degreesOfFreedom: .infinity), 1.96, accuracy: 1e-3)
    }

    func testSeedNoiseIsThePooledStandardDeviation() throws {
        let n = try XCTUnwrap(SeedReplicates.noise(groups: [[0, 0.02], [0.1, 0.12, 0.14], [0.5]]))
        XCTAssertEqual(n.sigmaLog, (0.001 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(n.degreesOfFreedom, 3)
        XCTAssertEqual(n.groups, 2)
        XCTAssertNil(SeedReplicates.noise(groups: [[1], [2]]))
    }

    func testOptimalSizeExponentIntervalMatchesClosedForm() throws {
        // log C = log N / 0.7 + r, r orthogonal to 1 and log N: slope exactly 1/0.7, RSS = 4e².
        let e = 0.05
        let ln = [0.0, 1, 2, 3], r = [e, -e, -e, e]
        let n = ln.map { exp($0 + 10) }, c = (0..<4).map { exp((ln[$0] + 10) / 0.7 + r[$0] - 30) }
        let i = try XCTUnwrap(OptimalSizeLaw.exponentInterval(computePFDays: c, params: n))
        let w = 4.303 * (4 * e * e / 2 / 5).squareRoot()
        XCTAssertEqual(i.estimate, 0.7, accuracy: 1e-12)
        XCTAssertEqual(i.lower, 1 / (1 / 0.7 + w), accuracy: 1e-12)
        XCTAssertEqual(i.upper, 1 / (1 / 0.7 - w), accuracy: 1e-12)
    }

    /// Exact data give the law back; on 10 noisy draws (0.5 %) each 95 % profile interval holds
    /// the truth at least 8 times, always holds its estimate, and never has zero width.
    func testJointProfileIntervalsCoverTheTruth() throws {
        let truth = JointLaw(form: .additive, parameters: ["lossInfinity": 1.7, "a": 60, "alpha": 0.34, "b": 300, "beta": 0.28])
        func draw(_ seed: UInt64, noise: Double) throws -> JointProfile {
            var rng = SeededRNG(seed: seed)
            var n: [Double] = [], d: [Double] = [], y: [Double] = []
            for a in [4.0, 5, 6, 7] { for b in [5.0, 5.6, 6.2, 6.8, 7.4, 8] {
                n.append(pow(10, a)); d.append(pow(10, b))
                y.append(truth(params: n.last!, dataTokens: d.last!) * exp(noise * Double(rng.nextGaussian())))
            } }
            return try JointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: nil)
        }
        let exact = try draw(1, noise: 0)
        for k in ["lossInfinity", "a", "alpha", "b", "beta"] {
            XCTAssertEqual(exact.law.parameters[k]! / truth.parameters[k]!, 1, accuracy: 1e-4, k)
        }
        var covered = [0, 0, 0]
        for seed in UInt64(1)...10 {
            let j = try draw(seed, noise: 0.005)
            XCTAssertEqual(j.configurations, 24)
            for (k, (name, i, value)) in [("L∞", j.lossInfinity, 1.7), ("α", j.alpha, 0.34), ("β", j.beta, 0.28)].enumerated() {
                if i.contains(value) { covered[k] += 1 }
                XCTAssertGreaterThan(i.upper, i.lower, name)
                XCTAssertTrue(i.contains(i.estimate), "\(name): the estimate lies in its interval, \(i.text())")
            }
            XCTAssertLessThan(j.lossInfinity.upper - j.lossInfinity.lower, 1.0, "24 runs at 0.5 % noise bound L∞")
        }
        XCTAssertTrue(covered.allSatisfy { $0 >= 8 }, "covered of 10: L∞, α, β \(covered)")
    }

    /// Kaplan's form (their eq. 1.5 with the paper's fit, on a CPU-sized grid of N and D): exact
    /// data give the law back, and noisy draws (0.5 %) give intervals that hold their estimate
    /// and have width (how often they hold the truth: `testIntervalsCoverTheTruthOnSimulatedSweeps`).
    func testKaplanJointProfileRecoversTheLawWithIntervals() throws {
        let truth = JointLaw(form: .kaplan, parameters: ["nc": 6.4e13, "dc": 1.8e13, "alphaN": 0.076, "alphaD": 0.103])
        func draw(_ seed: UInt64, noise: Double) throws -> KaplanJointProfile {
            var rng = SeededRNG(seed: seed)
            var n: [Double] = [], d: [Double] = [], y: [Double] = []
            for a in [4.0, 4.5, 5, 5.5, 6, 6.5] { for b in [5.5, 6, 6.5, 7] {
                n.append(pow(10, a)); d.append(pow(10, b))
                y.append(truth(params: n.last!, dataTokens: d.last!) * exp(noise * Double(rng.nextGaussian())))
            } }
            return try KaplanJointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: nil)
        }
        let exact = try draw(1, noise: 0)
        for k in ["alphaN", "alphaD"] { XCTAssertEqual(exact.law.parameters[k]!, truth.parameters[k]!, accuracy: 1e-4, k) }
        XCTAssertLessThan(exact.rmsLogResidual, 1e-6)
        for seed in UInt64(1)...3 {
            let k = try draw(seed, noise: 0.005)
            XCTAssertEqual(k.configurations, 24)
            XCTAssertEqual(k.runs, 24)
            for (name, i) in [("α_N", k.alphaN), ("α_D", k.alphaD)] {
                XCTAssertGreaterThan(i.upper, i.lower, name)
                XCTAssertTrue(i.contains(i.estimate), "\(name): the estimate lies in its interval, \(i.text())")
                XCTAssertLessThan(i.upper - i.lower, 0.1, "\(name): 24 runs at 0.5 % noise bound it, \(i.text())")
            }
        }
    }

    /// Replicates of one configuration are one point weighted by their count: a second seed of
    /// every run with the same loss doubles every weight and leaves the fit where it was.
    func testJointProfileAveragesSeedReplicates() throws {
        var rng = SeededRNG(seed: 11)
        let truth = JointLaw(form: .additive, parameters: ["lossInfinity": 1.7, "a": 60, "alpha": 0.34, "b": 300, "beta": 0.28])
        var n: [Double] = [], d: [Double] = [], y: [Double] = []
        for a in [4.0, 5, 6, 7] { for b in [5.0, 6, 7, 8] {
            n.append(pow(10, a)); d.append(pow(10, b))
            y.append(truth(params: n.last!, dataTokens: d.last!) * exp(0.005 * Double(rng.nextGaussian())))
        } }
        let one = try JointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: nil)
        let two = try JointProfile.fit(params: n + n, dataTokens: d + d, lossNats: y + y, noise: nil)
        XCTAssertEqual(one.configurations, 16)
        XCTAssertEqual(two.configurations, 16)
        XCTAssertEqual(two.runs, 32)
        for k in ["lossInfinity", "alpha", "beta"] { XCTAssertEqual(one.law.parameters[k]!, two.law.parameters[k]!, accuracy: 1e-6, k) }
        XCTAssertEqual(two.rmsLogResidual, one.rmsLogResidual, accuracy: 1e-9, "per run, the same residuals")
        XCTAssertThrowsError(try JointProfile.fit(params: Array(n.prefix(5)), dataTokens: Array(d.prefix(5)), lossNats: Array(y.prefix(5)), noise: nil))
    }

    /// The pure form's interval is the textbook t interval of a weighted regression slope.
    func testPureFormIntervalIsTheRegressionSlopeInterval() throws {
        let x = [1e4, 1e5, 1e6, 1e7], e = [0.01, -0.01, -0.01, 0.01]
        let y = zip(x, e).map { pow(8.8e13 / $0.0, 0.076) * exp($0.1) }
        let i = try PureFormFit.exponent(x: x, y: y, noise: nil)
        // The residual pattern is orthogonal to log x, so the slope is exact; RSS = 4e-4 on 2 df.
        let sxx = [-1.5, -0.5, 0.5, 1.5].reduce(0) { $0 + pow($1 * log(10), 2) }
        let half = 4.303 * (4e-4 / 2 / sxx).squareRoot()
        XCTAssertEqual(i.estimate, 0.076, accuracy: 1e-12)
        XCTAssertEqual(i.upper - i.estimate, half, accuracy: 1e-12)
        XCTAssertEqual(i.estimate - i.lower, half, accuracy: 1e-12)
        // A measured seed noise with 3 df pools with the residuals: (3·σ² + RSS)/(3 + 2), t for 5 df.
        let pooled = try PureFormFit.exponent(x: x, y: y, noise: NoiseLevel(sigmaLog: 0.02, degreesOfFreedom: 3, groups: 3))
        XCTAssertEqual(pooled.upper - pooled.estimate, 2.571 * ((3 * 4e-4 + 4e-4) / 5 / sxx).squareRoot(), accuracy: 1e-12)
    }

    /// 16 sweeps with a fixed seed, each interval of the report checked against the truth:
    /// fails when an interval is much too narrow or has zero width; `workbench fit --coverage 200`
    /// gives the README's figures.
    func testIntervalsCoverTheTruthOnSimulatedSweeps() {
        let rows = CoverageCheck.run(sweeps: 16, seed: 7)
        XCTAssertEqual(rows.count, 19)
        for r in rows {
            print(r.text)
            XCTAssertEqual(r.zeroWidth, 0, r.text)
            XCTAssertGreaterThanOrEqual(r.fraction, 0.8, r.text)
        }
    }
}
