import Datasets
import Tokenizers
import XCTest
import WorkbenchCore

/// Properties of the generator as a whole: the module list, determinism, difficulty growth.
final class MathGeneratorTests: XCTestCase {
    func testHasTheRequiredModules() {
        let names = Set(MathGenerator.modules.map(\.name))
        let required = ["arithmetic__add_or_sub", "arithmetic__add_sub_multiple", "arithmetic__mul", "arithmetic__div",
                        "arithmetic__mixed", "algebra__linear_1d", "algebra__linear_2d", "algebra__sequence_next_term",
                        "numbers__gcd", "numbers__lcm", "numbers__div_remainder", "numbers__is_prime",
                        "numbers__place_value", "numbers__round_number", "numbers__base_conversion",
                        "comparison__pair", "comparison__sort", "comparison__kth_biggest",
                        "polynomials__evaluate", "calculus__differentiate"]
        XCTAssertTrue(Set(required).isSubset(of: names), "missing: \(Set(required).subtracting(names))")
        XCTAssertGreaterThanOrEqual(names.count, 20)
        XCTAssertEqual(names.count, MathGenerator.modules.count, "module names are unique")
    }

    func testSameSeedGivesSameProblems() {
        for m in MathGenerator.modules {
            XCTAssertEqual(sampleProblems(m.name, perLevel: 5, seed: 3), sampleProblems(m.name, perLevel: 5, seed: 3), m.name)
            XCTAssertNotEqual(sampleProblems(m.name, perLevel: 5, seed: 3), sampleProblems(m.name, perLevel: 5, seed: 4), m.name)
        }
    }

    /// Extrapolation draws every size knob above its training maximum, so questions get longer.
    func testExtrapolationQuestionsAreLongerThanHardestTraining() {
        for m in MathGenerator.modules {
            var rng = SeededRNG(seed: 5)
            func meanLength(_ d: MathDifficulty) -> Double {
                let n = 300
                return Double((0..<n).reduce(0) { acc, _ in acc + m.generate(&rng, d).question.count }) / Double(n)
            }
            let train10 = meanLength(MathDifficulty(level: 10)), extra = meanLength(MathDifficulty(level: 12, beyond: 10))
            let easy = meanLength(MathDifficulty(level: 3))
            XCTAssertGreaterThan(extra, train10, "\(m.name): extrapolation \(extra) vs level 10 \(train10)")
            XCTAssertGreaterThan(train10, easy, "\(m.name): level 10 \(train10) vs level 3 \(easy)")
        }
    }

    func testEveryProblemTokenizesAndFitsARecord() throws {
        let tok = MathTokenizer()
        for m in MathGenerator.modules {
            for p in sampleProblems(m.name, perLevel: 20) {
                let t = try tok.encodeProblem(question: p.question, answer: p.answer)
                XCTAssertLessThan(t.tokens.count, 300, "\(m.name): '\(p.question)'")
                XCTAssertFalse(p.answer.isEmpty || p.question.isEmpty, m.name)
                XCTAssertEqual(p.module, m.name)
            }
        }
    }

    func testDifficultySpans() {
        XCTAssertEqual(MathDifficulty(level: 10).span(MathDifficulty.digits), 4...5)
        XCTAssertEqual(MathDifficulty(level: 12, beyond: 10).span(MathDifficulty.digits), 6...6)
        XCTAssertEqual(MathDifficulty(level: 12, beyond: 10).span { _ in 3 }, 3...3, "a knob that stopped growing")
    }
}
