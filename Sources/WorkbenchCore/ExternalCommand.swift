import Foundation

/// Runs another program (`apt-get download`, `dpkg-deb -x`, `pip download`, `tar`, Slurm's
/// `sbatch`, …). `capture` is the one process runner: it returns the exit status with both
/// outputs; `run` throws an error naming the command and quoting its standard error when the
/// program fails.
///
///     let text = try ExternalCommand.run("bible", ["-f", "Gen1:1-Rev22:21"], in: cacheDir)
///     let reply = try ExternalCommand.capture(path: "/usr/bin/squeue", ["--me"])
public enum ExternalCommand {
    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var reason: String
        public init(command: String, reason: String) { self.command = command; self.reason = reason }
        public var description: String { "command '\(command)' failed: \(reason)" }
    }

    /// What a finished program said: its exit status and everything it wrote.
    public struct Reply: Sendable {
        public var status: Int32
        public var output: Data
        public var error: Data
    }

    /// Runs `program` (looked up on PATH) with `arguments` in folder `dir`; returns its standard
    /// output, or throws `Failure` when it is missing, cannot start, or exits with a non-zero status.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], in dir: URL? = nil,
                           environment: [String: String] = [:]) throws -> Data {
        let commandLine = ([program] + arguments).joined(separator: " ")
        guard let path = locate(program) else {
            throw Failure(command: commandLine, reason: "'\(program)' is not installed (not found on PATH)")
        }
        let reply: Reply
        do { reply = try capture(path: path, arguments, in: dir, environment: environment) } catch {
            throw Failure(command: commandLine, reason: "could not start: \(error.localizedDescription)")
        }
        guard reply.status == 0 else {
            let tail = String(decoding: reply.error.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: commandLine, reason: "exit status \(reply.status): \(tail)")
        }
        return reply.output
    }

    /// Runs the program at `path` to its end, with standard input empty, and returns its status
    /// and outputs. Throws only when the program cannot be started. Standard error is read on
    /// another thread, so neither pipe can fill up and block the child.
    public static func capture(path: String, _ arguments: [String], in dir: URL? = nil,
                               environment: [String: String] = [:]) throws -> Reply {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let dir { p.currentDirectoryURL = dir }
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        errDone.wait()
        return Reply(status: p.terminationStatus, output: outData, error: errBox.data)
    }

    /// Full path of `program` on PATH, or nil.
    public static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
