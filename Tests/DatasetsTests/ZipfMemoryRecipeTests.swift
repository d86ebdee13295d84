import Datasets
import Foundation
import XCTest
import WorkbenchCore
import TestSupport

/// Hutter's Zipf memorisation source: the unseen mass against its closed form and against
/// samples, its local slope against the predicted exponent, and the records the recipe writes.
final class ZipfMemoryRecipeTests: XCTestCase {
    func testUnseenProbabilityMatchesTheClosedFormAndSampling() {
        // Two keys with p = (0.8, 0.2): U(n) = 0.8·0.2^n + 0.2·0.8^n.
        XCTAssertEqual(ZipfMemoryRecipe.unseenProbability([0.8, 0.2], records: 3), 0.8 * 0.008 + 0.2 * 0.512, accuracy: 1e-15)
        // Against drawing n training keys and one test key, many times.
        var shape = ZipfMemoryRecipe.Shape()
        shape.keys = 200
        let p = ZipfMemoryRecipe.keyProbabilities(shape)
        var acc = 0.0
        let cdf = p.map { acc += $0; return acc }
        var rng = SeededRNG(seed: 2)
        func draw() -> Int { let u = rng.nextDouble(); return cdf.firstIndex { $0 > u } ?? p.count - 1 }
        var unseen = 0
        let trials = 4000
        for _ in 0..<trials {
            var seen = Set<Int>()
            for _ in 0..<30 { seen.insert(draw()) }
            if !seen.contains(draw()) { unseen += 1 }
        }
        let exact = ZipfMemoryRecipe.unseenProbability(p, records: 30)
        let se = (exact * (1 - exact) / Double(trials)).squareRoot()
        XCTAssertEqual(Double(unseen) / Double(trials), exact, accuracy: 4 * se)
    }

    func testLocalSlopeOfTheUnseenMassIsThePredictedExponent() {
        for alpha in [1.0, 0.7] {
            var shape = ZipfMemoryRecipe.Shape()
            shape.alpha = alpha; shape.keys = 20_000
            let p = ZipfMemoryRecipe.keyProbabilities(shape)
            let (a, b) = (1_000.0, 10_000.0)
            let slope = -log(ZipfMemoryRecipe.unseenProbability(p, records: b) / ZipfMemoryRecipe.unseenProbability(p, records: a)) / log(b / a)
            XCTAssertEqual(slope, shape.predictedDataExponent, accuracy: 0.02, "α = \(alpha)")
        }
        XCTAssertEqual(ZipfMemoryRecipe.Shape().predictedDataExponent, 0.5)
    }

    func testRecipeWritesKeyValueRecordsWithAFixedValuePerKey() throws {
        let root = temporaryDirectory("zipf-memory")
        defer { try? FileManager.default.removeItem(at: root) }
        var shape = ZipfMemoryRecipe.Shape()
        shape.keys = 64; shape.values = 8
        let m = try ZipfMemoryRecipe.prepare(name: "zm", shape: shape, trainRecords: 3000, testRecords: 500,
                                             opts: PrepareOptions(dataDir: root, cacheDir: root, seed: 4, log: { _ in }))
        XCTAssertEqual(m.recordLength, 2)
        XCTAssertEqual(m.vocabSize, 72)
        XCTAssertEqual(m.trueEntropyNatsPerToken, 0)
        XCTAssertEqual(m.extra?["predicted_data_exponent"], "0.500000")
        let ds = try TokenDataset.load(from: root.appendingPathComponent("zm"))
        var valueOf: [UInt16: UInt16] = [:], count: [UInt16: Int] = [:]
        for name in ["train", "test"] {
            let s = try ds.split(name)
            XCTAssertEqual(s.mask, Array(repeating: [0, 1] as [UInt8], count: s.tokens.count / 2).flatMap { $0 })
            for r in 0..<(s.tokens.count / 2) {
                let k = s.tokens[2 * r], v = s.tokens[2 * r + 1]
                XCTAssertLessThan(k, 64); XCTAssertGreaterThanOrEqual(v, 64)
                XCTAssertEqual(valueOf[k, default: v], v, "key \(k) has one value in both splits")
                valueOf[k] = v
                if name == "train" { count[k, default: 0] += 1 }
            }
        }
        // The most frequent key has p_1 = 1 / Σ i^-2 over 64 keys ≈ 0.6174.
        let top = Double(count.values.max()!) / 3000
        XCTAssertEqual(top, ZipfMemoryRecipe.keyProbabilities(shape)[0], accuracy: 0.03)
    }
}
