import WorkbenchCore

/// The arithmetic modules: `add_or_sub`, `add_sub_multiple`, `mul`, `div`, `mixed`.
///
///     var rng = SeededRNG(seed: 1)
///     MathArithmetic.modules[0].generate(&rng, MathDifficulty(level: 4)).question  // "Sum -3.4 and 27."
public enum MathArithmetic {
    public static let modules: [MathModule] = [
        MathModule(name: "arithmetic__add_or_sub", make: { try addOrSub(&$0, $1) }),
        MathModule(name: "arithmetic__add_sub_multiple", make: { try addSubMultiple(&$0, $1) }),
        MathModule(name: "arithmetic__mul", make: { try mul(&$0, $1) }),
        MathModule(name: "arithmetic__div", make: { try div(&$0, $1) }),
        MathModule(name: "arithmetic__mixed", make: { try mixed(&$0, $1) }),
    ]

    static func decimalOperand(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (Rational, String) {
        try randomDecimal(&rng, digits: d.draw(MathDifficulty.digits, &rng),
                          places: rng.int(in: 0...MathDifficulty.places(d.level)))
    }

    static func addOrSub(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let (a, at) = try decimalOperand(&rng, d), (b, bt) = try decimalOperand(&rng, d)
        if rng.bool() {
            let q = rng.pick(["What is \(at) + \(bt)?", "Calculate \(at) + \(bt).", "Work out \(at) + \(bt).",
                              "Add \(at) and \(bt).", "Sum \(at) and \(bt).", "Total of \(at) and \(bt).",
                              "Put together \(at) and \(bt).", "What is \(at) plus \(bt)?", "\(at) + \(bt)"])
            return (q, try (a + b).decimalString()!)
        }
        let q = rng.pick(["What is \(at) - \(bt)?", "Calculate \(at) - \(bt).", "Work out \(at) - \(bt).",
                          "Subtract \(bt) from \(at).", "Take away \(bt) from \(at).",
                          "What is \(bt) less than \(at)?", "What is \(at) take away \(bt)?", "\(at) - \(bt)"])
        return (q, try (a - b).decimalString()!)
    }

    /// A random sum of `leaves` integers with nested brackets: `3 - (-2 + 7) + -4`.
    static func randomSum(_ rng: inout SeededRNG, leaves: Int, digits: Int) throws -> (Rational, String, Bool) {
        if leaves == 1 {
            let v = rng.signed(digits: rng.int(in: 1...digits))
            return (Rational(v), "\(v)", false)
        }
        let left = rng.int(in: 1...(leaves - 1))
        let (l, lt, _) = try randomSum(&rng, leaves: left, digits: digits)
        let (r, rt, rCompound) = try randomSum(&rng, leaves: leaves - left, digits: digits)
        let rText = rCompound ? "(\(rt))" : rt
        if rng.bool() { return (try l + r, "\(lt) + \(rText)", true) }
        return (try l - r, "\(lt) - \(rText)", true)
    }

    static func addSubMultiple(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let leaves = d.draw(MathDifficulty.terms, &rng)
        let (v, e, _) = try randomSum(&rng, leaves: leaves, digits: d.draw({ 1 + $0 / 4 }, &rng))
        let q = rng.pick(["Evaluate \(e).", "What is \(e)?", "Calculate \(e).", "What is the value of \(e)?",
                          "Work out \(e).", "\(e)"])
        return (q, v.description)
    }

    static func mul(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let (a, at) = try decimalOperand(&rng, d), (b, bt) = try decimalOperand(&rng, d)
        let q = rng.pick(["Multiply \(at) and \(bt).", "What is the product of \(at) and \(bt)?",
                          "Product of \(at) and \(bt).", "Calculate \(at)*\(bt).", "What is \(at) times \(bt)?",
                          "Work out \(at) * \(bt).", "\(at) * \(bt)"])
        return (q, try (a * b).decimalString()!)
    }

    static func div(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let digits = d.draw(MathDifficulty.digits, &rng)
        let b = rng.signedNonZero(digits: max(1, rng.int(in: 1...digits)))
        // Half the questions divide exactly, as in the dataset; the others have a fraction answer.
        let a = rng.bool() ? try Rational.checked(b, .mul, rng.signed(digits: digits)) : rng.signed(digits: digits)
        let (at, bt) = ("\(a)", "\(b)")
        let q = rng.pick(["Divide \(at) by \(bt).", "What is \(at) divided by \(bt)?", "Calculate \(at) divided by \(bt).",
                          "\(at) divided by \(bt)", "Work out \(at) / \(bt).", "Calculate \(at)/\(bt)."])
        return (q, try (Rational(a) / Rational(b)).description)
    }

    /// An expression tree over + - * / written with the brackets it needs, negative numbers in
    /// brackets as in the dataset: `(-4)/(-2)*(-1)/3`.
    indirect enum Expr {
        case leaf(Int)
        case node(Character, Expr, Expr)

        func value() throws -> Rational {
            switch self {
            case .leaf(let v): return Rational(v)
            case let .node(op, l, r):
                let a = try l.value(), b = try r.value()
                switch op {
                case "+": return try a + b
                case "-": return try a - b
                case "*": return try a * b
                default: return try a / b
                }
            }
        }

        var isSum: Bool { if case .node(let op, _, _) = self { return op == "+" || op == "-" } else { return false } }
        var isNode: Bool { if case .node = self { return true } else { return false } }

        var text: String {
            switch self {
            case .leaf(let v): return v < 0 ? "(\(v))" : "\(v)"
            case let .node(op, l, r):
                let lt = (op == "*" || op == "/") && l.isSum ? "(\(l.text))" : l.text
                let needsRight = (op == "-" && r.isSum) || (op == "*" && r.isSum) || (op == "/" && r.isNode)
                let rt = needsRight ? "(\(r.text))" : r.text
                return op == "*" || op == "/" ? "\(lt)\(op)\(rt)" : "\(lt) \(op) \(rt)"
            }
        }
    }

    static func randomExpr(_ rng: inout SeededRNG, leaves: Int, digits: Int) -> Expr {
        if leaves == 1 { return .leaf(rng.signedNonZero(digits: rng.int(in: 1...digits))) }
        let left = rng.int(in: 1...(leaves - 1))
        let l = randomExpr(&rng, leaves: left, digits: digits)
        let r = randomExpr(&rng, leaves: leaves - left, digits: digits)
        return .node(rng.pick(["+", "-", "*", "/", "*", "/"]), l, r)
    }

    static func mixed(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let leaves = d.draw({ 2 + $0 / 4 }, &rng)
        let e = randomExpr(&rng, leaves: leaves, digits: d.draw({ ($0 + 3) / 4 }, &rng))
        let v = try e.value()
        let q = rng.pick(["Calculate \(e.text).", "What is the value of \(e.text)?", "Evaluate \(e.text).",
                          "What is \(e.text)?", "\(e.text)"])
        return (q, v.description)
    }
}
