import Datasets
import XCTest

/// Algebra answers checked independently: equations by substituting the answer, 2×2 systems by
/// Cramer's rule on coefficients read off by evaluation, sequences by finite differences.
final class MathAlgebraTests: XCTestCase {
    /// `lhs - rhs` of an equation `L = R` at the given values.
    func residual(_ equation: String, _ values: [String: Q]) throws -> Q {
        let sides = equation.components(separatedBy: " = ")
        try expect(sides.count == 2, "not one '=' in '\(equation)'")
        return try ExpressionEvaluator.evaluate(sides[0], values) - ExpressionEvaluator.evaluate(sides[1], values)
    }

    func testLinear1DAnswerSatisfiesTheEquationUniquely() {
        checkEvery("algebra__linear_1d") { p in
            guard let c = captures("Solve (.+) for ([a-z])\\.", p.question) else { throw CheckError("unknown form") }
            let x = try parseNumber(p.answer)
            try expect(x.isInteger, "integer solution")
            try expect(try residual(c[0], [c[1]: x]) == Q(0), "answer does not satisfy the equation")
            try expect(try residual(c[0], [c[1]: x + Q(1)]) != Q(0), "equation holds for every value")
        }
    }

    func testLinear2DAnswerMatchesCramersRule() {
        checkEvery("algebra__linear_2d") { p in
            guard let c = captures("Solve (.+ = .+), (.+ = .+) for ([a-z])\\.", p.question) else { throw CheckError("unknown form") }
            let v = c[2]
            let letters = Set((c[0] + c[1]).filter(\.isLetter).map(String.init))
            try expect(letters.count == 2 && letters.contains(v), "two unknowns expected, found \(letters)")
            let w = letters.subtracting([v]).first!
            // Each equation is a*v + b*w + k = 0: read a, b, k by evaluating at three points.
            var rows: [(a: Q, b: Q, k: Q)] = []
            for eq in [c[0], c[1]] {
                let k = try residual(eq, [v: Q(0), w: Q(0)])
                rows.append((try residual(eq, [v: Q(1), w: Q(0)]) - k, try residual(eq, [v: Q(0), w: Q(1)]) - k, k))
            }
            let det = try rows[0].a * rows[1].b - rows[1].a * rows[0].b
            try expect(det != Q(0), "system has no unique solution")
            // a0 v + b0 w = -k0, a1 v + b1 w = -k1  =>  v = (-k0 b1 + k1 b0) / det
            let solution = try (Q(0) - rows[0].k * rows[1].b + rows[1].k * rows[0].b) / det
            try expect(try parseNumber(p.answer) == solution, "Cramer gives \(solution)")
        }
    }

    func testSequenceNextTermMatchesFiniteDifferences() {
        checkEvery("algebra__sequence_next_term") { p in
            guard let c = captures("(?:What is next in|What comes next:|What is the next term in) (.+)\\?", p.question) else {
                throw CheckError("unknown form")
            }
            var rows = [c[0].components(separatedBy: ", ").map { Int($0)! }]
            while Set(rows.last!).count > 1 {
                let r = rows.last!
                try expect(r.count > 2, "differences never become constant: not enough terms to fix the next one")
                rows.append(zip(r.dropFirst(), r).map { $0 - $1 })
            }
            // The last row is constant over at least two entries; extend every row by one.
            let next = rows.reduce(0) { $0 + $1.last! }
            try expect(p.answer == "\(next)", "finite differences give \(next)")
        }
    }
}
