import ArgumentParser
import Foundation

/// The `workbench` command line: data preparation, training, evaluation, sweeps and analysis
/// for scaling-law studies on CPUs. Each subcommand lives in its own file; the domain logic
/// they call lives in the library targets.
@main
struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Train generative models on CPUs and measure how their loss scales.",
        subcommands: [
            // Subcommands, one file each, in workflow order.
            DataCommand.self,
            TrainCommand.self,
            FinetuneCommand.self,
            SweepCommand.self,
            RunsCommand.self,
            StudyCommand.self,
            EvalCommand.self,
            SampleCommand.self,
            TokenizeCommand.self,
            FitCommand.self,
            ReportCommand.self,
            SynthRunsCommand.self,
            BenchCommand.self,
        ]
    )

    /// Parses and runs a command. An error from a command's run ends with where that command's
    /// options are documented (`See 'workbench train --help'.`), not with the top-level usage.
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            try command.run()
        } catch {
            // Help requests (run by ArgumentParser's own help command) and plain exit codes: as ArgumentParser does.
            if error is ExitCode || error is CleanExit || exitCode(for: error) == .success { exit(withError: error) }
            let path = commandPath(of: type(of: command))
            FileHandle.standardError.write(Data("Error: \(message(for: error))\nSee '\(path) --help'.\n".utf8))
            Foundation.exit(exitCode(for: error).rawValue)
        }
    }

    /// The words that name a command type, e.g. "workbench data import text".
    static func commandPath(of type: ParsableCommand.Type) -> String {
        func search(_ t: ParsableCommand.Type, _ path: [String]) -> [String]? {
            let here = path + [t.configuration.commandName ?? name(of: t)]
            if ObjectIdentifier(t) == ObjectIdentifier(type) { return here }
            for s in t.configuration.subcommands { if let p = search(s, here) { return p } }
            return nil
        }
        return (search(Workbench.self, []) ?? ["workbench"]).joined(separator: " ")
    }

    /// ArgumentParser's default command name: the type's name in kebab case without a `Command` suffix.
    static func name(of t: ParsableCommand.Type) -> String {
        var base = String(describing: t)
        if base.hasSuffix("Command") && base != "Command" { base.removeLast(7) }
        var out = ""
        for (i, c) in base.enumerated() {
            if c.isUppercase && i > 0 { out += "-" }
            out += c.lowercased()
        }
        return out
    }
}
