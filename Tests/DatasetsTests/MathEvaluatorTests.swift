import Datasets
import Foundation
import XCTest
import WorkbenchCore

// An exact evaluator written for the tests, independent of the generator (which never parses):
// its own fraction type, its own number parser, its own recursive-descent expression parser.
// The module tests read a generated question back with it and check the answer.

struct CheckError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A fraction for checking: n/d in lowest terms, d > 0, every operation overflow-checked.
struct Q: Equatable, Hashable, Comparable, CustomStringConvertible {
    let n: Int, d: Int
    init(_ n: Int, _ d: Int = 1) throws {
        guard d != 0 else { throw CheckError("division by zero") }
        var a = n.magnitude, b = d.magnitude
        while b != 0 { (a, b) = (b, a % b) }
        let g = Int(max(a, 1))
        self.n = (d < 0 ? -n : n) / g; self.d = d.magnitude == 0 ? 1 : Int(d.magnitude) / g
    }
    static func mul(_ a: Int, _ b: Int) throws -> Int {
        let r = a.multipliedReportingOverflow(by: b)
        guard !r.overflow else { throw CheckError("overflow in check") }
        return r.partialValue
    }
    static func add(_ a: Int, _ b: Int) throws -> Int {
        let r = a.addingReportingOverflow(b)
        guard !r.overflow else { throw CheckError("overflow in check") }
        return r.partialValue
    }
    static func + (a: Q, b: Q) throws -> Q { try Q(add(mul(a.n, b.d), mul(b.n, a.d)), mul(a.d, b.d)) }
    static func - (a: Q, b: Q) throws -> Q { try a + Q(-b.n, b.d) }
    static func * (a: Q, b: Q) throws -> Q { try Q(mul(a.n, b.n), mul(a.d, b.d)) }
    static func / (a: Q, b: Q) throws -> Q { try Q(mul(a.n, b.d), mul(a.d, b.n)) }
    static func < (a: Q, b: Q) -> Bool {
        let l = a.n.multipliedFullWidth(by: b.d), r = b.n.multipliedFullWidth(by: a.d)
        return (l.high, l.low) < (r.high, r.low)
    }
    var description: String { d == 1 ? "\(n)" : "\(n)/\(d)" }
    var isInteger: Bool { d == 1 }
}

/// Parses `42`, `-0.125`, `-3/7` into an exact fraction.
func parseNumber(_ text: String) throws -> Q {
    let s = text.trimmingCharacters(in: .whitespaces)
    if let slash = s.firstIndex(of: "/") {
        guard let n = Int(s[..<slash]), let d = Int(s[s.index(after: slash)...]) else { throw CheckError("bad fraction '\(text)'") }
        return try Q(n, d)
    }
    let negative = s.hasPrefix("-")
    let body = negative ? String(s.dropFirst()) : s
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts[0].isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
        throw CheckError("bad number '\(text)'")
    }
    var scale = 1
    for _ in 0..<(parts.count == 2 ? parts[1].count : 0) { scale = try Q.mul(scale, 10) }
    guard let v = Int(parts.joined()) else { throw CheckError("bad number '\(text)'") }
    return try Q(negative ? -v : v, scale)
}

/// Recursive descent: expr = term {(+|-) term}; term = unary {(*|/) unary};
/// unary = - unary | power; power = primary [** unary]; primary = number | name | ( expr ).
struct ExpressionEvaluator {
    let chars: [Character]
    var pos = 0
    let variables: [String: Q]

    static func evaluate(_ text: String, _ variables: [String: Q] = [:]) throws -> Q {
        var p = ExpressionEvaluator(chars: Array(text), variables: variables)
        let v = try p.expr()
        p.skipSpaces()
        guard p.pos == p.chars.count else { throw CheckError("unparsed text at \(p.pos) in '\(text)'") }
        return v
    }

    mutating func skipSpaces() { while pos < chars.count && chars[pos] == " " { pos += 1 } }
    mutating func peek(_ s: String) -> Bool {
        skipSpaces()
        let c = Array(s)
        return pos + c.count <= chars.count && Array(chars[pos..<(pos + c.count)]) == c
    }
    mutating func expr() throws -> Q {
        var v = try term()
        while true {
            if peek("+") { pos += 1; v = try v + term() } else if peek("-") { pos += 1; v = try v - term() } else { return v }
        }
    }
    mutating func term() throws -> Q {
        var v = try unary()
        while true {
            if peek("**") { return v }
            if peek("*") { pos += 1; v = try v * unary() } else if peek("/") { pos += 1; v = try v / unary() } else { return v }
        }
    }
    mutating func unary() throws -> Q {
        if peek("-") { pos += 1; return try Q(0) - unary() }
        return try power()
    }
    mutating func power() throws -> Q {
        let base = try primary()
        guard peek("**") else { return base }
        pos += 2
        let e = try unary()
        guard e.isInteger, e.n >= 0 else { throw CheckError("exponent \(e) not a natural number") }
        var r = try Q(1)
        for _ in 0..<e.n { r = try r * base }
        return r
    }
    mutating func primary() throws -> Q {
        skipSpaces()
        guard pos < chars.count else { throw CheckError("expression ends early") }
        if chars[pos] == "(" {
            pos += 1
            let v = try expr()
            guard peek(")") else { throw CheckError("missing ) at \(pos)") }
            pos += 1
            return v
        }
        var s = ""
        if chars[pos].isNumber {
            while pos < chars.count && (chars[pos].isNumber || chars[pos] == ".") { s.append(chars[pos]); pos += 1 }
            return try parseNumber(s)
        }
        while pos < chars.count && chars[pos].isLetter { s.append(chars[pos]); pos += 1 }
        guard let v = variables[s] else { throw CheckError("unknown name '\(s)' at \(pos)") }
        return v
    }
}

