import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// `workbench data import text`: UTF-8 text files to a `stream` dataset, raw bytes (vocabulary
/// 256) or a byte-level BPE trained on the train part only (saved as `tokenizer.json`).
///
/// The held-out test part:
/// - several files: whole files, taken in a seeded random order while they fit in
///   `testFraction` of all bytes (if none fits, the smallest one). A document never has text on
///   both sides, so its names and phrases cannot leak from train into test and flatter the test loss.
/// - one file: its last `testFraction` of bytes, cut at the next line start: one contiguous
///   passage, so only one boundary touches both sides (the seed plays no part).
///
/// Every document (a file, or the head or tail of the single file) is written with its exact
/// bytes (a leading UTF-8 byte-order mark dropped) and then as many `\n` as make it end with a
/// blank line (0–2), the separator the built-in `english` dataset uses between books.
///
///     let r = try TextImport.run(files: [a, b, c], tokenizer: .bpe, vocabSize: 2048,
///                                options: ImportOptions(name: "notes", outDir: data))
public enum TextImport {
    public enum Tokenizer: String, Sendable, CaseIterable { case bytes, bpe }

    /// One input file's text.
    public struct Document: Equatable, Sendable {
        public var path: String
        public var bytes: [UInt8]
        public init(path: String, bytes: [UInt8]) { self.path = path; self.bytes = bytes }
    }

    /// Train and test text and which documents went to test.
    public struct Split: Equatable, Sendable {
        public var train: [UInt8]
        public var test: [UInt8]
        public var testDocuments: [String]
        /// How the test part was chosen, for the manifest.
        public var rule: String
    }

