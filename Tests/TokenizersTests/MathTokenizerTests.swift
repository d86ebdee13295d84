import Tokenizers
import XCTest

final class MathTokenizerTests: XCTestCase {
    func testVocabularyCoversPrintableASCIIAndSpecials() throws {
        let tok = MathTokenizer()
        XCTAssertLessThanOrEqual(MathTokenizer.vocabSize, 128)
        let printable = String((32...126).map { Character(Unicode.Scalar(UInt8($0))) })
        let ids = try tok.encode(printable)
        XCTAssertEqual(ids.count, 95)
        XCTAssertEqual(Set(ids).count, 95, "every character has its own id")
        XCTAssertTrue(ids.allSatisfy { Int($0) < MathTokenizer.vocabSize })
        let specials: Set<UInt16> = [MathTokenizer.pad, MathTokenizer.separator, MathTokenizer.end]
        XCTAssertEqual(specials.count, 3)
        XCTAssertTrue(specials.isDisjoint(with: ids), "special tokens never collide with characters")
        XCTAssertEqual(tok.decode(ids), printable)
        XCTAssertEqual(try tok.encode(" "), [3])
        XCTAssertEqual(try tok.encode("~"), [97])
    }

    func testProblemLayoutAndMask() throws {
        let tok = MathTokenizer()
        let p = try tok.encodeProblem(question: "What is 2 + 3?", answer: "5")
        XCTAssertEqual(p.tokens.count, 14 + 1 + 1 + 1)
        XCTAssertEqual(p.tokens[14], MathTokenizer.separator)
        XCTAssertEqual(p.tokens.last, MathTokenizer.end)
        XCTAssertEqual(p.mask, [UInt8](repeating: 0, count: 15) + [1, 1], "mask on the answer and the end token only")
        XCTAssertEqual(tok.decode(p.tokens), "What is 2 + 3?|5$")
    }

    func testNonASCIIIsRejectedWithItsPosition() {
        XCTAssertThrowsError(try MathTokenizer().encode("x = 3\u{00B7}4")) { error in
            let e = error as? MathTokenizer.UnsupportedCharacter
            XCTAssertEqual(e?.offset, 5)
            XCTAssertEqual(e?.scalar, 0xB7)
            XCTAssertTrue("\(error)".contains("U+B7"), "\(error)")
        }
        XCTAssertThrowsError(try MathTokenizer().encode("a\nb"), "newline is not a character of a problem")
    }
}
