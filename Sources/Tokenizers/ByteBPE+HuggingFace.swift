import Foundation
import WorkbenchCore

/// Reading and writing a `ByteBPE` as a Hugging Face `tokenizer.json`: model type `BPE` with
/// `vocab` and `merges` in GPT-2's byte-level alphabet, a `ByteLevel` pre-tokenizer (no prefix
/// space, GPT-2 regex) and a `ByteLevel` decoder. Python's `tokenizers` loads the file with
/// `Tokenizer.from_file(path)` and gives the same ids as `encode`.
///
///     try bpe.save(to: dir.appendingPathComponent("tokenizer.json"))
///     let same = try ByteBPE.load(from: dir.appendingPathComponent("tokenizer.json"))
///
/// Added (special) tokens in a loaded file are ignored: their text is encoded like any other.
extension ByteBPE {
    /// The `tokenizer.json` text, vocabulary in id order and merges in rank order.
    public func huggingFaceJSON() -> String {
        let byteLevel = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#
        var s = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [],\n"
        s += "  \"normalizer\": null,\n  \"pre_tokenizer\": \(byteLevel),\n  \"post_processor\": null,\n"
        s += "  \"decoder\": \(byteLevel),\n  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n"
        s += "    \"unk_token\": null,\n    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n"
        s += "    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {\n"
        let names = tokenBytes.map { ByteLevelAlphabet.string(for: $0) }
        s += names.enumerated().map { "      \(jsonString($1)): \($0)" }.joined(separator: ",\n")
        s += "\n    },\n    \"merges\": [\n"
        s += merges.map { "      " + jsonString(names[$0.left] + " " + names[$0.right]) }.joined(separator: ",\n")
        s += "\n    ]\n  }\n}\n"
        return s
    }

    /// Writes `tokenizer.json` atomically.
    public func save(to url: URL) throws {
        try AtomicFile.write(huggingFaceJSON(), to: url)
    }

    /// Reads a byte-level BPE `tokenizer.json` (ours or one written by Python's `tokenizers`).
    public static func load(from url: URL) throws -> ByteBPE {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ByteBPEError.badFile(path: url.path, reason: "cannot read the file: \(error.localizedDescription)")
        }
        return try ByteBPE(huggingFaceJSON: data, path: url.path)
    }

    /// Parses `tokenizer.json` bytes; `path` names the file in errors.
    public init(huggingFaceJSON data: Data, path: String = "tokenizer.json") throws {
        func fail(_ reason: String) -> ByteBPEError { .badFile(path: path, reason: reason) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else { throw fail("no \"model\" object") }
        guard (model["type"] as? String) == "BPE" else { throw fail("model type is \(model["type"] ?? "missing"), expected BPE") }
        if let pre = root["pre_tokenizer"] as? [String: Any] {
            guard (pre["type"] as? String) == "ByteLevel" else {
                throw fail("pre_tokenizer is \(pre["type"] ?? "?"), only ByteLevel is supported")
            }
            if (pre["add_prefix_space"] as? Bool) == true { throw fail("add_prefix_space = true is not supported") }
            if (pre["use_regex"] as? Bool) == false { throw fail("use_regex = false is not supported") }
        } else {
            throw fail("no ByteLevel pre_tokenizer")
        }
        guard let vocab = model["vocab"] as? [String: Any] else { throw fail("model has no \"vocab\" object") }
        var bytesOfId = [[UInt8]?](repeating: nil, count: vocab.count)
        var idOfName: [String: Int] = [:]
        for (name, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue, (0..<vocab.count).contains(id) else {
                throw fail("vocab entry \(name) has id \(value); ids must be 0..<\(vocab.count)")
            }
            guard bytesOfId[id] == nil else { throw fail("id \(id) appears twice in vocab") }
            guard let bytes = ByteLevelAlphabet.bytes(of: name) else {
                throw fail("vocab entry \(name) holds a character outside the byte-level alphabet")
            }
            bytesOfId[id] = bytes; idOfName[name] = id
        }
        let tokenBytes = bytesOfId.map { $0! }
        var byteTokens: [Int] = []
        for b in 0..<256 {
            guard let id = idOfName[ByteLevelAlphabet.string(for: [UInt8(b)])] else {
                throw fail("vocab lacks the single-byte token for byte \(b)")
            }
            byteTokens.append(id)
        }
        guard let rawMerges = model["merges"] as? [Any] else { throw fail("model has no \"merges\" list") }
        var merges: [Merge] = []
        merges.reserveCapacity(rawMerges.count)
        for (rank, raw) in rawMerges.enumerated() {
            let parts: [String]
            if let s = raw as? String { parts = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init) }
            else if let a = raw as? [String] { parts = a }
            else { throw fail("merge \(rank) is neither \"a b\" nor [a, b]") }
            guard parts.count == 2, let l = idOfName[parts[0]], let r = idOfName[parts[1]],
                  let m = idOfName[parts[0] + parts[1]] else {
                throw fail("merge \(rank) \(parts) names tokens missing from vocab")
            }
            merges.append(Merge(left: l, right: r, merged: m))
        }
        do {
            try self.init(tokenBytes: tokenBytes, byteTokens: byteTokens, merges: merges)
        } catch let e as ByteBPEError {
            throw fail(e.description)
        }
    }
}

/// A JSON string literal; byte-level token names need only `"` and `\` escaped.
private func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
