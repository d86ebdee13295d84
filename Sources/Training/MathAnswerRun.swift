import Foundation
import Datasets
import RunFiles
import Tensors
import WorkbenchCore

/// `eval_answers.json` of a math run: every chosen split answered by `GreedyAnswerDecoder`,
/// modules named from the dataset's `problem_modules.json` when it has one.
extension MathAnswerResults {
    /// Answers the problems of `splits` (at most `maxProblems` per split, in packing order) with
    /// `trainer`'s model; `progress` hears one line per split.
    public static func evaluate(_ trainer: Trainer, splits: [String], maxProblems: Int? = nil,
                                progress: (String) -> Void = { _ in }) throws -> MathAnswerResults {
        try evaluate(trainer.loaded, splits: splits, maxProblems: maxProblems, progress: progress)
    }

    /// Answers the problems of `splits` with the model of a loaded run.
    public static func evaluate(_ trainer: RunModel, splits: [String], maxProblems: Int? = nil,
                                progress: (String) -> Void = { _ in }) throws -> MathAnswerResults {
        let ds = trainer.dataset, spec = trainer.config.data.dataset
        guard ds.manifest.modality == "math", let recordLength = ds.manifest.recordLength else {
            throw TrainingError.dataShape("answers need a math dataset; '\(spec)' is \(ds.manifest.modality)")
        }
        guard recordLength - 1 <= trainer.model.nCtx else {
            throw TrainingError.dataShape("records of \(recordLength) tokens need n_ctx \(recordLength - 1); the model has \(trainer.model.nCtx)")
        }
        let modules = spec.hasPrefix("builtin:") ? nil : try MathProblemModules.load(from: URL(fileURLWithPath: spec))
        var results: [String: MathAnswerSplitResult] = [:]
        let clock = ContinuousClock()
        for name in splits {
            let data = try ds.split(name)
            var problems = MathAnswerProblem.extract(from: data, recordLength: recordLength, modules: modules?[name])
            if let maxProblems { problems = Array(problems.prefix(max(0, maxProblems))) }
            let decoder = GreedyAnswerDecoder(model: trainer.model, split: data, recordLength: recordLength)
            let t0 = clock.now
            let r = try MathAnswerEvaluation.evaluate(problems, split: name) { try decoder.answer($0) }
            results[name] = r
            let d = clock.now - t0
            progress(String(format: "%@: %d of %d answers exactly right (%.1f%%) in %.1f s", name, r.total.correct,
                            r.total.problems, 100 * r.total.accuracy, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18))
        }
        return MathAnswerResults(dataset: spec, checkpointStep: (try? Checkpoint.loadState(from: trainer.runDirectory))?.step,
                                 moduleSource: modules == nil ? "none" : MathProblemModules.fileName,
                                 decoding: MathAnswerEvaluation.decodingNote, splits: results)
    }

    /// These results plus the splits of `earlier` that these lack, when `earlier` answered with
    /// the same checkpoint of the same dataset (so `--split extrapolate` after a full run keeps
    /// interpolate); otherwise these results alone.
    public func keepingOtherSplits(of earlier: MathAnswerResults?) -> MathAnswerResults {
        guard let earlier, earlier.dataset == dataset, earlier.checkpointStep == checkpointStep,
              earlier.moduleSource == moduleSource else { return self }
        var out = self
        for (name, r) in earlier.splits where out.splits[name] == nil { out.splits[name] = r }
        return out
    }

    /// The results in `runDir`'s `eval_answers.json`, or nil when there is none or it is unreadable.
    public static func existing(in runDir: URL) -> MathAnswerResults? {
        (try? Data(contentsOf: runDir.appendingPathComponent(fileName))).flatMap { try? JSONDecoder().decode(Self.self, from: $0) }
    }

    /// Writes `eval_answers.json` into `runDir` (atomically) and returns its URL.
    @discardableResult
    public func write(to runDir: URL) throws -> URL {
        let url = runDir.appendingPathComponent(Self.fileName)
        try JSONFile.write(self, to: url)
        return url
    }
}
