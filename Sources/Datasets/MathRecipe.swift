import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// Builds math token shards: problems → `MathTokenizer` characters → records of 513 tokens with
/// answer masks, splits `train`, `test` (= `interpolate`), `interpolate`, `extrapolate`.
///
///     var config = MathSplitConfig(seed: 1234); config.trainCharacters = 100_000
///     let (ds, _) = try MathDataset.generated(config)
///     try ds.write(to: URL(fileURLWithPath: "data/math"))
///
/// `workbench data prepare math` uses `recipe`; the sizes can be changed with the environment
/// variables `WORKBENCH_MATH_TRAIN_CHARS` and `WORKBENCH_MATH_TEST_CHARS` (question-plus-answer
/// characters); `WORKBENCH_MATH_WRITE_TEXT=1` also writes the problems as text under `math/text/`.
/// `math-deepmind` packs files of DeepMind's own generator instead (see `deepMindRecipe`).
public enum MathDataset {
    public static let recordLength = MathPacking.defaultRecordLength

    /// Packs the three problem lists into a dataset; `test` is a copy of `interpolate`.
    public static func pack(name: String, train: [MathProblem], interpolate: [MathProblem],
                            extrapolate: [MathProblem], source: String) throws -> (TokenDataset, [String: MathPacking.Packed]) {
        var packed: [String: MathPacking.Packed] = [:]
        packed["train"] = try MathPacking.pack(train, recordLength: recordLength)
        packed["interpolate"] = try MathPacking.pack(interpolate, recordLength: recordLength)
        packed["extrapolate"] = try MathPacking.pack(extrapolate, recordLength: recordLength)
        packed["test"] = packed["interpolate"]
        var splits: [String: TokenSplit] = [:], info: [String: ShardManifest.Split] = [:]
        var extra: [String: String] = ["test_split": "interpolate"]
        for (k, p) in packed {
            splits[k] = p.split
            info[k] = .init(tokens: p.split.tokens.count, sequences: p.records, hasMask: true)
            extra["\(k)_problems"] = "\(p.problems)"
            extra["\(k)_answer_tokens"] = "\(p.answerTokens)"
            extra["\(k)_pad_tokens"] = "\(p.padTokens)"
        }
        let manifest = ShardManifest(name: name, modality: "math", tokenizer: MathTokenizer.name,
                                     vocabSize: MathTokenizer.vocabSize, layout: .records, recordLength: recordLength,
                                     splits: info, source: source, extra: extra)
        return (TokenDataset(manifest: manifest, splits: splits), packed)
    }

    /// The dataset from our own generator.
    public static func generated(_ config: MathSplitConfig, name: String = "math") throws -> (TokenDataset, [String: MathPacking.Packed]) {
        try generated(config, splits: MathSplits.generate(config), name: name)
    }

    static func generated(_ config: MathSplitConfig, splits s: MathSplits, name: String) throws -> (TokenDataset, [String: MathPacking.Packed]) {
        let modules = config.modules.isEmpty ? MathGenerator.modules.map(\.name) : config.modules
        let source = "workbench math generator (DeepMind-style, \(modules.count) modules), seed \(config.seed), "
            + "train levels \(config.trainLevels.lowerBound)-\(config.trainLevels.upperBound) "
            + "(\(config.trainCharacters) chars), interpolate level \(config.interpolateLevel), "
            + "extrapolate level \(config.extrapolateLevel) (\(config.testCharacters) chars each)"
        return try pack(name: name, train: s.train, interpolate: s.interpolate, extrapolate: s.extrapolate, source: source)
    }

    /// Writes the problems as text in DeepMind's layout, `dir/<split>/<module>.txt`, for other
    /// tools (and `tools/math/crosscheck.py`).
    public static func writeText(_ s: MathSplits, to dir: URL) throws {
        for (split, problems) in [("train", s.train), ("interpolate", s.interpolate), ("extrapolate", s.extrapolate)] {
            let byModule = Dictionary(grouping: problems, by: \.module)
            for (module, ps) in byModule {
                try MathDeepMindReader.write(ps, to: dir.appendingPathComponent(split).appendingPathComponent(module + ".txt"))
            }
        }
    }

