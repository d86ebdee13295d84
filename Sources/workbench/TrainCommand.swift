import ArgumentParser
import CProcessControl
import Foundation
import Training

/// `workbench train`: one training run from a TOML config.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a TOML config and write its run directory.",
        discussion: """
        The run directory (train.run_dir) receives config.toml, metrics.jsonl, checkpoints and summary.json.
        Example: workbench train --config configs/text-tiny.toml --set train.steps=500 --set optimizer.lr=2e-3
        """)

    @Option(help: "TOML config file (defaults are used for keys it does not set).") var config: String?
    @Option(name: .customLong("set"), help: "Override one key, as section.key=value (repeatable).") var overrides: [String] = []
    @Option(help: "Run directory (overrides train.run_dir).") var runDir: String?
    @Flag(help: "Continue the run in the run directory from its last checkpoint.") var resume = false
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
        } else {
            cfg = TrainConfig()
        }
        try Self.apply(overrides, to: &cfg)
        if let runDir { cfg.train.runDir = runDir }
        return cfg
    }

    /// Applies `--set section.key=value` overrides in order.
    static func apply(_ overrides: [String], to cfg: inout TrainConfig) throws {
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else {
                throw ValidationError("--set expects section.key=value, got '\(o)'")
            }
            try cfg.set(String(o[..<eq]), to: String(o[o.index(after: eq)...]))
        }
    }
}
