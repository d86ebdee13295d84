import Foundation
import WorkbenchCore

/// Runs one Slurm client command (`sbatch`, `squeue`, `sacct`, `sinfo`) found on the PATH and
/// returns its exit status, standard output and standard error, for callers that need Slurm's
/// own words when it refuses something.
public enum SlurmCommand {
    /// What the command said.
    public struct Reply: Sendable {
        public var status: Int32
        public var output: String
        public var error: String
        /// Standard error (else standard output), trimmed: Slurm's message.
        public var message: String {
            let e = error.trimmingCharacters(in: .whitespacesAndNewlines)
            return e.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : e
        }
    }

    /// Whether `name` is on the PATH.
    public static func available(_ name: String) -> Bool { ExternalCommand.locate(name) != nil }

    /// Runs `name` with `arguments`; throws `SlurmError.commandMissing` when it is not on the PATH.
    public static func run(_ name: String, _ arguments: [String]) throws -> Reply {
        guard let path = ExternalCommand.locate(name) else { throw SlurmError.commandMissing(name) }
        let reply = try ExternalCommand.capture(path: path, arguments)
        return Reply(status: reply.status, output: String(decoding: reply.output, as: UTF8.self),
                     error: String(decoding: reply.error, as: UTF8.self))
    }
}
