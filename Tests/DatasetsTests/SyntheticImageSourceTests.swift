import Datasets
import Foundation
import Tokenizers
import XCTest
import WorkbenchCore

/// Entropy of a distribution given as probabilities that sum to 1, in nats.
fileprivate func entropyNats<K>(_ p: [K: Double]) -> Double { -p.values.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) } }

final class SyntheticImageSourceTests: XCTestCase {
    /// Exact enumeration of every scene: distinct scenes give distinct images, and the entropy of
    /// the image distribution equals the formula.
    func testSceneEntropyMatchesEnumeration() throws {
        let configs: [SyntheticImageSource] = [
            try SyntheticImageSource(resolution: 8, grid: 2, palette: Array(SyntheticColour.standard.prefix(4)),
                                     shapes: [.square, .circle, .triangle], noiseProbabilities: [1]),
            try SyntheticImageSource(resolution: 16, grid: 2, noiseProbabilities: [1]),
            try SyntheticImageSource(resolution: 32, grid: 4, noiseProbabilities: [1]),
        ]
        for src in configs {
            var dist: [[UInt8]: Double] = [:]
            let scenes = src.allScenes()
            for (s, p) in scenes { dist[src.render(s).pixels, default: 0] += p }
            XCTAssertEqual(dist.count, scenes.count, "every scene renders to a different image")
            XCTAssertEqual(entropyNats(dist), src.entropyNatsPerImage, accuracy: 1e-9)
            XCTAssertEqual(src.entropyNatsPerImage, src.sceneEntropyNats, accuracy: 1e-12)
        }
    }

    /// Exact enumeration with noise on a 2x2 image: 24 scenes × 2^12 noise patterns; the image
    /// probability sums over every (scene, noise) that makes it, so collisions would show.
    func testNoisyImageEntropyMatchesEnumeration() throws {
        let src = try SyntheticImageSource(resolution: 2, grid: 2, palette: Array(SyntheticColour.standard.prefix(3)),
                                           shapes: [.square], noiseProbabilities: [0.75, 0.25])
        var dist: [[UInt8]: Double] = [:]
        for (s, ps) in src.allScenes() {
            for pattern in 0..<(1 << 12) {
                var noise = [UInt8](repeating: 0, count: 12), p = ps
                for i in 0..<12 { let bit = (pattern >> i) & 1; noise[i] = UInt8(bit); p *= bit == 1 ? 0.25 : 0.75 }
                dist[src.render(s, noiseValues: noise).pixels, default: 0] += p
            }
        }
        XCTAssertEqual(dist.values.reduce(0, +), 1, accuracy: 1e-9)
        let expected = log(3) + log(2) + log(4) + 12 * -(0.75 * log(0.75) + 0.25 * log(0.25))
        XCTAssertEqual(entropyNats(dist), expected, accuracy: 1e-9)
        XCTAssertEqual(src.entropyNatsPerImage, expected, accuracy: 1e-12)
        XCTAssertEqual(src.entropyNatsPerToken, expected / 12, accuracy: 1e-12)
    }

    func testSamplingFrequenciesMatchTheDistribution() throws {
        let src = try SyntheticImageSource(resolution: 8, grid: 2, shapes: [.square, .circle, .triangle])
        var rng = SeededRNG(seed: 7)
        var noiseCounts = [Int](repeating: 0, count: 4), bgCounts = [Int](repeating: 0, count: 8)
        let n = 3000
        for _ in 0..<n {
            let s = src.sampleScene(&rng)
            XCTAssertNotEqual(s.background, s.colour)
            bgCounts[s.background] += 1
            let img = src.render(s, noise: &rng)
            let clean = src.render(s)
            for (a, b) in zip(img.pixels, clean.pixels) { noiseCounts[Int(a - b)] += 1 }
        }
        let total = Double(noiseCounts.reduce(0, +))
        for (k, p) in [0.4, 0.3, 0.2, 0.1].enumerated() {
            XCTAssertEqual(Double(noiseCounts[k]) / total, p, accuracy: 0.005)  // 576k draws: σ ≈ 0.0006
        }
        for c in bgCounts { XCTAssertEqual(Double(c) / Double(n), 1.0 / 8, accuracy: 0.03) }
    }

    func testSameSeedSameImages() throws {
        let src = try SyntheticImageSource(resolution: 16, grid: 2)
        func draw(_ seed: UInt64) -> [RGBImage] {
            var rng = SeededRNG(seed: seed)
            return (0..<5).map { _ in src.render(src.sampleScene(&rng), noise: &rng) }
        }
        XCTAssertEqual(draw(3), draw(3))
        XCTAssertNotEqual(draw(3), draw(4))
    }

