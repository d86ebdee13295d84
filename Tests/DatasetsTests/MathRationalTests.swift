import Datasets
import XCTest

/// The exact fraction type against hand-computed values.
final class MathRationalTests: XCTestCase {
    func testArithmeticInLowestTerms() throws {
        let a = try Rational(-4, 6), b = try Rational(3, -4)
        XCTAssertEqual(a.numerator, -2); XCTAssertEqual(a.denominator, 3)
        XCTAssertEqual(b.description, "-3/4")
        XCTAssertEqual(try (a + b).description, "-17/12")
        XCTAssertEqual(try (a - b).description, "1/12")
        XCTAssertEqual(try (a * b).description, "1/2")
        XCTAssertEqual(try (a / b).description, "8/9")
        XCTAssertEqual(try Rational(5, 5).description, "1")
        XCTAssertEqual(try Rational(-2, 3).power(3).description, "-8/27")
        XCTAssertTrue(b < a)
        XCTAssertTrue(try Rational(Int.max / 2, 3) < Rational(Int.max / 2, 2), "comparison does not overflow")
    }

    func testOverflowAndDivisionByZeroThrow() {
        XCTAssertThrowsError(try Rational(Int.max) + Rational(1)) { XCTAssertEqual($0 as? MathOverflow, .overflow) }
        XCTAssertThrowsError(try Rational(1 << 40) * Rational(1 << 40))
        XCTAssertThrowsError(try Rational(1, 0)) { XCTAssertEqual($0 as? MathOverflow, .divisionByZero) }
        XCTAssertThrowsError(try Rational(1) / Rational(0))
    }

    func testDecimalStrings() throws {
        XCTAssertEqual(try Rational(-1, 8).decimalString(), "-0.125")
        XCTAssertEqual(try Rational(1200, 100).decimalString(), "12")
        XCTAssertEqual(try Rational(7, 20).decimalString(), "0.35")
        XCTAssertNil(try Rational(1, 3).decimalString())
        XCTAssertEqual(MathFormat.decimal(scaled: -5, places: 3), "-0.005")
        XCTAssertEqual(MathFormat.decimal(scaled: 0, places: 2), "0")
        XCTAssertEqual(MathFormat.integer(-255, base: 16), "-ff")
    }
}
