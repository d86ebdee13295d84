import Datasets
import Foundation
import Tokenizers
import XCTest

/// The `real-captions` recipe's parts on fixtures written here: Cataclysm-style JSON data and a
/// tiny tileset (id → sprite → caption), the caption forms, the caption- and image-disjoint
/// split, and openclipart's SVG metadata.
final class RealCaptionsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("realcaptions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func write(_ text: String, _ rel: String) throws {
        let url = dir.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Game data with every name form: `{"str"}`, plain, `{"str_sp"}`, a gendered name (skipped),
    /// `looks_like`, a vehicle part and a terrain with seasonal tiles.
    private func writeJSON() throws -> URL {
        try write("""
        [{"type": "TOOL", "id": "knife", "name": {"str": "knife", "str_pl": "knives"},
          "description": "A small <color_red>sharp</color>   knife.  Good for cutting."},
         {"type": "GENERIC", "id": "rock", "name": "rock", "description": {"str": "A rock. Heavy."}},
         {"type": "ARMOR", "id": "jeans", "name": {"str_sp": "jeans"}, "description": "Blue jeans."},
         {"type": "GENERIC", "id": "pebble", "name": "pebble", "looks_like": "rock"},
         {"type": "npc", "id": "someone", "name": {"male": "x", "female": "y"}},
         {"type": "GENERIC", "id": "copied", "copy-from": "rock"}]
        """, "json/items/things.json")
        try write("""
        {"type": "vehicle_part", "id": "frame", "name": {"str": "frame"}, "description": "A metal frame."}
        """, "json/vehicleparts/frame.json")
        try write("""
        [{"type": "terrain", "id": "t_dirt", "name": "dirt", "description": "Plain dirt."}, {"type": "speech", "text": "no id"}]
        """, "json/furniture_and_terrain/terrain.json")
        return dir.appendingPathComponent("json")
    }

    /// Sprites 0–3 in a.png (3 transparent), 4–5 in b.png.
    private func writeTileset(_ folder: URL, tile: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("""
        {"tile_info": [{"width": \(tile), "height": \(tile)}],
         "tiles-new": [
           {"file": "a.png", "tiles": [{"id": "knife", "fg": 0}, {"id": "rock", "fg": [{"weight": 1, "sprite": 1}, {"weight": 1, "sprite": 2}]},
                                       {"id": "jeans", "fg": 3}]},
           {"file": "b.png", "tiles": [{"id": "vp_frame", "fg": 4}, {"id": "t_dirt_season_spring", "fg": 5},
                                       {"id": "overlay_worn_knife", "fg": 4}]}
         ]}
        """.utf8).write(to: folder.appendingPathComponent("tile_config.json"))
        try writeSpriteSheet(folder.appendingPathComponent("a.png"), w: tile, h: tile, columns: 2, rows: 2, base: 0, transparent: [3])
        try writeSpriteSheet(folder.appendingPathComponent("b.png"), w: tile, h: tile, columns: 1, rows: 2, base: 100)
    }

    func testNamesAreReadInEveryFormAndGenderedNamesAreSkipped() throws {
        let names = try CataclysmItemNames(jsonFolder: try writeJSON())
        XCTAssertEqual(names.files, 3)
        XCTAssertEqual(Set(names.entries.keys), ["knife", "rock", "jeans", "pebble", "frame", "t_dirt"])
        XCTAssertEqual(names.skippedNameForms, 1)
        XCTAssertEqual(names.entries["knife"]?.name, "knife")
        XCTAssertEqual(names.entries["jeans"]?.name, "jeans")
        XCTAssertEqual(names.entries["rock"]?.description, "A rock. Heavy.")
        XCTAssertEqual(names.entries["knife"]?.description, "A small sharp knife. Good for cutting.")
        XCTAssertEqual(names.entries["pebble"]?.looksLike, "rock")
        XCTAssertEqual(names.entries["knife"]?.file, "items/things.json")
        XCTAssertEqual(names.entry(forTile: "vp_frame")?.id, "frame")
        XCTAssertEqual(names.entry(forTile: "t_dirt_season_spring")?.id, "t_dirt")
        XCTAssertNil(names.entry(forTile: "overlay_worn_knife"))
    }

    func testCaptionIsNameAndFirstSentenceCutAtAWordWithinTheBudget() throws {
        let names = try CataclysmItemNames(jsonFolder: try writeJSON())
        let knife = try XCTUnwrap(names.entries["knife"])
        XCTAssertEqual(knife.caption(maxBytes: 64), "knife: A small sharp knife.")
        XCTAssertEqual(knife.caption(maxBytes: 20), "knife: A small sharp")      // 20 bytes exactly
        XCTAssertEqual(knife.caption(maxBytes: 19), "knife: A small")
        XCTAssertEqual(knife.caption(maxBytes: 8), "knife: A")
        XCTAssertEqual(knife.caption(maxBytes: 7), "knife")                      // no word of the description fits
        XCTAssertEqual(names.entries["pebble"]?.caption(maxBytes: 64), "pebble")   // no description
    }

    func testMalformedJSONFileIsAnErrorNamingTheFile() throws {
        let json = try writeJSON()
        try write("[{\"id\": \"broken\", \"name\": ", "json/items/broken.json")
        XCTAssertThrowsError(try CataclysmItemNames(jsonFolder: json)) { error in
            XCTAssertTrue("\(error)".contains("items/broken.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("not valid JSON"), "\(error)")
        }
        XCTAssertThrowsError(try CataclysmItemNames(jsonFolder: dir.appendingPathComponent("missing"))) { error in
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
    }

    func testTileIdsLinkToSpritesAndCaptions() throws {
        let names = try CataclysmItemNames(jsonFolder: try writeJSON())
        let folder = dir.appendingPathComponent("gfx/Tiny")
        try writeTileset(folder, tile: 4)
        let part = try CataclysmCaptionedSprites.pairs(of: try CataclysmTileset(folder: folder), names: names, resolution: 4, captionBytes: 64)
        // (caption, red of the sprite): knife 0, rock's two variants 1 and 2, pebble drawn like rock,
        // frame (vp_frame) 4 = 100 + 10, dirt (seasonal) 5 = 100 + 20; jeans' sprite 3 is empty.
        let got = part.pairs.map { "\($0.caption)=\($0.image.pixels[0])" }
        XCTAssertEqual(Set(got), ["knife: A small sharp knife.=10", "rock: A rock.=20", "rock: A rock.=30",
                                  "frame: A metal frame.=110", "dirt: Plain dirt.=120", "pebble=20", "pebble=30"])
        XCTAssertEqual(got.count, 7)
        XCTAssertEqual(part.linkedIds, 5)
        XCTAssertEqual(part.looksLikeIds, 1)
        XCTAssertEqual(part.unnamedIds, 1)
        XCTAssertEqual(part.emptySprites, 1)
        // Sprite pixels come through: the knife's pixel (x 3, y 2) has green 3, blue 2.
        let knife = try XCTUnwrap(part.pairs.first { $0.caption.hasPrefix("knife") })
        XCTAssertEqual(Array(knife.image.pixels[(3 * (2 * 4 + 3))..<(3 * (2 * 4 + 3) + 3)]), [10, 3, 2])
    }

    func testSmallerAndASCIITilesetsAreLeftOutAndLargerOnesDownscaled() throws {
        let names = try CataclysmItemNames(jsonFolder: try writeJSON())
        let gfx = dir.appendingPathComponent("gfx")
        try writeTileset(gfx.appendingPathComponent("Big8"), tile: 8)
        try writeTileset(gfx.appendingPathComponent("Small2"), tile: 2)
        try writeTileset(gfx.appendingPathComponent("ASCIITileset"), tile: 4)
        let parts = try CataclysmCaptionedSprites.parts(gfx: gfx, names: names, resolution: 4, captionBytes: 64)
        XCTAssertEqual(parts.map(\.tileset), ["Big8"])
        XCTAssertEqual(parts[0].pairs.count, 7)
        let knife = try XCTUnwrap(parts[0].pairs.first { $0.caption.hasPrefix("knife") })
        XCTAssertEqual([knife.image.width, knife.image.height], [4, 4])
        // Area average of 2×2 blocks: red stays 10; green of the first block (x 0, 1) is 0.5, rounded.
        XCTAssertEqual(knife.image.pixels[0], 10)
        XCTAssertLessThanOrEqual(knife.image.pixels[1], 1)
    }

    func testSplitSharesNoCaptionAndNoImageLosesNoPairAndIsSeeded() {
        // 60 pairs over 20 captions and 50 images: pair k and k + 50 share an image, so captions
        // c(k) and c(k + 10) for k < 10 are joined (groups {c0, c10}, …, {c9, c19}: 10 groups of 6 pairs).
        func image(_ k: Int) -> RGBImage { RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: UInt8(k), count: 12)) }
        let pairs = (0..<60).map { PairShards.Pair(caption: "c\($0 % 20)", image: image($0 % 50)) }
        let split = CaptionDisjointSplit(pairs, testFraction: 0.25, seed: 7)
        XCTAssertEqual(split.groups, 10)
        XCTAssertEqual(split.largestGroupPairs, 6)
        XCTAssertTrue(Set(split.train.map(\.caption)).isDisjoint(with: split.test.map(\.caption)))
        XCTAssertTrue(Set(split.train.map(\.image.pixels)).isDisjoint(with: split.test.map(\.image.pixels)))
        XCTAssertEqual(split.train.count + split.test.count, 60)
        XCTAssertEqual(split.test.count, 12)                 // two whole groups fit in 15 pairs, a third does not
        XCTAssertEqual(split.testCaptions, 4)
        XCTAssertEqual(Set(split.train.map(\.caption)).count, 16)
        for p in split.test { XCTAssertTrue(split.test.contains { $0.caption == "c\((Int(p.caption.dropFirst())! + 10) % 20)" }) }
        let again = CaptionDisjointSplit(pairs, testFraction: 0.25, seed: 7)
        XCTAssertEqual(again.test, split.test)
        XCTAssertEqual(again.train, split.train)
        let other = (1...5).map { CaptionDisjointSplit(pairs, testFraction: 0.25, seed: 7 + UInt64($0)) }
        XCTAssertTrue(other.contains { Set($0.test.map(\.caption)) != Set(split.test.map(\.caption)) })
    }

    func testDistinctDropsRepeatedPairsAcrossSources() {
        let a = RGBImage(width: 1, height: 1, pixels: [1, 2, 3]), b = RGBImage(width: 1, height: 1, pixels: [4, 5, 6])
        let pairs = [PairShards.Pair(caption: "x", image: a), PairShards.Pair(caption: "x", image: b),
                     PairShards.Pair(caption: "x", image: a), PairShards.Pair(caption: "y", image: a)]
        let d = CataclysmCaptionedSprites.distinct(pairs)
        XCTAssertEqual(d.repeated, 1)
        XCTAssertEqual(d.pairs, [pairs[0], pairs[1], pairs[3]])
    }

    func testOpenClipartTitleAndKeywordsFromSVGMetadata() {
        let svg = """
        <svg><metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Red &amp; green apple</dc:title>
        <dc:subject><rdf:Bag><rdf:li>unsorted</rdf:li><rdf:li>fruit</rdf:li><rdf:li>food</rdf:li></rdf:Bag></dc:subject>
        <dc:creator><cc:Agent><dc:title>Someone</dc:title></cc:Agent></dc:creator></cc:Work></rdf:RDF></metadata></svg>
        """
        let m = OpenClipartCaptions.metadata(svg: svg)
        XCTAssertEqual(m.title, "Red & green apple")
        XCTAssertEqual(m.keywords, ["fruit", "food"])
        XCTAssertEqual(OpenClipartCaptions.caption(title: m.title!, keywords: m.keywords, maxBytes: 64), "Red & green apple: fruit, food")
        XCTAssertEqual(OpenClipartCaptions.caption(title: m.title!, keywords: m.keywords, maxBytes: 25), "Red & green apple: fruit")
        XCTAssertNil(OpenClipartCaptions.metadata(svg: "<svg><dc:title></dc:title></svg>").title)
    }
}
