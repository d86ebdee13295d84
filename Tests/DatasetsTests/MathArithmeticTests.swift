import Datasets
import XCTest

/// Arithmetic answers checked by reading the question back and evaluating it with the tests' own
/// exact evaluator.
final class MathArithmeticTests: XCTestCase {
    let expressionPrefixes = ["What is the value of ", "What is ", "Calculate ", "Evaluate ", "Work out "]
    let num = "(-?[0-9.]+)"

    func testAddOrSubAnswersMatchIndependentEvaluation() {
        checkEvery("arithmetic__add_or_sub") { p in
            let q = p.question
            let expected: Q
            if let c = captures("(?:Add|Sum|Total of|Put together) \(num) and \(num)\\.", q) ?? captures("What is \(num) plus \(num)\\?", q) {
                expected = try parseNumber(c[0]) + parseNumber(c[1])
            } else if let c = captures("(?:Subtract|Take away) \(num) from \(num)\\.", q) ?? captures("What is \(num) less than \(num)\\?", q) {
                expected = try parseNumber(c[1]) - parseNumber(c[0])
            } else if let c = captures("What is \(num) take away \(num)\\?", q) {
                expected = try parseNumber(c[0]) - parseNumber(c[1])
            } else {
                expected = try evaluateAfterPrefix(q, expressionPrefixes) ?? ExpressionEvaluator.evaluate(q)
            }
            try expect(try parseNumber(p.answer) == expected, "expected \(expected)")
            try checkDecimalFormat(p.answer)
        }
    }

    func testAddSubMultipleAnswersMatchIndependentEvaluation() {
        checkEvery("arithmetic__add_sub_multiple") { p in
            let v = try evaluateAfterPrefix(p.question, expressionPrefixes) ?? ExpressionEvaluator.evaluate(p.question)
            try expect(p.answer == v.description, "expected \(v)")
            try expect(!p.question.contains("*") && !p.question.contains("/"), "only + and - allowed")
        }
    }

    func testMulAnswersMatchIndependentEvaluation() {
        checkEvery("arithmetic__mul") { p in
            let q = p.question
            let expected: Q
            if let c = captures("(?:Multiply|Product of) \(num) and \(num)\\.", q)
                ?? captures("What is the product of \(num) and \(num)\\?", q) ?? captures("What is \(num) times \(num)\\?", q) {
                expected = try parseNumber(c[0]) * parseNumber(c[1])
            } else {
                expected = try evaluateAfterPrefix(q, expressionPrefixes) ?? ExpressionEvaluator.evaluate(q)
            }
            try expect(try parseNumber(p.answer) == expected, "expected \(expected)")
            try checkDecimalFormat(p.answer)
        }
    }

    func testDivAnswersAreExactFractionsInLowestTerms() {
        checkEvery("arithmetic__div") { p in
            let q = p.question
            let expected: Q
            if let c = captures("Divide \(num) by \(num)\\.", q) ?? captures("What is \(num) divided by \(num)\\?", q)
                ?? captures("Calculate \(num) divided by \(num)\\.", q) ?? captures("\(num) divided by \(num)", q) {
                expected = try parseNumber(c[0]) / parseNumber(c[1])
            } else if let v = try evaluateAfterPrefix(q, expressionPrefixes) {
                expected = v
            } else { throw CheckError("unknown question form") }
            // Q's description is the lowest-terms `n/d` with the sign on n, the dataset's format.
            try expect(p.answer == expected.description, "expected \(expected)")
        }
    }

    func testMixedAnswersMatchIndependentEvaluation() {
        var fractions = 0
        checkEvery("arithmetic__mixed") { p in
            let v = try evaluateAfterPrefix(p.question, expressionPrefixes) ?? ExpressionEvaluator.evaluate(p.question)
            try expect(p.answer == v.description, "expected \(v)")
            if !v.isInteger { fractions += 1 }
        }
        XCTAssertGreaterThan(fractions, 10, "mixed should often have fraction answers")
    }
}
