import Foundation
import WorkbenchCore
import RunFiles

/// Tokens of one split in memory, with the optional loss mask (1 = counts).
public struct TokenSplit: Sendable, Equatable {
    public var tokens: [UInt16]
    public var mask: [UInt8]?
    public init(tokens: [UInt16], mask: [UInt8]? = nil) {
        precondition(mask == nil || mask!.count == tokens.count, "mask and tokens differ in length")
        self.tokens = tokens; self.mask = mask
    }
}

/// A tokenized dataset in memory: what the trainer consumes.
///
///     let ds = try TokenDataset.load(from: URL(fileURLWithPath: "data/english"))
///     ds.splits["train"]!.tokens.count
public struct TokenDataset: Sendable {
    public var manifest: ShardManifest
    public var splits: [String: TokenSplit]

    public init(manifest: ShardManifest, splits: [String: TokenSplit]) {
        self.manifest = manifest; self.splits = splits
    }

    /// A byte-level text dataset (vocabulary 256) from raw train and test text.
    public static func bytes(name: String, train: [UInt8], test: [UInt8], source: String) -> TokenDataset {
        let tr = TokenSplit(tokens: train.map(UInt16.init)), te = TokenSplit(tokens: test.map(UInt16.init))
        let m = ShardManifest(name: name, modality: "text", tokenizer: "bytes", vocabSize: 256, layout: .stream,
                              splits: ["train": .init(tokens: tr.tokens.count, sequences: 1),
                                       "test": .init(tokens: te.tokens.count, sequences: 1)],
                              source: source)
        return TokenDataset(manifest: m, splits: ["train": tr, "test": te])
    }

    public func split(_ name: String) throws -> TokenSplit {
        guard let s = splits[name] else {
            throw WorkbenchIOError.missingFile(path: manifest.name + "/" + name + ".bin",
                                               what: "split '\(name)' of dataset '\(manifest.name)'")
        }
        return s
    }

    /// Reads a shard folder written by `write(to:)`, checking sizes against the manifest and,
    /// when the manifest records one, each `.bin` file's SHA-256.
    public static func load(from dir: URL) throws -> TokenDataset {
        let manifestURL = dir.appendingPathComponent("manifest.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            if names.contains(where: { $0.hasSuffix(".bin") || $0.contains(".bin.tmp-") }) {
                throw WorkbenchIOError.missingFile(path: manifestURL.path, what:
                    "dataset manifest (the folder holds shards but no manifest, which is written last: its preparation was interrupted; prepare it again with `workbench data prepare \(dir.lastPathComponent)`)")
            }
            throw WorkbenchIOError.missingFile(path: manifestURL.path, what: "dataset manifest")
        }
        let manifest: ShardManifest
        do {
            manifest = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: manifestURL))
        } catch {
            throw WorkbenchIOError.corrupt(path: manifestURL.path, reason: "not a valid manifest: \(error)")
        }
        try manifest.checkCounts(path: manifestURL.path)
        var splits: [String: TokenSplit] = [:]
        for (name, info) in manifest.splits {
            let binURL = dir.appendingPathComponent("\(name).bin")
            guard FileManager.default.fileExists(atPath: binURL.path) else {
                throw WorkbenchIOError.missingFile(path: binURL.path, what: "token shard")
            }
            let data = try Data(contentsOf: binURL)
            guard data.count == info.tokens * 2 else {
                throw WorkbenchIOError.corrupt(path: binURL.path,
                    reason: "holds \(data.count) bytes, manifest says \(info.tokens) tokens (\(info.tokens * 2) bytes)")
            }
            if let expected = info.sha256 {
                let actual = SHA256.hex(of: data)
                guard actual == expected.lowercased() else {
                    throw WorkbenchIOError.corrupt(path: binURL.path,
                        reason: "SHA-256 is \(actual), manifest.json says \(expected)")
                }
            }
            var tokens = [UInt16](repeating: 0, count: info.tokens)
            tokens.withUnsafeMutableBytes { dst in _ = data.copyBytes(to: dst) }
            for i in tokens.indices { tokens[i] = UInt16(littleEndian: tokens[i]) }
            if let bad = tokens.firstIndex(where: { Int($0) >= manifest.vocabSize }) {
                throw WorkbenchIOError.corrupt(path: binURL.path,
                    reason: "token \(tokens[bad]) at position \(bad) is outside the vocabulary of \(manifest.vocabSize)")
            }
            var mask: [UInt8]? = nil
            if info.hasMask {
                let maskURL = dir.appendingPathComponent("\(name).mask")
                guard FileManager.default.fileExists(atPath: maskURL.path) else {
                    throw WorkbenchIOError.missingFile(path: maskURL.path, what: "loss mask")
                }
                let m = [UInt8](try Data(contentsOf: maskURL))
                guard m.count == info.tokens else {
                    throw WorkbenchIOError.corrupt(path: maskURL.path,
                        reason: "holds \(m.count) mask bytes for \(info.tokens) tokens")
                }
                mask = m
            }
            splits[name] = TokenSplit(tokens: tokens, mask: mask)
        }
        return TokenDataset(manifest: manifest, splits: splits)
    }

    /// Writes the shard folder: an old manifest is removed first, then every `.bin`/`.mask` is
    /// written, the manifest last, each through a temporary file and a rename, so an interrupted
    /// write (a killed preparation) never leaves a manifest that points at partial or mixed data:
    /// a folder without a manifest is never loaded. Each split's `sha256` in the manifest is that
    /// of its `.bin` bytes. Returns the manifest as written.
    @discardableResult
    public func write(to dir: URL) throws -> ShardManifest {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.removeManifest(in: dir)
        var manifest = self.manifest
        for (name, split) in splits.sorted(by: { $0.key < $1.key }) {
            var le = split.tokens.map { $0.littleEndian }
            let data = le.withUnsafeMutableBytes { Data($0) }
            try AtomicFile.write(data, to: dir.appendingPathComponent("\(name).bin"))
            if let m = split.mask { try AtomicFile.write(Data(m), to: dir.appendingPathComponent("\(name).mask")) }
            var info = manifest.splits[name] ?? .init(tokens: 0, sequences: 0)
            info.tokens = split.tokens.count
            info.sha256 = SHA256.hex(of: data)
            info.hasMask = split.mask != nil
            if info.sequences == 0 {
                info.sequences = manifest.layout == .records ? split.tokens.count / max(1, manifest.recordLength ?? 1) : 1
            }
            manifest.splits[name] = info
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(manifest), to: dir.appendingPathComponent("manifest.json"))
        return manifest
    }

    /// Removes a shard folder's manifest (before its files are rewritten), so the folder counts
    /// as unprepared until the new manifest is in place.
    public static func removeManifest(in dir: URL) throws {
        let url = dir.appendingPathComponent("manifest.json")
        if unlink(url.path) != 0 && errno != ENOENT {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot remove the old manifest before preparing again: \(String(cString: strerror(errno)))")
        }
    }
}
