import Datasets
import Tokenizers
import XCTest

final class MathPackingTests: XCTestCase {
    func problems(_ n: Int) -> [MathProblem] {
        (0..<n).map { i in
            MathProblem(question: "What is \(i) + \(i * 37)? " + String(repeating: "x", count: i % 50), answer: "\(i * 38)", module: "m")
        }
    }

    func testRecordsHoldWholeProblemsWithAnswerMasks() throws {
        let ps = problems(200)
        let packed = try MathPacking.pack(ps, recordLength: 513)
        let tokens = packed.split.tokens, mask = packed.split.mask!
        XCTAssertEqual(tokens.count % 513, 0)
        XCTAssertEqual(packed.records, tokens.count / 513)
        XCTAssertEqual(packed.answerTokens, ps.reduce(0) { $0 + $1.answer.count + 1 })
        XCTAssertEqual(packed.answerTokens, mask.reduce(0) { $0 + Int($1) })
        // Read every record alone: it must hold only whole problems, in order.
        var readBack: [String] = []
        for r in 0..<packed.records {
            let rec = Array(tokens[(r * 513)..<((r + 1) * 513)])
            XCTAssertNotEqual(rec[0], MathTokenizer.pad, "a record starts with a problem")
            let whole = MathPacking.unpack(rec)
            // The last non-pad token of a record ends a problem.
            XCTAssertEqual(rec.last { $0 != MathTokenizer.pad }, MathTokenizer.end)
            readBack += whole.map { "\($0.question)=\($0.answer)" }
        }
        XCTAssertEqual(readBack, ps.map { "\($0.question)=\($0.answer)" })
        // Mask is 1 exactly between a separator (exclusive) and an end token (inclusive).
        var inAnswer = false
        for (t, m) in zip(tokens, mask) {
            if t == MathTokenizer.separator { XCTAssertEqual(m, 0); inAnswer = true; continue }
            XCTAssertEqual(m, inAnswer ? 1 : 0)
            if t == MathTokenizer.end { inAnswer = false }
            if t == MathTokenizer.pad { XCTAssertEqual(m, 0) }
        }
        // Greedy packing wastes less than one problem per record.
        XCTAssertLessThan(packed.padTokens, packed.records * 120)
    }

    func testTooLongProblemIsNamed() {
        let long = MathProblem(question: String(repeating: "1", count: 600), answer: "1", module: "numbers__big")
        XCTAssertThrowsError(try MathPacking.pack([long], recordLength: 513)) { error in
            XCTAssertTrue("\(error)".contains("numbers__big"), "\(error)")
            XCTAssertTrue("\(error)".contains("603 tokens"), "\(error)")
        }
    }

    func testExactFitNeedsNoPad() throws {
        // 9 question chars + sep + 1 answer char + end = 12 tokens; two problems fill a record of 24.
        let p = MathProblem(question: "123456789", answer: "7", module: "m")
        let packed = try MathPacking.pack([p, p, p], recordLength: 24)
        XCTAssertEqual(packed.records, 2)
        XCTAssertEqual(packed.padTokens, 12)
        XCTAssertEqual(Array(packed.split.tokens[12..<24]), Array(packed.split.tokens[0..<12]))
    }
}
