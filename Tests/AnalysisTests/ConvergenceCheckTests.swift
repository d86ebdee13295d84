import Foundation
import RunFiles
import TestSupport
import WorkbenchCore
import XCTest
@testable import Analysis

/// The converged-law design: annealed points from runs and their cooldown branches, the check
/// that a point's loss stopped falling, L(N) on converged points and L(D) from branches.
final class ConvergenceCheckTests: XCTestCase {
    /// A run directory as the trainer writes it: evaluations at `tokens` with `losses`.
    @discardableResult
    func writeRun(_ dir: URL, _ name: String, params: Int, tokens: [Double], losses: [Double], datasetTokens: Int = 100_000_000,
                  annealed: Bool = true, branchOf: String? = nil, fraction: Double? = nil, budget: Double? = nil) throws -> URL {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        let lines = zip(tokens, losses).enumerated().map { k, p in
            MetricsRecord(step: k + 1, tokens: p.0, params: Double(params), computeFLOPs: 6 * Double(params) * p.0,
                          computePFDays: 6 * Double(params) * p.0 / 8.64e19, computeFLOPsTotal: 9 * Double(params) * p.0,
                          trainLoss: p.1, testLoss: p.1).jsonLine()
        }
        try MetricsFile.write(lines, to: url.appendingPathComponent(MetricsFile.name))
        let best = losses.enumerated().min { $0.element < $1.element }!
        try RunSummary(dataset: "d", modality: "text", params: params, datasetTokens: datasetTokens, tokens: Int(tokens.last!),
                       bestTestLoss: best.element, bestStep: best.offset + 1, finalTestLoss: losses.last!, status: "completed",
                       annealed: annealed, branchOf: branchOf, cooldownFraction: fraction).write(to: url)
        var config = [("data.dataset", "\"d\""), ("schedule.decay", "\"wsd\"")]
        if let budget { config.append(("train.compute_budget_flops", "\(budget)")) }
        try AtomicFile.write(SavedRunConfig(values: config).rendered(), to: url.appendingPathComponent(SavedRunConfig.fileName))
        return url
    }

    func testEffectiveTokensFollowMuennighoff() {
        XCTAssertEqual(ConvergenceCheck.effectiveTokens(seen: 5e5, unique: 1e6), 5e5)
        XCTAssertEqual(ConvergenceCheck.effectiveTokens(seen: 5e5, unique: nil), 5e5)
        // Two epochs: U + U·15.4·(1 − e^(−1/15.4)) = 1.968224·U.
        XCTAssertEqual(ConvergenceCheck.effectiveTokens(seen: 2e6, unique: 1e6), 1.968224e6, accuracy: 1)
        // A hundred epochs are worth about 16 unique ones, not 100: U·(1 + 15.4·(1 − e^(−99/15.4))).
        XCTAssertEqual(ConvergenceCheck.effectiveTokens(seen: 1e8, unique: 1e6), 1.6375133e7, accuracy: 5)
    }

    func testBranchesLoadAsPointsAndJudgeConvergence() throws {
        let dir = temporaryDirectory()
        // Small model: its annealed loss at 0.8·E is within 0.1 % of the end → converged.
        try writeRun(dir, "small", params: 10_000, tokens: [2e5, 6e5, 1e6], losses: [3.6, 3.31, 3.300])
        try writeRun(dir.appendingPathComponent("small/branches"), "cooldown-0.80", params: 10_000, tokens: [2e5, 6e5, 8e5],
                     losses: [3.6, 3.31, 3.302], branchOf: "small", fraction: 0.8)
        // Large model: its annealed loss still fell 3 % between 0.8·E and E → not converged.
        try writeRun(dir, "large", params: 1_000_000, tokens: [2e5, 6e5, 1e6], losses: [3.5, 3.0, 2.80])
        try writeRun(dir.appendingPathComponent("large/branches"), "cooldown-0.80", params: 1_000_000, tokens: [2e5, 6e5, 8e5],
                     losses: [3.5, 3.0, 2.8853], branchOf: "large", fraction: 0.8)
        try writeRun(dir.appendingPathComponent("large/branches"), "cooldown-0.50", params: 1_000_000, tokens: [2e5, 5e5],
                     losses: [3.5, 3.05], branchOf: "large", fraction: 0.5)
        let runs = try RunRecord.loadAll([dir])
        XCTAssertEqual(runs.map(\.name), ["large", "large@0.50", "large@0.80", "small", "small@0.80"])
        let points = ConvergenceCheck.points(runs, noise: nil)
        XCTAssertEqual(points.count, 5)
        let large = try XCTUnwrap(points.first { $0.run == "large" })
        XCTAssertEqual(try XCTUnwrap(large.recentFall), log(2.8853 / 2.80), accuracy: 1e-9)
        XCTAssertTrue(large.stillFalling)
        XCTAssertTrue(try XCTUnwrap(large.recentFallSource).contains("large@0.80"))
        let small = try XCTUnwrap(points.first { $0.run == "small" })
        XCTAssertEqual(try XCTUnwrap(small.recentFall), log(3.302 / 3.300), accuracy: 1e-9)
        XCTAssertFalse(small.stillFalling)
        XCTAssertEqual(small.computeFLOPsTotal, 9e10)   // 9·N·E as the metrics recorded it
        XCTAssertTrue(points.first { $0.run == "large@0.50" }!.isBranch)

        let (series, leftOut) = ConvergenceCheck.convergedParams(points, name: "L(N)", noise: nil)
        XCTAssertEqual(series.x, [10_000]); XCTAssertEqual(series.lossNats, [3.3]); XCTAssertEqual(series.runs, ["small"])
        XCTAssertEqual(leftOut.count, 1)
        XCTAssertTrue(leftOut[0].hasPrefix("large (N = 1e6): not converged: its loss fell 3 %"), leftOut[0])

        // L(D) from the branches: the lowest annealed loss at each D over the sizes.
        let ld = try XCTUnwrap(ConvergenceCheck.dataFromBranches(points, name: "L(D)"))
        XCTAssertEqual(ld.x, [5e5, 8e5, 1e6])
        XCTAssertEqual(ld.lossNats, [3.05, 2.8853, 2.80])
        XCTAssertEqual(ld.runs, ["large@0.50", "large@0.80", "large"])
    }

