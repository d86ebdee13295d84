import Datasets
import Foundation
import XCTest

/// Polynomial answers checked independently: evaluation with the tests' evaluator, derivatives by
/// the tests' own term parser and power rule, compared with the answer at more points than its degree.
final class MathPolynomialsTests: XCTestCase {
    func testEvaluateMatchesSubstitution() {
        checkEvery("polynomials__evaluate") { p in
            guard let c = captures("Let ([a-z])\\(([a-z])\\) = (.+)\\. (?:What is|Calculate|Give|Determine) ([a-z])\\((-?\\d+)\\)[.?]",
                                   p.question) else { throw CheckError("unknown form") }
            try expect(c[0] == c[3], "calls another function")
            let y = try ExpressionEvaluator.evaluate(c[2], [c[1]: parseNumber(c[4])])
            try expect(p.answer == y.description, "substitution gives \(y)")
        }
    }

    /// Coefficients by power of a polynomial written as `-3*x**2 + x - 5`, read term by term.
    func coefficients(_ text: String, variable v: String) throws -> [Int: Int] {
        var out: [Int: Int] = [:]
        for raw in text.replacingOccurrences(of: " - ", with: " + -").components(separatedBy: " + ") {
            var t = Substring(raw), sign = 1
            if t.hasPrefix("-") { sign = -1; t = t.dropFirst() }
            var coefficient = 1, power = 0
            let factors = t.components(separatedBy: "*").filter { !$0.isEmpty }   // "3", "x", "2" for 3*x**2
            var i = 0
            if let n = Int(factors[0]) { coefficient = n; i = 1 }
            if i < factors.count {
                try expect(factors[i] == v, "unexpected factor '\(factors[i])' in '\(raw)'")
                power = i + 1 < factors.count ? Int(factors[i + 1])! : 1
            }
            out[power, default: 0] += sign * coefficient
        }
        return out
    }

    func testDifferentiateMatchesThePowerRule() {
        let orders = ["first": 1, "second": 2, "third": 3]
        checkEvery("calculus__differentiate") { p in
            let poly: String, v: String, order: Int
            if let c = captures("Differentiate (.+) (?:with respect to|wrt) ([a-z])\\.", p.question)
                ?? captures("What is the derivative of (.+) wrt ([a-z])\\?", p.question) {
                (poly, v, order) = (c[0], c[1], 1)
            } else if let c = captures("(?:Find|What is|Calculate) the (first|second|third) derivative of (.+) wrt ([a-z])[.?]", p.question) {
                (poly, v, order) = (c[1], c[2], orders[c[0]]!)
            } else if let c = captures("(?:Differentiate (.+)\\.|What is the derivative of (.+)\\?)", p.question) {
                let text = c[0].isEmpty ? c[1] : c[0]
                let letters = Set(text.filter(\.isLetter).map(String.init))
                try expect(letters.count == 1, "one variable expected without 'wrt'")
                (poly, v, order) = (text, letters.first!, 1)
            } else if let c = captures("Find the (second|third) derivative of (.+)\\.", p.question) {
                let letters = Set(c[1].filter(\.isLetter).map(String.init))
                try expect(letters.count == 1, "one variable expected without 'wrt'")
                (poly, v, order) = (c[1], letters.first!, orders[c[0]]!)
            } else { throw CheckError("unknown form") }
            var c = try coefficients(poly, variable: v)
            for x in -3...3 { // the term parser agrees with the evaluator
                let direct = try ExpressionEvaluator.evaluate(poly, [v: Q(x)])
                let viaTerms = c.reduce(0) { $0 + $1.value * Int(pow(Double(x), Double($1.key))) }
                try expect(direct == (try Q(viaTerms)), "term parser disagrees with the evaluator at \(x)")
            }
            for _ in 0..<order {
                c = Dictionary(uniqueKeysWithValues: c.filter { $0.key > 0 }.map { ($0.key - 1, $0.key * $0.value) })
            }
            // Degrees stay below 7, so agreement at 7 points means the polynomials are equal.
            for x in -3...3 {
                let want = c.reduce(0) { $0 + $1.value * Int(pow(Double(x), Double($1.key))) }
                try expect(try ExpressionEvaluator.evaluate(p.answer, [v: Q(x)]) == Q(want), "derivative differs at \(v) = \(x)")
            }
            try expect(c.values.contains { $0 != 0 } || p.answer == "0", "zero derivative must be written 0")
        }
    }
}
