import Foundation
import XCTest
import Sweeps
import Training

/// The `workbench` executable built beside the test bundle (`swift test` builds it too).
func workbenchExecutable(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
    let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [bundleDir, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
        let exe = dir.appendingPathComponent("workbench")
        if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
    }
    XCTFail("the workbench executable is not beside the tests (\(bundleDir.path)); build it with `swift build -c release`", file: file, line: line)
    throw CocoaError(.fileNoSuchFile)
}

/// Runs the workbench with arguments and waits; returns exit status and output.
@discardableResult
func runWorkbench(_ exe: URL, _ args: [String], cwd: URL) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    p.currentDirectoryURL = cwd
    let out = cwd.appendingPathComponent("out-\(UUID().uuidString.prefix(6)).log")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    let h = try FileHandle(forWritingTo: out)
    p.standardOutput = h; p.standardError = h
    try p.run()
    p.waitUntilExit()
    try h.close()
    return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
}

/// Process ids whose command line contains every one of `parts` (read from /proc).
func processIDs(commandLineContaining parts: [String]) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let cmd = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return parts.allSatisfy { cmd.contains($0) }
    }
}

/// metrics.jsonl lines without the wall-clock field (everything else must match exactly).
func metricsWithoutWallClock(_ run: URL) throws -> [String] {
    try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        .split(separator: "\n").map { line in
            line.split(separator: ",").filter { !$0.contains("wall_seconds") }.joined(separator: ",")
        }
}

/// A tiny sweep over the built-in English sample: 2 sizes × 2 data sizes, checkpoints at every
/// evaluation. `steps` sets how long each run lasts.
func tinySweepSpec(steps: Int, evals: Int = 10) -> String {
    """
    name = "tiny"
    [set]
    "data.dataset" = "builtin:english-sample"
    "model.n_ctx" = 32
    "model.n_head" = 2
    "train.batch_size" = 8
    "train.eval_tokens" = 1024
    "schedule.warmup_steps" = 5
    [[grid]]
    name = "g"
    shapes = [[1, 16], [1, 32]]
    data_tokens = [0, 4000]
    steps = \(steps)
    evals = \(evals)
    """
}
