import Foundation
import Tokenizers
import XCTest

/// The hand-written GPT-2 pattern, checked on splits worked out by hand from the regex
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
final class GPT2PreTokenizerTests: XCTestCase {
    private func split(_ s: String) -> [String] {
        GPT2PreTokenizer.pieces(of: Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    func testWordsNumbersAndPunctuationTakeOneLeadingSpace() {
        XCTAssertEqual(split("Hello, world's 42!"), ["Hello", ",", " world", "'s", " 42", "!"])
        XCTAssertEqual(split("a1b2"), ["a", "1", "b", "2"])
        XCTAssertEqual(split("x ...!? y"), ["x", " ...!?", " y"])
    }

    func testContractionsAreCaseSensitiveAndOnlyAtAPieceStart() {
        XCTAssertEqual(split("we're they've I'll he'd I'm"), ["we", "'re", " they", "'ve", " I", "'ll", " he", "'d", " I", "'m"])
        XCTAssertEqual(split("IT'S"), ["IT", "'", "S"])
        XCTAssertEqual(split(" 's"), [" '", "s"])
        XCTAssertEqual(split("\"'s"), ["\"'", "s"])
    }

    func testWhitespaceRunsLeaveTheirLastSpaceToTheNextWord() {
        XCTAssertEqual(split("a   b"), ["a", "  ", " b"])
        XCTAssertEqual(split("a \n b"), ["a", " \n", " b"])
        XCTAssertEqual(split("a\nb"), ["a", "\n", "b"])
        XCTAssertEqual(split("a\n\nb"), ["a", "\n", "\n", "b"])
        XCTAssertEqual(split("end   "), ["end", "   "])
        XCTAssertEqual(split("  "), ["  "])
    }

    func testUnicodeClassesFollowGeneralCategories() {
        XCTAssertEqual(split("naïve café"), ["naïve", " café"])
        XCTAssertEqual(split("e\u{301}"), ["e", "\u{301}"], "a combining mark (Mn) is neither letter nor number")
        XCTAssertEqual(split("x\u{3000}y"), ["x", "\u{3000}", "y"], "U+3000 is White_Space")
        XCTAssertEqual(split("\u{2163}\u{661}"), ["\u{2163}\u{661}"], "Nl and Nd are both numbers")
        XCTAssertEqual(split("中文 字"), ["中文", " 字"])
    }

    func testInvalidUTF8BytesCountAsPunctuationAndAllBytesAreCovered() {
        let bytes: [UInt8] = [0x61, 0xFF, 0x21, 0x20, 0xC3, 0x62, 0xE2, 0x82, 0xAC]  // a, bad, !, space, bad, b, €
        let pieces = GPT2PreTokenizer.pieces(of: bytes)
        XCTAssertEqual(pieces, [[0x61], [0xFF, 0x21], [0x20, 0xC3], [0x62], [0xE2, 0x82, 0xAC]])
        XCTAssertEqual(pieces.flatMap { $0 }, bytes)
    }
}
