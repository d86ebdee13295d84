import Foundation
import WorkbenchCore
import RunFiles

/// The `markov-text` dataset: a token stream from a seeded random Markov chain over 64 symbols
/// whose exact entropy rate goes into the manifest's `true_entropy_nats_per_token`, so a fitted
/// L∞ can be checked against the truth.
///
/// Sizes and shape can be changed with environment variables (defaults in brackets):
/// `WORKBENCH_MARKOV_STATES` [64], `WORKBENCH_MARKOV_CONCENTRATION` [0.1],
/// `WORKBENCH_MARKOV_TRAIN_TOKENS` [16777216], `WORKBENCH_MARKOV_TEST_TOKENS` [1048576].
///
///     let m = try MarkovTextRecipe.recipe.prepare(PrepareOptions(dataDir: data, cacheDir: cache))
///     m.trueEntropyNatsPerToken   // ≈ 2.3
public enum MarkovTextRecipe {
    public static let recipe = DatasetRecipe(
        name: "markov-text",
        summary: "synthetic 64-symbol Markov chain with exactly known entropy rate") { opts in
        let env = ProcessInfo.processInfo.environment
        let states = Int(env["WORKBENCH_MARKOV_STATES"] ?? "") ?? 64
        let concentration = Double(env["WORKBENCH_MARKOV_CONCENTRATION"] ?? "") ?? 0.1
        let trainTokens = Int(env["WORKBENCH_MARKOV_TRAIN_TOKENS"] ?? "") ?? (1 << 24)
        let testTokens = Int(env["WORKBENCH_MARKOV_TEST_TOKENS"] ?? "") ?? (1 << 20)
        return try prepare(name: "markov-text", states: states, concentration: concentration,
                           trainTokens: trainTokens, testTokens: testTokens, opts: opts)
    }

    /// Generates the chain from `opts.seed`, samples both splits and writes the shard folder.
    public static func prepare(name: String, states: Int, concentration: Double, trainTokens: Int,
                               testTokens: Int, opts: PrepareOptions) throws -> ShardManifest {
        precondition(states >= 2 && states <= 65536)
        var rng = SeededRNG(seed: opts.seed)
        let chain = MarkovChain.random(states: states, concentration: concentration, rng: &rng)
        opts.log(String(format: "markov-text: %d states, concentration %g, entropy rate %.6f nats/token",
                        states, concentration, chain.entropyRateNats))
        var trainRNG = SeededRNG(seed: opts.seed &+ 1), testRNG = SeededRNG(seed: opts.seed &+ 2)
        let train = chain.sample(count: trainTokens, rng: &trainRNG).map { UInt16($0) }
        let test = chain.sample(count: testTokens, rng: &testRNG).map { UInt16($0) }
        let manifest = ShardManifest(
            name: name, modality: "text", tokenizer: "markov-\(states)", vocabSize: states, layout: .stream,
            splits: ["train": .init(tokens: train.count, sequences: 1), "test": .init(tokens: test.count, sequences: 1)],
            source: "synthetic first-order Markov chain, rows ~ Dirichlet(\(concentration)), seed \(opts.seed)",
            trueEntropyNatsPerToken: chain.entropyRateNats,
            extra: ["states": "\(states)", "order": "1", "concentration": "\(concentration)", "seed": "\(opts.seed)",
                    "stationary_entropy_nats": String(format: "%.9f", chain.stationaryEntropyNats)])
        let ds = TokenDataset(manifest: manifest, splits: ["train": TokenSplit(tokens: train), "test": TokenSplit(tokens: test)])
        return try ds.write(to: opts.outputDir(for: name))
    }
}
