import Datasets
import Foundation
import Tokenizers
import XCTest

/// The Cataclysm: DDA tileset reader and the `tiles` recipe's filtering, on tilesets written here:
/// a `tile_config.json` with three small sprite sheets.
final class TilesetTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tileset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func writeTileset(_ folder: URL, tile: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = """
        {"tile_info": [{"pixelscale": 1, "width": \(tile), "height": \(tile)}],
         "tiles-new": [
           {"file": "a.png", "tiles": [{"id": "t_dirt", "fg": 0, "bg": 1},
                                       {"id": ["corpse", "corpse_big"], "fg": [{"weight": 1, "sprite": 5}, {"weight": 2, "sprite": 4}],
                                        "additional_tiles": [{"id": "center", "fg": [3]}]}]},
           {"file": "tall.png", "sprite_width": \(tile), "sprite_height": \(2 * tile), "tiles": []},
           {"file": "c.png", "tiles": [{"id": "rock", "fg": 6}]}
         ]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("tile_config.json"))
        try writeSpriteSheet(folder.appendingPathComponent("a.png"), w: tile, h: tile, columns: 2, rows: 2, base: 0, transparent: [2])
        try writeSpriteSheet(folder.appendingPathComponent("tall.png"), w: tile, h: 2 * tile, columns: 2, rows: 1, base: 100)
        try writeSpriteSheet(folder.appendingPathComponent("c.png"), w: tile, h: tile, columns: 1, rows: 1, base: 0)
    }

    func testSpritesAreNumberedAcrossSheetsAndIdsFindTheirSprites() throws {
        let folder = dir.appendingPathComponent("Tiny")
        try writeTileset(folder, tile: 4)
        let set = try CataclysmTileset(folder: folder)
        XCTAssertEqual(set.tileWidth, 4)
        XCTAssertEqual(set.sheets.map(\.firstIndex), [0, 4, 6])
        XCTAssertEqual(set.sheets.map(\.count), [4, 2, 1])
        XCTAssertEqual(set.sheets.map(\.isNative), [true, false, true])
        XCTAssertEqual(set.foreground["t_dirt"], [0])
        XCTAssertEqual(set.foreground["corpse_big"], [5, 4])
        XCTAssertEqual(set.foreground["center"], [3])
        XCTAssertEqual(set.foreground["rock"], [6])
        // Sprite 5 is the second of tall.png: red 100 + 20, 4×8, green = x, blue = y.
        let s5 = try XCTUnwrap(try set.sprite(5))
        XCTAssertEqual([s5.width, s5.height], [4, 8])
        XCTAssertEqual(Array(s5.rgba[0..<4]), [120, 0, 0, 255])
        XCTAssertEqual(Array(s5.rgba[(4 * (7 * 4 + 3))..<(4 * (7 * 4 + 3) + 4)]), [120, 3, 7, 255])
        // Sprite 3 is the bottom-right of a.png (k = 3: red 40); sprite 6 the only one of c.png.
        XCTAssertEqual(try set.sprite(3)?.rgba[0], 40)
        XCTAssertEqual(try set.sprite(6)?.rgba[0], 10)
        XCTAssertNil(try set.sprite(7))
    }

    func testEmptyAndDuplicateTilesAreDroppedOnlyFromNativeSheets() throws {
        let gfx = dir.appendingPathComponent("gfx")
        try writeTileset(gfx.appendingPathComponent("Native32"), tile: 32)
        try writeTileset(gfx.appendingPathComponent("Small16"), tile: 16)      // not 32×32: left out
        var collector = TileImages.Collector()
        let parts = try TileImages.cataclysmParts(gfx: gfx, collector: &collector)
        XCTAssertEqual(parts.map(\.name), ["cataclysm/Native32"])
        // a.png: 4 slots, one transparent; c.png: 1 slot equal to a.png's first (same pixels); tall.png skipped.
        XCTAssertEqual(parts[0].slots, 5)
        XCTAssertEqual(parts[0].empty, 1)
        XCTAssertEqual(parts[0].duplicates, 1)
        XCTAssertEqual(parts[0].images.map { $0.pixels[0] }, [10, 20, 40])
        XCTAssertEqual(parts[0].images.map { [$0.width, $0.height] }, [[32, 32], [32, 32], [32, 32]])
        // A later source sees the earlier ones' images as duplicates.
        let grid = try TileImages.gridSprites(gfx.appendingPathComponent("Native32/a.png"))
        let again = collector.add(grid, name: "again")
        XCTAssertEqual([again.slots, again.empty, again.duplicates, again.images.count], [4, 1, 3, 0])
    }

    func testBadConfigsAreNamed() throws {
        let folder = dir.appendingPathComponent("Bad")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"tile_info": [{"width": 32}], "tiles-new": []}"#.utf8).write(to: folder.appendingPathComponent("tile_config.json"))
        XCTAssertThrowsError(try CataclysmTileset(folder: folder)) {
            XCTAssertTrue("\($0)".contains("tile_config.json") && "\($0)".contains("width and height"), "\($0)")
        }
        try Data(#"{"tile_info": [{"width": 32, "height": 32}], "tiles-new": [{"file": "missing.png"}]}"#.utf8)
            .write(to: folder.appendingPathComponent("tile_config.json"))
        XCTAssertThrowsError(try CataclysmTileset(folder: folder)) {
            XCTAssertTrue("\($0)".contains("missing.png"), "\($0)")
        }
    }
}
