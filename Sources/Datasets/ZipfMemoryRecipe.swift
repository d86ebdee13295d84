import Foundation
import WorkbenchCore
import RunFiles

/// The `zipf-memory` dataset: Hutter's (2021, "Learning Curve Theory") Zipf memorisation model
/// as token records, a source whose L(D) exponent theory predicts (issue 25 part 6).
///
/// Each record is two tokens, a key and its value: key i of `keys` is drawn with probability
/// p_i ∝ i^−(1+α) (i = 1…K), its value is a fixed random one of `values` value tokens, and only
/// the value counts in the loss (mask). Nothing about a key's value can be learned but by seeing
/// that key, so a model that memorises what it saw has, after n training records, a loss of
/// about c · U(n) with U(n) = Σ_i p_i (1 − p_i)^n the probability that a test key was never seen
/// (c the loss on an unseen key, ≈ ln values), and U(n) ∝ n^−α/(1+α): the predicted L(D)
/// exponent is α/(1+α), whatever c is. Keys are single tokens, so an unseen key's embedding is
/// never trained and the model cannot guess its value from seen ones.
///
/// Defaults: α = 1 (predicted exponent 0.5), 4,096 keys, 64 values, 65,536 train and 8,192 test
/// records; with these, U(n) has a local slope of −0.50 to −0.53 between n = 100 and 100,000
/// records (the finite key set bends it only beyond that). Train with `model.n_ctx = 1`.
///
///     let m = try ZipfMemoryRecipe.prepare(name: "zipf-memory", shape: .init(), trainRecords: 65_536,
///                                          testRecords: 8_192, opts: opts)
public enum ZipfMemoryRecipe {
    /// Key tokens are 0..<keys, value tokens keys..<keys + values.
    public struct Shape: Sendable {
        public var keys = 4096, values = 64, alpha = 1.0
        public init() {}
        /// Hutter's predicted exponent of L(D) (and of the unseen mass U(n)): α / (1 + α).
        public var predictedDataExponent: Double { alpha / (1 + alpha) }
    }

    public static let recipe = DatasetRecipe(
        name: "zipf-memory",
        summary: "Hutter's Zipf memorisation model (key → value records); L(D) exponent α/(1+α) = 0.5 predicted") { opts in
        try prepare(name: "zipf-memory", shape: Shape(), trainRecords: 65_536, testRecords: 8_192, opts: opts)
    }

    /// p_i ∝ i^−(1+α), i = 1…keys (index 0 is the most frequent key).
    public static func keyProbabilities(_ shape: Shape) -> [Double] {
        let w = (1...shape.keys).map { pow(Double($0), -(1 + shape.alpha)) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// U(n) = Σ_i p_i (1 − p_i)^n: the chance that a test key is none of n training keys.
    public static func unseenProbability(_ p: [Double], records n: Double) -> Double {
        p.reduce(0) { $0 + $1 * exp(n * log1p(-$1)) }
    }

    /// The records of a split (key token, value token each) and their mask (the value counts).
    static func records(_ n: Int, cumulative: [Double], keyToken: [Int], value: [Int], keys: Int,
                        rng: inout SeededRNG) -> TokenSplit {
        var tokens = [UInt16](), mask = [UInt8]()
        tokens.reserveCapacity(2 * n); mask.reserveCapacity(2 * n)
        for _ in 0..<n {
            let u = rng.nextDouble() * cumulative[cumulative.count - 1]
            var lo = 0, hi = cumulative.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > u { hi = mid } else { lo = mid + 1 } }
            tokens.append(UInt16(keyToken[lo])); tokens.append(UInt16(keys + value[lo]))
            mask.append(0); mask.append(1)
        }
        return TokenSplit(tokens: tokens, mask: mask)
    }

    /// Draws the key tokens and values from `opts.seed`, samples both splits and writes the shards.
    public static func prepare(name: String, shape: Shape, trainRecords: Int, testRecords: Int,
                               opts: PrepareOptions) throws -> ShardManifest {
        precondition(shape.keys >= 2 && shape.values >= 2 && shape.keys + shape.values <= 65536 && shape.alpha > 0)
        var rng = SeededRNG(seed: opts.seed)
        let keyToken = rng.permutation(shape.keys)             // the i-th most frequent key's token
        let value = (0..<shape.keys).map { _ in rng.nextInt(below: shape.values) }
        let p = keyProbabilities(shape)
        var acc = 0.0
        let cumulative = p.map { acc += $0; return acc }
        var trainRNG = SeededRNG(seed: opts.seed &+ 1), testRNG = SeededRNG(seed: opts.seed &+ 2)
        let train = records(trainRecords, cumulative: cumulative, keyToken: keyToken, value: value, keys: shape.keys, rng: &trainRNG)
        let test = records(testRecords, cumulative: cumulative, keyToken: keyToken, value: value, keys: shape.keys, rng: &testRNG)
        let checkpoints: [Double] = [100, 300, 1_000, 3_000, 10_000, 30_000, 100_000]
        let unseen = checkpoints.map { String(format: "%.0f:%.6f", $0, unseenProbability(p, records: $0)) }.joined(separator: " ")
        opts.log(String(format: "zipf-memory: %d keys, p_i ∝ i^-%.3g, %d values; predicted L(D) exponent %.4f",
                        shape.keys, 1 + shape.alpha, shape.values, shape.predictedDataExponent))
        let generator = "Zipf memorisation (Hutter 2021): \(shape.keys) keys, p_i ∝ i^-(1+\(shape.alpha)), \(shape.values) values, seed \(opts.seed)"
        let manifest = ShardManifest(
            name: name, modality: "text", tokenizer: "zipf-keys-\(shape.keys)-values-\(shape.values)",
            vocabSize: shape.keys + shape.values, layout: .records, recordLength: 2,
            splits: ["train": .init(tokens: train.tokens.count, sequences: trainRecords),
                     "test": .init(tokens: test.tokens.count, sequences: testRecords)],
            source: generator, trueEntropyNatsPerToken: 0,
            extra: ["generator": generator, "seed": "\(opts.seed)",
                    "zipf_alpha": "\(shape.alpha)",
                    "predicted_data_exponent": String(format: "%.6f", shape.predictedDataExponent),
                    "predicted_exponent_theory": "Hutter 2021: a memoriser's loss after n records ∝ U(n) = Σ p_i (1 − p_i)^n ∝ n^-α/(1+α); the value is a function of the key, so the floor is 0",
                    "unseen_probability_at_records": unseen,
                    "records": "key token, value token; only the value counts (mask); model.n_ctx = 1"])
        let ds = TokenDataset(manifest: manifest, splits: ["train": train, "test": test])
        return try ds.write(to: opts.outputDir(for: name))
    }
}
