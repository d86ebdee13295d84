import Foundation

/// Problems handing a sweep to Slurm, each saying what and where. None of them touches a run
/// directory: what was finished stays finished.
public enum SlurmError: Error, CustomStringConvertible, Equatable {
    case badOption(String)
    case commandMissing(String)
    case rejected(script: String, message: String)
    case unexpectedReply(command: String, output: String)
    case folderNotShared(path: String, reason: String, nodes: Int)
    case unusablePath(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badOption(why):
            return why
        case let .commandMissing(name):
            return "'\(name)' is not on the PATH: this machine cannot reach Slurm (run on a login node of the cluster, "
                + "or start a one-node test cluster with tools/slurm/start.sh); nothing was submitted"
        case let .rejected(script, message):
            return "Slurm rejected the job array '\(script)': \(message)"
        case let .unexpectedReply(command, output):
            return "'\(command)' answered something other than a job id: '\(output)'"
        case let .folderNotShared(path, reason, nodes):
            return "the sweep folder '\(path)' is \(reason), which the \(nodes) nodes of this cluster do not share: array tasks on other nodes "
                + "could not read their configs nor write their run directories; put the sweep on a shared filesystem (give --out a path on it)"
        case let .unusablePath(path, reason):
            return "cannot hand '\(path)' to Slurm: \(reason)"
        }
    }
}
