import Foundation

/// Runs a program for dataset preparation (`apt-get download`, `dpkg-deb -x`, `pip download`,
/// `tar`, …) and returns its standard output; a failure throws an error naming the command
/// and quoting its standard error.
///
///     let text = try ExternalCommand.run("bible", ["-f", "Gen1:1-Rev22:21"], in: cacheDir)
public enum ExternalCommand {
    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var reason: String
        public var description: String { "command '\(command)' failed: \(reason)" }
    }

    /// Runs `program` (looked up on PATH) with `arguments` in folder `dir`.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], in dir: URL? = nil,
                           environment: [String: String] = [:]) throws -> Data {
        let commandLine = ([program] + arguments).joined(separator: " ")
        guard let path = locate(program) else {
            throw Failure(command: commandLine, reason: "'\(program)' is not installed (not found on PATH)")
        }
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
        do { try p.run() } catch {
            throw Failure(command: commandLine, reason: "could not start: \(error.localizedDescription)")
        }
        // Read stderr on another thread so neither pipe can fill up and block the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        errDone.wait()
        let errData = errBox.data
        guard p.terminationStatus == 0 else {
            let tail = String(decoding: errData.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: commandLine, reason: "exit status \(p.terminationStatus): \(tail)")
        }
        return outData
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
