import Foundation
import WorkbenchCore
import RunFiles

/// The `hmm-text` dataset: independent sequences of a seeded sticky Zipf hidden Markov model
/// (`HiddenMarkovModel.stickyZipf`, 64 states, 128 tokens) as records of 65 tokens, with the
/// oracle's loss on the test tokens in the manifest's `true_entropy_nats_per_token`: the best
/// loss any model can have on them, a floor the fits must extrapolate to (issue 25 part 5).
///
/// What the oracle conditions on, exactly: a model with `n_ctx = 64` sees each record as one
/// example (inputs tokens 0…63, targets 1…64); the oracle's loss of target t is
/// −ln p(x_t | x_0 … x_{t−1}) of the same record by the forward algorithm, records being
/// independent sequences started from the stationary distribution. The floor is the mean over
/// all targets 1…64 of all test records (token 0 is never a target). The test split has 512
/// records, 32,768 targets: a run evaluates all of them when `train.eval_tokens` ≥ 32,768,
/// and only then is the floor exactly that of its evaluated tokens (the sweeps set it so).
///
/// Shape and sizes can be changed with environment variables (defaults in brackets):
/// `WORKBENCH_HMM_STATES` [64], `WORKBENCH_HMM_VOCAB` [128], `WORKBENCH_HMM_SUPPORT` [12],
/// `WORKBENCH_HMM_STAY` [0.9], `WORKBENCH_HMM_ZIPF` [1.0], `WORKBENCH_HMM_CONCENTRATION` [0.5],
/// `WORKBENCH_HMM_TRAIN_RECORDS` [65536; 524288 for `hmm-text-large`], `WORKBENCH_HMM_TEST_RECORDS` [512].
///
///     let m = try HMMTextRecipe.recipe.prepare(PrepareOptions(dataDir: data, cacheDir: cache))
///     m.trueEntropyNatsPerToken   // the oracle's mean loss on the test targets
public enum HMMTextRecipe {
    /// Tokens per record: n_ctx = 64 targets plus the first token.
    public static let recordLength = 65

    /// The generator's knobs.
    public struct Shape: Sendable {
        public var states = 64, vocab = 128, support = 12
        public var stay = 0.9, zipfExponent = 1.0, concentration = 0.5
        public init() {}
    }

    public static let recipe = recipe(name: "hmm-text", trainRecords: 65_536,
                                      summary: "synthetic 64-state hidden Markov model; oracle loss on the test tokens known exactly")

    /// `hmm-text` with 8× the training records (34M tokens): the same model, the same test records
    /// and floor, and the first 65,536 training records the same, so that the larger sizes of a
    /// converged design can train on tokens in proportion to N without seeing a token twice.
    public static let largeRecipe = recipe(name: "hmm-text-large", trainRecords: 524_288,
                                           summary: "hmm-text with 8x the training records (34M tokens), same test records and floor")

    static func recipe(name: String, trainRecords: Int, summary: String) -> DatasetRecipe {
        DatasetRecipe(name: name, summary: summary) { opts in
            let env = ProcessInfo.processInfo.environment
            var shape = Shape()
            shape.states = Int(env["WORKBENCH_HMM_STATES"] ?? "") ?? shape.states
            shape.vocab = Int(env["WORKBENCH_HMM_VOCAB"] ?? "") ?? shape.vocab
            shape.support = Int(env["WORKBENCH_HMM_SUPPORT"] ?? "") ?? shape.support
            shape.stay = Double(env["WORKBENCH_HMM_STAY"] ?? "") ?? shape.stay
            shape.zipfExponent = Double(env["WORKBENCH_HMM_ZIPF"] ?? "") ?? shape.zipfExponent
            shape.concentration = Double(env["WORKBENCH_HMM_CONCENTRATION"] ?? "") ?? shape.concentration
            let train = Int(env["WORKBENCH_HMM_TRAIN_RECORDS"] ?? "") ?? trainRecords
            let test = Int(env["WORKBENCH_HMM_TEST_RECORDS"] ?? "") ?? 512
            return try prepare(name: name, shape: shape, trainRecords: train, testRecords: test, opts: opts)
        }
    }

