import WorkbenchCore

/// One math problem as text: a question and its exact answer, written as in the DeepMind
/// mathematics dataset (Saxton et al. 2019), with the module that made it.
///
///     MathProblem(question: "What is 2 + -3?", answer: "-1", module: "arithmetic__add_or_sub")
public struct MathProblem: Hashable, Sendable {
    public var question: String
    public var answer: String
    /// Module name in DeepMind's spelling (`algebra__linear_1d`), or the file name a problem was read from.
    public var module: String
    public init(question: String, answer: String, module: String) {
        self.question = question; self.answer = answer; self.module = module
    }
}

/// How hard a generated problem is. Every module turns `level` into its size knobs (digits of
/// the numbers, number of terms, polynomial degree) through small increasing functions; a knob
/// is drawn from `f(level - 2)...f(level)`. An extrapolation difficulty draws every knob strictly
/// above its largest training value, `f(beyond) + 1 ... f(level)` (falling back to `f(level)`
/// when a knob has stopped growing), so extrapolation problems have bigger numbers and longer
/// expressions than anything in training.
///
///     let easy = MathDifficulty(level: 3)
///     let extrapolate = MathDifficulty(level: 12, beyond: 10)
public struct MathDifficulty: Hashable, Sendable {
    public let level: Int
    /// The largest training level, for extrapolation; `nil` for ordinary draws.
    public let beyond: Int?

    public init(level: Int, beyond: Int? = nil) {
        precondition(level >= 1, "difficulty level starts at 1")
        precondition(beyond == nil || beyond! < level, "extrapolation level must exceed the training range")
        self.level = level; self.beyond = beyond
    }

    /// The range a knob `f` is drawn from at this difficulty.
    public func span(_ f: (Int) -> Int) -> ClosedRange<Int> {
        let hi = f(level)
        let lo = beyond.map { f($0) + 1 } ?? f(max(1, level - 2))
        return min(lo, hi)...hi
    }

    /// One draw of knob `f`.
    public func draw(_ f: (Int) -> Int, _ rng: inout SeededRNG) -> Int { rng.int(in: span(f)) }

    // Knobs shared by several modules. Each one grows from level 10 to level 12.
    /// Digits of the main numbers: 1 at level 1, 5 at 10, 6 at 12.
    public static func digits(_ d: Int) -> Int { (d + 1) / 2 }
    /// Terms of a sum or an equation: 3 at level 3, 5 at 10, 6 at 12.
    public static func terms(_ d: Int) -> Int { 2 + d / 3 }
    /// Decimal places (0 up to level 3, 2 at 10, 3 at 12).
    public static func places(_ d: Int) -> Int { d / 4 }
}

/// One kind of problem (`arithmetic__add_or_sub`, `calculus__differentiate`, …): a seeded
/// function from a difficulty to a question and its answer.
///
///     var rng = SeededRNG(seed: 7)
///     let p = MathGenerator.module(named: "numbers__gcd")!.generate(&rng, MathDifficulty(level: 5))
public struct MathModule: Sendable {
    public let name: String
    let make: @Sendable (inout SeededRNG, MathDifficulty) throws -> (String, String)

    public init(name: String, make: @escaping @Sendable (inout SeededRNG, MathDifficulty) throws -> (String, String)) {
        self.name = name; self.make = make
    }

    /// A problem at `difficulty`; a draw whose exact arithmetic would overflow `Int` is drawn again.
    public func generate(_ rng: inout SeededRNG, _ difficulty: MathDifficulty) -> MathProblem {
        for _ in 0..<1000 {
            if let (q, a) = try? make(&rng, difficulty) { return MathProblem(question: q, answer: a, module: name) }
        }
        preconditionFailure("math module \(name) failed 1000 draws at level \(difficulty.level)")
    }
}

/// Every module of the generator, in a fixed order (the order problems are dealt out in).
///
///     MathGenerator.modules.map(\.name)   // ["arithmetic__add_or_sub", …]
public enum MathGenerator {
    public static let modules: [MathModule] =
        MathArithmetic.modules + MathAlgebra.modules + MathNumbers.modules + MathComparison.modules
        + MathPolynomials.modules

    public static func module(named name: String) -> MathModule? { modules.first { $0.name == name } }
}

extension SeededRNG {
    /// Uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }
    mutating func bool() -> Bool { next() & 1 == 1 }
    mutating func pick<T>(_ items: [T]) -> T { items[nextInt(below: items.count)] }
    /// A non-negative integer with exactly `digits` digits (0...9 for one digit).
    mutating func natural(digits: Int) -> Int {
        if digits <= 1 { return int(in: 0...9) }
        let lo = pow10(digits - 1)
        return int(in: lo...(lo * 10 - 1))
    }
    /// A positive integer with exactly `digits` digits (1...9 for one digit).
    mutating func positive(digits: Int) -> Int { digits <= 1 ? int(in: 1...9) : natural(digits: digits) }
    /// A signed integer with exactly `digits` digits.
    mutating func signed(digits: Int) -> Int { bool() ? -natural(digits: digits) : natural(digits: digits) }
    /// A signed non-zero integer with exactly `digits` digits.
    mutating func signedNonZero(digits: Int) -> Int { bool() ? -positive(digits: digits) : positive(digits: digits) }
}

func pow10(_ n: Int) -> Int {
    var r = 1
    for _ in 0..<n { r *= 10 }
    return r
}

/// A decimal number with `digits` significant digits and `places` decimal places, and its text.
func randomDecimal(_ rng: inout SeededRNG, digits: Int, places: Int) throws -> (Rational, String) {
    let scaled = rng.signed(digits: max(digits, 1))
    let value = try Rational(scaled, pow10(places))
    return (value, try value.decimalString()!)
}

/// `a + b`, `a - b` joined as in algebra: `4*b - 3`, never `4*b + -3`.
func joinSigned(_ terms: [(coefficient: Int, body: String?)]) -> String {
    var out = ""
    for (i, t) in terms.enumerated() {
        let magnitude = t.coefficient.magnitude
        let text: String
        if let body = t.body { text = magnitude == 1 ? body : "\(magnitude)*\(body)" } else { text = "\(magnitude)" }
        if i == 0 { out = (t.coefficient < 0 ? "-" : "") + text } else { out += (t.coefficient < 0 ? " - " : " + ") + text }
    }
    return out.isEmpty ? "0" : out
}

/// A polynomial `Σ c_k v^k` (coefficients by power) written as `-3*x**2 + x - 5`, highest power first.
func polynomialText(_ coefficients: [Int], variable v: String) -> String {
    var terms: [(coefficient: Int, body: String?)] = []
    for k in stride(from: coefficients.count - 1, through: 0, by: -1) where coefficients[k] != 0 {
        terms.append((coefficients[k], k == 0 ? nil : (k == 1 ? v : "\(v)**\(k)")))
    }
    return joinSigned(terms)
}

let variableLetters = Array("abcdfghjklmnpqrstuvwxyz").map(String.init)
