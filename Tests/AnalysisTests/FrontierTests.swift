import Analysis
import Foundation
import XCTest
import TestSupport

final class FrontierTests: XCTestCase {
    func testFrontierNOptExponentAndCrossoverAreRecoveredFromKnownLaw() throws {
        let dir = temporaryDirectory("frontier")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = SyntheticRuns(modality: "text")
        try plan.write(to: dir)
        let runs = try RunRecord.loadAll([dir])
        XCTAssertEqual(runs.count, plan.sizes.count + plan.dataSizes.count * plan.dataRunSizes.count)
        let study = try ScalingStudy(runs: runs, modality: "text")
        let law = plan.law

        // Frontier: every interior point lies within 1.5 % above the true continuous frontier
        // (discrete sizes a factor √10 apart cannot reach it exactly; noise is 0.2 %).
        let interior = study.frontier.interior
        XCTAssertGreaterThan(interior.count, 30)
        for p in interior {
            let truth = law.frontierLoss(atPFDays: p.computePFDays)
            XCTAssertEqual(p.lossNats / truth, 1.0075, accuracy: 0.0125, "C = \(p.computePFDays)")
        }
        // L(C) exponent: α_C = α_N·α_S/(α_N+α_S) = 0.21.
        let lc = try XCTUnwrap(study.lossVersusCompute)
        print("L(C) = \(lc.fit.law.formula(variable: "C")), N_opt = \(study.optimalSize!.formula)")
        XCTAssertEqual(lc.fit.law.exponent / 0.21, 1, accuracy: 0.1)
        XCTAssertEqual(lc.fit.law.lossInfinity / law.lossInfinity, 1, accuracy: 0.03)
        // N_opt exponent β = α_S/(α_N+α_S) = 0.7, and N_opt itself within 30 % at mid compute.
        let nOpt = try XCTUnwrap(study.optimalSize)
        XCTAssertEqual(nOpt.exponent, law.optimalSizeExponent, accuracy: 0.05)
        let mid = interior[interior.count / 2].computePFDays
        XCTAssertEqual(nOpt.params(atPFDays: mid) / law.optimalParams(atPFDays: mid), 1, accuracy: 0.3)
        // L(D) from early-stopped minima of the largest models.
        let ld = try XCTUnwrap(study.lossVersusData)
        XCTAssertEqual(ld.fit.law.exponent / law.alphaD, 1, accuracy: 0.1)
        // Crossover: the solver on the true laws, against the one on the fitted laws.
        let trueLC = try PowerLawFitter().fit(x: interior.map(\.computePFDays),
                                              y: interior.map { law.frontierLoss(atPFDays: $0.computePFDays) }).law
        let trueNOpt = OptimalSizeLaw(scalePFDays: 1 / pow(law.optimalParams(atPFDays: 1), 1 / law.optimalSizeExponent),
                                      exponent: law.optimalSizeExponent)
        let trueCross = try XCTUnwrap(Crossover.solve(lossVersusCompute: trueLC, lossVersusData: law.lossVersusData, optimalSize: trueNOpt))
        let cross = try XCTUnwrap(study.crossover?.estimate)
        print("crossover: fitted \(cross) PF-days, true \(trueCross)")
        XCTAssertEqual(log10(cross), log10(trueCross), accuracy: 0.5)
    }

    func testCrossoverSolverMatchesClosedFormForPurePowerLaws() throws {
        // L_C = (1/C)^0.2, N_opt = C^0.5 (C₀ = 1) so E = C·8.64e19/(6·C^0.5);
        // L_D = (d0/D)^0.1. Equal when C^−0.2 = d0^0.1 · (6/8.64e19)^0.1 · C^−0.05.
        let lc = PowerLaw(pureScale: 1, exponent: 0.2)
        let ld = PowerLaw(pureScale: 1e30, exponent: 0.1)
        let nOpt = OptimalSizeLaw(scalePFDays: 1, exponent: 0.5)
        let k = pow(1e30, 0.1) * pow(6 / 8.64e19, 0.1)
        let expected = pow(k, -1 / 0.15)
        let c = try XCTUnwrap(Crossover.solve(lossVersusCompute: lc, lossVersusData: ld, optimalSize: nOpt))
        XCTAssertEqual(log(c), log(expected), accuracy: 1e-9)
    }

    func testOptimalSizeLawTokensAreConsistent() {
        let law = OptimalSizeLaw(scalePFDays: 3.3e-13, exponent: 0.73)
        let c = 1e-2
        let n = law.params(atPFDays: c)
        XCTAssertEqual(law.tokens(forParams: n) / law.tokens(atPFDays: c), 1, accuracy: 1e-9)
        XCTAssertEqual(6 * n * law.tokens(atPFDays: c), c * 8.64e19, accuracy: 1e-6 * c * 8.64e19)
    }

    func testJointLawsRecoverKnownParameters() throws {
        let truth = JointLaw(form: .additive, parameters: ["lossInfinity": 1.7, "a": 400, "alpha": 0.34, "b": 410, "beta": 0.28])
        let kaplan = JointLaw(form: .kaplan, parameters: ["nc": 6.4e13, "dc": 1.8e13, "alphaN": 0.076, "alphaD": 0.103])
        var n: [Double] = [], d: [Double] = []
        for a in stride(from: 5.0, through: 9.0, by: 0.5) { for b in stride(from: 7.0, through: 11.0, by: 0.5) {
            n.append(pow(10, a)); d.append(pow(10, b))
        } }
        for law in [truth, kaplan] {
            let y = zip(n, d).map { law(params: $0, dataTokens: $1) }
            let fit = law.form == .additive ? try JointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: nil).jointFit
                                            : try KaplanJointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: nil).jointFit
            XCTAssertLessThan(fit.rmsLogResidual, 1e-6, "\(law.form)")
            for (k, v) in law.parameters { XCTAssertEqual(fit.law.parameters[k]! / v, 1, accuracy: 1e-3, "\(law.form) \(k)") }
        }
    }
}
