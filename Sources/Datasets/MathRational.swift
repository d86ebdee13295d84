/// An exact fraction of two `Int`s, always in lowest terms with a positive denominator, for the
/// math generator's answers (never floating point). Every operation checks for overflow and
/// throws `MathOverflow` instead of wrapping, so a generator can draw again.
///
///     let x = try Rational(-4, 6)             // -2/3
///     let y = try x + Rational(1)             // 1/3
///     y.description                           // "1/3"
///     try Rational(1, 8).decimalString()      // "0.125"
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let numerator: Int
    /// Always > 0.
    public let denominator: Int

    public init(_ value: Int) { numerator = value; denominator = 1 }

    public init(_ numerator: Int, _ denominator: Int) throws {
        guard denominator != 0 else { throw MathOverflow.divisionByZero }
        guard numerator != Int.min, denominator != Int.min else { throw MathOverflow.overflow }
        let g = Rational.gcd(numerator, denominator)
        var n = numerator / g, d = denominator / g
        if d < 0 { n = -n; d = -d }
        self.numerator = n; self.denominator = d
    }

    /// Greatest common divisor of |a| and |b| (gcd(0, 0) = 1 so it can always divide).
    public static func gcd(_ a: Int, _ b: Int) -> Int {
        var x = a.magnitude, y = b.magnitude
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : Int(x)
    }

    public var isInteger: Bool { denominator == 1 }

    public static func + (a: Rational, b: Rational) throws -> Rational {
        let g = gcd(a.denominator, b.denominator)
        let n = try checked(checked(a.numerator, .mul, b.denominator / g), .add, checked(b.numerator, .mul, a.denominator / g))
        return try Rational(n, checked(a.denominator / g, .mul, b.denominator))
    }

    public static prefix func - (a: Rational) throws -> Rational {
        try Rational(checked(0, .sub, a.numerator), a.denominator)
    }

    public static func - (a: Rational, b: Rational) throws -> Rational { try a + (-b) }

    public static func * (a: Rational, b: Rational) throws -> Rational {
        let g1 = gcd(a.numerator, b.denominator), g2 = gcd(b.numerator, a.denominator)
        return try Rational(checked(a.numerator / g1, .mul, b.numerator / g2),
                            checked(a.denominator / g2, .mul, b.denominator / g1))
    }

    public static func / (a: Rational, b: Rational) throws -> Rational {
        guard b.numerator != 0 else { throw MathOverflow.divisionByZero }
        return try a * Rational(b.denominator, b.numerator)
    }

    /// `self` raised to a non-negative integer power.
    public func power(_ exponent: Int) throws -> Rational {
        precondition(exponent >= 0, "negative exponent")
        var result = Rational(1)
        for _ in 0..<exponent { result = try result * self }
        return result
    }

    public static func < (a: Rational, b: Rational) -> Bool {
        // Compare a.n * b.d with b.n * a.d without overflow, in 128-bit products.
        let l = a.numerator.multipliedFullWidth(by: b.denominator)
        let r = b.numerator.multipliedFullWidth(by: a.denominator)
        return (l.high, l.low) < (r.high, r.low)
    }

    /// `-3/7`, `5` — the DeepMind dataset's way of writing a fraction.
    public var description: String { isInteger ? "\(numerator)" : "\(numerator)/\(denominator)" }

    /// The exact decimal expansion (`-0.125`, `42`), or `nil` when the denominator has prime
    /// factors other than 2 and 5 (the expansion would not end).
    public func decimalString() throws -> String? {
        var d = denominator, twos = 0, fives = 0
        while d % 2 == 0 { d /= 2; twos += 1 }
        while d % 5 == 0 { d /= 5; fives += 1 }
        guard d == 1 else { return nil }
        let places = max(twos, fives)
        var scale = 1
        for _ in 0..<places { scale = try Rational.checked(scale, .mul, 10) }
        let scaled = try Rational.checked(numerator, .mul, scale / denominator)
        return MathFormat.decimal(scaled: scaled, places: places)
    }

    enum Op { case add, sub, mul }

    static func checked(_ a: Int, _ op: Op, _ b: Int) throws -> Int {
        let r: (partialValue: Int, overflow: Bool)
        switch op {
        case .add: r = a.addingReportingOverflow(b)
        case .sub: r = a.subtractingReportingOverflow(b)
        case .mul: r = a.multipliedReportingOverflow(by: b)
        }
        guard !r.overflow, r.partialValue != Int.min else { throw MathOverflow.overflow }
        return r.partialValue
    }
}

/// Why an exact computation could not be done, or a draw was rejected (a rounding tie, equal
/// bases, …); the generator draws a new problem.
public enum MathOverflow: Error, Equatable {
    case overflow, divisionByZero, redraw
}

/// Number formatting shared by the math modules, written as the DeepMind dataset writes numbers.
///
///     MathFormat.decimal(scaled: -125, places: 3)   // "-0.125"
///     MathFormat.decimal(scaled: 1200, places: 2)   // "12"
public enum MathFormat {
    /// The decimal `scaled / 10^places`, trailing zeros (and a bare point) removed.
    public static func decimal(scaled: Int, places: Int) -> String {
        let negative = scaled < 0
        var digits = String(scaled.magnitude)
        if places > 0 {
            if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
            var intPart = String(digits.prefix(digits.count - places))
            var frac = String(digits.suffix(places))
            while frac.hasSuffix("0") { frac.removeLast() }
            if intPart.isEmpty { intPart = "0" }
            digits = frac.isEmpty ? intPart : intPart + "." + frac
        }
        return (negative && digits != "0" ? "-" : "") + digits
    }

    /// An integer written in `base` (2...36) with lowercase digits, `-` for negatives.
    public static func integer(_ value: Int, base: Int) -> String {
        String(value, radix: base, uppercase: false)
    }
}
