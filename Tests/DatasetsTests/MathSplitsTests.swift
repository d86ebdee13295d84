import Datasets
import XCTest

final class MathSplitsTests: XCTestCase {
    func smallConfig(seed: UInt64 = 11) -> MathSplitConfig {
        var c = MathSplitConfig(seed: seed)
        c.trainCharacters = 60_000
        c.testCharacters = 8_000
        return c
    }

    func testTestQuestionsNeverAppearInTraining() {
        let s = MathSplits.generate(smallConfig())
        let train = s.train.map(\.question), interp = s.interpolate.map(\.question), extra = s.extrapolate.map(\.question)
        XCTAssertEqual(Set(train).count, train.count, "train questions are unique")
        XCTAssertEqual(Set(interp).count, interp.count)
        XCTAssertEqual(Set(extra).count, extra.count)
        XCTAssertTrue(Set(train).isDisjoint(with: interp), "interpolate leaks into train")
        XCTAssertTrue(Set(train).isDisjoint(with: extra), "extrapolate leaks into train")
        XCTAssertTrue(Set(interp).isDisjoint(with: extra))
        XCTAssertGreaterThanOrEqual(MathSplits.characters(s.train), 60_000)
        XCTAssertLessThan(MathSplits.characters(s.train), 60_300, "stops right after the target")
        XCTAssertGreaterThanOrEqual(MathSplits.characters(s.interpolate), 8_000)
    }

    func testEveryModuleInEverySplit() {
        let s = MathSplits.generate(smallConfig())
        let all = Set(MathGenerator.modules.map(\.name))
        XCTAssertEqual(Set(s.train.map(\.module)), all)
        XCTAssertEqual(Set(s.interpolate.map(\.module)), all)
        XCTAssertEqual(Set(s.extrapolate.map(\.module)), all)
    }

    func testSameSeedSameSplitsOtherSeedOtherSplits() {
        let a = MathSplits.generate(smallConfig(seed: 1)), b = MathSplits.generate(smallConfig(seed: 1))
        let c = MathSplits.generate(smallConfig(seed: 2))
        XCTAssertEqual(a.train, b.train)
        XCTAssertEqual(a.extrapolate, b.extrapolate)
        XCTAssertNotEqual(a.train, c.train)
    }

    func testExtrapolationHasBiggerNumbersThanTraining() {
        // The most digits of one number in a question: extrapolation reaches at least as far as
        // every training problem of the same module, for modules whose knob is the size of numbers.
        func longestNumber(_ q: String) -> Int {
            q.split(whereSeparator: { $0 == " " || $0 == "*" }).map { $0.filter(\.isNumber).count }.max() ?? 0
        }
        let s = MathSplits.generate(smallConfig())
        for module in ["arithmetic__add_or_sub", "arithmetic__mul", "numbers__place_value", "numbers__is_prime"] {
            let trainMax = s.train.filter { $0.module == module }.map { longestNumber($0.question) }.max()!
            let extraMin = s.extrapolate.filter { $0.module == module }.map { longestNumber($0.question) }.min()!
            XCTAssertGreaterThanOrEqual(extraMin, trainMax, module)
        }
    }
}
