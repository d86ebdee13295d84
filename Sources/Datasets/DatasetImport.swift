import Foundation
import WorkbenchCore
import RunFiles

/// What every `workbench data import` receives: where the dataset goes, how to split it, and
/// what to do with bad inputs.
///
/// The dataset is written to `outDir/name/` in the same shard format as the built-in datasets,
/// so `workbench train --set data.dataset=outDir/name` trains on it unchanged.
///
///     var opts = ImportOptions(name: "poems", outDir: URL(fileURLWithPath: "data"))
///     opts.skipBad = true
///     let result = try TextImport.run(files: urls, tokenizer: .bytes, options: opts)
public struct ImportOptions: Sendable {
    public var name: String
    /// Parent folder; the dataset folder is `outDir/name`.
    public var outDir: URL
    /// Share of the items (images, caption pairs, text bytes) held out for the `test` split, in (0, 1).
    public var testFraction: Double
    /// Seed of the held-out choice (and of the pair orders for captions).
    public var seed: UInt64
    /// Replace an existing dataset folder.
    public var force: Bool
    /// Skip bad inputs (and list them in the manifest) instead of stopping.
    public var skipBad: Bool
    /// Prints a message for the user.
    public var log: @Sendable (String) -> Void
    /// Called as items are read: (done, total).
    public var progress: @Sendable (Int, Int) -> Void

    public init(name: String, outDir: URL, testFraction: Double = 0.1, seed: UInt64 = 1,
                force: Bool = false, skipBad: Bool = false,
                log: @escaping @Sendable (String) -> Void = { _ in },
                progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) {
        self.name = name; self.outDir = outDir; self.testFraction = testFraction; self.seed = seed
        self.force = force; self.skipBad = skipBad; self.log = log; self.progress = progress
    }

    /// The dataset folder, `outDir/name`.
    public var target: URL { outDir.appendingPathComponent(name) }

    /// Checks the name and the test fraction before any input is read.
    public func validate() throws {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ImportError.invalidOption("dataset name '\(name)' must be non-empty, without '/' and not start with '.'")
        }
        guard testFraction > 0, testFraction < 1 else {
            throw ImportError.invalidOption("--test-fraction \(testFraction) must be between 0 and 1 (exclusive)")
        }
    }
}

/// One bad input: a file that cannot be read or decoded, or a CSV row that cannot be used.
/// `line` is 1-based (the CSV row, or the text line holding the first invalid byte).
public struct ImportProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int? = nil, reason: String) {
        self.path = path; self.line = line; self.reason = reason
    }

    /// `cats/tom.png: not a readable PNG: …` or `labels.csv:12: image 'x.png' not found`.
    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}

/// Why an import stopped; nothing was written.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// Bad inputs found without `skipBad` (all of them, in input order).
    case badInputs([ImportProblem])
    /// The dataset folder exists and `force` is off.
    case exists(path: String)
    case invalidOption(String)
    /// Nothing usable is left (e.g. every file was bad, or too few items for a test split).
    case noData(String)

    public var description: String {
        switch self {
        case let .badInputs(p):
            let shown = p.prefix(20).map { "  " + $0.description }.joined(separator: "\n")
            let more = p.count > 20 ? "\n  … and \(p.count - 20) more" : ""
            return "\(p.count) bad input\(p.count == 1 ? "" : "s"); nothing written (use --skip-bad to skip \(p.count == 1 ? "it" : "them")):\n\(shown)\(more)"
        case let .exists(path): return "dataset folder '\(path)' exists; use --force to replace it"
        case let .invalidOption(s): return s
        case let .noData(s): return s
        }
    }
}

/// What an import wrote: the manifest (as written) and where, and the inputs it skipped.
public struct ImportResult: Sendable {
    public var manifest: ShardManifest
    public var folder: URL
    public var skipped: [ImportProblem]
}

/// Shared steps of the importers: bad-input policy, the seeded held-out choice, skipped lists.
enum ImportSupport {
    /// Stops with every problem unless bad inputs are to be skipped; logs skips otherwise.
    static func check(_ problems: [ImportProblem], _ opts: ImportOptions) throws {
        guard !problems.isEmpty else { return }
        guard opts.skipBad else { throw ImportError.badInputs(problems) }
        for p in problems { opts.log("skipping \(p)") }
    }

    /// Indices (sorted) of the test items among `count`: the first `round(fraction·count)` of a
    /// seeded permutation, at least 1 and at most `count − 1`.
    static func testIndices(count: Int, fraction: Double, seed: UInt64) throws -> Set<Int> {
        guard count >= 2 else {
            throw ImportError.noData("\(count) usable item\(count == 1 ? "" : "s"); a train and a test split need at least 2")
        }
        let nTest = min(count - 1, max(1, Int((fraction * Double(count)).rounded())))
        var rng = SeededRNG(seed: seed)
        return Set(rng.permutation(count).prefix(nTest))
    }

    /// Manifest entries for skipped inputs (`skipped_files`, and the first 100 in `skipped_list`);
    /// the full list goes to `skipped.txt` in the dataset folder.
    static func skippedExtra(_ problems: [ImportProblem]) -> [String: String] {
        var ex = ["skipped_files": "\(problems.count)"]
        if !problems.isEmpty {
            var list = problems.prefix(100).map(\.description).joined(separator: "\n")
            if problems.count > 100 { list += "\n… and \(problems.count - 100) more (see skipped.txt)" }
            ex["skipped_list"] = list
            ex["skipped_list_file"] = "skipped.txt"
        }
        return ex
    }

    static func writeSkipped(_ problems: [ImportProblem], in dir: URL) throws {
        guard !problems.isEmpty else { return }
        try AtomicFile.write(problems.map(\.description).joined(separator: "\n") + "\n",
                             to: dir.appendingPathComponent("skipped.txt"))
    }

    /// The end every importer shares: `build` writes its own files into the staging folder and
    /// returns the dataset; then `skipped.txt` and the shards are written and the folder is
    /// renamed into place. Any failure removes the staging folder, so nothing half-written is
    /// ever visible under the target's name.
    static func finish(_ opts: ImportOptions, problems: [ImportProblem],
                       build: (_ folder: URL) throws -> TokenDataset) throws -> ImportResult {
        let stage = try StagingFolder(target: opts.target, force: opts.force)
        do {
            let ds = try build(stage.folder)
            try writeSkipped(problems, in: stage.folder)
            let m = try ds.write(to: stage.folder)
            try stage.commit()
            return ImportResult(manifest: m, folder: opts.target, skipped: problems)
        } catch {
            stage.discard()
            throw error
        }
    }

    /// A path relative to a folder with `.` and empty components removed (`./a//b.png` → `a/b.png`).
    static func normalized(_ relative: String) -> String {
        relative.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// Reads a whole file, turning I/O failures into a problem that names it.
    static func read(_ url: URL, shownAs name: String, line: Int? = nil) -> Result<Data, ImportProblem> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            return .failure(ImportProblem(path: name, line: line, reason: "file not found"))
        }
        guard !isDir.boolValue else { return .failure(ImportProblem(path: name, line: line, reason: "is a folder, not a file")) }
        do { return .success(try Data(contentsOf: url)) } catch {
            return .failure(ImportProblem(path: name, line: line, reason: "cannot read: \(error.localizedDescription)"))
        }
    }
}
