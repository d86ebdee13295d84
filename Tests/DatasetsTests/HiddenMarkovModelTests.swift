import Datasets
import Foundation
import XCTest
import WorkbenchCore
import TestSupport

/// The hidden Markov model's oracle loss: the forward algorithm against enumeration of every
/// state path, against closed forms, and between the bounds every oracle must respect; the
/// `hmm-text` recipe's floor against a recomputation from its test shard.
final class HiddenMarkovModelTests: XCTestCase {
    /// 2 states, 3 tokens, a start away from the stationary distribution.
    let tiny = HiddenMarkovModel(transitions: [[0.8, 0.2], [0.3, 0.7]],
                                 emissions: [[0.6, 0.3, 0.1], [0.1, 0.2, 0.7]],
                                 initial: [0.4, 0.6])

    /// P(x_0 … x_{n−1}) by summing over all 2^n state paths.
    func bruteForceProbability(_ hmm: HiddenMarkovModel, _ x: [Int]) -> Double {
        guard !x.isEmpty else { return 1 }
        var total = 0.0
        let s = hmm.states
        var path = [Int](repeating: 0, count: x.count)
        let paths = Int(pow(Double(s), Double(x.count)))
        for code in 0..<paths {
            var c = code
            for t in 0..<x.count { path[t] = c % s; c /= s }
            var p = hmm.initial[path[0]] * hmm.emissions[path[0]][x[0]]
            for t in 1..<x.count { p *= hmm.transitions[path[t - 1]][path[t]] * hmm.emissions[path[t]][x[t]] }
            total += p
        }
        return total
    }

    func testForwardAlgorithmMatchesEnumerationOfStatePaths() {
        for x in [[0, 2, 2, 1, 0], [2, 2, 2, 2, 2], [1, 0, 0, 2, 1]] {
            let losses = tiny.conditionalLossesNats(x)
            XCTAssertEqual(losses.count, x.count)
            for t in 0..<x.count {
                let exact = -log(bruteForceProbability(tiny, Array(x[...t])) / bruteForceProbability(tiny, Array(x[..<t])))
                XCTAssertEqual(losses[t], exact, accuracy: 1e-12, "sequence \(x), position \(t)")
            }
        }
        // Position 0 by hand: 0.4·0.6 + 0.6·0.1 = 0.30.
        XCTAssertEqual(tiny.conditionalLossesNats([0])[0], -log(0.30), accuracy: 1e-15)
    }

    func testConditionalProbabilitiesSumToOneOverEveryNextToken() {
        // Σ_v p(v | prefix) = 1 for any prefix: the oracle is a proper predictor.
        var rng = SeededRNG(seed: 7)
        let hmm = HiddenMarkovModel.stickyZipf(states: 6, vocab: 5, emissionSupport: 3, stay: 0.7,
                                               zipfExponent: 1, emissionConcentration: 0.5, rng: &rng)
        let prefix = hmm.sample(length: 9, rng: &rng)
        let total = (0..<5).reduce(0.0) { acc, v in
            let l = hmm.conditionalLossesNats(prefix + [v]).last!
            return acc + (l.isFinite ? exp(-l) : 0)
        }
        XCTAssertEqual(total, 1, accuracy: 1e-12)
    }

    func testWithoutMemoryTheOracleIsTheMarginalAtEveryPosition() {
        // stay = 0: states are drawn independently from the stationary distribution at every
        // step, so p(x_t | x_<t) = Σ_i π_i E_i(x_t) whatever came before.
        var rng = SeededRNG(seed: 3)
        let hmm = HiddenMarkovModel.stickyZipf(states: 8, vocab: 10, emissionSupport: 4, stay: 0,
                                               zipfExponent: 1.2, emissionConcentration: 1, rng: &rng)
        let x = hmm.sample(length: 40, rng: &rng)
        let losses = hmm.conditionalLossesNats(x)
        for t in x.indices {
            let marginal = (0..<8).reduce(0.0) { $0 + hmm.initial[$1] * hmm.emissions[$1][x[t]] }
            XCTAssertEqual(losses[t], -log(marginal), accuracy: 1e-12)
        }
    }

    func testStickyZipfIsStationaryWithZipfStatesAndSparseEmissions() {
        var rng = SeededRNG(seed: 5)
        let hmm = HiddenMarkovModel.stickyZipf(states: 16, vocab: 32, emissionSupport: 5, stay: 0.9,
                                               zipfExponent: 1, emissionConcentration: 0.5, rng: &rng)
        let harmonic = (1...16).reduce(0.0) { $0 + 1 / Double($1) }
        XCTAssertEqual(hmm.initial[0], 1 / harmonic, accuracy: 1e-12)
        XCTAssertEqual(hmm.initial[3], 1 / (4 * harmonic), accuracy: 1e-12)
        for (a, b) in zip(hmm.stationary, hmm.initial) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        XCTAssertEqual(hmm.transitions[2][2], 0.9 + 0.1 * hmm.initial[2], accuracy: 1e-12)
        XCTAssertTrue(hmm.emissions.allSatisfy { $0.filter { $0 > 0 }.count <= 5 })
    }

