import Datasets
import Foundation

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
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box(), errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        errDone.wait()
        return Reply(status: p.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                     error: String(decoding: errBox.data, as: UTF8.self))
    }
}
