import Foundation
import WorkbenchCore
import Tensors
import Training

/// The evaluations a study adds to its sweeps' runs: loss by position for the largest model of
/// each kind (transformer, LSTM: Kaplan et al. 2020, Fig. 7 right) that did not repeat its data,
/// and paired (blank versus real caption or image) losses for every such
/// image–caption run. Runs that repeated their data (E > D, the L(D) runs) are left out: they
/// would mix the dataset size into a comparison across N. Files already written are kept, so a
/// resumed study does not redo them.
///
///     try StudyEvaluations.run(folder: folder, modality: "captions", open: RunLoading.open) { print($0) }
public enum StudyEvaluations {
    /// The completed generative runs of the sweep that saw each training token at most once
    /// (E ≤ D), as the plan recorded them: the runs a size comparison is made of (fine-tuning
    /// runs measure classification, and IsoFLOP runs end where a budget is spent, short for
    /// their size by design: both are left out).
    public static func sizeRuns(_ folder: SweepFolder) throws -> [PlannedRun] {
        guard let recorded = try folder.recordedPlan() else { return [] }
        let plan = try SweepPlan(recorded: recorded, configs: folder.configsURL)
        return plan.runs.filter {
            $0.config.finetune.task.isEmpty && $0.config.train.computeBudgetFLOPs == 0 && $0.tokens <= $0.datasetTokens
                && RunState.read(folder.runURL($0.name)).status == .completed
        }
    }

    /// Writes `eval_test.json` for the largest size run of each `model.kind` and
    /// `paired_eval*.json` for each transformer size run of image–caption data. `open` loads a run directory with its last checkpoint.
    public static func run(folder: SweepFolder, modality: String, open: (URL) throws -> RunModel,
                           log: (String) -> Void = { print($0) }) throws {
        let sizes = try sizeRuns(folder)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        for kind in ["transformer", "lstm"] {
        if let largest = sizes.filter({ $0.config.model.kind == kind }).max(by: { $0.params < $1.params }) {
            let dir = folder.runURL(largest.name)
            let file = dir.appendingPathComponent("eval_test.json")
            if !FileManager.default.fileExists(atPath: file.path) {
                let trainer = try open(dir)
                let r = trainer.evaluateByPosition(split: trainer.config.data.evalSplit, maxTokens: 4 * trainer.config.train.evalTokens)
                try AtomicFile.write(try enc.encode(r), to: file)
                log(String(format: "%@: loss by position of %@ (%.4f nats/token over %d tokens)", modality, largest.name, r.lossNats, r.countedTokens))
            }
        }
        }
        // Mutual information against N, for image–caption data only (the manifest says which data
        // it is), across transformers (an LSTM grid would mix the architecture into N).
        let transformers = sizes.filter { $0.config.model.kind == "transformer" }
        guard let first = transformers.first, DatasetSize.modality(of: first.config.data.dataset) == "pair" else { return }
        for r in transformers {
            let dir = folder.runURL(r.name)
            let file = dir.appendingPathComponent("paired_eval.json")
            guard !FileManager.default.fileExists(atPath: file.path) else { continue }
            let trainer = try open(dir)
            let p = try trainer.pairedEvaluation(maxTokens: 2 * trainer.config.train.evalTokens)
            try AtomicFile.write(try enc.encode(p.text), to: dir.appendingPathComponent("paired_eval_text.json"))
            try AtomicFile.write(try enc.encode(p.image), to: file)
            log(String(format: "%@: paired evaluation of %@: I = %.3f nats per pair (caption → image), %.3f (image → caption)",
                       modality, r.name, p.image.mutualInformationNats, p.text.mutualInformationNats))
        }
    }
}
