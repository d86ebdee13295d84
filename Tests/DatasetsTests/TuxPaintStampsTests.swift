import Datasets
import Foundation
import Tokenizers
import XCTest

final class TuxPaintStampsTests: XCTestCase {
    func testPNGStampsWithEnglishCaptions() throws {
        let dir = ImageSampleFiles.url("stamps")
        let items = try TuxPaintStamps.items(stampsDir: dir, resolution: 4)
        // no_caption.png has no .txt and svg_only.txt has no PNG: both skipped.
        XCTAssertEqual(items.map(\.path), ["animals/cat.png", "food/apple.png"])
        XCTAssertEqual(items.map(\.caption), ["A cat.", "A red apple."])
        let cat = try PNGImage.read(dir.appendingPathComponent("animals/cat.png"))
        XCTAssertEqual(items[0].image, AreaResize.squareThumbnail(cat, side: 4))
        XCTAssertEqual(items[0].image.width, 4)
    }

    func testMissingFolderIsNamed() {
        XCTAssertThrowsError(try TuxPaintStamps.items(stampsDir: ImageSampleFiles.url("no-such-stamps"), resolution: 4)) { e in
            XCTAssertTrue("\(e)".contains("no-such-stamps"), "\(e)")
        }
    }
}
