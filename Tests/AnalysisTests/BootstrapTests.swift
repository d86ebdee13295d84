import Analysis
import Foundation
import XCTest
import WorkbenchCore

final class BootstrapTests: XCTestCase {
    func testGroupResamplingDrawsWholeRuns() {
        var rng = SeededRNG(seed: 5)
        let groups = [0, 0, 0, 1, 1, 2, 2, 2, 2]
        for _ in 0..<50 {
            let w = Bootstrap.weights(count: groups.count, groups: groups, rng: &rng)
            // All points of a run share its count, and 3 runs are drawn in total.
            XCTAssertEqual(Set(w[0...2]).count, 1)
            XCTAssertEqual(Set(w[3...4]).count, 1)
            XCTAssertEqual(Set(w[5...8]).count, 1)
            XCTAssertEqual(w[0] + w[3] + w[5], 3)
        }
        let p = Bootstrap.weights(count: 10, groups: nil, rng: &rng)
        XCTAssertEqual(p.reduce(0, +), 10)
    }

    func testIntervalTextShowsAMissingIntervalInWords() {
        XCTAssertEqual(Interval(estimate: 0.13, lower: 0.11, upper: 0.15).text(2), "0.13 [0.11, 0.15]")
        XCTAssertEqual(Interval(estimate: 5.28, lower: .nan, upper: .nan).text(3), "5.28 (no interval)")
    }

    func testPercentileInterpolatesLinearly() {
        XCTAssertEqual(Bootstrap.percentile([4, 1, 3, 2, 5], 0.5), 3)
        XCTAssertEqual(Bootstrap.percentile([1, 2, 3, 4, 5], 0.125), 1.5, accuracy: 1e-12)
        XCTAssertTrue(Bootstrap.percentile([], 0.5).isNaN)
    }

    func testBootstrapIsReproducibleWhateverTheThreadCount() throws {
        let (x, y) = SyntheticSeries.make(count: 40, seed: 77)
        let saved = Parallel.workers
        defer { Parallel.workers = saved }
        Parallel.workers = 1
        let one = try PowerLawFitter().bootstrap(x: x, y: y, resamples: 64, seed: 9)
        Parallel.workers = 2
        let two = try PowerLawFitter().bootstrap(x: x, y: y, resamples: 64, seed: 9)
        XCTAssertEqual(one.exponent, two.exponent)
        XCTAssertEqual(one.lossInfinity, two.lossInfinity)
        XCTAssertEqual(one.samples.map(\.exponent), two.samples.map(\.exponent))
        let other = try PowerLawFitter().bootstrap(x: x, y: y, resamples: 64, seed: 10)
        XCTAssertNotEqual(one.exponent.lower, other.exponent.lower)
    }

    func testConfidenceBandContainsTheFittedCurve() throws {
        let (x, y) = SyntheticSeries.make(count: 30, seed: 8)
        let est = try PowerLawFitter().bootstrap(x: x, y: y, resamples: 200, seed: 1)
        let xs = [1e3, 1e5, 1e7, 1e9]
        for (xv, b) in zip(xs, est.band(at: xs)) {
            XCTAssertLessThanOrEqual(b.lower, est.fit.law(xv) * 1.001)
            XCTAssertGreaterThanOrEqual(b.upper, est.fit.law(xv) * 0.999)
            XCTAssertLessThan(b.upper - b.lower, 0.2 * est.fit.law(xv))
        }
    }
}
