import Foundation
import XCTest
import Sweeps

/// Helpers for tests against a real Slurm (tools/slurm/start.sh brings one up on this machine).
enum SlurmTestSupport {
    /// Whether the Slurm tests were asked for (`WORKBENCH_SLURM_TEST=1`, set by .ci/run after
    /// tools/slurm/start.sh).
    static var requested: Bool { ProcessInfo.processInfo.environment["WORKBENCH_SLURM_TEST"] == "1" }

    /// Why Slurm cannot take jobs here, or nil when it can: its client commands are on the PATH
    /// and `sinfo` shows a node that is idle, mixed or allocated.
    static func unavailableReason() -> String? {
        for cmd in ["sbatch", "squeue", "scancel", "scontrol", "sinfo"] where !SlurmCommand.available(cmd) {
            return "'\(cmd)' is not on the PATH (run tools/slurm/start.sh first)"
        }
        guard let reply = try? SlurmCommand.run("sinfo", ["--noheader", "--format=%T"]) else { return "sinfo could not be started" }
        guard reply.status == 0 else { return "sinfo failed: \(reply.message) (is slurmctld running? see tools/slurm/README.md)" }
        let states = reply.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard states.contains(where: { ["idle", "mixed", "allocated"].contains($0) }) else {
            return "no Slurm node takes jobs (sinfo states: \(states.joined(separator: ", ")))"
        }
        return nil
    }

    /// Runs a Slurm command and fails the test with Slurm's message when it does not succeed.
    @discardableResult
    static func must(_ cmd: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try SlurmCommand.run(cmd, args)
        XCTAssertEqual(r.status, 0, "\(cmd) \(args.joined(separator: " ")): \(r.message)", file: file, line: line)
        return r.output
    }

    /// `squeue` states of the tasks of one array, by `<job>_<index>`.
    static func queued(job: String) throws -> [String: String] {
        let r = try SlurmCommand.run("squeue", ["--noheader", "--array", "--jobs=\(job)", "--format=%i|%T"])
        guard r.status == 0 else { return [:] }   // squeue refuses a job id it has forgotten
        var out: [String: String] = [:]
        for line in r.output.split(separator: "\n") {
            let f = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if f.count == 2 { out[f[0]] = f[1] }
        }
        return out
    }

    /// Polls `probe` every 50 ms until it returns a value or `seconds` pass (then fails, saying what).
    static func waitFor<T>(_ what: String, seconds: Double, file: StaticString = #filePath, line: UInt = #line,
                           _ probe: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = try probe() { return v }
            usleep(50_000)
        }
        XCTFail("timed out after \(Int(seconds)) s waiting for \(what)", file: file, line: line)
        throw CocoaError(.userCancelled)
    }
}

/// Runs the workbench with a changed environment (e.g. a PATH without Slurm).
func runWorkbench(_ exe: URL, _ args: [String], cwd: URL, environment: [String: String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    p.currentDirectoryURL = cwd
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    p.standardOutput = pipe; p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
