import XCTest
import Tokenizers

final class ImageGridTests: XCTestCase {
    func testUpscaleRepeatsPixels() {
        var img = RGBImage(width: 2, height: 1, fill: (0, 0, 0))
        img[1, 0] = (10, 20, 30)
        let big = img.upscaled(by: 3)
        XCTAssertEqual(big.width, 6); XCTAssertEqual(big.height, 3)
        for y in 0..<3 {
            for x in 0..<3 { XCTAssertTrue(big[x, y] == (0, 0, 0)) }
            for x in 3..<6 { XCTAssertTrue(big[x, y] == (10, 20, 30)) }
        }
    }

    func testGridGeometryAndPlacement() {
        // Four 2×2 images of distinct colours, 3 columns (so a short second row), scale 2, gap 1.
        let colours: [(UInt8, UInt8, UInt8)] = [(1, 0, 0), (0, 2, 0), (0, 0, 3), (4, 4, 4)]
        let images = colours.map { RGBImage(width: 2, height: 2, fill: $0) }
        let rows = RGBImage.rows(images, columns: 3)
        XCTAssertEqual(rows.map(\.count), [3, 1])
        let sheet = RGBImage.grid(rows, scale: 2, gap: 1, background: (255, 255, 255))
        // Cells are 4×4: width 1 + 3·(4+1) = 16, height 1 + 2·(4+1) = 11.
        XCTAssertEqual(sheet.width, 16); XCTAssertEqual(sheet.height, 11)
        for (i, colour) in colours.enumerated() {
            let x0 = 1 + (i % 3) * 5, y0 = 1 + (i / 3) * 5
            for y in y0..<(y0 + 4) { for x in x0..<(x0 + 4) { XCTAssertTrue(sheet[x, y] == colour, "image \(i) at (\(x), \(y))") } }
            // The gap just left of and above each cell is background.
            XCTAssertTrue(sheet[x0 - 1, y0] == (255, 255, 255))
            XCTAssertTrue(sheet[x0, y0 - 1] == (255, 255, 255))
        }
        // The empty cells of the short row stay background.
        XCTAssertTrue(sheet[6, 6] == (255, 255, 255))
        XCTAssertTrue(sheet[15, 10] == (255, 255, 255))
    }
}
