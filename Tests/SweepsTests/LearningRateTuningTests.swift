import Foundation
import RunFiles
import Sweeps
import TestSupport
import Training
import XCTest
@testable import Sweeps

/// `[lr_tune]`: the short runs it plans, the rate it picks per size, the interpolation in ln N,
/// and the plan that uses the result; and the `tokens_per_param` length rule.
final class LearningRateTuningTests: XCTestCase {
    let text = """
        name = "t"
        [set]
        "model.n_ctx" = 16
        "train.batch_size" = 4
        "optimizer.lr" = 2e-3
        "schedule.decay" = "wsd"
        "train.cooldown_at" = [0.5, 1.0]
        [lr_tune]
        grid = "size"
        factors = [0.5, 1, 2]
        tokens = 6400
        [[grid]]
        name = "size"
        shapes = [[1, 16], [1, 32], [2, 32], [2, 64]]
        tokens_per_param = 2
        min_tokens = 6400
        max_tokens = 64000
        warmup_share = 0.15
        [[grid]]
        name = "other"
        shapes = [[1, 32]]
        tokens = 6400
        warmup_share = 0.15
        [grid.axes]
        "optimizer.lr" = [1e-3]
        """

    func spec() throws -> SweepSpec { try SweepSpec.parse(text, file: "/tmp/t.toml", baseDirectory: URL(fileURLWithPath: "/tmp")) }

    func testTokensPerParamGivesDataInProportionToSizeWithinBounds() throws {
        let plan = try SweepPlan(spec: try spec()) { _ in 1_000_000 }
        let size = plan.runs.filter { $0.grid == "size" }
        // 2·N tokens, at least 6400 and at most 64000, rounded up to whole steps of 64 tokens.
        XCTAssertEqual(size.map(\.params), [3312, 12768, 25472, 100096])
        XCTAssertEqual(size.map(\.tokens), [6656, 25536, 50944, 64000])
    }

    func testShortRunsCoverTheSmallestMiddleAndLargestSizeAtEachFactor() throws {
        let s = try spec()
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let tune = try XCTUnwrap(s.learningRateTuning).spec(for: s, plan: plan)
        let tunePlan = try SweepPlan(spec: tune) { _ in 1_000_000 }
        XCTAssertEqual(tunePlan.runs.count, 9)
        XCTAssertEqual(Set(tunePlan.runs.map(\.params)), [3312, 25472, 100096])
        XCTAssertEqual(Set(tunePlan.runs.map(\.config.optimizer.lr)), [1e-3, 2e-3, 4e-3])
        XCTAssertTrue(tunePlan.runs.allSatisfy { $0.tokens == 6400 && $0.config.train.cooldownAt.isEmpty })
        // The warm-up keeps its share: 100 of the middle size's 796 steps, so 13 of the short runs' 100.
        XCTAssertEqual(plan.runs.filter { $0.grid == "size" }.map(\.steps), [104, 399, 796, 1000])
        XCTAssertTrue(tunePlan.runs.allSatisfy { $0.steps == 100 && $0.config.schedule.warmupSteps == 13 },
                      "\(tunePlan.runs.map { ($0.steps, $0.config.schedule.warmupSteps) })")
    }

