import Tokenizers
import XCTest

final class AreaResizeTests: XCTestCase {
    func testIntegerRatioIsBlockMean() {
        // 4x4 gray ramp to 2x2: each output is the rounded mean of a 2x2 block.
        let gray: [UInt8] = (0..<16).map { UInt8($0 * 16) }
        let out = AreaResize.resize(RGBImage(width: 4, height: 4, gray: gray), width: 2, height: 2)
        func mean(_ idx: [Int]) -> UInt8 { UInt8((Double(idx.map { Int(gray[$0]) }.reduce(0, +)) / 4).rounded()) }
        let expected = [mean([0, 1, 4, 5]), mean([2, 3, 6, 7]), mean([8, 9, 12, 13]), mean([10, 11, 14, 15])]
        XCTAssertEqual(stride(from: 0, to: 12, by: 3).map { out.pixels[$0] }, expected)
    }

    func testNonIntegerRatioUsesExactOverlaps() {
        // 3 -> 2: output 0 covers source [0, 1.5): weights 1, 0.5 (of 1.5); output 1: 0.5, 1.
        let w = AreaResize.weights(from: 3, to: 2)
        XCTAssertEqual(w[0].map { $0.index }, [0, 1]); XCTAssertEqual(w[0].map { $0.weight }, [2, 1])
        XCTAssertEqual(w[1].map { $0.index }, [1, 2]); XCTAssertEqual(w[1].map { $0.weight }, [1, 2])
        // Row [0, 90, 200] -> [(2·0 + 90)/3, (90 + 2·200)/3] = [30, 163.33]
        let img = RGBImage(width: 3, height: 1, gray: [0, 90, 200])
        let out = AreaResize.resize(img, width: 2, height: 1)
        XCTAssertEqual([out.pixels[0], out.pixels[3]], [30, 163])
    }

    func testWeightsCoverEverySourcePixelEqually() {
        for (n, m) in [(28, 8), (28, 16), (136, 32), (5, 3), (7, 32)] {
            var total = [Int](repeating: 0, count: n)
            for taps in AreaResize.weights(from: n, to: m) {
                XCTAssertEqual(taps.map { $0.weight }.reduce(0, +), n)
                for t in taps { total[t.index] += t.weight }
            }
            XCTAssertEqual(Set(total), [m], "\(n)->\(m)")
        }
    }

    func testAgainstIndependentFloatComputation() {
        // 7x5 -> 3x2 against a direct double-precision area integral.
        var pixels = [UInt8]()
        for i in 0..<(7 * 5 * 3) { pixels.append(UInt8((i * 53 + 17) % 256)) }
        let img = RGBImage(width: 7, height: 5, pixels: pixels)
        let out = AreaResize.resize(img, width: 3, height: 2)
        func overlap(_ a0: Double, _ a1: Double, _ b0: Double, _ b1: Double) -> Double { max(0, min(a1, b1) - max(a0, b0)) }
        for oy in 0..<2 { for ox in 0..<3 { for k in 0..<3 {
            let x0 = Double(ox) * 7 / 3, x1 = Double(ox + 1) * 7 / 3
            let y0 = Double(oy) * 5 / 2, y1 = Double(oy + 1) * 5 / 2
            var acc = 0.0
            for y in 0..<5 { for x in 0..<7 {
                acc += overlap(x0, x1, Double(x), Double(x + 1)) * overlap(y0, y1, Double(y), Double(y + 1))
                    * Double(pixels[3 * (y * 7 + x) + k])
            } }
            let expected = acc / ((x1 - x0) * (y1 - y0))
            XCTAssertEqual(Double(out.pixels[3 * (oy * 3 + ox) + k]), expected, accuracy: 0.5 + 1e-9)
        } } }
    }

    func testConstantImageStaysConstant() {
        let img = RGBImage(width: 28, height: 28, fill: (17, 99, 240))
        for r in [8, 16, 32] {
            XCTAssertEqual(AreaResize.resize(img, width: r, height: r), RGBImage(width: r, height: r, fill: (17, 99, 240)))
        }
    }

    func testSquareThumbnailPadsWithWhite() {
        let img = RGBImage(width: 2, height: 1, fill: (0, 0, 0))
        let t = AreaResize.squareThumbnail(img, side: 2)
        // Padded 2x2: one black row (top, since (2-1)/2 = 0) and one white row.
        XCTAssertEqual(t.pixels, [0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255])
    }
}
