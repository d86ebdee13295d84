import Foundation
import XCTest
import Datasets
import Tensors
import Training
import Transformer
import WorkbenchCore
import TestSupport

/// A small tmpfs mounted for one test (full disk, read-only folder). Mounting needs root; without
/// it, or where the container forbids mounts, the test is skipped and says why.
final class TmpfsMount {
    let url: URL
    private var mounted = false

    init(sizeBytes: Int) throws {
        guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root (uid \(getuid())); full-disk and read-only tests skipped") }
        url = temporaryDirectory("tmpfs")
        let (status, output) = Self.run(["mount", "-t", "tmpfs", "-o", "size=\(sizeBytes)", "tmpfs", url.path])
        guard status == 0 else { throw XCTSkip("cannot mount a tmpfs here (\(output.trimmingCharacters(in: .whitespacesAndNewlines))); test skipped") }
        mounted = true
    }

    /// Bytes in use on the mount.
    var usedBytes: Int {
        var s = statvfs()
        guard statvfs(url.path, &s) == 0 else { return 0 }
        return Int(s.f_blocks - s.f_bfree) * Int(s.f_frsize)
    }

    func remount(_ options: String) throws {
        let (status, output) = Self.run(["mount", "-o", "remount,\(options)", url.path])
        guard status == 0 else { throw XCTSkip("cannot remount the tmpfs with \(options) (\(output)); test skipped") }
    }

    deinit { if mounted { _ = Self.run(["umount", "-l", url.path]) } }

    static func run(_ args: [String]) -> (Int32, String) {
        let p = Process(), pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = pipe; p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out)
    }
}

