import Foundation
import WorkbenchCore

/// Entries of GCIDE (the GNU Collaborative International Dictionary of English: Webster's 1913
/// with literary quotations, plus WordNet 1.5 senses) in the dictd format of Debian's
/// `dict-gcide`: `gcide.index` lines `headword<TAB>offset<TAB>length` (numbers in dictd's base
/// 64, `A`–`Z` `a`–`z` `0`–`9` `+` `/`, most significant digit first) into `gcide.dict.dz`
/// (dictzip, a gzip file), and the cleaning that turns an entry into plain prose.
///
///     let entries = try GCIDEEntries.read(index: indexURL, dictionary: dictURL)
///     GCIDEEntries.plainText(#"Allheal \All"heal\, n.\n   A name of {valerian}.\n   [1913 Webster]"#)
///     // "Allheal, n.\nA name of valerian."
public enum GCIDEEntries {
    /// One entry: the first headword that points at it, and its raw text.
    public struct Entry: Equatable, Sendable {
        public var headword: String
        public var text: String
    }

    /// A number in dictd's base 64.
    public static func decodeNumber<S: StringProtocol>(_ s: S) -> Int? {
        var n = 0
        for c in s.utf8 {
            let d: Int
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = Int(c) - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = Int(c) - 97 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c) - 48 + 52
            case UInt8(ascii: "+"): d = 62
            case UInt8(ascii: "/"): d = 63
            default: return nil
            }
            n = n * 64 + d
        }
        return s.isEmpty ? nil : n
    }

    /// Reads the entries an index points at (each entry once, in dictionary order), leaving out
    /// the database's own `00-database-*` entries. The `.dz` file is inflated with `gzip -dc`.
    public static func read(index: URL, dictionary: URL) throws -> [Entry] {
        guard let indexText = try? String(contentsOf: index, encoding: .utf8) else {
            throw WorkbenchIOError.missingFile(path: index.path, what: "GCIDE index (UTF-8)")
        }
        let body: [UInt8]
        if dictionary.pathExtension == "dz" || dictionary.pathExtension == "gz" {
            body = [UInt8](try DebianPackageFetch.run("/bin/gzip", ["-dc", dictionary.path], what: "gzip -dc \(dictionary.lastPathComponent)"))
        } else {
            body = [UInt8](try Data(contentsOf: dictionary))
        }
        return try entries(indexText: indexText, body: body, name: index.path)
    }

    /// The same from the index text and the inflated dictionary bytes.
    public static func entries(indexText: String, body: [UInt8], name: String) throws -> [Entry] {
        var seen = Set<Int>(), found: [(offset: Int, entry: Entry)] = []
        for (n, line) in indexText.split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 3, let offset = decodeNumber(f[1]), let length = decodeNumber(f[2]) else {
                throw WorkbenchIOError.corrupt(path: name, reason: "line \(n + 1) is not 'headword<TAB>offset<TAB>length' in dictd base 64")
            }
            guard offset + length <= body.count else {
                throw WorkbenchIOError.corrupt(path: name, reason: "line \(n + 1) ('\(f[0])') points at bytes \(offset)..<\(offset + length), the dictionary has \(body.count)")
            }
            guard !f[0].hasPrefix("00-database"), !f[0].hasPrefix("00database"), seen.insert(offset).inserted else { continue }
            let text = String(decoding: body[offset..<(offset + length)], as: UTF8.self)
            guard !text.hasPrefix("00-database") else { continue }
            found.append((offset, Entry(headword: String(f[0]), text: text)))
        }
        return found.sorted { $0.offset < $1.offset }.map(\.entry)
    }

    /// GCIDE's character entities (`[=e]` ē, `[imac]` ī, `[ae]` æ, …) that the dictd text keeps.
    static let entities: [String: String] = {
        var m: [String: String] = ["ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "root": "√", "deg": "°",
                                   "frac12": "½", "frac14": "¼", "frac34": "¾", "sect": "§", "para": "¶",
                                   "eth": "ð", "thorn": "þ", "ss": "ß", "cced": "ç", "Cced": "Ç", "ntil": "ñ"]
        let marks: [(suffix: String, prefix: String, combining: String)] = [
            ("mac", "=", "\u{304}"), ("acute", "'", "\u{301}"), ("grave", "`", "\u{300}"), ("circ", "^", "\u{302}"),
            ("uml", "\"", "\u{308}"), ("til", "~", "\u{303}"), ("breve", "", "\u{306}"), ("cir", "", "\u{302}"),
            ("dot", ".", "\u{307}"), ("ring", "", "\u{30A}"), ("ced", "", "\u{327}"),
        ]
        for letter in "aeiouyncAEIOUYNC" {
            for (suffix, prefix, combining) in marks {
                let composed = (String(letter) + combining).precomposedStringWithCanonicalMapping
                m["\(letter)\(suffix)"] = composed
                if !prefix.isEmpty { m["\(prefix)\(letter)"] = composed }
            }
        }
        return m
    }()

    /// An entry as plain prose: pronunciations (`\…\`) and source notes (`[1913 Webster]`,
    /// `[WordNet 1.5]`, `[PJC]`) removed, cross-reference braces (`{valerian}`) dropped, entities
    /// decoded, and each paragraph's wrapped, indented lines joined into one line.
    public static func plainText(_ raw: String) -> String {
        var paragraphs: [String] = [], current: [String] = []
        func flush() { if !current.isEmpty { paragraphs.append(current.joined(separator: " ")); current = [] } }
        for line in raw.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { flush(); continue }
            let cleaned = cleanLine(t)
            if !cleaned.isEmpty { current.append(cleaned) }
        }
        flush()
        return paragraphs.joined(separator: "\n")
    }

    static func cleanLine(_ line: String) -> String {
        var out = "", chars = Array(line), i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", let close = chars[(i + 1)...].firstIndex(of: "\\") {   // pronunciation
                i = close + 1; continue
            }
            if c == "[", let close = chars[(i + 1)...].firstIndex(of: "]") {
                let inner = String(chars[(i + 1)..<close])
                if let e = entities[inner] { out += e; i = close + 1; continue }
                if inner.contains("Webster") || inner.hasPrefix("WordNet") || inner == "PJC" || inner.hasPrefix("1913") {
                    i = close + 1; continue
                }
            }
            if c == "{" || c == "}" { i += 1; continue }
            out.append(c); i += 1
        }
        // "Allheal , n." after removing "\All"heal\" → "Allheal, n."; runs of spaces → one.
        let collapsed = out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return collapsed.replacingOccurrences(of: " ,", with: ",").trimmingCharacters(in: .whitespaces)
    }
}
