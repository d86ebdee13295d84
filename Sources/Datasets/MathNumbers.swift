import WorkbenchCore

/// The number-theory modules: `gcd`, `lcm`, `div_remainder`, `is_prime`, `is_factor`,
/// `place_value`, `round_number`, `base_conversion`.
///
///     var rng = SeededRNG(seed: 1)
///     MathNumbers.modules[0].generate(&rng, MathDifficulty(level: 6)).answer   // e.g. "12"
public enum MathNumbers {
    public static let modules: [MathModule] = [
        MathModule(name: "numbers__gcd", make: { try gcd(&$0, $1) }),
        MathModule(name: "numbers__lcm", make: { try lcm(&$0, $1) }),
        MathModule(name: "numbers__div_remainder", make: { try divRemainder(&$0, $1) }),
        MathModule(name: "numbers__is_prime", make: { try isPrime(&$0, $1) }),
        MathModule(name: "numbers__is_factor", make: { try isFactor(&$0, $1) }),
        MathModule(name: "numbers__place_value", make: { try placeValue(&$0, $1) }),
        MathModule(name: "numbers__round_number", make: { try roundNumber(&$0, $1) }),
        MathModule(name: "numbers__base_conversion", make: { try baseConversion(&$0, $1) }),
    ]

    /// Two numbers sharing a random common factor, so the answers are not mostly 1.
    static func pairWithCommonFactor(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (Int, Int) {
        let g = rng.positive(digits: d.draw({ 1 + $0 / 4 }, &rng))
        let x = rng.positive(digits: d.draw({ 1 + $0 / 3 }, &rng)), y = rng.positive(digits: d.draw({ 1 + $0 / 3 }, &rng))
        return (try Rational.checked(g, .mul, x), try Rational.checked(g, .mul, y))
    }

    static func gcd(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let (a, b) = try pairWithCommonFactor(&rng, d)
        let q = rng.pick(["Calculate the greatest common divisor of \(a) and \(b).",
                          "What is the greatest common factor of \(a) and \(b)?",
                          "What is the highest common factor of \(a) and \(b)?",
                          "Calculate the highest common divisor of \(a) and \(b)."])
        return (q, "\(Rational.gcd(a, b))")
    }

    static func lcm(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let (a, b) = try pairWithCommonFactor(&rng, d)
        guard a > 1, b > 1 else { throw MathOverflow.redraw }
        let l = try Rational.checked(a / Rational.gcd(a, b), .mul, b)
        if rng.bool() {
            // "What is the common denominator of -3/8 and 11/12?": numerators coprime to the denominators.
            func fraction(_ den: Int, _ rng: inout SeededRNG) -> String {
                var n = 1
                repeat { n = rng.signedNonZero(digits: rng.int(in: 1...2)) } while Rational.gcd(n, den) != 1
                return "\(n)/\(den)"
            }
            let fa = fraction(a, &rng), fb = fraction(b, &rng)
            let q = rng.pick(["What is the common denominator of \(fa) and \(fb)?",
                              "Find the common denominator of \(fa) and \(fb)."])
            return (q, "\(l)")
        }
        let q = rng.pick(["Calculate the least common multiple of \(a) and \(b).",
                          "What is the lowest common multiple of \(a) and \(b)?",
                          "What is the smallest common multiple of \(a) and \(b)?"])
        return (q, "\(l)")
    }

    static func divRemainder(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let digits = d.draw(MathDifficulty.digits, &rng)
        let b = rng.int(in: 2...max(2, pow10(rng.int(in: 1...max(1, digits - 1))) - 1))
        let a = rng.int(in: (b + 1)...max(b + 1, pow10(digits + 1) - 1))
        let q = rng.pick(["What is the remainder when \(a) is divided by \(b)?",
                          "Calculate the remainder when \(a) is divided by \(b).",
                          "What is the remainder when \(a) is divided by \(b)?"])
        return (q, "\(a % b)")
    }

    /// Primality by trial division over 6k ± 1.
    static func isPrimeNumber(_ n: Int) -> Bool {
        if n < 2 { return false }
        if n < 4 { return true }
        if n % 2 == 0 || n % 3 == 0 { return false }
        var f = 5
        while f * f <= n {
            if n % f == 0 || n % (f + 2) == 0 { return false }
            f += 6
        }
        return true
    }

    static func isPrime(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let digits = d.draw({ 1 + ($0 + 1) / 2 }, &rng)
        var n = rng.positive(digits: digits)
        if rng.bool() { while !isPrimeNumber(n) { n += 1 } } // half the questions ask about a prime
        else if n % 2 == 0 && rng.bool() { n += 1 } // composites include odd ones, not only even
        let prime = isPrimeNumber(n)
        switch rng.int(in: 0...3) {
        case 0: return ("Is \(n) a prime number?", prime ? "True" : "False")
        case 1: return ("Is \(n) prime?", prime ? "True" : "False")
        case 2: return ("Is \(n) composite?", !prime && n > 1 ? "True" : "False")
        default: return ("Is \(n) a composite number?", !prime && n > 1 ? "True" : "False")
        }
    }

    static func isFactor(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let a = rng.int(in: 2...max(2, pow10(d.draw({ 1 + $0 / 4 }, &rng)) - 1))
        let multiple = try Rational.checked(a, .mul, rng.positive(digits: d.draw({ 1 + $0 / 3 }, &rng)))
        let b = rng.bool() ? multiple : multiple + rng.int(in: 1...(a - 1))
        let yes = b % a == 0 ? "True" : "False"
        switch rng.int(in: 0...2) {
        case 0: return ("Is \(a) a factor of \(b)?", yes)
        case 1: return ("Does \(a) divide \(b)?", yes)
        default: return ("Is \(b) a multiple of \(a)?", yes)
        }
    }

    static let placeNames = ["units", "tens", "hundreds", "thousands", "ten thousands", "hundred thousands",
                             "millions", "ten millions", "hundred millions"]

    static func placeValue(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let digits = min(placeNames.count, d.draw({ 1 + $0 / 2 }, &rng))
        let n = rng.positive(digits: digits)
        let place = rng.int(in: 0...(digits - 1))
        let digit = n / pow10(place) % 10
        return ("What is the \(placeNames[place]) digit of \(n)?", "\(digit)")
    }

    static let powerNames = [1: "ten", 2: "one hundred", 3: "one thousand", 4: "ten thousand",
                             5: "one hundred thousand", 6: "one million", 7: "ten million"]
    static let countWords = ["zero", "one", "two", "three", "four", "five", "six", "seven"]

    /// `value` rounded to a multiple of `unit`; `nil` on a tie, which the module avoids.
    static func rounded(_ value: Int, unit: Int) -> Int? {
        let r = value % unit          // sign of value
        if 2 * r.magnitude == unit.magnitude { return nil }
        if 2 * r.magnitude < unit.magnitude { return value - r }
        return value - r + (value < 0 ? -unit : unit)
    }

    static func roundNumber(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let digits = d.draw({ 2 + $0 / 2 }, &rng)
        if rng.bool() {
            // An integer to the nearest power of ten.
            let power = rng.int(in: 1...min(7, digits - 1))
            let n = rng.signed(digits: digits)
            guard let r = rounded(n, unit: pow10(power)) else { throw MathOverflow.redraw }
            let unit = rng.bool() ? powerNames[power]! : "\(pow10(power))"
            let q = rng.pick(["Round \(n) to the nearest \(unit).", "What is \(n) rounded to the nearest \(unit)?"])
            return (q, "\(r)")
        }
        // A decimal to some decimal places (0 places = the nearest integer).
        let places = rng.int(in: 1...(2 + d.level / 3))
        let keep = rng.int(in: 0...(places - 1))
        let scaled = rng.signedNonZero(digits: digits)
        guard let r = rounded(scaled, unit: pow10(places - keep)) else { throw MathOverflow.redraw }
        let x = MathFormat.decimal(scaled: scaled, places: places)
        let answer = MathFormat.decimal(scaled: r, places: places)
        guard x.contains(".") else { throw MathOverflow.redraw }
        if keep == 0 {
            return (rng.pick(["Round \(x) to the nearest integer.", "What is \(x) rounded to the nearest integer?"]), answer)
        }
        let k = rng.bool() ? "\(keep)" : countWords[keep]
        let (placeWord, dpWord) = keep == 1 ? ("decimal place", "dp") : ("decimal places", "dps")
        let q = rng.pick(["Round \(x) to \(k) \(placeWord).", "Round \(x) to \(k) \(dpWord).",
                          "What is \(x) rounded to \(k) \(placeWord)?"])
        return (q, answer)
    }

    static func baseConversion(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let n = rng.signedNonZero(digits: d.draw({ 1 + $0 / 2 }, &rng))
        var from = rng.int(in: 2...16), to = rng.int(in: 2...16)
        if rng.bool() { if rng.bool() { from = 10 } else { to = 10 } }
        guard from != to else { throw MathOverflow.redraw }
        let x = MathFormat.integer(n, base: from)
        let q = rng.pick(["What is \(x) (base \(from)) in base \(to)?", "Convert \(x) (base \(from)) to base \(to).",
                          "\(x) (base \(from)) to base \(to)"])
        return (q, MathFormat.integer(n, base: to))
    }
}