    func testShapeLandsInItsCell() throws {
        let src = try SyntheticImageSource(resolution: 16, grid: 2, noiseProbabilities: [1])
        let s = SyntheticImageSource.Scene(background: 0, colour: 2, shape: 0, cellX: 1, cellY: 0)  // red square, top right
        let img = src.render(s)
        XCTAssertTrue(img[12, 4] == (224, 32, 32))   // centre of the top-right cell
        XCTAssertTrue(img[4, 4] == (0, 0, 0))
        XCTAssertTrue(img[12, 12] == (0, 0, 0))
    }

    func testRejectsShapesThatCoincide() {
        // In a 4x4 cell the circle and the cross cover the same pixels.
        XCTAssertThrowsError(try SyntheticImageSource(resolution: 8, grid: 2, shapes: [.circle, .cross])) { e in
            XCTAssertTrue("\(e)".contains("not distinct"), "\(e)")
        }
        XCTAssertThrowsError(try SyntheticImageSource(resolution: 8, grid: 2, noiseProbabilities: [0.5, 0.4]))
    }
}

final class SyntheticCaptionsTests: XCTestCase {
    /// I(image; caption) = H(image) + H(caption) − H(image, caption) by exact enumeration.
    func testMutualInformationMatchesEnumeration() throws {
        let src = try SyntheticImageSource(resolution: 8, grid: 2, palette: Array(SyntheticColour.standard.prefix(3)),
                                           shapes: [.square, .circle, .triangle], noiseProbabilities: [1])
        let cap = SyntheticCaptions(source: src)
        var pImg: [[UInt8]: Double] = [:], pCap: [String: Double] = [:], pJoint: [String: Double] = [:]
        for (s, p) in src.allScenes() {
            let img = src.render(s).pixels, c = cap.caption(for: s)
            pImg[img, default: 0] += p; pCap[c, default: 0] += p
            pJoint["\(img)|\(c)", default: 0] += p
        }
        let mi = entropyNats(pImg) + entropyNats(pCap) - entropyNats(pJoint)
        XCTAssertEqual(mi, cap.mutualInformationNats, accuracy: 1e-9)
        XCTAssertEqual(cap.mutualInformationNats, log(3) + log(3) + log(4), accuracy: 1e-12)
    }

    func testCaptionWording() throws {
        let src = try SyntheticImageSource(resolution: 16, grid: 2)
        let cap = SyntheticCaptions(source: src)
        let s = SyntheticImageSource.Scene(background: 0, colour: 4, shape: 2, cellX: 1, cellY: 1)
        XCTAssertEqual(cap.caption(for: s), "a blue cross in the bottom right")
    }

    func testPairShardsSplitsAndMasks() throws {
        let src = try SyntheticImageSource(resolution: 8, grid: 2, shapes: [.square, .circle, .triangle], noiseProbabilities: [1])
        let cap = SyntheticCaptions(source: src)
        let tok = PairTokenizer(resolution: 8, captionLength: 48)
        let ds = PairShards.dataset(name: "t", tokenizer: tok, train: cap.pairs(count: 40, seed: 1),
                                    test: cap.pairs(count: 5, seed: 2), seed: 3, trainBlankFraction: 0.5, source: "test")
        let L = tok.recordLength
        XCTAssertEqual(ds.manifest.recordLength, 1 + 48 + 192)
        XCTAssertEqual(ds.splits["train"]!.tokens.count, 40 * L)
        let starts = stride(from: 0, to: 40 * L, by: L).map { ds.splits["train"]!.tokens[$0] }
        XCTAssertTrue(starts.contains(512) && starts.contains(513), "both orders appear")
        let cf = ds.splits["test-caption-first"]!, cfb = ds.splits["test-caption-first-blank"]!
        XCTAssertEqual(cf.mask!.filter { $0 == 1 }.count, 5 * 192)
        XCTAssertEqual(Array(cf.tokens[(1 + 48)..<L]), Array(cfb.tokens[(1 + 48)..<L]), "same image")
        XCTAssertTrue(cfb.tokens[1..<49].allSatisfy { $0 == PairTokenizer.blank })
        let imf = ds.splits["test-image-first"]!
        XCTAssertEqual(imf.mask!.filter { $0 == 1 }.count, 5 * 48)
        let dir = ImageSampleFiles.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ds.write(to: dir)
        let back = try TokenDataset.load(from: dir)
        XCTAssertEqual(back.splits["test-image-first-blank"], ds.splits["test-image-first-blank"])
    }
}