    /// The model `opts.seed` gives for `shape`.
    public static func model(_ shape: Shape, seed: UInt64) -> HiddenMarkovModel {
        var rng = SeededRNG(seed: seed)
        return HiddenMarkovModel.stickyZipf(states: shape.states, vocab: shape.vocab, emissionSupport: shape.support,
                                            stay: shape.stay, zipfExponent: shape.zipfExponent,
                                            emissionConcentration: shape.concentration, rng: &rng)
    }

    /// The oracle's mean loss over targets 1…R−1 of every record of `tokens` (records of
    /// `recordLength`), and its mean loss at each target position 1…R−1.
    public static func oracleLoss(_ hmm: HiddenMarkovModel, tokens: [UInt16]) -> (meanNats: Double, byPosition: [Double]) {
        let r = recordLength, records = tokens.count / r
        var byPosition = [Double](repeating: 0, count: r - 1)
        for k in 0..<records {
            let losses = hmm.conditionalLossesNats(tokens[(k * r)..<((k + 1) * r)].map { Int($0) })
            for t in 1..<r { byPosition[t - 1] += losses[t] }
        }
        byPosition = byPosition.map { $0 / Double(max(1, records)) }
        return (byPosition.reduce(0, +) / Double(r - 1), byPosition)
    }

    /// Generates the model from `opts.seed`, samples both splits and writes the shard folder.
    public static func prepare(name: String, shape: Shape, trainRecords: Int, testRecords: Int,
                               opts: PrepareOptions) throws -> ShardManifest {
        precondition(shape.vocab >= 2 && shape.vocab <= 65536 && trainRecords >= 1 && testRecords >= 1)
        let hmm = model(shape, seed: opts.seed)
        func records(_ n: Int, seed: UInt64) -> [UInt16] {
            var rng = SeededRNG(seed: seed)
            var out: [UInt16] = []
            out.reserveCapacity(n * recordLength)
            for _ in 0..<n { out += hmm.sample(length: recordLength, rng: &rng).map { UInt16($0) } }
            return out
        }
        let train = records(trainRecords, seed: opts.seed &+ 1), test = records(testRecords, seed: opts.seed &+ 2)
        let oracle = oracleLoss(hmm, tokens: test)
        let lower = hmm.emissionEntropyNats, upper = hmm.bigramConditionalEntropyNats
        opts.log(String(format: "hmm-text: %d states, %d tokens; oracle loss on the test targets %.6f nats/token (emission entropy %.4f ≤ entropy rate; best bigram predictor %.4f)",
                        shape.states, shape.vocab, oracle.meanNats, lower, upper))
        let generator = "HiddenMarkovModel.stickyZipf(states: \(shape.states), vocab: \(shape.vocab), emissionSupport: \(shape.support), stay: \(shape.stay), zipfExponent: \(shape.zipfExponent), emissionConcentration: \(shape.concentration)), seed \(opts.seed)"
        let manifest = ShardManifest(
            name: name, modality: "text", tokenizer: "hmm-\(shape.vocab)", vocabSize: shape.vocab, layout: .records,
            recordLength: recordLength,
            splits: ["train": .init(tokens: train.count, sequences: trainRecords), "test": .init(tokens: test.count, sequences: testRecords)],
            source: "synthetic hidden Markov model: \(generator)",
            trueEntropyNatsPerToken: oracle.meanNats,
            extra: ["generator": generator, "seed": "\(opts.seed)",
                    "floor": "oracle loss: mean over targets 1…\(recordLength - 1) of all \(testRecords) test records of −ln p(x_t | x_0…x_{t−1}), the same record's whole prefix, by the forward algorithm; records are independent sequences started from the stationary distribution; use model.n_ctx = \(recordLength - 1) and train.eval_tokens ≥ \(testRecords * (recordLength - 1)) so a run is evaluated on exactly these targets",
                    "oracle_targets": "\(testRecords * (recordLength - 1))",
                    "oracle_loss_first_target_nats": String(format: "%.6f", oracle.byPosition.first ?? .nan),
                    "oracle_loss_last_target_nats": String(format: "%.6f", oracle.byPosition.last ?? .nan),
                    "emission_entropy_nats": String(format: "%.9f", lower),
                    "bigram_conditional_entropy_nats": String(format: "%.9f", upper)])
        let ds = TokenDataset(manifest: manifest, splits: ["train": TokenSplit(tokens: train), "test": TokenSplit(tokens: test)])
        return try ds.write(to: opts.outputDir(for: name))
    }
}