    func testBestRateIsTheParabolaVertexInLogRateAndSizesInterpolateInLogN() throws {
        // Losses symmetric in ln(rate) about ln 2e-3 + 0.1: the vertex is there exactly.
        let rates = [1e-3, 2e-3, 4e-3]
        let centre = log(2e-3) + 0.1
        let (best, how) = LearningRateTuning.bestRate(rates, rates.map { 3 + pow(log($0) - centre, 2) })
        XCTAssertEqual(log(best), centre, accuracy: 1e-9)
        XCTAssertEqual(how, "vertex of the parabola in ln(rate)")
        let (edge, edgeHow) = LearningRateTuning.bestRate(rates, [3.0, 3.1, 3.2])
        XCTAssertEqual(edge, 1e-3)
        XCTAssertTrue(edgeHow.contains("at an end"))

        let result = LearningRateTuning.Result(baseRate: 2e-3, factors: [0.5, 1, 2], tokens: 6400, sizes: [
            .init(params: 1e3, rates: rates, lossNats: [3, 2.9, 3], bestRate: 4e-3, how: ""),
            .init(params: 1e5, rates: rates, lossNats: [3, 2.9, 3], bestRate: 1e-3, how: ""),
        ])
        XCTAssertEqual(result.rate(forParams: 1e4), 2e-3, accuracy: 1e-12)   // halfway in ln N: the geometric mean
        XCTAssertEqual(result.rate(forParams: 10), 4e-3)
        XCTAssertEqual(result.rate(forParams: 1e7), 1e-3)

        // The plan with the result: transformer runs of grids without an lr axis take the rate of their N.
        var s = try spec()
        s.learningRates = result
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let size = plan.runs.filter { $0.grid == "size" }
        for r in size { XCTAssertEqual(r.config.optimizer.lr, result.rate(forParams: Double(r.params)), accuracy: 1e-3 * r.config.optimizer.lr) }
        XCTAssertEqual(plan.runs.first { $0.grid == "other" }!.config.optimizer.lr, 1e-3, "an lr axis keeps its rates")
        // Written and read back from the sweep folder.
        let dir = temporaryDirectory()
        try result.write(to: dir)
        XCTAssertEqual(LearningRateTuning.Result.read(from: dir), result)
    }

