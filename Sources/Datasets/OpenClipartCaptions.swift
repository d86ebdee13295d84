import Foundation
import WorkbenchCore
import Tokenizers

/// Captioned clip art from Debian `openclipart-svg` (public domain): each SVG's title
/// (`<dc:title>` of its `<cc:Work>`) and keywords (`<rdf:li>` of `<dc:subject>`, without the
/// catch-all "unsorted"), rasterised with `rsvg-convert` (Debian `librsvg2-bin`) into a 32×32
/// box on white, squared up on white and area-averaged to R×R.
///
/// Rasterising runs one `rsvg-convert` per file, so the 32×32 PNGs are cached beside the
/// unpacked package (`raster32/`, written to a temporary name and renamed); files it cannot
/// render (or not within 60 s) and files without a title are counted and left out; a file that
/// failed once is marked (`.failed`) and not tried again.
///
///     let part = try OpenClipartCaptions.pairs(svgDir: svg, rasterDir: cache, rsvgConvert: tool, resolution: 8, captionBytes: 64)
public enum OpenClipartCaptions {
    static let svgPath = "usr/share/openclipart/svg"
    static let ignoredKeywords: Set<String> = ["unsorted", "clip art", "clipart", "image", "media", "public domain", "svg", "png"]

    /// The clip-art pairs and what was left out.
    public struct Part: Sendable {
        public var pairs: [PairShards.Pair]
        public var files: Int
        public var untitled: Int
        public var unrenderable: Int
    }

    /// Title and keywords of an SVG's metadata (XML entities decoded); nil title when it has none.
    public static func metadata(svg text: String) -> (title: String?, keywords: [String]) {
        let work = text.range(of: "<cc:Work").map { String(text[$0.lowerBound...]) } ?? text
        let title = firstElement("dc:title", in: work).map(EnglishTextCleaning.decodeXMLEntities).map(CataclysmItemNames.clean).flatMap { $0.isEmpty ? nil : $0 }
        var keywords: [String] = []
        if let subject = firstElement("dc:subject", in: work) {
            var rest = Substring(subject)
            while let open = rest.range(of: "<rdf:li>"), let close = rest.range(of: "</rdf:li>", range: open.upperBound..<rest.endIndex) {
                let k = CataclysmItemNames.clean(EnglishTextCleaning.decodeXMLEntities(String(rest[open.upperBound..<close.lowerBound])))
                if !k.isEmpty, !ignoredKeywords.contains(k.lowercased()), !keywords.contains(k) { keywords.append(k) }
                rest = rest[close.upperBound...]
            }
        }
        return (title, keywords)
    }

    /// The title, then ": " and as many whole keywords as fit in `maxBytes` UTF-8 bytes.
    public static func caption(title: String, keywords: [String], maxBytes: Int) -> String {
        var out = CataclysmItemNames.trimmed(title, maxBytes: maxBytes)
        var sep = ": "
        for k in keywords where k.lowercased() != title.lowercased() {
            let next = out + sep + k
            if next.utf8.count > maxBytes { break }
            out = next; sep = ", "
        }
        return out
    }

    /// `rsvg-convert` from the PATH, or else from Debian `librsvg2-bin` unpacked into the cache
    /// (it needs the system's librsvg2-2); checked by running `--version`.
    public static func rasterizer(cacheDir: URL, log: (String) -> Void) throws -> URL {
        if let path = ExternalCommand.locate("rsvg-convert") { return URL(fileURLWithPath: path) }
        let root = try DebianPackageFetch.unpacked("librsvg2-bin", cacheDir: cacheDir, log: log)
        let url = root.appendingPathComponent("usr/bin/rsvg-convert")
        do { try DebianPackageFetch.run(url.path, ["--version"], what: "rsvg-convert --version") } catch {
            throw WorkbenchIOError.missingFile(path: url.path,
                                               what: "working rsvg-convert (install librsvg2-bin, or its library librsvg2-2: \(error))")
        }
        return url
    }

    /// Every titled, renderable SVG under `svgDir` (sorted by path) as a pair.
    public static func pairs(svgDir: URL, rasterDir: URL, rsvgConvert: URL, resolution: Int, captionBytes: Int,
                             log: (String) -> Void = { _ in }) throws -> Part {
        guard let walker = FileManager.default.enumerator(atPath: svgDir.path) else {
            throw WorkbenchIOError.missingFile(path: svgDir.path, what: "openclipart SVG folder")
        }
        let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".svg") }.sorted()
        var part = Part(pairs: [], files: files.count, untitled: 0, unrenderable: 0)
        for (n, rel) in files.enumerated() {
            if n % 1000 == 999 { log("openclipart: \(n + 1) of \(files.count) SVG files") }
            let svg = svgDir.appendingPathComponent(rel)
            let text = String(decoding: try Data(contentsOf: svg), as: UTF8.self)
            let meta = metadata(svg: text)
            guard let title = meta.title else { part.untitled += 1; continue }
            guard let img = try raster(svg, rel: rel, rasterDir: rasterDir, rsvgConvert: rsvgConvert) else {
                part.unrenderable += 1; continue
            }
            part.pairs.append(PairShards.Pair(caption: caption(title: title, keywords: meta.keywords, maxBytes: captionBytes),
                                              image: AreaResize.squareThumbnail(img, side: resolution)))
        }
        guard part.unrenderable <= part.files / 2 else {
            throw WorkbenchIOError.corrupt(path: rsvgConvert.path, reason: "could not render \(part.unrenderable) of \(part.files) SVG files; fix rsvg-convert, then remove \(rasterDir.path) and prepare again")
        }
        return part
    }

    /// The cached 32×32-box rendering of one SVG, made on first use; nil when rsvg-convert fails.
    static func raster(_ svg: URL, rel: String, rasterDir: URL, rsvgConvert: URL) throws -> RGBImage? {
        let png = rasterDir.appendingPathComponent(String(rel.dropLast(4)) + ".png")
        let failed = png.appendingPathExtension("failed")
        let fm = FileManager.default
        if fm.fileExists(atPath: failed.path) { return nil }
        if !fm.fileExists(atPath: png.path) {
            try fm.createDirectory(at: png.deletingLastPathComponent(), withIntermediateDirectories: true)
            let tmp = png.appendingPathExtension("tmp")
            // At most 60 s per file (coreutils' timeout), so one pathological SVG cannot stall the recipe.
            let args = ["-w", "32", "-h", "32", "-a", "-b", "white", "-f", "png", svg.path, "-o", tmp.path]
            let timeout = "/usr/bin/timeout"
            let reply = fm.isExecutableFile(atPath: timeout)
                ? try? ExternalCommand.capture(path: timeout, ["60", rsvgConvert.path] + args)
                : try? ExternalCommand.capture(path: rsvgConvert.path, args)
            guard reply?.status == 0, fm.fileExists(atPath: tmp.path) else {
                try? fm.removeItem(at: tmp)
                try Data().write(to: failed)
                return nil
            }
            try fm.moveItem(at: tmp, to: png)
        }
        return try? PNGImage.read(png)
    }

    static func firstElement(_ tag: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(tag)>"),
              let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}
