import ArgumentParser
import Datasets
import Foundation
import Training
import RunFiles

/// `workbench eval --answers`: a math run's answers by greedy decoding, exact match per module
/// and per test split, written to `eval_answers.json` in the run directory and printed as a table.
enum AnswerEval {
    /// `split`: one split, or `test` (the default) for every test split of the dataset
    /// (interpolate and extrapolate; the math datasets' `test` is a copy of interpolate).
    static func run(_ trainer: RunModel, runDir: String, split: String, maxProblems: Int?) throws {
        let splits = try chosenSplits(trainer.dataset, split: split)
        let spec = trainer.config.data.dataset
        let dir = URL(fileURLWithPath: runDir)
        let fresh = try MathAnswerResults.evaluate(trainer, splits: splits, maxProblems: maxProblems) { print($0) }
        let report = fresh.keepingOtherSplits(of: MathAnswerResults.existing(in: dir))
        for kept in Set(report.splits.keys).subtracting(fresh.splits.keys).sorted() {
            print("kept \(kept) from the earlier \(MathAnswerResults.fileName) (same checkpoint)")
        }
        if report.moduleSource == "none" {
            print("note: \(spec) has no \(MathProblemModules.fileName) (prepared before it existed): all modules together")
        }
        printTable(report, splits: splits + report.splits.keys.filter { !splits.contains($0) }.sorted())
        let out = try report.write(to: dir)
        print("wrote \(out.path)")
    }

    static func chosenSplits(_ ds: TokenDataset, split: String) throws -> [String] {
        if split == "test", let alias = ds.manifest.extra?["test_split"], ds.splits[alias] != nil {
            return ds.splits.keys.filter { $0 != "train" && $0 != "test" }.sorted { a, b in
                a == alias ? b != alias : b == alias ? false : a < b
            }
        }
        guard ds.splits[split] != nil else {
            throw ValidationError("dataset '\(ds.manifest.name)' has no split '\(split)'; it has \(ds.splits.keys.sorted().joined(separator: ", "))")
        }
        return [split]
    }

    /// Accuracy (and problems) per module, one column per split.
    static func printTable(_ r: MathAnswerResults, splits: [String]) {
        let modules = Set(splits.flatMap { r.splits[$0]?.modules.keys.map { $0 } ?? [] }).sorted()
        let width = max(12, (modules.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
        func cell(_ c: MathAnswerCount?) -> String {
            guard let c, c.problems > 0 else { return pad("–", 22) }
            return pad(String(format: "%5.1f%% (%d)", 100 * c.accuracy, c.problems), 22)
        }
        print(pad("module", width) + splits.map { pad($0 + " acc (n)", 22) }.joined())
        for m in modules { print(pad(m, width) + splits.map { cell(r.splits[$0]?.modules[m]) }.joined()) }
        print(pad("all", width) + splits.map { cell(r.splits[$0]?.total) }.joined())
    }
}
