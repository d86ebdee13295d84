import WorkbenchCore

/// Sizes, difficulties and seed of the generated math splits, as in Saxton et al. 2019: train
/// over a range of difficulties, an interpolation test inside that range, an extrapolation
/// test beyond it (bigger numbers, more terms).
///
///     var c = MathSplitConfig(seed: 7)
///     c.trainCharacters = 100_000
public struct MathSplitConfig: Sendable, Equatable {
    /// Question-plus-answer characters to generate for training.
    public var trainCharacters = 4_000_000
    /// Question-plus-answer characters for each test split.
    public var testCharacters = 200_000
    public var trainLevels: ClosedRange<Int> = 3...10
    public var interpolateLevel = 8
    public var extrapolateLevel = 12
    public var seed: UInt64 = 1234
    /// Module names to use; empty means all of `MathGenerator.modules`.
    public var modules: [String] = []

    public init(seed: UInt64 = 1234) { self.seed = seed }
}

/// The generated problems of each split, question texts disjoint across splits and unique
/// within each.
///
///     let s = MathSplits.generate(MathSplitConfig(seed: 1))
///     s.train.count; s.interpolate.first!.question
public struct MathSplits: Sendable {
    public var train: [MathProblem]
    public var interpolate: [MathProblem]
    public var extrapolate: [MathProblem]

    /// Test splits are drawn first (interpolate, then extrapolate), then training skips any
    /// question already drawn, so no test question ever appears in training. Modules take
    /// turns, so every split holds about the same number of problems per module.
    public static func generate(_ config: MathSplitConfig) -> MathSplits {
        let modules = config.modules.isEmpty ? MathGenerator.modules
            : config.modules.map { name in
                guard let m = MathGenerator.module(named: name) else { preconditionFailure("unknown math module '\(name)'") }
                return m
            }
        var seen = Set<String>()
        let interpolate = draw(modules, characters: config.testCharacters, seed: config.seed ^ 0x1A7E_0001,
                               seen: &seen) { _ in MathDifficulty(level: config.interpolateLevel) }
        let extrapolate = draw(modules, characters: config.testCharacters, seed: config.seed ^ 0x1A7E_0002, seen: &seen) { _ in
            MathDifficulty(level: config.extrapolateLevel, beyond: config.trainLevels.upperBound)
        }
        let train = draw(modules, characters: config.trainCharacters, seed: config.seed ^ 0x1A7E_0003, seen: &seen) { rng in
            MathDifficulty(level: rng.int(in: config.trainLevels))
        }
        return MathSplits(train: train, interpolate: interpolate, extrapolate: extrapolate)
    }

    /// Problems from `modules` in turn until `characters` question-plus-answer characters,
    /// skipping questions in `seen` (and adding the new ones). A module that keeps repeating
    /// itself (a small easy level has few distinct questions) gives up its turn after a few tries.
    static func draw(_ modules: [MathModule], characters: Int, seed: UInt64, seen: inout Set<String>,
                     difficulty: (inout SeededRNG) -> MathDifficulty) -> [MathProblem] {
        var rng = SeededRNG(seed: seed)
        var out: [MathProblem] = [], total = 0, turn = 0, idleTurns = 0
        while total < characters && idleTurns < 10 * modules.count {
            let module = modules[turn % modules.count]
            turn += 1
            var added = false
            for _ in 0..<4 {
                let p = module.generate(&rng, difficulty(&rng))
                if seen.insert(p.question).inserted {
                    out.append(p); total += p.question.utf8.count + p.answer.utf8.count; added = true
                    break
                }
            }
            idleTurns = added ? 0 : idleTurns + 1
        }
        return out
    }

    /// Characters (question plus answer) of a list of problems.
    public static func characters(_ problems: [MathProblem]) -> Int {
        problems.reduce(0) { $0 + $1.question.utf8.count + $1.answer.utf8.count }
    }
}
