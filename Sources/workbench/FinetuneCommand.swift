import ArgumentParser
import Datasets
import Foundation
import Training

/// `workbench finetune`: a classification run on a labelled image dataset, starting from a
/// pre-trained run's weights or, as the baseline, from scratch in the same shape.
///
/// It writes an ordinary run directory whose `config.toml` holds a `[finetune]` section; the
/// same config trains with `workbench train`, and sweeps can hold fine-tuning runs like any run.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a pre-trained image model for classification, or train the same shape from scratch.",
        discussion: """
        The head: the mean of the final layer norm's output over all positions, then one linear layer to the classes,
        trained with cross-entropy on the labels the dataset keeps (train.labels / test.labels). \
        metrics.jsonl records test_loss (nats per image) and test_accuracy.
        Defaults (override with --set): \(FinetuneCommand.defaults.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")).
        Examples:
          workbench finetune --from studies/quick/image/runs/size-L3-d96-Dall-s1
          workbench finetune --from scratch --shape-of studies/quick/image/runs/size-L3-d96-Dall-s1
          workbench finetune --from RUN --mode linear-probe --set train.steps=1000
        """)

    @Option(help: "The pre-trained run directory, or 'scratch' (then --shape-of names the run whose shape to copy).")
    var from: String
    @Option(help: "With --from scratch: the run whose model shape (and dataset) to use.") var shapeOf: String?
    @Option(help: "Labelled dataset: a name prepared under --data-dir, or a folder (default: the pre-trained run's dataset).")
    var dataset: String?
    @Option(help: "Folder of prepared datasets.") var dataDir = "data"
    @Option(help: "full (body and head train) or linear-probe (only the head trains).") var mode = "full"
    @Option(name: .customLong("set"), help: "Override one key, as section.key=value (repeatable).") var overrides: [String] = []
    @Option(help: "Run directory (default: runs/finetune-<run>-<mode> or runs/scratch-<run>).") var runDir: String?
    @Flag(help: "Continue the run in the run directory from its last checkpoint.") var resume = false

    /// Fine-tuning's own schedule, over the pre-trained run's config.
    static let defaults: [(String, String)] = [
        ("train.steps", "500"), ("train.batch_size", "16"), ("train.eval_every", "50"), ("train.checkpoint_every", "0"),
        ("optimizer.lr", "0.001"), ("schedule.warmup_steps", "20"), ("schedule.decay", "cosine"),
        ("data.max_train_tokens", "0"), ("data.extra_eval_splits", ""), ("model.dropout", "0"),
    ]

    func run() throws {
        let cfg = try resolveConfig()
        if resume, let note = try RunExtension.prepare(config: cfg, runDirectory: URL(fileURLWithPath: cfg.train.runDir)) {
            print(note)
        }
        ThreadSettings.apply(threads: cfg.train.threads)
        let trainer = try Trainer(config: cfg, resume: resume)
        var bar = ProgressBar()
        print("run directory: \(trainer.run.url.path)")
        print("\(cfg.finetune.from.isEmpty ? "from scratch" : "from \(cfg.finetune.from)"), mode \(cfg.finetune.mode), \(trainer.classification!.head.classes) classes")
        try trainer.run { bar.handle($0) }
        Swift.print("")
        LearningCurvePrinter.print(metricsAt: trainer.run.metricsURL)
    }

    func resolveConfig() throws -> TrainConfig {
        let scratch = from == "scratch"
        guard let shapeRun = scratch ? shapeOf : from else {
            throw ValidationError("--from scratch needs --shape-of RUN: the run whose model shape the baseline copies")
        }
        let shapeURL = URL(fileURLWithPath: shapeRun).standardizedFileURL
        var cfg = try TrainConfig.load(from: shapeURL.appendingPathComponent("config.toml"))
        for (key, value) in Self.defaults { try cfg.set(key, to: value) }
        // Evaluate on 2,000 test images by default.
        cfg.train.evalTokens = 2000 * cfg.model.nCtx
        cfg.finetune.task = "classify"
        cfg.finetune.mode = mode
        cfg.finetune.from = scratch ? "" : shapeURL.path
        if let dataset { cfg.data.dataset = dataset }
        try cfg.apply(overrides: overrides)
        cfg.data.dataset = DatasetLocation.resolve(cfg.data.dataset, dataDir: URL(fileURLWithPath: dataDir))
        if dataset != nil, !cfg.data.dataset.hasPrefix("builtin:") {   // as an absolute path, like finetune.from
            cfg.data.dataset = URL(fileURLWithPath: cfg.data.dataset).standardizedFileURL.path
        }
        let name = shapeURL.lastPathComponent
        cfg.train.runDir = runDir ?? (scratch ? "runs/scratch-\(name)" : "runs/finetune-\(name)-\(mode)")
        return cfg
    }
}
