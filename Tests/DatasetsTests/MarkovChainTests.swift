import Datasets
import Foundation
import XCTest
import WorkbenchCore

/// The synthetic source's entropy rate against hand-worked chains and against samples.
final class MarkovChainTests: XCTestCase {
    func testTwoStateChainMatchesTheClosedForm() {
        // P = [[0.9, 0.1], [0.3, 0.7]]: π = (0.3, 0.1)/0.4 = (0.75, 0.25);
        // H = 0.75·h(0.1) + 0.25·h(0.3) with h(p) = −p ln p − (1−p) ln(1−p)
        //   = 0.75·0.3250829734 + 0.25·0.6108643021 = 0.3965283056 nats.
        let chain = MarkovChain(transitions: [[0.9, 0.1], [0.3, 0.7]])
        XCTAssertEqual(chain.stationary[0], 0.75, accuracy: 1e-12)
        XCTAssertEqual(chain.stationary[1], 0.25, accuracy: 1e-12)
        XCTAssertEqual(chain.entropyRateNats, 0.3965283056, accuracy: 1e-9)
    }

    func testThreeStateChainsWithKnownEntropy() {
        // Uniform rows: ln 3. A deterministic cycle: 0 nats, stationary uniform.
        let third = 1.0 / 3.0
        XCTAssertEqual(MarkovChain(transitions: Array(repeating: [third, third, third], count: 3)).entropyRateNats,
                       log(3.0), accuracy: 1e-12)
        let cycle = MarkovChain(transitions: [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
        XCTAssertEqual(cycle.entropyRateNats, 0, accuracy: 1e-12)
        for p in cycle.stationary { XCTAssertEqual(p, third, accuracy: 1e-12) }
        // Rows (½,½,0), (0,½,½), (½,0,½) are doubly stochastic: π uniform, each row has entropy ln 2.
        let mixed = MarkovChain(transitions: [[0.5, 0.5, 0], [0, 0.5, 0.5], [0.5, 0, 0.5]])
        XCTAssertEqual(mixed.entropyRateNats, log(2.0), accuracy: 1e-12)
    }

    func testEmpiricalEntropyOfALongSampleAgrees() {
        var rng = SeededRNG(seed: 11)
        let chain = MarkovChain.random(states: 8, concentration: 0.5, rng: &rng)
        let sample = chain.sample(count: 300_000, rng: &rng)
        var counts = [[Double]](repeating: [Double](repeating: 0, count: 8), count: 8)
        for t in 1..<sample.count { counts[sample[t - 1]][sample[t]] += 1 }
        let total = Double(sample.count - 1)
        var h = 0.0
        for row in counts {
            let n = row.reduce(0, +)
            for c in row where c > 0 { h -= c / total * log(c / n) }
        }
        XCTAssertGreaterThan(chain.entropyRateNats, 0.3)
        XCTAssertEqual(h, chain.entropyRateNats, accuracy: 0.01)
        // The visit frequencies approach π.
        for s in 0..<8 {
            let freq = Double(sample.filter { $0 == s }.count) / Double(sample.count)
            XCTAssertEqual(freq, chain.stationary[s], accuracy: 0.01)
        }
    }

    func testRandomChainsAreReproducibleAndRowsSumToOne() {
        var a = SeededRNG(seed: 5), b = SeededRNG(seed: 5)
        let c1 = MarkovChain.random(states: 64, concentration: 0.1, rng: &a)
        let c2 = MarkovChain.random(states: 64, concentration: 0.1, rng: &b)
        XCTAssertEqual(c1.transitions, c2.transitions)
        for row in c1.transitions { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12) }
        // E[H(row)] for Dirichlet(0.1) over 64 = ψ(7.4) − ψ(1.1) ≈ 2.35 nats.
        XCTAssertEqual(c1.entropyRateNats, 2.35, accuracy: 0.25)
    }

    func testRecipeWritesTheExactEntropyIntoTheManifest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("markov-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let opts = PrepareOptions(dataDir: root, cacheDir: root.appendingPathComponent(".cache"), seed: 3, log: { _ in })
        let m = try MarkovTextRecipe.prepare(name: "mk", states: 16, concentration: 0.2, trainTokens: 5000,
                                             testTokens: 500, opts: opts)
        var rng = SeededRNG(seed: 3)
        let chain = MarkovChain.random(states: 16, concentration: 0.2, rng: &rng)
        XCTAssertEqual(m.trueEntropyNatsPerToken, chain.entropyRateNats)
        let ds = try TokenDataset.load(from: root.appendingPathComponent("mk"))
        XCTAssertEqual(ds.manifest.vocabSize, 16)
        XCTAssertEqual(ds.splits["train"]?.tokens.count, 5000)
        XCTAssertTrue(ds.splits["train"]!.tokens.allSatisfy { $0 < 16 })
        let again = try MarkovTextRecipe.prepare(name: "mk", states: 16, concentration: 0.2, trainTokens: 5000,
                                                 testTokens: 500, opts: opts)
        XCTAssertEqual(again.splits["train"]?.sha256, m.splits["train"]?.sha256)
    }
}
