import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// `tiles[-16|-8]`: real colour 32×32 images from game tilesets — the sprites of the natively
/// 32×32 Cataclysm: DDA tilesets (Debian `cataclysm-dda-data`) and the grid-aligned floor and
/// wall sheets of Dungeon Crawl Stone Soup (Debian `crawl-tiles-data`) — as `image-rgb-R` records.
///
/// Only sheets whose sprites have the tileset's own 32×32 size are cut (oversized, tall and
/// 20×20 filler sheets and the ASCII fallback are left out). Alpha is composited on white (as
/// every image source here). Fully transparent sprites are dropped, and so are exact duplicates
/// (same 32×32 pixels after compositing; the first is kept). Crawl's other sheets (items,
/// monsters, player) pack trimmed sprites without a grid, so they cannot be cut without the
/// game's tile tables and are not used. A seeded 10 % of the distinct images is the test split.
///
///     let m = try TileImages.recipe(resolution: 32).prepare(opts)
public enum TileImages {
    static let cataclysmGfx = "usr/share/games/cataclysm-dda/gfx"
    static let crawlTiles = "usr/share/crawl/dat/tiles"
    static let crawlGridSheets = ["floor.png", "wall.png"]

    /// One source's distinct, non-empty 32×32 images.
    public struct Part: Sendable {
        public var name: String
        public var slots: Int
        public var empty: Int
        public var duplicates: Int
        public var images: [RGBImage]
    }

    /// Keeps the non-empty sprites not seen before (by their composited pixels) and counts the rest.
    public struct Collector {
        var seen = Set<[UInt8]>()
        public init() {}

        public mutating func add(_ sprites: [RGBAPixels], name: String) -> Part {
            var part = Part(name: name, slots: sprites.count, empty: 0, duplicates: 0, images: [])
            for s in sprites {
                if isEmpty(s) { part.empty += 1; continue }
                let img = PNGImage.compositeOnWhite(rgba: s.rgba, width: s.width, height: s.height)
                guard seen.insert(img.pixels).inserted else { part.duplicates += 1; continue }
                part.images.append(img)
            }
            return part
        }
    }

    /// A sprite with no visible pixel (every alpha 0).
    public static func isEmpty(_ s: RGBAPixels) -> Bool {
        stride(from: 3, to: s.rgba.count, by: 4).allSatisfy { s.rgba[$0] == 0 }
    }

    /// The 32×32 sprites of every natively 32×32 tileset under `gfx` (sorted by name), one part per tileset.
    public static func cataclysmParts(gfx: URL, collector: inout Collector) throws -> [Part] {
        var parts: [Part] = []
        for set in try CataclysmTileset.all(in: gfx) where set.tileWidth == 32 && set.tileHeight == 32 {
            var sprites: [RGBAPixels] = []
            for sheet in set.sheets where sheet.isNative && !sheet.isFallback {
                sprites += try set.sprites(of: sheet)
            }
            parts.append(collector.add(sprites, name: "cataclysm/\(set.name)"))
        }
        return parts
    }

    /// A sheet laid out on a 32-pixel grid, cut into its tiles (row by row).
    public static func gridSprites(_ url: URL, side: Int = 32) throws -> [RGBAPixels] {
        let img = try PNGImage.decodeRGBA(try Data(contentsOf: url), name: url.path)
        guard img.width % side == 0, img.height % side == 0 else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "is \(img.width)x\(img.height), not a grid of \(side)x\(side) tiles")
        }
        var out: [RGBAPixels] = []
        for r in 0..<(img.height / side) {
            for c in 0..<(img.width / side) { out.append(CataclysmTileset.crop(img, x: c * side, y: r * side, width: side, height: side)) }
        }
        return out
    }

    public static func recipe(resolution: Int) -> DatasetRecipe {
        let name = resolution == 32 ? "tiles" : "tiles-\(resolution)"
        return DatasetRecipe(name: name, summary: "~12k distinct 32x32 colour game sprites (Cataclysm: DDA tilesets, Crawl floors/walls), RGB \(resolution)x\(resolution)") { opts in
            let cdda = try EnglishSources.debian("cataclysm-dda-data", opts.cacheDir, opts.log)
            let crawl = try EnglishSources.debian("crawl-tiles-data", opts.cacheDir, opts.log)
            var collector = Collector()
            var parts = try cataclysmParts(gfx: cdda.root.appendingPathComponent(cataclysmGfx), collector: &collector)
            for sheet in crawlGridSheets {
                parts.append(collector.add(try gridSprites(crawl.root.appendingPathComponent("\(crawlTiles)/\(sheet)")), name: "crawl/\(sheet)"))
            }
            var extra: [String: String] = [:]
            for p in parts {
                extra["source.\(p.name)"] = "\(p.images.count) images kept of \(p.slots) sprite slots (\(p.empty) empty, \(p.duplicates) duplicates dropped)"
                opts.log("\(name): \(p.name): \(extra["source.\(p.name)"]!)")
            }
            let all = parts.flatMap(\.images)
            guard all.count >= 100 else {
                throw WorkbenchIOError.corrupt(path: cdda.root.path, reason: "only \(all.count) tiles found")
            }
            var rng = SeededRNG(seed: opts.seed)
            let order = rng.permutation(all.count)
            let nTest = all.count / 10
            let images = order.map { i in resolution == 32 ? all[i] : AreaResize.resize(all[i], width: resolution, height: resolution) }
            extra["test_selection"] = "seeded permutation (seed \(opts.seed)) of the distinct images, first 10% held out"
            extra["compositing"] = "alpha on white"
            extra["licences"] = "Cataclysm: DDA tilesets CC BY-SA 3.0 (cataclysm-dda-data); Crawl tiles mostly CC0 / public domain (crawl-tiles-data)"
            extra["resize"] = resolution == 32 ? "none (native 32x32)" : "area average of the 32x32 tile"
            let ds = ImageShards.dataset(name: name, tokenizer: ImageTokenizer(resolution: resolution),
                                         train: Array(images[nTest...]), test: Array(images[..<nTest]),
                                         source: "Debian \(cdda.debFile) (32x32 tilesets: \(parts.filter { $0.name.hasPrefix("cataclysm/") }.map { $0.name.dropFirst(10) }.joined(separator: ", "))) + Debian \(crawl.debFile) (\(crawlGridSheets.joined(separator: ", ")))",
                                         extra: extra)
            opts.log("\(name): \(all.count) distinct tiles, \(nTest) held out for test")
            return try StagingFolder.write(ds, to: opts.outputDir(for: name))
        }
    }
}

extension StagingFolder {
    /// Writes a dataset into a staging folder beside `target` and renames it into place
    /// (replacing an older one), so a killed preparation never leaves a half-written folder under
    /// the target's name. `files` are written into the folder first (labels, tokenizer).
    @discardableResult
    public static func write(_ ds: TokenDataset, to target: URL, files: [String: Data] = [:]) throws -> ShardManifest {
        let stage = try StagingFolder(target: target, force: true)
        do {
            for (file, data) in files.sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(data, to: stage.folder.appendingPathComponent(file))
            }
            let m = try ds.write(to: stage.folder)
            try stage.commit()
            return m
        } catch {
            stage.discard()
            throw error
        }
    }
}