    func testOracleLossLiesBetweenTheEntropyBoundsAndFallsWithContext() {
        // Expected oracle loss at target t is H(x_t | x_<t): at t = 1 exactly the bigram
        // conditional entropy, never above it, never below the emission entropy (a lower bound
        // on the entropy rate), and lower with more context when states are sticky.
        var rng = SeededRNG(seed: 11)
        let hmm = HiddenMarkovModel.stickyZipf(states: 12, vocab: 16, emissionSupport: 4, stay: 0.9,
                                               zipfExponent: 1, emissionConcentration: 0.5, rng: &rng)
        var tokens: [UInt16] = []
        for _ in 0..<3000 { tokens += hmm.sample(length: HMMTextRecipe.recordLength, rng: &rng).map { UInt16($0) } }
        let oracle = HMMTextRecipe.oracleLoss(hmm, tokens: tokens)
        let lower = hmm.emissionEntropyNats, upper = hmm.bigramConditionalEntropyNats
        XCTAssertLessThan(lower, upper)
        XCTAssertEqual(oracle.byPosition[0], upper, accuracy: 0.06, "target 1 sees one token: the bigram predictor is the oracle")
        XCTAssertGreaterThan(oracle.meanNats, lower)
        XCTAssertLessThan(oracle.meanNats, upper - 0.1, "long memory: the whole prefix helps")
        let late = oracle.byPosition.suffix(16).reduce(0, +) / 16
        XCTAssertGreaterThan(late, lower)
        XCTAssertLessThan(late, oracle.byPosition[0] - 0.1)
    }

    func testRecipeWritesRecordsAndTheOracleLossOfItsTestTargets() throws {
        let root = temporaryDirectory("hmm-text")
        defer { try? FileManager.default.removeItem(at: root) }
        var shape = HMMTextRecipe.Shape()
        shape.states = 16; shape.vocab = 24; shape.support = 4
        let opts = PrepareOptions(dataDir: root, cacheDir: root, seed: 9, log: { _ in })
        let m = try HMMTextRecipe.prepare(name: "hmm", shape: shape, trainRecords: 40, testRecords: 30, opts: opts)
        XCTAssertEqual(m.layout, .records)
        XCTAssertEqual(m.recordLength, 65)
        XCTAssertEqual(m.vocabSize, 24)
        XCTAssertEqual(m.splits["test"]?.tokens, 30 * 65)
        let ds = try TokenDataset.load(from: root.appendingPathComponent("hmm"))
        // The floor recomputed from the written test shard, record by record, targets 1…64.
        let hmm = HMMTextRecipe.model(shape, seed: 9)
        let test = try ds.split("test").tokens
        var sum = 0.0
        for r in 0..<30 {
            let losses = hmm.conditionalLossesNats(test[(r * 65)..<((r + 1) * 65)].map { Int($0) })
            sum += losses[1...].reduce(0, +)
        }
        let floor = try XCTUnwrap(m.trueEntropyNatsPerToken)
        XCTAssertEqual(floor, sum / Double(30 * 64), accuracy: 1e-12)
        XCTAssertGreaterThan(floor, Double(m.extra!["emission_entropy_nats"]!)!)
        XCTAssertEqual(m.extra?["oracle_targets"], "\(30 * 64)")
        // The same seed gives the same shards.
        let again = try HMMTextRecipe.prepare(name: "hmm2", shape: shape, trainRecords: 40, testRecords: 30, opts: opts)
        XCTAssertEqual(again.splits["train"]?.sha256, m.splits["train"]?.sha256)
        XCTAssertEqual(again.trueEntropyNatsPerToken, m.trueEntropyNatsPerToken)
        // More training records (as `hmm-text-large` has): the same test records and floor, and
        // the first training records the same.
        let larger = try HMMTextRecipe.prepare(name: "hmm-large", shape: shape, trainRecords: 100, testRecords: 30, opts: opts)
        let big = try TokenDataset.load(from: root.appendingPathComponent("hmm-large"))
        XCTAssertEqual(larger.splits["train"]?.tokens, 100 * 65)
        XCTAssertEqual(larger.splits["test"]?.sha256, m.splits["test"]?.sha256)
        XCTAssertEqual(larger.trueEntropyNatsPerToken, m.trueEntropyNatsPerToken)
        XCTAssertEqual(Array(try big.split("train").tokens.prefix(40 * 65)), Array(try ds.split("train").tokens))
        XCTAssertNotEqual(Array(try big.split("train").tokens[(40 * 65)..<(80 * 65)]), Array(try ds.split("train").tokens))
        XCTAssertEqual(HMMTextRecipe.largeRecipe.name, "hmm-text-large")
    }
}
