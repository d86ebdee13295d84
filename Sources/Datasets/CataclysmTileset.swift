import Foundation
import WorkbenchCore
import Tokenizers

/// A Cataclysm: DDA tileset (Debian `cataclysm-dda-data`, `usr/share/games/cataclysm-dda/gfx/<name>/`):
/// `tile_config.json` and its sprite sheets, read into numbered sprites and the game ids that use them.
///
/// `tile_info[0]` gives the default sprite size (`width`, `height`); each entry of `tiles-new` is
/// one sheet (`file`, optional `sprite_width`/`sprite_height`) cut row by row into sprites.
/// Sprites are numbered across sheets in order: a sheet's first number is the count of all
/// sprites of the sheets before it (the game's own numbering, which `fg`/`bg` refer to). Each
/// sheet's `tiles` map ids (a string or a list) to `fg` sprites (a number, a list, or weighted
/// variants `{"weight", "sprite"}`); `additional_tiles` are read the same way.
///
///     let set = try CataclysmTileset(folder: gfx.appendingPathComponent("UltimateCataclysm"))
///     for sheet in set.sheets where sheet.isNative { let sprites = try set.sprites(of: sheet) }
///     set.foreground["corpse"]   // sprite numbers, e.g. [1234]
public struct CataclysmTileset: Sendable {
    /// One sprite sheet and where its sprites sit in the numbering.
    public struct Sheet: Equatable, Sendable {
        public var file: String
        public var spriteWidth: Int
        public var spriteHeight: Int
        /// Size of the sheet image in pixels.
        public var width: Int
        public var height: Int
        /// Number of this sheet's first sprite.
        public var firstIndex: Int
        public var columns: Int { width / spriteWidth }
        public var rows: Int { height / spriteHeight }
        public var count: Int { columns * rows }
        /// Whether the sheet's sprites have the tileset's own tile size (not oversized or filler sprites).
        public var isNative = true
        /// Whether the sheet is the fallback font sheet (letters standing in for missing sprites).
        public var isFallback: Bool { file.lowercased().contains("fallback") }
    }

    public let folder: URL
    public let name: String
    public let tileWidth: Int
    public let tileHeight: Int
    public var sheets: [Sheet]
    /// Game id (`"corpse"`, `"t_dirt"`, …) → its foreground sprite numbers, variants in order.
    public var foreground: [String: [Int]]

    /// The tilesets under a `gfx` folder: its sub-folders with a `tile_config.json`, sorted by name.
    public static func all(in gfx: URL) throws -> [CataclysmTileset] {
        try FileManager.default.contentsOfDirectory(atPath: gfx.path).sorted()
            .filter { FileManager.default.fileExists(atPath: gfx.appendingPathComponent("\($0)/tile_config.json").path) }
            .map { try CataclysmTileset(folder: gfx.appendingPathComponent($0)) }
    }

    /// Reads `tile_config.json` and the size of each sheet (from its PNG header).
    public init(folder: URL) throws {
        self.folder = folder
        name = folder.lastPathComponent
        let configURL = folder.appendingPathComponent("tile_config.json")
        guard let data = try? Data(contentsOf: configURL) else {
            throw WorkbenchIOError.missingFile(path: configURL.path, what: "tileset config")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw WorkbenchIOError.corrupt(path: configURL.path, reason: "not a JSON object")
        }
        let info = (root["tile_info"] as? [[String: Any]])?.first ?? [:]
        guard let w = info["width"] as? Int, let h = info["height"] as? Int, w > 0, h > 0 else {
            throw WorkbenchIOError.corrupt(path: configURL.path, reason: "tile_info[0] has no positive width and height")
        }
        tileWidth = w; tileHeight = h
        guard let entries = root["tiles-new"] as? [[String: Any]] else {
            throw WorkbenchIOError.corrupt(path: configURL.path, reason: "no 'tiles-new' list of sprite sheets")
        }
        var sheets: [Sheet] = [], foreground: [String: [Int]] = [:], next = 0
        for (k, e) in entries.enumerated() {
            guard let file = e["file"] as? String else {
                throw WorkbenchIOError.corrupt(path: configURL.path, reason: "tiles-new[\(k)] has no 'file'")
            }
            let sw = e["sprite_width"] as? Int ?? w, sh = e["sprite_height"] as? Int ?? h
            guard sw > 0, sh > 0 else {
                throw WorkbenchIOError.corrupt(path: configURL.path, reason: "tiles-new[\(k)] ('\(file)') has sprite size \(sw)x\(sh)")
            }
            let size = try Self.pngSize(folder.appendingPathComponent(file))
            var sheet = Sheet(file: file, spriteWidth: sw, spriteHeight: sh, width: size.width, height: size.height, firstIndex: next)
            sheet.isNative = sw == w && sh == h
            next += sheet.count
            sheets.append(sheet)
            for tile in e["tiles"] as? [[String: Any]] ?? [] {
                Self.collect(tile, into: &foreground)
                for extra in tile["additional_tiles"] as? [[String: Any]] ?? [] { Self.collect(extra, into: &foreground) }
            }
        }
        self.sheets = sheets; self.foreground = foreground
    }

