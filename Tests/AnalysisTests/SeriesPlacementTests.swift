import Foundation
import XCTest
@testable import Analysis

/// The report says which runs went to which fit and why.
final class SeriesPlacementTests: XCTestCase {
    func run(_ name: String, params: Double, d: Double, e: Double, loss: Double) -> RunRecord {
        RunRecord(name: name, url: URL(fileURLWithPath: "/r/\(name)"),
                  summary: RunOutcome(params: params, datasetTokens: d, tokens: e, bestTestLossNats: loss, bestStep: 1,
                                      finalTestLossNats: loss, status: "completed", modality: "text", dataset: "x"),
                  curve: [])
    }

    func testRunsThatRepeatedTheWholeDatasetAreNamedAsMovedWithTheirEpochs() {
        // The example spec before its fix: 4 sizes for 2e6 tokens of a 212,465-token sample (9.4 epochs).
        let sizes = [(1, 2e3), (2, 8e3), (3, 2e4), (4, 5e4)].map { run("size-\($0.0)", params: $0.1, d: 212_465, e: 2e6, loss: 3 - Double($0.0) * 0.1) }
        let data = [1e4, 3e4, 1e5].map { run("data-\(Int($0))", params: 8e3, d: $0, e: 4e5, loss: 3) }
        let all = sizes + data
        let lines = SeriesPlacement.explain(runs: all, params: ScalingSeries.lossVersusParams(all), data: ScalingSeries.lossVersusData(all))
        XCTAssertEqual(lines, [
            "4 runs moved to L(D), out of L(N), L(C) and N_opt(C): they trained on the largest D of these runs "
                + "(D = 2.12e5 tokens, the whole dataset unless cut) but repeated it (E/D = 9.4 epochs > 1): size-1, size-2, size-3, size-4. "
                + "For L(N), train each size for at most one epoch (E ≤ D).",
            // On the whole dataset only the lowest loss (size-4) is the L(D) point of that D.
            "3 runs are not L(D) points: another run of the same D has a lower best loss: size-1, size-2, size-3.",
        ])
    }

    func testDuplicatesOfOneSizeAndTooFewSizesAreSaid() {
        // b has a's N but trained longer (another configuration), with a lower loss: a is dropped.
        let runs = [run("a", params: 1e3, d: 1e6, e: 1e5, loss: 3), run("b", params: 1e3, d: 1e6, e: 2e5, loss: 2.9),
                    run("c", params: 2e3, d: 1e6, e: 1e5, loss: 2.8)]
        let lines = SeriesPlacement.explain(runs: runs, params: ScalingSeries.lossVersusParams(runs), data: ScalingSeries.lossVersusData(runs))
        XCTAssertEqual(lines, ["1 run is not an L(N) point: another run of the same N has a lower best loss: a.",
                               "L(N) has 2 distinct sizes (a, b, c); a fit needs at least 4."])
    }

    func testSeedsOfOneConfigurationAreAveragedNotDropped() {
        // a and b differ only in seed: one L(N) point, their average; neither is "not a point".
        let runs = [run("a", params: 1e3, d: 1e6, e: 1e5, loss: 3), run("b", params: 1e3, d: 1e6, e: 1e5, loss: 2.9)]
            + (2...4).map { run("s\($0)", params: Double($0) * 1e3, d: 1e6, e: 1e5, loss: 3 - Double($0) * 0.1) }
        let series = ScalingSeries.lossVersusParams(runs)
        XCTAssertEqual(series.counts?.first, 2)
        XCTAssertEqual(series.lossNats.first!, (3 * 2.9).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(SeriesPlacement.explain(runs: runs, params: series, data: ScalingSeries.lossVersusData(runs)), [])
    }

    func testAWellDesignedGridNeedsNoExplanation() {
        let runs = (1...4).map { run("s\($0)", params: Double($0) * 1e3, d: 1e6, e: 1e5, loss: 3 - Double($0) * 0.1) }
            + [1e3, 2e3, 5e3, 1e4].map { run("d\(Int($0))", params: 1e3, d: $0, e: 1e5, loss: 3) }
        XCTAssertEqual(SeriesPlacement.explain(runs: runs, params: ScalingSeries.lossVersusParams(runs), data: ScalingSeries.lossVersusData(runs)), [])
    }
}
