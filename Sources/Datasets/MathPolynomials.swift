import WorkbenchCore

/// The polynomial and calculus modules: `polynomials__evaluate`, `calculus__differentiate`.
///
///     var rng = SeededRNG(seed: 1)
///     MathPolynomials.modules[1].generate(&rng, MathDifficulty(level: 4)).question
///     // e.g. "Differentiate -3*x**2 + 5 with respect to x."
public enum MathPolynomials {
    public static let modules: [MathModule] = [
        MathModule(name: "polynomials__evaluate", make: { try evaluate(&$0, $1) }),
        MathModule(name: "calculus__differentiate", make: { try differentiate(&$0, $1) }),
    ]

    /// Coefficients (by power) of a random polynomial of exactly `degree`, some lower terms zero.
    static func randomPolynomial(degree: Int, digits: Int, _ rng: inout SeededRNG) -> [Int] {
        var c = (0...degree).map { _ in rng.int(in: 0...2) == 0 ? 0 : rng.signedNonZero(digits: rng.int(in: 1...digits)) }
        c[degree] = rng.signedNonZero(digits: rng.int(in: 1...digits))
        return c
    }

    static func evaluate(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let degree = d.draw({ 1 + $0 / 4 }, &rng)
        let c = randomPolynomial(degree: degree, digits: d.draw({ 1 + $0 / 5 }, &rng), &rng)
        var letters = variableLetters
        let f = letters.remove(at: rng.nextInt(below: letters.count)), v = rng.pick(letters)
        let x = rng.int(in: -(1 + d.level / 2)...(1 + d.level / 2))
        var y = 0, power = 1
        for ck in c {
            y = try Rational.checked(y, .add, Rational.checked(ck, .mul, power))
            power = try Rational.checked(power, .mul, x)
        }
        let def = "Let \(f)(\(v)) = \(polynomialText(c, variable: v))."
        let call = "\(f)(\(x))"
        let q = rng.pick(["\(def) What is \(call)?", "\(def) Calculate \(call).", "\(def) Give \(call).",
                          "\(def) Determine \(call)."])
        return (q, "\(y)")
    }

    static let orderWords = ["", "first", "second", "third"]

    static func differentiate(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let degree = d.draw({ 1 + $0 / 3 }, &rng)
        let order = rng.int(in: 1...max(1, min(3, degree - 1, 1 + d.level / 4)))
        var c = randomPolynomial(degree: degree, digits: d.draw({ 1 + $0 / 4 }, &rng), &rng)
        let v = rng.pick(variableLetters)
        let p = polynomialText(c, variable: v)
        for _ in 0..<order {
            // d/dv Σ c_k v^k = Σ k c_k v^(k-1)
            c = try (1..<c.count).map { k in try Rational.checked(k, .mul, c[k]) }
        }
        let answer = polynomialText(c, variable: v)
        let q: String
        if order == 1 {
            q = rng.pick(["Differentiate \(p) with respect to \(v).", "Differentiate \(p) wrt \(v).",
                          "What is the derivative of \(p) wrt \(v)?", "Find the first derivative of \(p) wrt \(v).",
                          "Differentiate \(p).", "What is the derivative of \(p)?"])
        } else {
            let o = orderWords[order]
            q = rng.pick(["What is the \(o) derivative of \(p) wrt \(v)?", "Find the \(o) derivative of \(p) wrt \(v).",
                          "Calculate the \(o) derivative of \(p) wrt \(v).", "Find the \(o) derivative of \(p)."])
        }
        return (q, answer)
    }
}