    /// Split sizes from the environment (`WORKBENCH_MATH_TRAIN_CHARS`, `WORKBENCH_MATH_TEST_CHARS`).
    public static func splitConfig(seed: UInt64, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MathSplitConfig {
        var c = MathSplitConfig(seed: seed)
        for (key, path) in [("WORKBENCH_MATH_TRAIN_CHARS", \MathSplitConfig.trainCharacters),
                            ("WORKBENCH_MATH_TEST_CHARS", \MathSplitConfig.testCharacters)] {
            guard let text = environment[key] else { continue }
            guard let v = Int(text.replacingOccurrences(of: "_", with: "")), v > 0 else {
                throw WorkbenchIOError.corrupt(path: "$" + key, reason: "'\(text)' is not a positive number of characters")
            }
            c[keyPath: path] = v
        }
        return c
    }

    static func report(_ packed: [String: MathPacking.Packed], _ log: (String) -> Void) {
        for (k, p) in packed.sorted(by: { $0.key < $1.key }) {
            log("math \(k): \(p.problems) problems, \(p.records) records, \(p.split.tokens.count) tokens, "
                + "\(p.answerTokens) answer tokens, \(p.padTokens) pad tokens")
        }
    }

    /// `workbench data prepare math`.
    public static let recipe = DatasetRecipe(
        name: "math",
        summary: "generated DeepMind-style math problems, 21 modules, chars, records of 513 with answer masks"
    ) { opts in
        let config = try splitConfig(seed: opts.seed)
        opts.log("generating math problems: \(config.trainCharacters) train characters, \(config.testCharacters) per test split")
        let problems = MathSplits.generate(config)
        let (ds, packed) = try generated(config, splits: problems, name: "math")
        report(packed, opts.log)
        try MathProblemModules.write(["interpolate": problems.interpolate, "test": problems.interpolate,
                                      "extrapolate": problems.extrapolate], to: opts.outputDir(for: "math"))
        try ds.write(to: opts.outputDir(for: "math"))
        if ProcessInfo.processInfo.environment["WORKBENCH_MATH_WRITE_TEXT"] == "1" {
            let textDir = opts.outputDir(for: "math").appendingPathComponent("text")
            try writeText(problems, to: textDir)
            opts.log("wrote problems as text to \(textDir.path)")
        }
        return ds.manifest
    }

    /// `workbench data prepare math-deepmind`: packs a copy of DeepMind's generated files found in
    /// `<cache-dir>/math-deepmind/` (`train-easy/`, `train-medium/`, `train-hard/`, `interpolate/`,
    /// `extrapolate/`, each of `.txt` files). Training problems are shuffled with the seed.
    public static let deepMindRecipe = DatasetRecipe(
        name: "math-deepmind",
        summary: "DeepMind mathematics_dataset .txt files from <cache-dir>/math-deepmind, packed like 'math'"
    ) { opts in
        let root = opts.cacheDir.appendingPathComponent("math-deepmind")
        let (ds, packed) = try fromDeepMind(root: root, seed: opts.seed)
        report(packed, opts.log)
        try MathProblemModules.write(try deepMindTestProblems(root: root), to: opts.outputDir(for: "math-deepmind"))
        try ds.write(to: opts.outputDir(for: "math-deepmind"))
        return ds.manifest
    }

    /// The test problems of a folder of DeepMind's files, by split, in packing order.
    static func deepMindTestProblems(root: URL) throws -> [String: [MathProblem]] {
        let interpolate = try MathDeepMindReader.readFolder(root.appendingPathComponent("interpolate"))
        let extrapolate = try MathDeepMindReader.readFolder(root.appendingPathComponent("extrapolate"))
        return ["interpolate": interpolate, "test": interpolate, "extrapolate": extrapolate]
    }

    /// The dataset from a folder of DeepMind's files (see `deepMindRecipe`).
    public static func fromDeepMind(root: URL, seed: UInt64, name: String = "math-deepmind") throws -> (TokenDataset, [String: MathPacking.Packed]) {
        let fm = FileManager.default
        let trainFolders = ["train-easy", "train-medium", "train-hard"].filter {
            fm.fileExists(atPath: root.appendingPathComponent($0).path)
        }
        guard !trainFolders.isEmpty else {
            throw WorkbenchIOError.missingFile(path: root.appendingPathComponent("train-easy").path,
                what: "DeepMind math training folder (generate one with mathematics_dataset's generate_to_file, "
                    + "or unpack a released copy there)")
        }
        var train = try trainFolders.flatMap { try MathDeepMindReader.readFolder(root.appendingPathComponent($0)) }
        var rng = SeededRNG(seed: seed)
        train = rng.permutation(train.count).map { train[$0] }
        let interpolate = try MathDeepMindReader.readFolder(root.appendingPathComponent("interpolate"))
        let extrapolate = try MathDeepMindReader.readFolder(root.appendingPathComponent("extrapolate"))
        return try pack(name: name, train: train, interpolate: interpolate, extrapolate: extrapolate,
                        source: "DeepMind mathematics_dataset files from \(root.path) (\(trainFolders.joined(separator: ", ")))")
    }
}
