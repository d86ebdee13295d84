import Datasets
import Foundation
import Tokenizers
import XCTest
import WorkbenchCore

/// `PartialCaptions`: its exact I, H(caption) and infogain against brute-force enumeration of
/// every (scene, caption) of a tiny configuration, its sampling against its channels, and its
/// train/test split against overlap.
final class PartialCaptionsTests: XCTestCase {
    func tinySource(noise: [Double] = [1]) throws -> SyntheticImageSource {
        try SyntheticImageSource(resolution: 8, grid: 2, palette: Array(SyntheticColour.standard.prefix(3)),
                                 shapes: [.square, .circle], noiseProbabilities: noise)
    }

    /// I and H from the joint distribution of (scene, caption string), built from scratch.
    func bruteForce(_ cap: PartialCaptions) -> (mi: Double, captionEntropy: Double, distinctCaptions: Int, outputTriples: Int) {
        let src = cap.source
        let serials: [Int?] = cap.serialDigits == 0 ? [nil] : Array(0..<Int(pow(10, Double(cap.serialDigits))))
        var joint: [String: Double] = [:], captionMarginal: [String: Double] = [:], sceneMarginal: [String: Double] = [:]
        let triples: Int
        for (scene, ps) in src.allScenes() {
            let sceneKey = "\(scene)"
            let cell = scene.cellY * src.grid + scene.cellX
            for (c, pc) in cap.channels[0].outputs[scene.colour] { for (k, pk) in cap.channels[1].outputs[scene.shape] {
                for (w, pw) in cap.channels[2].outputs[cell] { for serial in serials {
                    let text = cap.caption(colour: c, shape: k, cell: w, serial: serial)
                    let p = ps * pc * pk * pw / Double(serials.count)
                    joint[sceneKey + "|" + text, default: 0] += p
                    captionMarginal[text, default: 0] += p
                    sceneMarginal[sceneKey, default: 0] += p
                } }
            } }
        }
        triples = cap.channels.map { ch in Set(ch.outputs.flatMap { $0.map { $0.text ?? "\u{0}" } }).count }.reduce(1, *)
        var mi = 0.0
        for (key, p) in joint where p > 0 {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            mi += p * log(p / (sceneMarginal[parts[0]]! * captionMarginal[parts[1]]!))
        }
        let h = -captionMarginal.values.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        let distinct = Set(captionMarginal.keys.map { $0.components(separatedBy: ", no. ")[0] }).count
        return (mi, h, distinct, triples)
    }

    func testExactInformationMatchesBruteForceEnumeration() throws {
        for (drop, wrong, digits) in [(0.3, 0.2, 0), (0.0, 0.0, 0), (0.5, 0.0, 1), (0.2, 1.0, 0)] {
            let cap = try PartialCaptions(source: try tinySource(), dropProbability: drop, wrongWordProbability: wrong, serialDigits: digits)
            let b = bruteForce(cap)
            XCTAssertEqual(cap.mutualInformationNats, b.mi, accuracy: 1e-9, "drop \(drop), wrong \(wrong)")
            XCTAssertEqual(cap.captionEntropyNats, b.captionEntropy, accuracy: 1e-9, "drop \(drop), wrong \(wrong), digits \(digits)")
            XCTAssertEqual(b.distinctCaptions, b.outputTriples, "every combination of outputs is its own caption")
            XCTAssertEqual(cap.infogain, b.mi / b.captionEntropy, accuracy: 1e-12)
        }
        // Checks on the closed form: nothing left out and no wrong words give I = H(attributes);
        // every word wrong with 2 shapes still tells the shape (it names the other one).
        let full = try PartialCaptions(source: try tinySource(), dropProbability: 0)
        XCTAssertEqual(full.mutualInformationNats, log(3) + log(2) + log(4), accuracy: 1e-12)
        let partial = try PartialCaptions(source: try tinySource(), dropProbability: 0.3, wrongWordProbability: 0.1, serialDigits: 2)
        XCTAssertLessThan(partial.mutualInformationNats, 0.7 * full.mutualInformationNats + 1e-12)
        XCTAssertLessThan(partial.infogain, 1)
        let swapped = try PartialCaptions(source: try tinySource(), dropProbability: 0, wrongWordProbability: 1)
        XCTAssertEqual(swapped.channels[1].mutualInformationNats, log(2), accuracy: 1e-12)
    }

    func testSamplingFollowsEachChannel() throws {
        let cap = try PartialCaptions(source: try tinySource(), dropProbability: 0.3, wrongWordProbability: 0.2)
        var rng = SeededRNG(seed: 5)
        let n = 20_000
        for ch in cap.channels {
            var counts: [String: Int] = [:]
            for _ in 0..<n { counts[ch.sample(1, &rng) ?? "<left out>", default: 0] += 1 }
            for (text, p) in ch.outputs[1] {
                let f = Double(counts[text ?? "<left out>", default: 0]) / Double(n)
                XCTAssertEqual(f, p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot() + 1e-9, "\(ch.name) '\(text ?? "<left out>")'")
            }
        }
    }

    func testTrainAndTestShareNoCaptionAndNoImage() throws {
        let cap = try PartialCaptions(source: try tinySource(noise: [0.4, 0.3, 0.2, 0.1]), dropProbability: 0.3,
                                      wrongWordProbability: 0.1, serialDigits: 2, testSerialShare: 0.2)
        let (train, test, _) = try cap.splitPairs(train: 3_000, test: 300, seed: 9)
        XCTAssertEqual(train.count, 3_000); XCTAssertEqual(test.count, 300)
        XCTAssertTrue(Set(train.map(\.caption)).isDisjoint(with: test.map(\.caption)))
        XCTAssertTrue(Set(train.map(\.image.pixels)).isDisjoint(with: test.map(\.image.pixels)))
        XCTAssertGreaterThan(Set(test.map(\.caption)).count, 100, "test captions vary")
        XCTAssertTrue(test.allSatisfy { cap.isTestSerial(Int($0.caption.components(separatedBy: "no. ")[1])!) })
        // A noiseless source cannot give test images unseen in training: a clear error, no endless loop.
        let noiseless = try PartialCaptions(source: try tinySource(), dropProbability: 0.3)
        XCTAssertThrowsError(try noiseless.splitPairs(train: 2_000, test: 10, seed: 1)) { XCTAssertTrue("\($0)".contains("unseen in training"), "\($0)") }
    }

    func testRecipeWritesExactInformationInTheManifest() throws {
        let cap = try PartialCaptionsRecipe.captions(resolution: 8)
        let tok = PairTokenizer(resolution: 8, captionLength: 64)
        // The longest caption fits the recipe's caption length.
        let longest = cap.channels.map { ch in ch.outputs.flatMap { $0.compactMap(\.text) }.max { $0.utf8.count < $1.utf8.count } }
        let text = cap.caption(colour: longest[0], shape: longest[1], cell: longest[2], serial: 999)
        XCTAssertLessThanOrEqual(text.utf8.count, tok.captionLength, text)
        XCTAssertLessThan(cap.mutualInformationNats, cap.captionEntropyNats)
        XCTAssertEqual(cap.infogain, cap.mutualInformationNats / cap.captionEntropyNats, accuracy: 1e-12)
    }
}
