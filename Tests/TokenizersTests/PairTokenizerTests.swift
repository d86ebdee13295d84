import Tokenizers
import XCTest

final class PairTokenizerTests: XCTestCase {
    let tok = PairTokenizer(resolution: 2, captionLength: 6)
    var image: RGBImage { RGBImage(width: 2, height: 2, pixels: (0..<12).map { UInt8($0 * 20) }) }

    func testCaptionFirstLayoutAndMask() {
        let r = tok.record(caption: "a b", image: image, order: .captionFirst, counted: .image)
        XCTAssertEqual(r.tokens.count, 1 + 6 + 12)
        XCTAssertEqual(r.tokens[0], 512)
        let expectedCaption: [UInt16] = [353, 288, 354, 515, 515, 515]  // 'a', ' ', 'b' + 256, then pads
        XCTAssertEqual(Array(r.tokens[1..<7]), expectedCaption)
        XCTAssertEqual(Array(r.tokens[7...]), image.pixels.map(UInt16.init))
        XCTAssertEqual(r.mask, [0] + [UInt8](repeating: 0, count: 6) + [UInt8](repeating: 1, count: 12))
    }

    func testImageFirstLayoutAndSecondPartMask() {
        let r = tok.record(caption: "hi", image: image, order: .imageFirst, counted: .second)
        XCTAssertEqual(r.tokens[0], 513)
        XCTAssertEqual(Array(r.tokens[1..<13]), image.pixels.map(UInt16.init))
        let expectedCaption: [UInt16] = [360, 361, 515, 515, 515, 515]  // 'h', 'i' + 256, then pads
        XCTAssertEqual(Array(r.tokens[13...]), expectedCaption)
        XCTAssertEqual(r.mask, [0] + [UInt8](repeating: 0, count: 12) + [UInt8](repeating: 1, count: 6))
    }

    func testBlankFirstReplacesThePartAndNeverCountsIt() {
        let c = tok.record(caption: "abc", image: image, order: .captionFirst, counted: .both, blankFirst: true)
        XCTAssertEqual(Array(c.tokens[1..<7]), [UInt16](repeating: 514, count: 6))
        XCTAssertEqual(Array(c.mask[1..<7]), [UInt8](repeating: 0, count: 6))
        XCTAssertEqual(Array(c.mask[7...]), [UInt8](repeating: 1, count: 12))
        let i = tok.record(caption: "abc", image: image, order: .imageFirst, counted: .both, blankFirst: true)
        XCTAssertEqual(Array(i.tokens[1..<13]), [UInt16](repeating: 514, count: 12))
        XCTAssertEqual(Array(i.mask[1..<13]), [UInt8](repeating: 0, count: 12))
        XCTAssertEqual(try tok.decode(i.tokens).image, nil)
        XCTAssertEqual(try tok.decode(i.tokens).caption, "abc")
    }

    func testCaptionTrimmedAtCharacterBoundary() {
        // "aéééé" is 1 + 2·4 = 9 bytes; 6 bytes hold "aéé" (5 bytes), not half of the third é.
        XCTAssertEqual(tok.trimmedCaption("aéééé"), Array("aéé".utf8))
        XCTAssertEqual(tok.captionTokens("aéééé").last, 515)
    }

    func testDecodeRoundTripBothOrders() throws {
        for order in [PairTokenizer.Order.captionFirst, .imageFirst] {
            let r = tok.record(caption: "cat", image: image, order: order)
            let d = try tok.decode(r.tokens)
            XCTAssertEqual(d.caption, "cat"); XCTAssertEqual(d.image, image)
        }
    }

    func testVocabularyAndDefaults() {
        XCTAssertEqual(PairTokenizer.vocabSize, 516)
        XCTAssertEqual(PairTokenizer(resolution: 32).recordLength, 1 + 128 + 3072)
        let r = PairTokenizer(resolution: 8).record(caption: String(repeating: "x", count: 300), image: RGBImage(width: 8, height: 8),
                                                     order: .captionFirst)
        XCTAssertTrue(r.tokens.allSatisfy { Int($0) < PairTokenizer.vocabSize })
    }
}