    func testWithoutBranchesTheLearningCurveDecidesAndRepeatedDataIsAnLDPoint() throws {
        let dir = temporaryDirectory()
        // A cosine run whose loss fell 5 % over its last 20 % of tokens (learning-curve check).
        try writeRun(dir, "falling", params: 50_000, tokens: [1e5, 4e5, 8e5, 1e6], losses: [4, 3.3, 3.15, 3.0])
        // A run that saw its 1e5 tokens 10 times: early-stopped at its best, an L(D) point.
        try writeRun(dir, "repeated", params: 50_000, tokens: [2e5, 5e5, 1e6], losses: [3.6, 3.4, 3.5], datasetTokens: 100_000)
        // Not annealed (a constant rate): no point at all.
        try writeRun(dir, "constant", params: 50_000, tokens: [1e5, 1e6], losses: [3.5, 3.1], annealed: false)
        let points = ConvergenceCheck.points(try RunRecord.loadAll([dir]), noise: NoiseLevel(sigmaLog: 0.01, degreesOfFreedom: 4, groups: 2))
        XCTAssertEqual(points.map(\.run), ["repeated", "falling"])   // by N, then tokens seen
        let falling = points[1]
        XCTAssertEqual(try XCTUnwrap(falling.recentFall), log(3.15 / 3.0), accuracy: 1e-9)
        XCTAssertTrue(falling.stillFalling)     // 4.9 % > 2σ = 2 %
        let repeated = points[0]
        XCTAssertEqual(repeated.lossNats, 3.4); XCTAssertEqual(repeated.tokensSeen, 5e5)
        XCTAssertEqual(repeated.effectiveTokens, ConvergenceCheck.effectiveTokens(seen: 5e5, unique: 1e5))
        let (series, leftOut) = ConvergenceCheck.convergedParams(points, name: "L(N)", noise: NoiseLevel(sigmaLog: 0.01, degreesOfFreedom: 4, groups: 2))
        XCTAssertTrue(series.x.isEmpty)
        XCTAssertEqual(leftOut.count, 2)
        XCTAssertTrue(leftOut.contains { $0.hasPrefix("repeated (N = 50000): it repeated its data (E/D = 5)") }, "\(leftOut)")
        XCTAssertTrue(leftOut.contains { $0.contains("more than the 2 % threshold") }, "\(leftOut)")
        XCTAssertNil(ConvergenceCheck.dataFromBranches(points, name: "L(D)"))
    }

    func testIsoFLOPRunsFormProfilesInTheStudy() throws {
        // Three budgets × five sizes from L = 1.7 + 31.6/N^0.3 + 79433/D^0.7 (N_opt ∝ C^0.7), as run directories.
        let dir = temporaryDirectory()
        for c in [1e13, 1e14, 1e15] {
            let centre = pow(0.3 * 31.6 / (0.7 * 79_433), 1.0) * pow(c / 6, 0.7)
            for k in -2...2 {
                let n = (centre * pow(2, Double(k))).rounded()
                let d = c / (6 * n)
                let loss = 1.7 + 31.6 / pow(n, 0.3) + 79_433 / pow(d, 0.7)
                try writeRun(dir, "iso-C\(c)-\(k)", params: Int(n), tokens: [d / 2, d], losses: [loss * 1.01, loss], datasetTokens: 1 << 40, budget: c)
            }
        }
        let study = try ScalingStudy(runs: try RunRecord.loadAll([dir]), modality: "text", options: .init(resamples: 50))
        let iso = try XCTUnwrap(study.isoFLOP)
        XCTAssertEqual(iso.profiles.count, 3)
        XCTAssertEqual(try XCTUnwrap(iso.optimalSizeExponent).estimate, 0.7, accuracy: 0.05)
        XCTAssertEqual(study.computeMeasure, .total)
        XCTAssertEqual(study.jointPoints, 15)
    }
}