    /// The first byte that is not part of valid UTF-8: its offset and 1-based line.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> (offset: Int, line: Int)? {
        var it = bytes.makeIterator(), codec = UTF8(), offset = 0, line = 1
        while true {
            switch codec.decode(&it) {
            case let .scalarValue(s):
                offset += UTF8.width(s)
                if s == "\n" { line += 1 }
            case .emptyInput: return nil
            case .error: return (offset, line)
            }
        }
    }

    /// Reads each file, checking that it is UTF-8; unreadable ones become problems.
    public static func read(_ files: [URL]) -> (documents: [Document], problems: [ImportProblem]) {
        var docs: [Document] = [], problems: [ImportProblem] = []
        for url in files {
            switch ImportSupport.read(url, shownAs: url.path) {
            case let .failure(p): problems.append(p)
            case let .success(data):
                var bytes = [UInt8](data)
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
                if let bad = firstInvalidUTF8(bytes) {
                    problems.append(ImportProblem(path: url.path, line: bad.line,
                        reason: String(format: "not UTF-8: invalid byte 0x%02X at byte offset %d", bytes[bad.offset], bad.offset)))
                } else {
                    docs.append(Document(path: url.path, bytes: bytes))
                }
            }
        }
        return (docs, problems)
    }

    /// The bytes plus the `\n`s that make them end with a blank line.
    static func terminated(_ b: ArraySlice<UInt8>) -> [UInt8] {
        var out = Array(b)
        guard !out.isEmpty else { return out }
        while !(out.count >= 2 && out[out.count - 1] == 10 && out[out.count - 2] == 10) { out.append(10) }
        return out
    }

    /// Chooses the test part (see the type's documentation) and joins the documents.
    public static func split(_ docs: [Document], testFraction: Double, seed: UInt64) throws -> Split {
        let nonEmpty = docs.filter { !$0.bytes.isEmpty }
        guard !nonEmpty.isEmpty else { throw ImportError.noData("no text: every file is empty or bad") }
        if nonEmpty.count == 1 {
            let b = nonEmpty[0].bytes
            var cut = Int((Double(b.count) * (1 - testFraction)).rounded())
            let atLineStart = cut > 0 && cut < b.count && b[cut - 1] == 10
            if !atLineStart, let nl = b[min(cut, b.count)...].firstIndex(of: 10), nl + 1 < b.count { cut = nl + 1 }
            while cut < b.count, b[cut] & 0xC0 == 0x80 { cut += 1 }   // never inside a character
            guard cut > 0, cut < b.count else {
                throw ImportError.noData("'\(nonEmpty[0].path)' (\(b.count) bytes) is too short to hold out \(testFraction) of it")
            }
            return Split(train: terminated(b[..<cut]), test: terminated(b[cut...]),
                         testDocuments: [nonEmpty[0].path + " (tail)"],
                         rule: "one file: its last \(testFraction) of bytes (cut at a line start) is the test split")
        }
        let total = nonEmpty.reduce(0) { $0 + $1.bytes.count }
        let target = testFraction * Double(total)
        var rng = SeededRNG(seed: seed)
        let order = rng.permutation(nonEmpty.count)
        var inTest = Set<Int>(), testBytes = 0
        for i in order where Double(testBytes + nonEmpty[i].bytes.count) <= target {
            inTest.insert(i); testBytes += nonEmpty[i].bytes.count
        }
        if inTest.isEmpty {
            let smallest = order.min { nonEmpty[$0].bytes.count < nonEmpty[$1].bytes.count }!
            inTest.insert(smallest)
        }
        var train: [UInt8] = [], test: [UInt8] = [], testDocs: [String] = []
        for (i, d) in nonEmpty.enumerated() {
            if inTest.contains(i) { test += terminated(d.bytes[...]); testDocs.append(d.path) }
            else { train += terminated(d.bytes[...]) }
        }
        return Split(train: train, test: test, testDocuments: testDocs,
                     rule: "whole files held out: seeded order (seed \(seed)), each taken while the test part stays within \(testFraction) of all bytes (the smallest file if none fits)")
    }

    /// Why the test share is far from the asked fraction (outside half to one and a half times
    /// it), in words, or nil when it is close: whole files cannot be cut, so a few large files
    /// cannot make a small share.
    public static func shareNote(_ s: Split, docs: [Document], testFraction: Double) -> String? {
        let total = s.train.count + s.test.count
        guard total > 0 else { return nil }
        let share = Double(s.test.count) / Double(total)
        guard share > 1.5 * testFraction || share < 0.5 * testFraction else { return nil }
        let nonEmpty = docs.filter { !$0.bytes.isEmpty }
        guard nonEmpty.count > 1, let smallest = nonEmpty.min(by: { $0.bytes.count < $1.bytes.count }) else { return nil }
        let pct = { (x: Double) in String(format: "%.1f %%", 100 * x) }
        let smallestShare = Double(smallest.bytes.count) / Double(nonEmpty.reduce(0) { $0 + $1.bytes.count })
        return "the test split is \(pct(share)) of the bytes, not the \(pct(testFraction)) asked for: held-out files stay whole "
            + "(so no document is on both sides), and of these \(nonEmpty.count) files no choice comes closer "
            + "(the smallest, '\(smallest.path)', is \(pct(smallestShare)) alone). For a share near \(pct(testFraction)), give more and "
            + "smaller files, or join them into one file (its tail is then cut at the fraction)."
    }

    /// Reads, splits, tokenizes and writes the dataset (see the type's documentation).
    @discardableResult
    public static func run(files: [URL], tokenizer: Tokenizer, vocabSize: Int = 4096,
                           options opts: ImportOptions) throws -> ImportResult {
        try opts.validate()
        if tokenizer == .bpe, !(257...65536).contains(vocabSize) {
            throw ImportError.invalidOption("--vocab-size \(vocabSize) must be in 257...65536 for the BPE tokenizer")
        }
        guard !files.isEmpty else { throw ImportError.invalidOption("no text files given") }
        try StagingFolder.refuseExisting(opts.target, force: opts.force)
        let (docs, problems) = read(files)
        try ImportSupport.check(problems, opts)
        for d in docs where d.bytes.isEmpty { opts.log("note: '\(d.path)' is empty and adds nothing") }
        let s = try split(docs, testFraction: opts.testFraction, seed: opts.seed)
        opts.log(String(format: "%@: %d train bytes, %d test bytes (%.1f%%) in %d held-out document(s)", opts.name,
                        s.train.count, s.test.count, 100 * Double(s.test.count) / Double(s.train.count + s.test.count),
                        s.testDocuments.count))
        if let note = shareNote(s, docs: docs, testFraction: opts.testFraction) { opts.log("note: \(note)") }
        return try ImportSupport.finish(opts, problems: problems) { folder in
            var extra = ImportSupport.skippedExtra(problems)
            extra["test_documents"] = s.testDocuments.joined(separator: "\n")
            extra["test_selection"] = s.rule
            extra["train_bytes"] = "\(s.train.count)"; extra["test_bytes"] = "\(s.test.count)"
            if let note = shareNote(s, docs: docs, testFraction: opts.testFraction) { extra["test_share_note"] = note }
            extra["document_separator"] = "each document ends with a blank line (\\n added as needed)"
            let source = "imported from \(docs.count) text file\(docs.count == 1 ? "" : "s")"
            var ds: TokenDataset
            switch tokenizer {
            case .bytes:
                ds = TokenDataset.bytes(name: opts.name, train: s.train, test: s.test, source: source)
            case .bpe:
                let start = Date()
                let bpe = ByteBPE.train(on: s.train, vocabSize: vocabSize)
                opts.log(String(format: "%@: trained BPE (%d tokens) on the train part in %.1f s", opts.name,
                                bpe.vocabSize, Date().timeIntervalSince(start)))
                try bpe.save(to: folder.appendingPathComponent("tokenizer.json"))
                let train = bpe.encode(bytes: s.train).map { UInt16($0) }, test = bpe.encode(bytes: s.test).map { UInt16($0) }
                let m = ShardManifest(name: opts.name, modality: "text", tokenizer: "byte-bpe", tokenizerFile: "tokenizer.json",
                                      vocabSize: bpe.vocabSize, layout: .stream,
                                      splits: ["train": .init(tokens: train.count, sequences: 1),
                                               "test": .init(tokens: test.count, sequences: 1)], source: source)
                ds = TokenDataset(manifest: m, splits: ["train": TokenSplit(tokens: train), "test": TokenSplit(tokens: test)])
                extra["bytes_per_token_train"] = String(format: "%.4f", Double(s.train.count) / Double(max(1, train.count)))
                extra["bpe_trained_on"] = "train split only"
            }
            ds.manifest.extra = extra
            return ds
        }
    }
}