/// Faults of the environment — a full disk, a read-only run directory, a missing shard, an
/// interrupted dataset preparation — each give a clear error, with the earlier checkpoint intact.
final class BadEnvironmentTests: XCTestCase {
    /// A tiny run on the sample text, stopped after 4 steps (one checkpoint), into `runDir`.
    func checkpointedRun(into runDir: URL) throws -> TrainConfig {
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: temporaryDirectory())
        let cfg = tinyConfig(dataset: data, runDir: runDir)
        let t = try Trainer(config: cfg)
        t.stopAfterSteps = 4
        try t.run()
        return cfg
    }

    /// The checkpoint in `dir` is still the one of `step`, byte for byte, loadable, and nothing
    /// staged or temporary lies beside it.
    func assertCheckpointIntact(_ dir: URL, step: Int, bytes: [String: Data], file: StaticString = #filePath, line: UInt = #line) throws {
        for (name, before) in bytes {
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent(name)), before, "\(name) changed", file: file, line: line)
        }
        let state = try Checkpoint.loadState(from: dir)
        XCTAssertEqual(state.step, step, file: file, line: line)
        let model = GPT(config: state.model.transformer!.gptConfig, seed: 99)
        let optimizer = AdamW(layout: model.layout, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, noDecay: [])
        XCTAssertNoThrow(try Checkpoint.load(into: model, optimizer: optimizer, from: dir), file: file, line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".next") || $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "half-written files left", file: file, line: line)
    }

    func checkpointBytes(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in [Checkpoint.weightsFile, Checkpoint.optimizerFile, Checkpoint.stateFile] {
            out[f] = try Data(contentsOf: dir.appendingPathComponent(f))
        }
        return out
    }

    func testFullDiskSaysNoSpaceLeftAndKeepsTheEarlierCheckpoint() throws {
        let disk = try TmpfsMount(sizeBytes: 4 << 20)
        let run = disk.url.appendingPathComponent("run")
        let cfg = try checkpointedRun(into: run)
        let before = try checkpointBytes(run)
        // Fill the disk: room for the metrics, not for a second checkpoint beside the first.
        try disk.remount("size=\(disk.usedBytes + 16 * 1024)")
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { e in
            XCTAssertTrue("\(e)".contains("No space left on device") && "\(e)".contains(run.path), "\(e)")
        }
        try assertCheckpointIntact(run, step: 4, bytes: before)
        // With room again, the run resumes from that checkpoint and completes.
        try disk.remount("size=\(4 << 20)")
        XCTAssertEqual(try Trainer(config: cfg, resume: true).run().status, "completed")
    }

    func testReadOnlyRunDirectoryIsRefusedAndKeepsTheCheckpoint() throws {
        let disk = try TmpfsMount(sizeBytes: 4 << 20)
        let run = disk.url.appendingPathComponent("run")
        let cfg = try checkpointedRun(into: run)
        let before = try checkpointBytes(run)
        try disk.remount("ro")
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { e in
            XCTAssertTrue("\(e)".contains("Read-only file system") && "\(e)".contains(run.path), "\(e)")
        }
        try assertCheckpointIntact(run, step: 4, bytes: before)
    }

    func testMissingShardFileIsNamedAndTheCheckpointKept() throws {
        let run = temporaryDirectory().appendingPathComponent("run")
        let cfg = try checkpointedRun(into: run)
        let before = try checkpointBytes(run)
        let shard = URL(fileURLWithPath: cfg.data.dataset).appendingPathComponent("train.bin")
        try FileManager.default.removeItem(at: shard)
        XCTAssertThrowsError(try Trainer(config: cfg, resume: true).run()) { e in
            XCTAssertEqual(e as? WorkbenchIOError, .missingFile(path: shard.path, what: "token shard"))
            XCTAssertTrue("\(e)".contains("missing token shard: '\(shard.path)' does not exist"), "\(e)")
        }
        try assertCheckpointIntact(run, step: 4, bytes: before)
    }

    /// A preparation killed after writing a shard (the old manifest already removed, the new one
    /// not yet written) is never used — loading and training say it was interrupted — and the
    /// next preparation redoes it, removing what the killed writer left.
    func testInterruptedPreparationIsNeverUsedAndIsRedone() throws {
        let root = temporaryDirectory()
        let opts = PrepareOptions(dataDir: root, cacheDir: root.appendingPathComponent(".cache"), log: { _ in })
        let dir = opts.outputDir(for: "text")
        let good = TokenDataset.bytes(name: "text", train: Array(sampleText.utf8), test: Array(sampleText.prefix(400).utf8), source: "test")
        let complete = DatasetRecipe(name: "text", summary: "") { o in try good.write(to: o.outputDir(for: "text")) }
        try complete.prepareAgain(opts)
        let manifest = try Data(contentsOf: dir.appendingPathComponent("manifest.json"))

        struct Killed: Error {}
        let killed = DatasetRecipe(name: "text", summary: "") { o in
            try AtomicFile.write(Data([1, 0, 2, 0]), to: o.outputDir(for: "text").appendingPathComponent("train.bin"))
            throw Killed()
        }
        XCTAssertThrowsError(try killed.prepareAgain(opts))
        try Data("half".utf8).write(to: dir.appendingPathComponent(".test.bin.tmp-2147483000"))   // a dead writer's
        XCTAssertThrowsError(try TokenDataset.load(from: dir)) { e in
            XCTAssertTrue("\(e)".contains("manifest.json") && "\(e)".contains("interrupted")
                          && "\(e)".contains("workbench data prepare text"), "\(e)")
        }
        let cfg = tinyConfig(dataset: dir, runDir: root.appendingPathComponent("run"))
        XCTAssertThrowsError(try Trainer(config: cfg)) { e in XCTAssertTrue("\(e)".contains("interrupted"), "\(e)") }

        try complete.prepareAgain(opts)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("manifest.json")), manifest)
        XCTAssertEqual(try TokenDataset.load(from: dir).splits, good.splits)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["manifest.json", "test.bin", "train.bin"])
    }

    /// A checkpoint whose file is cut short, or whose tensor has another shape, is refused with
    /// the tensor's name.
    func testTruncatedOrMismatchedCheckpointNamesTheTensor() throws {
        let run = temporaryDirectory().appendingPathComponent("run")
        _ = try checkpointedRun(into: run)
        let weights = run.appendingPathComponent(Checkpoint.weightsFile)
        let original = try Data(contentsOf: weights)
        let state = try Checkpoint.loadState(from: run)
        let model = GPT(config: state.model.transformer!.gptConfig, seed: 1)

        try original.prefix(original.count - 3).write(to: weights)
        XCTAssertThrowsError(try Checkpoint.load(into: model, optimizer: nil, from: run)) { e in
            XCTAssertTrue("\(e)".contains(weights.path) && "\(e)".contains("tensor '") && "\(e)".contains("truncated"), "\(e)")
        }
        // The same tensors, one with its dimensions swapped.
        try original.write(to: weights)
        let good = try Safetensors.read(weights)
        var list = good.tensors.sorted { $0.key < $1.key }.map { (name: $0.key, shape: $0.value.shape, values: $0.value.values) }
        let i = list.firstIndex { $0.name == "transformer.h.0.mlp.c_fc.weight" }!
        list[i].shape = list[i].shape.reversed()
        try writeTensors(list, metadata: good.metadata, to: weights)
        XCTAssertThrowsError(try Checkpoint.load(into: model, optimizer: nil, from: run)) { e in
            XCTAssertTrue("\(e)".contains("tensor 'transformer.h.0.mlp.c_fc.weight' has shape [16, 64], the model expects [64, 16]"), "\(e)")
        }
    }

    func writeTensors(_ list: [(name: String, shape: [Int], values: [Float])], metadata: [String: String], to url: URL) throws {
        func go(_ i: Int, _ acc: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]) throws {
            if i == list.count { return try Safetensors.write(acc, metadata: metadata, to: url) }
            try list[i].values.withUnsafeBufferPointer { try go(i + 1, acc + [(list[i].name, list[i].shape, $0)]) }
        }
        try go(0, [])
    }
}
