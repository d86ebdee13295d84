import Foundation
import XCTest

/// Issue 30, points 4, 5, 7 and 8, through the real executable: datasets by name, one option name
/// per meaning (old spellings still work, hidden), training a finished run further, and errors
/// that name their command and their values.
final class TrainOptionsEndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try Workbench.temporaryFolder("train") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A finished constant-schedule run trained further equals one trained for the longer total
    /// from the start, and the extension is recorded; a cosine one says what its rate does.
    func testResumeWithMoreStepsExtendsAFinishedRun() throws {
        let short = try Workbench.tinyConfig(in: dir, steps: 20), long = try Workbench.tinyConfig(in: dir, steps: 30)
        try Workbench.ok(["train", "--config", short.path, "--run-dir", "extended"], in: dir)
        let ext = try Workbench.ok(["train", "--run-dir", "extended", "--resume", "--set", "train.steps=30"], in: dir)
        XCTAssertTrue(ext.stdout.contains("extending the run from 20 to 30 steps at step 20"), ext.output)
        XCTAssertTrue(ext.stdout.contains("constant schedule"), ext.stdout)
        try Workbench.ok(["train", "--config", long.path, "--run-dir", "straight"], in: dir)
        let a = try Workbench.metrics(dir.appendingPathComponent("extended")), b = try Workbench.metrics(dir.appendingPathComponent("straight"))
        XCTAssertEqual(a.map { $0["step"] as! Int }, [0, 10, 20, 30])
        XCTAssertEqual(a.map { $0["step"] as! Int }, b.map { $0["step"] as! Int })
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x["test_loss"] as? Double, y["test_loss"] as? Double, "step \(x["step"]!): the extended run equals the straight one")
            XCTAssertEqual(x["lr"] as? Double, y["lr"] as? Double)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("extended/summary.json"))) as! [String: Any]
        XCTAssertEqual(summary["steps"] as? Int, 30)
        XCTAssertEqual(summary["status"] as? String, "completed")
        let record = try String(contentsOf: dir.appendingPathComponent("extended/extensions.jsonl"), encoding: .utf8)
        XCTAssertTrue(record.contains("\"from_steps\":20") && record.contains("\"to_steps\":30") && record.contains("\"previous_status\":\"completed\""), record)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("extended/summary-20.json").path))
        // Fewer steps than the checkpoint: refused, with the numbers.
        let shorter = try Workbench.run(["train", "--run-dir", "extended", "--resume", "--set", "train.steps=25"], in: dir)
        XCTAssertNotEqual(shorter.status, 0)
        XCTAssertTrue(shorter.stderr.contains("already at step 30") && shorter.stderr.contains("train.steps = 25"), shorter.output)
        // Cosine: the note says the rate rises again.
        let cosine = try Workbench.tinyConfig(in: dir, steps: 20, decay: "cosine")
        try Workbench.ok(["train", "--config", cosine.path, "--run-dir", "cos"], in: dir)
        let c = try Workbench.ok(["train", "--run-dir", "cos", "--resume", "--set", "train.steps=30"], in: dir)
        XCTAssertTrue(c.stdout.contains("cosine schedule: the decay is stretched over the new total, so the learning rate rises"), c.stdout)
        XCTAssertEqual(try Workbench.metrics(dir.appendingPathComponent("cos")).last?["step"] as? Int, 30)
        // Another key changed: refused, saying that only train.steps may grow.
        let other = try Workbench.run(["train", "--run-dir", "cos", "--resume", "--set", "optimizer.lr=1e-3"], in: dir)
        XCTAssertTrue(other.stderr.contains("optimizer.lr") && other.stderr.contains("only train.steps may grow"), other.output)
    }

    /// Datasets by name under --data-dir (and the old --out of `data import`, hidden); one name per
    /// option meaning, old spellings accepted but not shown.
    func testDatasetsByNameAndOneOptionNamePerMeaning() throws {
        let text = (0..<300).map { "Line \($0): the quick brown fox jumps over the lazy dog." }.joined(separator: "\n") + "\n"
        try text.write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try Workbench.ok(["data", "import", "text", "notes.txt", "--name", "notes", "--data-dir", "data"], in: dir)
        try Workbench.ok(["data", "import", "text", "notes.txt", "--name", "notes", "--out", "legacy"], in: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("legacy/notes/manifest.json").path), "--out still works")
        let list = try Workbench.ok(["data", "list", "--data-dir", "data"], in: dir)
        XCTAssertTrue(list.stdout.split(separator: "\n").contains { $0.hasPrefix("notes ") && $0.contains("prepared") }, list.stdout)
        XCTAssertTrue(list.stdout.split(separator: "\n").contains { $0.hasPrefix("english ") && $0.contains(" - ") }, list.stdout)
        // A bare name in --set data.dataset is found under --data-dir.
        let cfg = try Workbench.tinyConfig(in: dir, steps: 2, evalEvery: 2)
        try Workbench.ok(["train", "--config", cfg.path, "--set", "data.dataset=notes", "--run-dir", "on-notes"], in: dir)
        let saved = try String(contentsOf: dir.appendingPathComponent("on-notes/config.toml"), encoding: .utf8)
        XCTAssertTrue(saved.contains("dataset = \"data/notes\""), saved)
        // eval --eval-tokens (old: --tokens), sample --new-tokens (old: --tokens), bpe train --out (old: --output).
        let e1 = try Workbench.ok(["eval", "--run-dir", "on-notes", "--eval-tokens", "256"], in: dir)
        let e2 = try Workbench.ok(["eval", "--run-dir", "on-notes", "--tokens", "256"], in: dir)
        XCTAssertEqual(e1.stdout.split(separator: "\n").first, e2.stdout.split(separator: "\n").first)
        let s1 = try Workbench.ok(["sample", "--run-dir", "on-notes", "--prompt", "Line", "--new-tokens", "12"], in: dir)
        let s2 = try Workbench.ok(["sample", "--run-dir", "on-notes", "--prompt", "Line", "--tokens", "12"], in: dir)
        XCTAssertEqual(s1.stdout, s2.stdout)
        XCTAssertTrue(s1.stdout.hasPrefix("Line"), s1.stdout)
        let ignored = try Workbench.ok(["sample", "--run-dir", "on-notes", "--count", "4", "--new-tokens", "4"], in: dir)
        XCTAssertTrue(ignored.stderr.contains("--count applies to image runs only; ignored"), ignored.output)
        try Workbench.ok(["bpe", "train", "notes.txt", "--vocab-size", "260", "--out", "a.json"], in: dir)
        try Workbench.ok(["bpe", "train", "notes.txt", "--vocab-size", "260", "--output", "b.json"], in: dir)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("a.json")), try Data(contentsOf: dir.appendingPathComponent("b.json")))
        // Help shows the one name, not the old spelling, and no broken default.
        let importHelp = try Workbench.ok(["data", "import", "text", "--help"], in: dir).stdout
        XCTAssertTrue(importHelp.contains("--data-dir") && !importHelp.contains("--out"), importHelp)
        let sampleHelp = try Workbench.ok(["sample", "--help"], in: dir).stdout
        XCTAssertTrue(sampleHelp.contains("--new-tokens") && !sampleHelp.contains("--tokens <"), sampleHelp)
        XCTAssertFalse(sampleHelp.contains("(default: \n"), "no broken default for --prompt:\n\(sampleHelp)")
        XCTAssertFalse(try Workbench.ok(["bpe", "train", "--help"], in: dir).stdout.contains("--output"))
        XCTAssertFalse(try Workbench.ok(["eval", "--help"], in: dir).stdout.contains("--tokens <"))
    }

    /// Errors of a subcommand point to its own help, not the top-level usage, and name their values.
    func testErrorsNameTheirCommandAndValues() throws {
        let missing = try Workbench.run(["train", "--config", "nowhere.toml"], in: dir)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nowhere.toml"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("See 'workbench train --help'."), missing.stderr)
        XCTAssertFalse(missing.output.contains("Usage: workbench <subcommand>"), missing.output)
        let cfg = try Workbench.tinyConfig(in: dir, steps: 2, evalEvery: 10)
        let multiple = try Workbench.run(["train", "--config", cfg.path, "--set", "train.checkpoint_every=15", "--run-dir", "x"], in: dir)
        XCTAssertTrue(multiple.stderr.contains("15 must be a multiple of train.eval_every (10)"), multiple.stderr)
        let bare = try Workbench.run(["train"], in: dir)
        XCTAssertNotEqual(bare.status, 0, "bare train no longer trains a default model quietly")
        XCTAssertTrue(bare.stderr.contains("--config") && bare.stderr.contains("--defaults"), bare.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/run").path))
        let nested = try Workbench.run(["data", "import", "text", "none.txt", "--name", "n"], in: dir)
        XCTAssertNotEqual(nested.status, 0)
        XCTAssertTrue(nested.stderr.contains("See 'workbench data import text --help'."), nested.stderr)
        let badStatus = try Workbench.run(["runs", "nowhere", "--status", "sleeping"], in: dir)
        XCTAssertTrue(badStatus.stderr.contains("unknown status 'sleeping'") && badStatus.stderr.contains("See 'workbench runs --help'."), badStatus.stderr)
    }
}
