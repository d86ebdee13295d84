import Foundation
import WorkbenchCore

/// The names and descriptions of Cataclysm: DDA's game objects (items, monsters, terrain,
/// furniture, vehicle parts, …), read from the game's JSON data
/// (`usr/share/games/cataclysm-dda/json/**.json` of Debian `cataclysm-dda-data`).
///
/// Every object with a string `id` (or a list of ids) and a `name` is kept. A name is a plain
/// string, `{"str": …}` (with or without `str_pl`, `ctxt`), or `{"str_sp": …}` (same singular
/// and plural); other forms (lists, `male`/`female`) are skipped and counted. The description
/// is a string or `{"str": …}`; colour tags such as `<color_red>` are removed. Objects that
/// inherit their name through `copy-from` have no `name` of their own and are skipped. The
/// first object read under an id wins (files in sorted path order). `looks_like` is kept: an
/// object with no sprite of its own is drawn with the sprite of the id it looks like.
///
///     let names = try CataclysmItemNames(jsonFolder: root.appendingPathComponent("usr/share/games/cataclysm-dda/json"))
///     names.entries["knife_butcher"]?.caption(maxBytes: 64)   // "butcher knife: A sharp, …"
public struct CataclysmItemNames: Sendable {
    /// One named game object.
    public struct Entry: Equatable, Sendable {
        public var id: String
        public var type: String
        public var name: String
        public var description: String
        public var looksLike: String?
        /// File the entry came from, relative to the JSON folder.
        public var file: String

        /// The name, then ": " and as much of the description's first sentence as fits in
        /// `maxBytes` UTF-8 bytes, cut at a word boundary (the name alone if nothing fits).
        public func caption(maxBytes: Int) -> String {
            let sentence = CataclysmItemNames.firstSentence(description)
            let name = CataclysmItemNames.trimmed(self.name, maxBytes: maxBytes)
            guard !sentence.isEmpty else { return name }
            let room = maxBytes - name.utf8.count - 2
            let rest = CataclysmItemNames.trimmed(sentence, maxBytes: room)
            return rest.isEmpty ? name : name + ": " + rest
        }
    }

    public var entries: [String: Entry]
    /// Objects with an id and a `name` of a form not read (lists, gendered names).
    public var skippedNameForms: Int
    /// Number of JSON files read.
    public var files: Int

    /// Reads every `.json` file under `jsonFolder`; a file that is not valid JSON is an error naming it.
    public init(jsonFolder: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: jsonFolder.path, isDirectory: &isDir), isDir.boolValue,
              let walker = fm.enumerator(atPath: jsonFolder.path) else {
            throw WorkbenchIOError.missingFile(path: jsonFolder.path, what: "Cataclysm: DDA JSON data folder")
        }
        let paths = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
        var entries: [String: Entry] = [:], skipped = 0
        for rel in paths {
            let url = jsonFolder.appendingPathComponent(rel)
            let root: Any
            do { root = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) } catch {
                throw WorkbenchIOError.corrupt(path: url.path, reason: "not valid JSON (\(error.localizedDescription))")
            }
            let objects = root as? [Any] ?? [root]
            for case let object as [String: Any] in objects {
                let ids = (object["id"] as? String).map { [$0] } ?? (object["id"] as? [Any])?.compactMap { $0 as? String } ?? []
                guard !ids.isEmpty, let rawName = object["name"] else { continue }
                guard let name = Self.text(rawName).map(Self.clean), !name.isEmpty else { skipped += 1; continue }
                let description = object["description"].flatMap(Self.text).map(Self.clean) ?? ""
                for id in ids where entries[id] == nil {
                    entries[id] = Entry(id: id, type: object["type"] as? String ?? "", name: name, description: description,
                                        looksLike: object["looks_like"] as? String, file: rel)
                }
            }
        }
        self.entries = entries; skippedNameForms = skipped; files = paths.count
    }

    /// The entry for a tileset id: the id itself, a vehicle part's `vp_<id>`, or a seasonal
    /// variant's `<id>_season_<season>`.
    public func entry(forTile id: String) -> Entry? {
        if let e = entries[id] { return e }
        if id.hasPrefix("vp_"), let e = entries[String(id.dropFirst(3))] { return e }
        if let r = id.range(of: "_season_") { return entries[String(id[..<r.lowerBound])] }
        return nil
    }

    /// A name or description: a string, or the `str` / `str_sp` of an object.
    static func text(_ value: Any) -> String? {
        if let s = value as? String { return s }
        if let d = value as? [String: Any] { return (d["str"] as? String) ?? (d["str_sp"] as? String) }
        return nil
    }

    /// Colour and other tags (`<color_red>`, `</color>`, `<info>`) removed, whitespace collapsed.
    static func clean(_ s: String) -> String {
        var out = "", inTag = false
        for ch in s {
            if ch == "<" { inTag = true; continue }
            if inTag { if ch == ">" { inTag = false }; continue }
            out.append(ch.isWhitespace ? " " : ch)
        }
        return out.split(separator: " ").joined(separator: " ")
    }

    /// Text up to and including the first ". ", "! " or "? " (the whole text if none).
    static func firstSentence(_ s: String) -> String {
        let chars = Array(s)
        for i in chars.indices.dropLast() where ".!?".contains(chars[i]) && chars[i + 1] == " " {
            return String(chars[...i])
        }
        return s
    }

    /// At most `maxBytes` UTF-8 bytes of `s`, cut after a whole word (empty if the first word does not fit).
    static func trimmed(_ s: String, maxBytes: Int) -> String {
        guard maxBytes > 0 else { return "" }
        if s.utf8.count <= maxBytes { return s }
        var out = ""
        for word in s.split(separator: " ") {
            let next = out.isEmpty ? String(word) : out + " " + word
            if next.utf8.count > maxBytes { break }
            out = next
        }
        return out
    }
}
