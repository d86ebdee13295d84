import Datasets
import Foundation
import Tokenizers
import XCTest

/// Reads the tiny colour-bitmap fonts written by tools/images/make_samples.py.
final class EmojiCaptionsTests: XCTestCase {
    let names = ImageSampleFiles.url("tiny-UnicodeData.txt")
    // (200, 0, 0) opaque, (0, 160, 0) opaque, and (0, 0, 250) at alpha 128 over white.
    let heart: (UInt8, UInt8, UInt8) = (127, 127, 252)

    func testCmap12FontLargestStrikeFormats1And4() throws {
        let items = try EmojiCaptions.items(font: ImageSampleFiles.url("tiny-emoji-cmap12.ttf"), unicodeData: names, resolution: 3)
        // U+0041 (below U+00A9) and U+1F3FB (skin tone) are excluded; U+1F680 has no bitmap.
        XCTAssertEqual(items.map(\.codePoint), [0x2764, 0x1F431, 0x1F600])
        XCTAssertEqual(items.map(\.caption), ["heavy black heart", "cat face", "grinning face"])
        // Heart: 3x2 squared on white to 3x3 (blank bottom row), no resize needed.
        let h = items[0].image
        for y in 0..<2 { for x in 0..<3 { XCTAssertTrue(h[x, y] == heart, "heart \(x),\(y)") } }
        for x in 0..<3 { XCTAssertTrue(h[x, 2] == (255, 255, 255)) }
        XCTAssertEqual(items[1].image, RGBImage(width: 3, height: 3, fill: (0, 160, 0)))
        // The ppem-40 strike's red glyph, not the ppem-20 strike's yellow one.
        XCTAssertEqual(items[2].image, RGBImage(width: 3, height: 3, fill: (200, 0, 0)))
    }

    func testCmap4FontWithRangeOffsetsAndEmptyGlyphs() throws {
        let font = try OpenTypeTables(bytes: [UInt8](try Data(contentsOf: ImageSampleFiles.url("tiny-emoji-cmap4.ttf"))), name: "b")
        let cmap = try font.characterMap()
        XCTAssertEqual(cmap[0x2600], 5); XCTAssertNil(cmap[0x2601])
        XCTAssertEqual(cmap[0x263A], 1); XCTAssertEqual(cmap[0x2764], 2)
        let strike = try ColorBitmapFont.largestStrike(font)
        XCTAssertEqual(strike.ppem, 30)
        XCTAssertEqual(Set(strike.pngs.keys), [1, 2, 5])
        let items = try EmojiCaptions.items(font: ImageSampleFiles.url("tiny-emoji-cmap4.ttf"), unicodeData: names, resolution: 2)
        XCTAssertEqual(items.map(\.caption), ["black sun with rays", "white smiling face", "heavy black heart"])
        XCTAssertEqual(items[0].image, RGBImage(width: 2, height: 2, fill: (0, 160, 0)))
    }

    func testNotAFontAndTruncatedFontAreNamed() throws {
        XCTAssertThrowsError(try EmojiCaptions.items(font: ImageSampleFiles.url("rgb8.png"), unicodeData: names, resolution: 2)) { e in
            XCTAssertTrue("\(e)".contains("rgb8.png") && "\(e)".contains("not a TrueType"), "\(e)")
        }
        let bytes = [UInt8](try Data(contentsOf: ImageSampleFiles.url("tiny-emoji-cmap12.ttf")))
        XCTAssertThrowsError(try OpenTypeTables(bytes: Array(bytes.prefix(200)), name: "cut.ttf")) { e in
            XCTAssertTrue("\(e)".contains("cut.ttf") && "\(e)".contains("past the end"), "\(e)")
        }
    }

    func testUnicodeNamesSkipRangeMarkers() throws {
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("UnicodeData.txt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "4E00;<CJK Ideograph, First>;Lo;0;L;;;;;N;;;;;\n1F600;GRINNING FACE;So;0;ON;;;;;N;;;;;\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try EmojiCaptions.unicodeNames(url), [0x1F600: "GRINNING FACE"])
    }
}
