import Analysis
import XCTest

/// The irreducible-loss table's rule: the hull of the fits' intervals, a value only where every fit
/// determines L∞ and the intervals overlap, a note where they disagree; never an intersection.
final class IrreducibleLossTests: XCTestCase {
    func i(_ e: Double, _ lo: Double, _ hi: Double) -> Interval { Interval(estimate: e, lower: lo, upper: hi) }

    /// The `hmm-text` converged design (D = 200·N): L(N)'s interval lies below the oracle's 2.4219
    /// and L(C)'s does not bound L∞; the intersection [2.305, 2.397] would miss the floor, the
    /// hull holds it.
    func testOverlappingFitsGiveTheHull() throws {
        let l = try XCTUnwrap(IrreducibleLoss.combine([("L(N)", i(2.355, 2.305, 2.397), true), ("L(C)", i(2.411, 2.258, 2.491), false),
                                                       ("joint", i(2.384, 2.23, 2.451), true)]))
        XCTAssertFalse(l.determined)
        XCTAssertNil(l.note)
        XCTAssertEqual(l.interval.lower, 2.23); XCTAssertEqual(l.interval.upper, 2.491)
        XCTAssertTrue(l.interval.contains(2.4219))
        XCTAssertEqual(l.text, "bounds [2.23, 2.491]")
        XCTAssertEqual(l.sources, ["L(N)", "L(C)", "joint"])
        // Every fit determined: the joint law's estimate in the hull.
        let d = try XCTUnwrap(IrreducibleLoss.combine([("L(N)", i(2.355, 2.305, 2.397), true), ("L(C)", i(2.40, 2.30, 2.45), true),
                                                       ("joint", i(2.384, 2.23, 2.451), true)]))
        XCTAssertTrue(d.determined)
        XCTAssertEqual(d.interval, i(2.384, 2.23, 2.451))
        XCTAssertEqual(d.text, "2.384 [2.23, 2.451]")
    }

    func testWithoutAJointFitTheEstimateIsLOfNs() throws {
        let l = try XCTUnwrap(IrreducibleLoss.combine([("L(N)", i(1.9, 1.8, 2.0), true), ("L(C)", i(1.95, 1.85, 2.1), true)]))
        XCTAssertTrue(l.determined)
        XCTAssertEqual(l.interval, i(1.9, 1.8, 2.1))
        XCTAssertNil(IrreducibleLoss.combine([]))
    }

    func testDisagreeingFitsGiveTheHullAndSaySo() throws {
        let l = try XCTUnwrap(IrreducibleLoss.combine([("L(N)", i(2.481, 2.445, 2.504), true), ("L(C)", i(1.0, 0, 2.381), false),
                                                       ("joint", i(2.406, 0, 2.488), false)]))
        XCTAssertFalse(l.determined)
        XCTAssertEqual(l.interval.lower, 0); XCTAssertEqual(l.interval.upper, 2.504)
        let note = try XCTUnwrap(l.note)
        XCTAssertTrue(note.hasPrefix("the fits disagree: L(N) [2.445, 2.504], L(C) [0, 2.381], joint [0, 2.488]"), note)
        XCTAssertTrue(note.hasSuffix("all of them together allow [0, 2.504]"), note)
    }
}
