import Analysis
import Foundation
import XCTest
import WorkbenchCore

final class BootstrapTests: XCTestCase {
    func testIntervalTextShowsAMissingIntervalInWords() {
        XCTAssertEqual(Interval(estimate: 0.13, lower: 0.11, upper: 0.15).text(2), "0.13 [0.11, 0.15]")
        XCTAssertEqual(Interval(estimate: 5.28, lower: .nan, upper: .nan).text(3), "5.28 (no interval)")
    }

    func testPercentileInterpolatesLinearly() {
        XCTAssertEqual(Bootstrap.percentile([4, 1, 3, 2, 5], 0.5), 3)
        XCTAssertEqual(Bootstrap.percentile([1, 2, 3, 4, 5], 0.125), 1.5, accuracy: 1e-12)
        XCTAssertTrue(Bootstrap.percentile([], 0.5).isNaN)
    }

    func testConfidenceBandContainsTheFittedCurve() throws {
        let (x, y) = SyntheticSeries.make(count: 30, seed: 8)
        let est = try ProfileFitter().fit(x: x, y: y).estimate()
        let xs = [1e3, 1e5, 1e7, 1e9]
        for (xv, b) in zip(xs, est.band(at: xs)) {
            XCTAssertLessThanOrEqual(b.lower, est.fit.law(xv) * 1.001)
            XCTAssertGreaterThanOrEqual(b.upper, est.fit.law(xv) * 0.999)
            XCTAssertLessThan(b.upper - b.lower, 0.2 * est.fit.law(xv))
        }
    }
}
