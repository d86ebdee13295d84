import Foundation
import Tokenizers
import WorkbenchCore
import RunFiles

/// The `english` dataset (byte-level BPE, vocabulary 4096 by default, `WORKBENCH_BPE_VOCAB` to
/// change it) and `english-bytes` (raw bytes, vocabulary 256): ~18 MB of public-domain prose —
/// King James Bible, World English Bible, Shakespeare, Jane Austen — with whole books held out
/// for the test split (John from both Bibles, Hamlet, Persuasion).
///
/// A source that cannot be fetched is skipped with a warning; `source` in the manifest lists
/// those included. The BPE is trained on the train split only and saved as `tokenizer.json`
/// beside the shards.
///
///     let m = try EnglishRecipe.recipe.prepare(PrepareOptions(dataDir: data, cacheDir: cache))
public enum EnglishRecipe {
    /// Books that form the test split (`source/title`).
    public static let heldOutBooks: Set<String> = ["kjv/John", "web/John", "shakespeare/hamlet", "austen/persuasion"]

    /// Train and test text with where they came from.
    public struct Corpus: Sendable {
        public var train: [UInt8]
        public var test: [UInt8]
        public var provenance: [String]
        public var testBooks: [String]
        public init(train: [UInt8], test: [UInt8], provenance: [String], testBooks: [String]) {
            self.train = train; self.test = test; self.provenance = provenance; self.testBooks = testBooks
        }
    }

    public static let recipe = DatasetRecipe(
        name: "english", summary: "~18 MB public-domain prose (KJV, WEB, Shakespeare, Austen), byte-level BPE") { opts in
        let vocab = Int(ProcessInfo.processInfo.environment["WORKBENCH_BPE_VOCAB"] ?? "") ?? 4096
        return try prepareBPE(name: "english", corpus: try gather(opts), vocabSize: vocab, opts: opts)
    }

    public static let bytesRecipe = DatasetRecipe(
        name: "english-bytes", summary: "the english corpus as raw bytes (vocabulary 256)") { opts in
        let corpus = try gather(opts)
        var ds = TokenDataset.bytes(name: "english-bytes", train: corpus.train, test: corpus.test,
                                    source: corpus.provenance.joined(separator: "; "))
        ds.manifest.extra = ["test_books": corpus.testBooks.joined(separator: ", ")]
        let dir = opts.outputDir(for: "english-bytes")
        try removeManifest(in: dir)
        return try ds.write(to: dir)
    }

    /// Fetches every source into `opts.cacheDir`, skipping (with a warning) those that fail.
    public static func gather(_ opts: PrepareOptions) throws -> Corpus {
        var books: [EnglishBook] = [], provenance: [String] = []
        for (name, fetch) in EnglishSources.all {
            do {
                let got = try fetch(opts.cacheDir, opts.log)
                let bytes = got.books.reduce(0) { $0 + $1.text.utf8.count }
                opts.log(String(format: "english: %@: %d books, %.2f MB", name, got.books.count, Double(bytes) / 1e6))
                books += got.books; provenance.append(got.provenance)
            } catch {
                opts.log("warning: english: skipping source '\(name)': \(error)")
            }
        }
        let corpus = split(books, provenance: provenance)
        guard !corpus.train.isEmpty, !corpus.test.isEmpty else {
            throw ExternalCommand.Failure(command: "workbench data prepare english",
                                          reason: "no usable text (train \(corpus.train.count) bytes, test \(corpus.test.count) bytes)")
        }
        return corpus
    }

    /// Joins books in order, each followed by a blank line, into the train and test texts.
    public static func split(_ books: [EnglishBook], provenance: [String]) -> Corpus {
        var train: [UInt8] = [], test: [UInt8] = [], testBooks: [String] = []
        for b in books {
            var text = b.text
            while text.hasSuffix("\n") { text.removeLast() }
            let bytes = Array((text + "\n\n").utf8)
            if heldOutBooks.contains(b.id) { test += bytes; testBooks.append(b.id) } else { train += bytes }
        }
        return Corpus(train: train, test: test, provenance: provenance, testBooks: testBooks)
    }

    /// Trains the BPE on the train text, writes `tokenizer.json`, the shards, and the manifest last.
    public static func prepareBPE(name: String, corpus: Corpus, vocabSize: Int, opts: PrepareOptions) throws -> ShardManifest {
        guard (257...65536).contains(vocabSize) else {
            throw ExternalCommand.Failure(command: "prepare \(name)", reason: "BPE vocabulary \(vocabSize) must be in 257...65536")
        }
        let dir = opts.outputDir(for: name)
        try removeManifest(in: dir)
        let start = Date()
        let bpe = ByteBPE.train(on: corpus.train, vocabSize: vocabSize, log: opts.log)
        opts.log(String(format: "%@: trained BPE (%d tokens) on %.2f MB in %.1f s", name, bpe.vocabSize,
                        Double(corpus.train.count) / 1e6, Date().timeIntervalSince(start)))
        try bpe.save(to: dir.appendingPathComponent("tokenizer.json"))
        let train = bpe.encode(bytes: corpus.train).map { UInt16($0) }
        let test = bpe.encode(bytes: corpus.test).map { UInt16($0) }
        let manifest = ShardManifest(
            name: name, modality: "text", tokenizer: "byte-bpe", tokenizerFile: "tokenizer.json",
            vocabSize: bpe.vocabSize, layout: .stream,
            splits: ["train": .init(tokens: train.count, sequences: 1), "test": .init(tokens: test.count, sequences: 1)],
            source: corpus.provenance.joined(separator: "; "),
            extra: ["test_books": corpus.testBooks.joined(separator: ", "),
                    "train_bytes": "\(corpus.train.count)", "test_bytes": "\(corpus.test.count)",
                    "bytes_per_token_train": String(format: "%.4f", Double(corpus.train.count) / Double(max(1, train.count)))])
        let ds = TokenDataset(manifest: manifest, splits: ["train": TokenSplit(tokens: train), "test": TokenSplit(tokens: test)])
        return try ds.write(to: dir)
    }

    /// A new prepare first removes the old manifest, so an interrupted one leaves no manifest
    /// that could describe a mix of old and new files.
    static func removeManifest(in dir: URL) throws {
        let url = dir.appendingPathComponent("manifest.json")
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }
}
