import Foundation
import Tokenizers
import XCTest

final class ImageTokenizerTests: XCTestCase {
    func testTokenLayoutIsRasterOrderRGBInterleaved() {
        var img = RGBImage(width: 2, height: 2, fill: (0, 0, 0))
        img[1, 0] = (10, 20, 30); img[0, 1] = (40, 50, 60); img[1, 1] = (255, 254, 253)
        let tok = ImageTokenizer(resolution: 2)
        XCTAssertEqual(tok.encode(img), [0, 0, 0, 10, 20, 30, 40, 50, 60, 255, 254, 253])
        XCTAssertEqual(tok.record(img).first, 256)
        XCTAssertEqual(tok.record(img).count, 13)
    }

    func testSizesAtPaperResolutions() {
        XCTAssertEqual(ImageTokenizer(resolution: 32).tokensPerImage, 3072)
        XCTAssertEqual(ImageTokenizer(resolution: 16).recordLength, 769)
        XCTAssertEqual(ImageTokenizer(resolution: 8).name, "image-rgb-8")
        XCTAssertEqual(ImageTokenizer.vocabSize, 257)
    }

    func testDecodeToPNGRoundTrip() throws {
        let tok = ImageTokenizer(resolution: 8)
        var px = [UInt8]()
        for i in 0..<192 { px.append(UInt8((i * 31 + 5) % 256)) }
        let img = RGBImage(width: 8, height: 8, pixels: px)
        let png = try tok.decodePNG(tok.record(img))
        XCTAssertEqual(try PNGImage.decode(png), img)
    }

    func testDecodeRejectsBadTokens() {
        let tok = ImageTokenizer(resolution: 2)
        XCTAssertThrowsError(try tok.decode([1, 2, 3]))
        XCTAssertThrowsError(try tok.decode([UInt16](repeating: 300, count: 12))) { e in
            XCTAssertTrue("\(e)".contains("300"))
        }
    }

    func testFromPNGAt8IsAreaMeanOfSample() throws {
        // rgb8_interlaced.png is 9x7: squared to 9x9 on white, then area-averaged to 3x3.
        let url = ImageSamples.url("rgb8_interlaced.png")
        let exp = try ImageSamples.expected().files["rgb8_interlaced.png"]!
        let img = try ImageTokenizer(resolution: 3).image(fromPNG: url)
        // Output pixel (0,0) covers padded rows 0..2 (row 0 is white padding) and columns 0..2.
        for k in 0..<3 {
            var sum = 3 * 255
            for y in 0..<2 { for x in 0..<3 { sum += exp.rgb[3 * (y * 9 + x) + k] } }
            XCTAssertEqual(Int(img.pixels[k]), Int((Double(sum) / 9).rounded()))
        }
    }
}
