import Foundation
import WorkbenchCore
import Tokenizers

/// Captioned sprites from Cataclysm: DDA: each id a tileset draws (`foreground[id]`) linked to
/// the game object of that id in the JSON data (`CataclysmItemNames`), caption = name and the
/// start of its description.
///
/// Links: the id itself, `vp_<id>` (vehicle parts), `<id>_season_<s>` (seasonal variants), and
/// `looks_like` (an object with no sprite of its own is drawn with the sprite of the id it looks
/// like, following up to 8 links, as the game does). Every variant sprite of an id gives a pair.
/// Sheets whose sprites are narrower or shorter than R are left out (never upscaled), and so are
/// ASCII tilesets and `fallback` sheets; other sheets count whatever their sprite size (tall,
/// large and filler sheets too). Alpha is composited on white; sprites other than R×R are
/// squared up on white and area-averaged to R×R. Fully transparent sprites are dropped, and so
/// are repeated (caption, pixels) pairs within the tileset (`distinct` drops them across tilesets).
///
///     let parts = try CataclysmCaptionedSprites.parts(gfx: gfx, names: names, resolution: 8, captionBytes: 64)
public enum CataclysmCaptionedSprites {
    /// One tileset's pairs and how they were found.
    public struct Part: Sendable {
        public var tileset: String
        public var tileSize: String
        public var pairs: [PairShards.Pair]
        /// Tile ids linked to a named object directly (id, `vp_`, `_season_`).
        public var linkedIds: Int
        /// Named objects drawn through `looks_like`.
        public var looksLikeIds: Int
        /// Tile ids with no named object.
        public var unnamedIds: Int
        public var emptySprites: Int
        public var repeatedPairs: Int
    }

    static let maxLooksLikeHops = 8

    /// One part per usable tileset under `gfx` (folders with a `tile_config.json`, sorted by name).
    public static func parts(gfx: URL, names: CataclysmItemNames, resolution: Int, captionBytes: Int,
                             log: (String) -> Void = { _ in }) throws -> [Part] {
        var parts: [Part] = []
        for set in try CataclysmTileset.all(in: gfx) where !set.name.lowercased().contains("ascii") {
            guard set.sheets.contains(where: { usable($0, resolution) }) else { continue }
            let part = try pairs(of: set, names: names, resolution: resolution, captionBytes: captionBytes)
            log("\(set.name) (\(part.tileSize)): \(part.pairs.count) pairs, \(part.linkedIds) ids linked, \(part.looksLikeIds) through looks_like")
            parts.append(part)
        }
        return parts
    }

    /// The captioned sprites of one tileset.
    public static func pairs(of set: CataclysmTileset, names: CataclysmItemNames, resolution: Int, captionBytes: Int) throws -> Part {
        var part = Part(tileset: set.name, tileSize: "\(set.tileWidth)x\(set.tileHeight)", pairs: [],
                        linkedIds: 0, looksLikeIds: 0, unnamedIds: 0, emptySprites: 0, repeatedPairs: 0)
        // (caption, sprite numbers) in a fixed order: direct links by tile id, then looks_like by object id.
        var links: [(caption: String, sprites: [Int])] = []
        var drawn = Set<String>()
        for id in set.foreground.keys.sorted() {
            guard let e = names.entry(forTile: id) else { part.unnamedIds += 1; continue }
            links.append((e.caption(maxBytes: captionBytes), set.foreground[id]!))
            drawn.insert(e.id)
            part.linkedIds += 1
        }
        for id in names.entries.keys.sorted() where set.foreground[id] == nil && !drawn.contains(id) {
            var next = names.entries[id]!.looksLike, hops = 0
            while let target = next, hops < maxLooksLikeHops {
                if let sprites = set.foreground[target] {
                    links.append((names.entries[id]!.caption(maxBytes: captionBytes), sprites))
                    part.looksLikeIds += 1
                    break
                }
                next = names.entries[target]?.looksLike; hops += 1
            }
        }
        var sheetSprites: [Int: [RGBAPixels]] = [:]
        var images: [Int: RGBImage?] = [:]
        func image(_ index: Int) throws -> RGBImage? {
            if let done = images[index] { return done }
            var result: RGBImage? = nil
            if let k = set.sheets.firstIndex(where: { index >= $0.firstIndex && index < $0.firstIndex + $0.count }),
               usable(set.sheets[k], resolution) {
                if sheetSprites[k] == nil { sheetSprites[k] = try set.sprites(of: set.sheets[k]) }
                let s = sheetSprites[k]![index - set.sheets[k].firstIndex]
                if TileImages.isEmpty(s) { part.emptySprites += 1 } else {
                    let img = PNGImage.compositeOnWhite(rgba: s.rgba, width: s.width, height: s.height)
                    result = img.width == resolution && img.height == resolution ? img : AreaResize.squareThumbnail(img, side: resolution)
                }
            }
            images[index] = result
            return result
        }
        var seen = Set<PairKey>()
        for link in links where !link.caption.isEmpty {
            for index in link.sprites {
                guard let img = try image(index) else { continue }
                guard seen.insert(PairKey(caption: link.caption, pixels: img.pixels)).inserted else { part.repeatedPairs += 1; continue }
                part.pairs.append(PairShards.Pair(caption: link.caption, image: img))
            }
        }
        return part
    }

    /// A sheet whose sprites are at least R×R and that is not the ASCII fallback.
    static func usable(_ sheet: CataclysmTileset.Sheet, _ resolution: Int) -> Bool {
        sheet.spriteWidth >= resolution && sheet.spriteHeight >= resolution && !sheet.isFallback
    }

    /// The pairs in order with repeats (same caption, same pixels) after the first dropped, and how many were dropped.
    public static func distinct(_ pairs: [PairShards.Pair]) -> (pairs: [PairShards.Pair], repeated: Int) {
        var seen = Set<PairKey>(), out: [PairShards.Pair] = []
        for p in pairs where seen.insert(PairKey(caption: p.caption, pixels: p.image.pixels)).inserted { out.append(p) }
        return (out, pairs.count - out.count)
    }

    struct PairKey: Hashable { var caption: String; var pixels: [UInt8] }
}