    /// The sheet holding sprite `index`, if any.
    public func sheet(containing index: Int) -> Sheet? {
        sheets.first { index >= $0.firstIndex && index < $0.firstIndex + $0.count }
    }

    /// Every sprite of a sheet in numbering order (row by row), with alpha.
    public func sprites(of sheet: Sheet) throws -> [RGBAPixels] {
        let url = folder.appendingPathComponent(sheet.file)
        let img = try PNGImage.decodeRGBA(try Data(contentsOf: url), name: url.path)
        guard img.width == sheet.width, img.height == sheet.height else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "decodes to \(img.width)x\(img.height), its header said \(sheet.width)x\(sheet.height)")
        }
        var out: [RGBAPixels] = []
        out.reserveCapacity(sheet.count)
        for r in 0..<sheet.rows {
            for c in 0..<sheet.columns { out.append(Self.crop(img, x: c * sheet.spriteWidth, y: r * sheet.spriteHeight,
                                                              width: sheet.spriteWidth, height: sheet.spriteHeight)) }
        }
        return out
    }

    /// Sprite `index` alone (decodes its sheet), or nil when no sheet holds it.
    public func sprite(_ index: Int) throws -> RGBAPixels? {
        guard let s = sheet(containing: index) else { return nil }
        return try sprites(of: s)[index - s.firstIndex]
    }

    static func crop(_ img: RGBAPixels, x: Int, y: Int, width: Int, height: Int) -> RGBAPixels {
        var out = [UInt8](repeating: 0, count: 4 * width * height)
        for row in 0..<height {
            let src = 4 * ((y + row) * img.width + x)
            out.replaceSubrange((4 * row * width)..<(4 * (row + 1) * width), with: img.rgba[src..<(src + 4 * width)])
        }
        return RGBAPixels(width: width, height: height, rgba: out)
    }

    /// Records a tile's `fg` sprite numbers under each of its ids.
    static func collect(_ tile: [String: Any], into map: inout [String: [Int]]) {
        let ids: [String] = (tile["id"] as? String).map { [$0] } ?? (tile["id"] as? [String] ?? [])
        var sprites: [Int] = []
        func walk(_ v: Any?) {
            if let n = v as? Int { sprites.append(n) }
            else if let list = v as? [Any] { list.forEach(walk) }
            else if let d = v as? [String: Any] { walk(d["sprite"]) }
        }
        walk(tile["fg"])
        guard !sprites.isEmpty else { return }
        for id in ids where map[id] == nil { map[id] = sprites }
    }

    /// Width and height from a PNG's IHDR chunk, without decoding the image.
    static func pngSize(_ url: URL) throws -> (width: Int, height: Int) {
        guard let h = FileHandle(forReadingAtPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "sprite sheet")
        }
        defer { try? h.close() }
        let b = [UInt8](h.readData(ofLength: 24))
        guard b.count == 24, b[0..<8].elementsEqual([137, 80, 78, 71, 13, 10, 26, 10]), b[12..<16].elementsEqual(Array("IHDR".utf8)) else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not a PNG (no signature and IHDR chunk)")
        }
        func u32(_ k: Int) -> Int { b[k..<(k + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (u32(16), u32(20))
    }
}
