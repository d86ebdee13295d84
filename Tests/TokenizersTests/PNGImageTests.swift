import Foundation
import Tokenizers
import XCTest

final class PNGImageTests: XCTestCase {
    /// Every variant (8/16-bit, gray, gray+alpha, RGB, RGBA, palette, palette+tRNS, interlaced)
    /// decodes to the RGB values computed independently by tools/images/make_samples.py.
    func testEveryVariantMatchesFixture() throws {
        let exp = try ImageSamples.expected()
        XCTAssertGreaterThanOrEqual(exp.files.count, 14)
        for (name, file) in exp.files.sorted(by: { $0.key < $1.key }) {
            let img = try PNGImage.read(ImageSamples.url(name))
            XCTAssertEqual(img.width, file.width, name)
            XCTAssertEqual(img.height, file.height, name)
            let got = img.pixels.map(Int.init)
            XCTAssertEqual(got.count, file.rgb.count, name)
            let worst = zip(got, file.rgb).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, file.tolerance, "\(name): max difference \(worst)")
        }
    }

    func testSixteenBitIsReadAsSRGBNotLinear() throws {
        // gray16 pixel (0,0) is 11 of 65535; linear→sRGB would lift it far above 0.
        let img = try PNGImage.read(ImageSamples.url("gray16.png"))
        let exp = try ImageSamples.expected().files["gray16.png"]!
        XCTAssertEqual(Int(img.pixels[0]), exp.rgb[0])
    }

    func testEncodeDecodeRoundTripIsExact() throws {
        var pixels = [UInt8]()
        for i in 0..<(7 * 3 * 3) { pixels.append(UInt8((i * 97 + 13) % 256)) }
        let img = RGBImage(width: 7, height: 3, pixels: pixels)
        let back = try PNGImage.decode(try PNGImage.encode(img))
        XCTAssertEqual(back, img)
    }

    func testWriteThenReadFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let img = RGBImage(width: 2, height: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252])
        let url = dir.appendingPathComponent("t.png")
        try PNGImage.write(img, to: url)
        XCTAssertEqual(try PNGImage.read(url), img)
    }

    func testCorruptFilesGiveErrorsNamingFileAndLibpngMessage() {
        for name in ["corrupt_truncated.png", "corrupt_crc.png", "corrupt_not_png.png"] {
            XCTAssertThrowsError(try PNGImage.read(ImageSamples.url(name)), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(name), "error should name the file: \(text)")
                XCTAssertTrue(text.contains("libpng: "), "error should quote libpng: \(text)")
                XCTAssertFalse(text.hasSuffix("libpng: "), "libpng message should not be empty: \(text)")
            }
        }
    }

    func testMissingFileIsReported() {
        XCTAssertThrowsError(try PNGImage.read(ImageSamples.url("no-such.png"))) { error in
            XCTAssertTrue("\(error)".contains("no-such.png"))
        }
    }

    func testCompositeOnWhite() {
        // Opaque keeps the colour, transparent gives white, half alpha mixes.
        let img = PNGImage.compositeOnWhite(rgba: [10, 20, 30, 255, 10, 20, 30, 0, 0, 100, 255, 128],
                                            width: 3, height: 1)
        XCTAssertEqual(img.pixels, [10, 20, 30, 255, 255, 255, 127, 177, 255])
    }
}
