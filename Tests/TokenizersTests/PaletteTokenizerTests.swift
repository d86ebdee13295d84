import Foundation
import Tokenizers
import XCTest
import WorkbenchCore

final class PaletteTokenizerTests: XCTestCase {
    /// Images made of three well-separated colours with ±3 jitter.
    func clusteredImages(seed: UInt64) -> [RGBImage] {
        let centres: [(Int, Int, Int)] = [(20, 30, 200), (200, 40, 40), (90, 220, 90)]
        var rng = SeededRNG(seed: seed)
        return (0..<6).map { _ in
            var px = [UInt8]()
            for _ in 0..<16 {
                let c = centres[rng.nextInt(below: 3)]
                for v in [c.0, c.1, c.2] { px.append(UInt8(v + rng.nextInt(below: 7) - 3)) }
            }
            return RGBImage(width: 4, height: 4, pixels: px)
        }
    }

    func testKMeansRecoversSeparatedClusters() {
        let tok = PaletteTokenizer.train(images: clusteredImages(seed: 1), resolution: 4, k: 3, seed: 5)
        // Each true centre has a palette colour within 2 per channel (jitter means are near 0).
        let truth: [[Int]] = [[20, 30, 200], [200, 40, 40], [90, 220, 90]]
        for t in truth {
            let close = (0..<3).filter { c in (0..<3).allSatisfy { d in abs(Int(tok.colours[3 * c + d]) - t[d]) <= 2 } }
            XCTAssertEqual(close.count, 1, "centre \(t) in \(tok.colours)")
        }
    }

    func testCentresAreMeansOfTheirPixels() {
        // After Lloyd converges, each palette colour is the rounded mean of the pixels nearest to it.
        let images = clusteredImages(seed: 2)
        let tok = PaletteTokenizer.train(images: images, resolution: 4, k: 3, seed: 9, iterations: 20)
        var sums = [[Double]](repeating: [0, 0, 0], count: 3), counts = [Double](repeating: 0, count: 3)
        for img in images { for p in 0..<16 {
            let c = tok.nearest(img.pixels[3 * p], img.pixels[3 * p + 1], img.pixels[3 * p + 2])
            counts[c] += 1
            for d in 0..<3 { sums[c][d] += Double(img.pixels[3 * p + d]) }
        } }
        for c in 0..<3 { for d in 0..<3 {
            XCTAssertEqual(Double(tok.colours[3 * c + d]), sums[c][d] / counts[c], accuracy: 0.5 + 1e-9)
        } }
    }

    func testSameSeedSamePalette() {
        let imgs = clusteredImages(seed: 3)
        XCTAssertEqual(PaletteTokenizer.train(images: imgs, resolution: 4, k: 8, seed: 1),
                       PaletteTokenizer.train(images: imgs, resolution: 4, k: 8, seed: 1))
    }

    func testEncodeIsBruteForceNearestAndDecodeGivesPaletteColours() throws {
        let tok = PaletteTokenizer(colours: [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255], resolution: 2)
        let img = RGBImage(width: 2, height: 2, pixels: [10, 10, 10, 200, 190, 220, 250, 100, 90, 40, 30, 160])
        XCTAssertEqual(tok.encode(img), [0, 1, 2, 3])
        XCTAssertEqual(tok.record(img).first, 4)
        XCTAssertEqual(tok.vocabSize, 5)
        XCTAssertEqual(try tok.decode(tok.record(img)).pixels, [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255])
        XCTAssertThrowsError(try tok.decode([0, 1, 2, 9]))
    }

    func testDefaultVocabularyIsNineBits() {
        let imgs = clusteredImages(seed: 4)
        let tok = PaletteTokenizer.train(images: imgs, resolution: 4, seed: 1, iterations: 2)
        XCTAssertEqual(tok.count, 512)
        XCTAssertEqual(tok.vocabSize, 513)
        XCTAssertTrue(tok.encode(imgs[0]).allSatisfy { $0 < 512 })
    }

    func testSaveLoadRoundTripAndCorruptFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tok = PaletteTokenizer.train(images: clusteredImages(seed: 5), resolution: 4, k: 5, seed: 2)
        let url = dir.appendingPathComponent("palette.json")
        try tok.save(to: url)
        XCTAssertEqual(try PaletteTokenizer.load(from: url), tok)
        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"kind":"palette","resolution":4,"colours":[[1,2,300]]}"#.utf8).write(to: bad)
        XCTAssertThrowsError(try PaletteTokenizer.load(from: bad)) { e in
            XCTAssertTrue("\(e)".contains("bad.json") && "\(e)".contains("colour 0"), "\(e)")
        }
    }
}
