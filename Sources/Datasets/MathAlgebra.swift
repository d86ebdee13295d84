import WorkbenchCore

/// The algebra modules: `linear_1d`, `linear_2d`, `sequence_next_term`.
///
///     var rng = SeededRNG(seed: 1)
///     MathAlgebra.modules[0].generate(&rng, MathDifficulty(level: 4)).question  // "Solve 0 = 4*b + b + 15 for b."
public enum MathAlgebra {
    public static let modules: [MathModule] = [
        MathModule(name: "algebra__linear_1d", make: { try linear1D(&$0, $1) }),
        MathModule(name: "algebra__linear_2d", make: { try linear2D(&$0, $1) }),
        MathModule(name: "algebra__sequence_next_term", make: { try sequenceNextTerm(&$0, $1) }),
    ]

    /// One linear term of `lhs - rhs`: `coefficient * variable`, or a constant when `variable` is nil.
    typealias Term = (coefficient: Int, variable: String?)

    /// Writes `Σ terms = 0` as an equation: each term lands on a random side (changing sign on
    /// the right), and a constant is added so that `solution` satisfies it.
    static func equation(_ terms: [Term], solution: [String: Int], _ rng: inout SeededRNG) throws -> String {
        var residual = 0
        for t in terms {
            let x = t.variable.map { solution[$0]! } ?? 1
            residual = try Rational.checked(residual, .add, Rational.checked(t.coefficient, .mul, x))
        }
        var all = terms
        if residual != 0 { all.insert((-residual, nil), at: rng.int(in: 0...all.count)) }
        var lhs: [(coefficient: Int, body: String?)] = [], rhs: [(coefficient: Int, body: String?)] = []
        for t in all where t.coefficient != 0 {
            if rng.bool() { lhs.append((t.coefficient, t.variable)) } else { rhs.append((-t.coefficient, t.variable)) }
        }
        return "\(joinSigned(lhs)) = \(joinSigned(rhs))"
    }

    /// Splits `total` into `parts` non-zero-sum pieces (the last piece may be anything).
    static func pieces(of total: Int, parts: Int, digits: Int, _ rng: inout SeededRNG) throws -> [Int] {
        var out: [Int] = [], sum = 0
        for _ in 0..<(parts - 1) {
            let p = rng.signedNonZero(digits: rng.int(in: 1...digits))
            out.append(p); sum += p
        }
        out.append(try Rational.checked(total, .sub, sum))
        return out
    }

    static func linear1D(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let v = rng.pick(variableLetters)
        let x = rng.signed(digits: d.draw({ 1 + $0 / 4 }, &rng))
        let cDigits = d.draw({ 1 + $0 / 5 }, &rng)
        let n = d.draw(MathDifficulty.terms, &rng)
        let variableTerms = rng.int(in: 1...max(1, n - 1))
        let coefficient = rng.signedNonZero(digits: cDigits)
        var terms: [Term] = try pieces(of: coefficient, parts: variableTerms, digits: cDigits, &rng).map { ($0, v) }
        for _ in 0..<(n - variableTerms) { terms.append((rng.signedNonZero(digits: cDigits + 1), nil)) }
        shuffle(&terms, &rng)
        let eq = try equation(terms, solution: [v: x], &rng)
        return ("Solve \(eq) for \(v).", "\(x)")
    }

    static func linear2D(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        var letters = variableLetters
        let v = letters.remove(at: rng.nextInt(below: letters.count)), w = rng.pick(letters)
        let sDigits = d.draw({ 1 + $0 / 4 }, &rng)
        let solution = [v: rng.signed(digits: sDigits), w: rng.signed(digits: sDigits)]
        let cDigits = d.draw({ 1 + $0 / 5 }, &rng)
        var a: [Int] = [], b: [Int] = []
        repeat {
            a = (0..<2).map { _ in rng.signed(digits: cDigits) }
            b = (0..<2).map { _ in rng.signed(digits: cDigits) }
        } while a[0] * b[1] - a[1] * b[0] == 0
        let extra = d.draw(MathDifficulty.terms, &rng) - 2
        var equations: [String] = []
        for i in 0..<2 {
            let split = rng.int(in: 0...max(0, extra / 2))
            var terms: [Term] = try pieces(of: a[i], parts: 1 + split, digits: cDigits, &rng).map { ($0, v) }
            terms += try pieces(of: b[i], parts: 1 + (extra / 2 - split), digits: cDigits, &rng).map { ($0, w) }
            if rng.bool() { terms.append((rng.signedNonZero(digits: cDigits + 1), nil)) }
            shuffle(&terms, &rng)
            equations.append(try equation(terms, solution: solution, &rng))
        }
        return ("Solve \(equations[0]), \(equations[1]) for \(v).", "\(solution[v]!)")
    }

    static func sequenceNextTerm(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let degree = d.draw({ min(3, 1 + $0 / 4) }, &rng)
        let cDigits = d.draw({ 1 + $0 / 3 }, &rng)
        var coefficients = (0...degree).map { _ in rng.signed(digits: rng.int(in: 1...cDigits)) }
        coefficients[degree] = rng.signedNonZero(digits: rng.int(in: 1...max(1, cDigits - 1)))
        let shown = degree + 3
        var values: [Int] = []
        for k in 1...(shown + 1) {
            var y = 0, power = 1
            for c in coefficients {
                y = try Rational.checked(y, .add, Rational.checked(c, .mul, power))
                power = try Rational.checked(power, .mul, k)
            }
            values.append(y)
        }
        let list = values.prefix(shown).map(String.init).joined(separator: ", ")
        let q = rng.pick(["What is next in \(list)?", "What comes next: \(list)?", "What is the next term in \(list)?"])
        return (q, "\(values[shown])")
    }

    static func shuffle<T>(_ items: inout [T], _ rng: inout SeededRNG) {
        let p = rng.permutation(items.count)
        items = p.map { items[$0] }
    }
}
