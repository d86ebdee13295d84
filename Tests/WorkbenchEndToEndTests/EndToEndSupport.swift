import Foundation
import XCTest
import TestSupport

/// Runs the real `workbench` executable that this test bundle was built beside (the build
/// folder of the current configuration), or the one `WORKBENCH_EXE` names.
enum Workbench {
    /// The package's root folder (configs/, Sources/), from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL? {
        if let e = ProcessInfo.processInfo.environment["WORKBENCH_EXE"] { return URL(fileURLWithPath: e) }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map(URL.init(fileURLWithPath:))
            ?? URL(fileURLWithPath: CommandLine.arguments[0])
        // The xctest executable lives in .build/<triple>/<configuration>/ (possibly inside a bundle folder).
        var dir = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("workbench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// What a finished command printed and how it ended.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Runs `workbench ARGS` in `cwd` and waits (at most `timeout` seconds, then fails the test).
    @discardableResult
    static func run(_ args: [String], in cwd: URL, timeout: TimeInterval = 120,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        guard let exe = executable else {
            XCTFail("no workbench executable beside the test bundle; build it (swift build -c release) or set WORKBENCH_EXE", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        p.environment = env
        let out = cwd.appendingPathComponent(".stdout-\(UUID().uuidString)"), err = cwd.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate(); p.waitUntilExit()
            XCTFail("workbench \(args.joined(separator: " ")) did not finish in \(Int(timeout)) s", file: file, line: line)
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Runs and requires exit status 0, showing the output otherwise.
    @discardableResult
    static func ok(_ args: [String], in cwd: URL, timeout: TimeInterval = 120,
                   file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let r = try run(args, in: cwd, timeout: timeout, file: file, line: line)
        XCTAssertEqual(r.status, 0, "workbench \(args.joined(separator: " ")) failed:\n\(r.output)", file: file, line: line)
        return r
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String) throws -> URL {
        temporaryDirectory("wb-e2e-\(name)")
    }

    /// A tiny text config (1 layer, d_model 16, contexts of 32 bytes) on the built-in sample.
    static func tinyConfig(in dir: URL, steps: Int = 20, decay: String = "constant", evalEvery: Int = 10) throws -> URL {
        let text = """
        [model]
        n_layer = 1
        d_model = 16
        n_head = 2
        n_ctx = 32
        [data]
        dataset = "builtin:english-sample"
        [optimizer]
        lr = 3e-3
        [schedule]
        warmup_steps = 5
        decay = "\(decay)"
        [train]
        steps = \(steps)
        batch_size = 4
        eval_every = \(evalEvery)
        eval_tokens = 1024
        seed = 1
        threads = 1
        """
        let url = dir.appendingPathComponent("tiny-\(decay)-\(steps).toml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Rows of a run's metrics.jsonl as dictionaries.
    static func metrics(_ run: URL) throws -> [[String: Any]] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

/// One small sweep shared by the sweep, report and resolver tests (made once, on first use):
/// two sizes on 2,000 tokens trained for 4,096 (they repeat their data: L(D) runs) and one size
/// on three smaller D, in `<folder>/sweeps/e2e` from the spec `<folder>/specs/e2e.toml`.
enum SharedSweep {
    nonisolated(unsafe) private static var made: URL?
    private static let lock = NSLock()

    /// The working folder holding specs/e2e.toml and sweeps/e2e.
    static func folder() throws -> URL {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        let dir = try Workbench.temporaryFolder("sweep")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("specs"), withIntermediateDirectories: true)
        let base = Workbench.packageRoot.appendingPathComponent("configs/text-tiny.toml").path
        let spec = """
        name = "e2e"
        base = "\(base)"
        [set]
        "model.n_ctx" = 32
        "train.batch_size" = 4
        "train.eval_tokens" = 1024
        "schedule.warmup_steps" = 5
        [[grid]]
        name = "size"
        shapes = [[1, 8], [1, 16]]
        data_tokens = [2000]
        tokens = 4096
        evals = 2
        [[grid]]
        name = "data"
        shapes = [[1, 8]]
        data_tokens = [500, 1000, 1500]
        tokens = 4096
        evals = 2
        """
        try spec.write(to: dir.appendingPathComponent("specs/e2e.toml"), atomically: true, encoding: .utf8)
        try Workbench.ok(["sweep", "specs/e2e.toml", "--no-estimate", "--max-parallel", "2"], in: dir, timeout: 300)
        made = dir
        return dir
    }
}
