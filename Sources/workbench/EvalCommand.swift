import ArgumentParser
import Foundation
import RunFiles
import Tensors
import Training
import WorkbenchCore

/// `workbench eval`: a trained run's loss on a split, overall and by position in the context.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run's last checkpoint on a split; writes eval_<split>.json with loss by position.")

    @Option(help: "Run directory with config.toml and a checkpoint.") var runDir: String
    @Option(help: "Split to evaluate.") var split = "test"
    @Option(help: "Tokens to evaluate (default: the run's train.eval_tokens).") var evalTokens: Int?
    /// The old spelling of --eval-tokens, kept hidden for a while.
    @Option(name: .customLong("tokens"), help: .hidden) var legacyTokens: Int?
    var tokens: Int? { evalTokens ?? legacyTokens }
    @Flag(help: "Image–caption runs: losses with and without the other part on the four pair evaluation splits (every test pair unless --eval-tokens limits it), I with its paired standard error; writes paired_eval.json (caption→image) and paired_eval_text.json (image→caption).")
    var paired = false
    @Option(help: "Write the logits of the first --dump-sequences windows of the split to this safetensors file (for comparing with another implementation) and stop.")
    var dumpLogits: String?
    @Option(help: "Windows in the --dump-logits batch.") var dumpSequences = 4
    @Flag(help: "Math runs: answer each test problem by greedy decoding, exact match per module and split (every test split unless --split names one); writes eval_answers.json.")
    var answers = false
    @Option(help: "With --answers: at most this many problems per split.") var maxProblems: Int?

    func run() throws {
        let trainer = try RunLoading.open(runDir)
        if paired { return try runPaired(trainer) }
        if let dumpLogits {
            let step = try Checkpoint.loadState(from: URL(fileURLWithPath: runDir)).step
            return try LogitsDump.write(trainer, split: split, sequences: dumpSequences, stepOfCheckpoint: step, to: URL(fileURLWithPath: dumpLogits))
        }
        if answers { return try AnswerEval.run(trainer, runDir: runDir, split: split, maxProblems: maxProblems) }
        guard trainer.dataset.splits[split] != nil else {
            throw ValidationError("dataset '\(trainer.config.data.dataset)' has no split '\(split)'; it has \(trainer.dataset.splits.keys.sorted().joined(separator: ", "))")
        }
        if trainer.isClassification { return try runClassification(trainer) }
        let r = trainer.evaluateByPosition(split: split, maxTokens: tokens ?? trainer.config.train.evalTokens)
        print(String(format: "%@ %@: %.4f nats/token = %.4f bits/token over %d counted tokens",
                     runDir, split, r.lossNats, r.lossNats / log(2), r.countedTokens))
        let out = URL(fileURLWithPath: runDir).appendingPathComponent(PositionalEvaluation.fileName(split: split))
        try JSONFile.write(r, to: out)
        print("wrote \(out.path)")
    }

    /// Fine-tuned runs: the classification loss (nats per example) and accuracy on the split,
    /// which is what they were trained for, in `eval_<split>.json`.
    func runClassification(_ trainer: RunModel) throws {
        let r = try trainer.evaluateClassification(split: split, maxTokens: tokens ?? trainer.config.train.evalTokens)
        print(String(format: "%@ %@: %.4f nats/example, accuracy %.2f %% over %d examples",
                     runDir, split, r.lossNatsPerExample, 100 * r.accuracy, r.examples))
        let out = URL(fileURLWithPath: runDir).appendingPathComponent("eval_\(split).json")
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(r), to: out)
        print("wrote \(out.path)")
    }

    func runPaired(_ trainer: RunModel) throws {
        let r = try trainer.pairedEvaluation(maxTokens: tokens ?? .max)
        for (p, file) in [(r.image, PairedEvaluation.imageFileName), (r.text, PairedEvaluation.textFileName)] {
            print(String(format: "predict %@: blank %.4f, conditioned %.4f nats/token over %.0f tokens per item, %d test pairs: I = %.3f ± %.3f nats per pair (paired standard error)",
                         p.predicted, p.lossBlankNatsPerToken, p.lossConditionedNatsPerToken, p.tokensPerItem, p.pairs ?? 0,
                         p.mutualInformationNats, p.mutualInformationStandardErrorNats ?? .nan))
            let out = URL(fileURLWithPath: runDir).appendingPathComponent(file)
            try JSONFile.write(p, to: out)
            print("wrote \(out.path)")
        }
    }
}
