import ArgumentParser
import CProcessControl
import Datasets
import Foundation
import Training

/// `workbench train`: one training run from a TOML config.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a TOML config and write its run directory.",
        discussion: """
        The run directory (--run-dir, else train.run_dir) receives config.toml, metrics.jsonl, checkpoints and summary.json.
        data.dataset may be a shard folder, a dataset name prepared under --data-dir, or builtin:english-sample.
        --resume continues a run from its last checkpoint; with a larger train.steps it trains a finished run further
        (constant schedule: the rate is unchanged; cosine or linear: the decay is stretched over the new total, so the
        rate rises again at the checkpoint's step; each extension is recorded in extensions.jsonl).
        Examples:
          workbench train --config configs/text-tiny.toml --set train.steps=500 --set optimizer.lr=2e-3
          workbench train --run-dir runs/text-tiny --resume --set train.steps=1000
        """)

    @Option(help: "TOML config file (defaults are used for keys it does not set; see configs/).") var config: String?
    @Option(name: .customLong("set"), help: "Override one key, as section.key=value (repeatable).") var overrides: [String] = []
    @Option(help: "Run directory (overrides train.run_dir).") var runDir: String?
    @Option(help: "Folder of prepared datasets, for a data.dataset given by name.") var dataDir = "data"
    @Flag(help: "Continue the run in the run directory from its last checkpoint (with a larger train.steps: train it further).")
    var resume = false
    @Flag(help: "Train the built-in default config (1,000 steps on the built-in English sample) without a --config.")
    var defaults = false
    @Flag(help: .hidden) var exitWithParent = false

    func run() throws {
        if exitWithParent {
            // Started by a sweep: die with it (SIGKILL when the parent exits), so a killed sweep
            // leaves no orphan writing into its run directories.
            let parent = getppid()
            _ = workbench_set_parent_death_signal(SIGKILL)
            if getppid() != parent || parent == 1 { throw ExitCode(137) }
        }
        let cfg = try resolveConfig()
        if resume, let note = try RunExtension.prepare(config: cfg, runDirectory: URL(fileURLWithPath: cfg.train.runDir)) {
            print(note)
        }
        ThreadSettings.apply(threads: cfg.train.threads)
        let trainer = try Trainer(config: cfg, resume: resume)
        var bar = ProgressBar()
        print("run directory: \(trainer.run.url.path)")
        try trainer.run { bar.handle($0) }
        Swift.print("")
        LearningCurvePrinter.print(metricsAt: trainer.run.metricsURL)
    }

    func resolveConfig() throws -> TrainConfig {
        var cfg: TrainConfig
        if let config {
            cfg = try TrainConfig.load(from: URL(fileURLWithPath: config))
        } else if resume, let runDir {
            cfg = try TrainConfig.load(from: URL(fileURLWithPath: runDir).appendingPathComponent("config.toml"))
        } else if defaults {
            cfg = TrainConfig()
        } else {
            throw ValidationError("give --config FILE (e.g. configs/text-tiny.toml), or --resume --run-dir DIR to continue a run; "
                + "--defaults trains the built-in default config (\(TrainConfig().train.steps) steps on \(TrainConfig().data.dataset))")
        }
        try cfg.apply(overrides: overrides)
        if let runDir { cfg.train.runDir = runDir }
        cfg.data.dataset = DatasetLocation.resolve(cfg.data.dataset, dataDir: URL(fileURLWithPath: dataDir))
        return cfg
    }
}
