import Foundation

/// The one place that spells the command line a sweep starts for each run:
/// `workbench train --config CONFIG --run-dir RUN_DIR --resume --set train.threads=K`.
/// `LocalExecutor` passes it as arguments to a child process; `SlurmArrayScript` writes it as a
/// shell line whose words are shell variables.
///
///     let args = TrainChildCommand(config: "/s/configs/a.toml", runDir: "/s/runs/a", threads: "2").arguments
///     // ["train", "--config", "/s/configs/a.toml", "--run-dir", "/s/runs/a", "--resume", "--set", "train.threads=2"]
public struct TrainChildCommand: Equatable, Sendable {
    public var config: String
    public var runDir: String
    /// Threads per run, as text (a number, or a shell expansion such as `${SLURM_CPUS_PER_TASK:-1}`).
    public var threads: String
    /// The child dies with its parent (a local sweep); a hidden flag of `workbench train`.
    public var exitWithParent: Bool

    public init(config: String, runDir: String, threads: String, exitWithParent: Bool = false) {
        self.config = config; self.runDir = runDir; self.threads = threads; self.exitWithParent = exitWithParent
    }

    /// The arguments after the executable.
    public var arguments: [String] {
        ["train", "--config", config, "--run-dir", runDir, "--resume", "--set", "train.threads=\(threads)"]
            + (exitWithParent ? ["--exit-with-parent"] : [])
    }

    /// The command as one shell line: `executable` and the arguments, each word that holds a `$`,
    /// a space or a quote in double quotes (so `$CONFIG` expands but is not split).
    public func shellLine(executable: String) -> String {
        ([executable] + arguments).map(Self.shellWord).joined(separator: " ")
    }

    static func shellWord(_ w: String) -> String {
        guard w.contains(where: { "$ \"'\\`".contains($0) }) else { return w }
        if w.hasPrefix("\""), w.hasSuffix("\""), w.count >= 2 { return w }
        return "\"" + w.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
