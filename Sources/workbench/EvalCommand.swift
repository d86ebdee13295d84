import ArgumentParser
import Foundation
import Tensors
import Training

/// `workbench eval`: a trained run's loss on a split, overall and by position in the context.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run's last checkpoint on a split; writes eval_<split>.json with loss by position.")

    @Option(help: "Run directory with config.toml and a checkpoint.") var runDir: String
    @Option(help: "Split to evaluate.") var split = "test"
    @Option(help: "Tokens to evaluate (default: the run's train.eval_tokens).") var tokens: Int?

    func run() throws {
        let trainer = try RunLoading.open(runDir)
        guard trainer.dataset.splits[split] != nil else {
            throw ValidationError("dataset '\(trainer.config.data.dataset)' has no split '\(split)'; it has \(trainer.dataset.splits.keys.sorted().joined(separator: ", "))")
        }
        let r = trainer.evaluateByPosition(split: split, maxTokens: tokens ?? trainer.config.train.evalTokens)
        print(String(format: "%@ %@: %.4f nats/token = %.4f bits/token over %d counted tokens",
                     runDir, split, r.lossNats, r.lossNats / log(2), r.countedTokens))
        let out = URL(fileURLWithPath: runDir).appendingPathComponent("eval_\(split).json")
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(r), to: out)
        print("wrote \(out.path)")
    }
}