    func testRoundsWidenTheRatesUntilTheBestIsInside() throws {
        // Every size does best at 1e-2 = 5× the base rate: rounds try ×½…×2, then ×4, then ×8.
        let s = try spec()
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let folder = SweepFolder(temporaryDirectory())
        var rounds: [[Double]] = []
        let tuned = try LearningRateTuning.tunedPlan(plan, folder: folder, datasetTokens: { _ in 1_000_000 }) { tunePlan, tuneFolder in
            rounds.append(tunePlan.runs.map(\.config.optimizer.lr).sorted())
            for r in tunePlan.runs {
                let loss = 3 + pow(log(r.config.optimizer.lr) - log(1e-2), 2)
                try RunSummary(finalTestLoss: loss, status: "completed").write(to: tuneFolder.runURL(r.name))
            }
        }
        XCTAssertEqual(rounds.map { Set($0) }, [[1e-3, 2e-3, 4e-3], [8e-3], [1.6e-2]])
        let result = try XCTUnwrap(tuned.spec.learningRates)
        XCTAssertEqual(result.factors, [0.5, 1, 2, 4, 8])
        for size in result.sizes { XCTAssertEqual(size.bestRate, 1e-2, accuracy: 1e-9) }
        XCTAssertTrue(tuned.runs.filter { $0.grid == "size" }.allSatisfy { abs($0.config.optimizer.lr - 1e-2) < 1e-12 })
        XCTAssertEqual(LearningRateTuning.Result.read(from: folder.url), result, "written to learning-rates.json and reused")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("lr-tune-3").path))
    }

    func testLaterRoundsRetrainOnlyTheSizesAtAnEnd() throws {
        // Smallest size best at 1e-2 (above the range), middle at 2.5e-3 (inside), largest at 4e-4
        // (below): round 2 trains the smallest at 8e-3 and the largest at 5e-4, round 3 the
        // smallest at 1.6e-2 and the largest at 2.5e-4; the middle size never trains again.
        let s = try spec()
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let folder = SweepFolder(temporaryDirectory())
        var rounds: [[Int: [Double]]] = []
        var optimum: [Int: Double] = [:]
        _ = try LearningRateTuning.tunedPlan(plan, folder: folder, datasetTokens: { _ in 1_000_000 }) { tunePlan, tuneFolder in
            if optimum.isEmpty {
                let sizes = Set(tunePlan.runs.map(\.params)).sorted()
                optimum = [sizes[0]: 1e-2, sizes[1]: 2.5e-3, sizes[2]: 4e-4]
            }
            var round: [Int: [Double]] = [:]
            for r in tunePlan.runs {
                round[r.params, default: []].append(r.config.optimizer.lr)
                let loss = 3 + pow(log(r.config.optimizer.lr) - log(optimum[r.params]!), 2)
                try RunSummary(finalTestLoss: loss, status: "completed").write(to: tuneFolder.runURL(r.name))
            }
            rounds.append(round.mapValues { $0.sorted() })
        }
        let sizes = optimum.keys.sorted()
        XCTAssertEqual(rounds.count, 3)
        XCTAssertEqual(rounds[0], [sizes[0]: [1e-3, 2e-3, 4e-3], sizes[1]: [1e-3, 2e-3, 4e-3], sizes[2]: [1e-3, 2e-3, 4e-3]])
        XCTAssertEqual(rounds[1], [sizes[0]: [8e-3], sizes[2]: [5e-4]])
        XCTAssertEqual(rounds[2], [sizes[0]: [1.6e-2], sizes[2]: [2.5e-4]])
        let result = try XCTUnwrap(LearningRateTuning.Result.read(from: folder.url))
        let bySize = Dictionary(uniqueKeysWithValues: result.sizes.map { (Int($0.params), $0) })
        XCTAssertEqual(bySize[sizes[1]]!.rates, [1e-3, 2e-3, 4e-3])
        XCTAssertEqual(bySize[sizes[0]]!.bestRate, 1e-2, accuracy: 1e-9)
        XCTAssertEqual(bySize[sizes[1]]!.bestRate, 2.5e-3, accuracy: 1e-9)
        XCTAssertEqual(bySize[sizes[2]]!.bestRate, 4e-4, accuracy: 1e-9)
    }

    func testADivergedRunCountsAsTheWorstLoss() throws {
        // Best at 2e-3 for every size; the highest rate diverges (NaN loss) for the largest size.
        let s = try spec()
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let folder = SweepFolder(temporaryDirectory())
        var largest = 0
        let tuned = try LearningRateTuning.tunedPlan(plan, folder: folder, datasetTokens: { _ in 1_000_000 }) { tunePlan, tuneFolder in
            largest = max(largest, tunePlan.runs.map(\.params).max()!)
            for r in tunePlan.runs {
                if r.params == largest, r.config.optimizer.lr > 3e-3 {
                    try RunSummary(status: "diverged").write(to: tuneFolder.runURL(r.name))
                } else {
                    let loss = 3 + pow(log(r.config.optimizer.lr) - log(2e-3), 2) + (r.config.optimizer.lr > 3e-3 ? 0.1 : 0)
                    try RunSummary(finalTestLoss: loss, status: "completed").write(to: tuneFolder.runURL(r.name))
                }
            }
        }
        let result = try XCTUnwrap(tuned.spec.learningRates)
        let big = try XCTUnwrap(result.sizes.first { Int($0.params) == largest })
        XCTAssertEqual(big.lossNats.last, .infinity)
        XCTAssertEqual(big.bestRate, 2e-3, accuracy: 1e-12)
        XCTAssertEqual(big.how, "lowest loss tried (a neighbouring rate diverged)")
        XCTAssertEqual(LearningRateTuning.Result.read(from: folder.url), result, "an infinite loss survives learning-rates.json")
    }

    func testBadTuningTablesAreNamed() throws {
        for (bad, key) in [("[lr_tune]\nfactors = [1, 2]", "lr_tune.factors"), ("[lr_tune]\ngrid = \"nope\"", "lr_tune.grid"),
                           ("[lr_tune]\nrate = 1", "lr_tune.rate"), ("[lr_tune]\ntokens = -1", "lr_tune.tokens")] {
            let t = "name = \"t\"\n\(bad)\n[[grid]]\nname = \"size\"\nsteps = 3\n"
            XCTAssertThrowsError(try SweepSpec.parse(t, file: "/tmp/t.toml", baseDirectory: URL(fileURLWithPath: "/tmp"))) {
                XCTAssertTrue("\($0)".contains("key '\(key)'"), "\($0)")
            }
        }
    }
}
