import WorkbenchCore

/// The comparison modules: `pair`, `sort`, `kth_biggest`, over integers, decimals and fractions.
///
///     var rng = SeededRNG(seed: 1)
///     MathComparison.modules[1].generate(&rng, MathDifficulty(level: 4)).answer   // e.g. "-2, 0.3, 5"
public enum MathComparison {
    public static let modules: [MathModule] = [
        MathModule(name: "comparison__pair", make: { try pair(&$0, $1) }),
        MathModule(name: "comparison__sort", make: { try sort(&$0, $1) }),
        MathModule(name: "comparison__kth_biggest", make: { try kthBiggest(&$0, $1) }),
    ]

    /// An integer, a decimal or a fraction, with its text (`-12`, `0.35`, `-3/7`).
    static func number(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (Rational, String) {
        let digits = d.draw(MathDifficulty.digits, &rng)
        switch rng.int(in: 0...2) {
        case 0:
            let v = rng.signed(digits: digits)
            return (Rational(v), "\(v)")
        case 1:
            return try randomDecimal(&rng, digits: digits, places: rng.int(in: 1...(1 + MathDifficulty.places(d.level))))
        default:
            let den = rng.int(in: 2...max(2, pow10(max(1, digits - 1)) - 1))
            let v = try Rational(rng.signedNonZero(digits: rng.int(in: 1...digits)), den)
            return (v, v.description)
        }
    }

    /// `count` numbers with pairwise different values.
    static func distinctNumbers(_ count: Int, _ rng: inout SeededRNG, _ d: MathDifficulty) throws -> [(Rational, String)] {
        var out: [(Rational, String)] = []
        var seen = Set<Rational>()
        for _ in 0..<(count * 20) where out.count < count {
            let n = try number(&rng, d)
            if seen.insert(n.0).inserted { out.append(n) }
        }
        guard out.count == count else { throw MathOverflow.redraw }
        return out
    }

    static func pair(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let ns = try distinctNumbers(2, &rng, d)
        let (a, at) = ns[0]
        // A quarter of the yes/no questions compare a number with itself.
        let (b, bt) = rng.int(in: 0...3) == 0 ? ns[0] : ns[1]
        func tf(_ x: Bool) -> String { x ? "True" : "False" }
        switch rng.int(in: 0...9) {
        case 0: return ("Which is greater: \(at) or \(ns[1].1)?", a > ns[1].0 ? at : ns[1].1)
        case 1: return ("Which is bigger: \(at) or \(ns[1].1)?", a > ns[1].0 ? at : ns[1].1)
        case 2: return ("Which is smaller: \(at) or \(ns[1].1)?", a < ns[1].0 ? at : ns[1].1)
        case 3: return ("Is \(at) less than \(bt)?", tf(a < b))
        case 4: return ("Is \(at) greater than \(bt)?", tf(a > b))
        case 5: return ("Is \(at) bigger than \(bt)?", tf(a > b))
        case 6: return ("Is \(at) smaller than \(bt)?", tf(a < b))
        case 7: return ("Is \(at) at least \(bt)?", tf(a >= b))
        case 8: return ("Is \(at) at most \(bt)?", tf(a <= b))
        default: return ("Are \(at) and \(bt) equal?", tf(a == b))
        }
    }

    static func count(_ rng: inout SeededRNG, _ d: MathDifficulty) -> Int { d.draw({ 2 + $0 / 3 }, &rng) }

    static func sort(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let ns = try distinctNumbers(count(&rng, d), &rng, d)
        let list = ns.map(\.1).joined(separator: ", ")
        let descending = rng.bool()
        let sorted = ns.sorted { descending ? $0.0 > $1.0 : $0.0 < $1.0 }.map(\.1).joined(separator: ", ")
        let q = descending
            ? rng.pick(["Sort \(list) in descending order.", "Put \(list) in decreasing order."])
            : rng.pick(["Sort \(list) in ascending order.", "Put \(list) in increasing order.", "Sort \(list)."])
        return (q, sorted)
    }

    static let ordinals = ["", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]

    static func kthBiggest(_ rng: inout SeededRNG, _ d: MathDifficulty) throws -> (String, String) {
        let ns = try distinctNumbers(count(&rng, d), &rng, d)
        let list = ns.map(\.1).joined(separator: ", ")
        let k = rng.int(in: 1...ns.count)
        let biggest = rng.bool()
        let answer = ns.sorted { biggest ? $0.0 > $1.0 : $0.0 < $1.0 }[k - 1].1
        let word = biggest ? "biggest" : "smallest"
        let which = k == 1 ? word : "\(ordinals[k]) \(word)"
        let q = rng.pick(["What is the \(which) value in \(list)?", "Which is the \(which) value in \(list)?"])
        return (q, answer)
    }
}