/// The capture groups of the first match of `pattern` over the whole of `text`, or nil.
func captures(_ pattern: String, _ text: String) -> [String]? {
    let re = try! NSRegularExpression(pattern: "^" + pattern + "$")
    let ns = text as NSString
    guard let m = re.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else { return nil }
    return (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
}

/// Fails unless `ok`, with `message`.
func expect(_ ok: Bool, _ message: @autoclosure () -> String) throws {
    if !ok { throw CheckError(message()) }
}

/// Problems of `module` at training levels 3, 5, 8, 10 and at extrapolation level 12, seeded.
func sampleProblems(_ module: String, perLevel: Int = 40, seed: UInt64 = 99) -> [MathProblem] {
    guard let m = MathGenerator.module(named: module) else { XCTFail("no module \(module)"); return [] }
    var rng = SeededRNG(seed: seed)
    var out: [MathProblem] = []
    for level in [3, 5, 8, 10] { for _ in 0..<perLevel { out.append(m.generate(&rng, MathDifficulty(level: level))) } }
    for _ in 0..<perLevel { out.append(m.generate(&rng, MathDifficulty(level: 12, beyond: 10))) }
    return out
}

/// Runs `check` on sampled problems of `module`, failing with the problem's text on any error.
func checkEvery(_ module: String, file: StaticString = #filePath, line: UInt = #line,
                _ check: (MathProblem) throws -> Void) {
    let problems = sampleProblems(module)
    XCTAssertFalse(problems.isEmpty, file: file, line: line)
    for p in problems {
        do { try check(p) } catch { XCTFail("\(module): '\(p.question)' -> '\(p.answer)': \(error)", file: file, line: line) }
    }
}

/// Evaluates `text` after removing one of `prefixes` and the final `.` or `?`; nil if no prefix fits.
func evaluateAfterPrefix(_ text: String, _ prefixes: [String]) throws -> Q? {
    for prefix in prefixes where text.hasPrefix(prefix) && (text.hasSuffix("?") || text.hasSuffix(".")) {
        return try ExpressionEvaluator.evaluate(String(text.dropFirst(prefix.count).dropLast()))
    }
    return nil
}

/// A decimal answer written as the dataset writes it: no fraction, no trailing zeros, no `-0`.
func checkDecimalFormat(_ answer: String) throws {
    try expect(!answer.contains("/"), "decimal answer '\(answer)' is a fraction")
    try expect(answer != "-0", "negative zero")
    if answer.contains(".") { try expect(!answer.hasSuffix("0") && !answer.hasSuffix("."), "trailing zero in '\(answer)'") }
}

final class MathEvaluatorTests: XCTestCase {
    func testEvaluatorFollowsPrecedenceAndSigns() throws {
        XCTAssertEqual(try ExpressionEvaluator.evaluate("2 + 3*4"), try Q(14))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("(-4)/(-2)*(-1)/3"), try Q(-2, 3))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("0.1 - -2"), try Q(21, 10))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("2*-3"), try Q(-6))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("3 - (5 - 8) + -4"), try Q(2))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("12/(2*3)/4"), try Q(1, 2))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("-x**2 + 2*x", ["x": Q(3)]), try Q(-3))
        XCTAssertEqual(try ExpressionEvaluator.evaluate("2*x**3", ["x": Q(-2)]), try Q(-16))
        XCTAssertThrowsError(try ExpressionEvaluator.evaluate("2 +"))
        XCTAssertThrowsError(try ExpressionEvaluator.evaluate("y + 1"))
    }

    func testNumberParser() throws {
        XCTAssertEqual(try parseNumber("-3/7"), try Q(-3, 7))
        XCTAssertEqual(try parseNumber("-0.125"), try Q(-1, 8))
        XCTAssertEqual(try parseNumber("42"), try Q(42))
        XCTAssertThrowsError(try parseNumber("4."))
        XCTAssertThrowsError(try parseNumber("x"))
    }
}
