import Foundation
import WorkbenchCore
import Tokenizers

/// Real colour images with English captions from the emoji of Debian's `fonts-noto-color-emoji`
/// (PNG bitmaps inside the font's CBDT table) named by Debian `unicode-data`'s UnicodeData.txt.
///
/// Only emoji reachable from a single code point through the font's cmap are used (sequences
/// such as flags and skin tones need GSUB and are left out), as are code points below U+00A9,
/// variation selectors, skin-tone modifiers, regional indicators and tags. The caption is the
/// lower-cased Unicode name ("grinning face"). Bitmaps are squared up on white and
/// area-averaged to R×R.
///
///     let items = try EmojiCaptions.items(font: fontURL, unicodeData: namesURL, resolution: 32)
public enum EmojiCaptions {
    public struct Item: Equatable, Sendable {
        public var codePoint: UInt32
        public var caption: String
        public var image: RGBImage
    }

    static let fontPath = "usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
    static let namesPath = "usr/share/unicode/UnicodeData.txt"

    /// Code point → name from UnicodeData.txt (ranges such as `<CJK Ideograph, First>` skipped).
    public static func unicodeNames(_ url: URL) throws -> [UInt32: String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "UnicodeData.txt")
        }
        var names: [UInt32: String] = [:]
        for (n, line) in text.split(separator: "\n").enumerated() {
            let f = line.split(separator: ";", omittingEmptySubsequences: false)
            guard f.count >= 2, let cp = UInt32(f[0], radix: 16) else {
                throw WorkbenchIOError.corrupt(path: url.path, reason: "line \(n + 1) is not 'CODE;NAME;…'")
            }
            if !f[1].hasPrefix("<") { names[cp] = String(f[1]) }
        }
        return names
    }

    static func excluded(_ cp: UInt32) -> Bool {
        cp < 0xA9 || (0xFE00...0xFE0F).contains(cp) || (0x1F3FB...0x1F3FF).contains(cp)
            || (0x1F1E6...0x1F1FF).contains(cp) || (0xE0000...0xE007F).contains(cp) || cp == 0x20E3 || cp == 0x200D
    }

    /// Every captioned emoji of the font, sorted by code point.
    public static func items(font: URL, unicodeData: URL, resolution: Int) throws -> [Item] {
        guard FileManager.default.fileExists(atPath: font.path) else {
            throw WorkbenchIOError.missingFile(path: font.path, what: "emoji font")
        }
        let tables = try OpenTypeTables(bytes: [UInt8](try Data(contentsOf: font)), name: font.path)
        let strike = try ColorBitmapFont.largestStrike(tables)
        let cmap = try tables.characterMap()
        let names = try unicodeNames(unicodeData)
        var out: [Item] = []
        for (cp, gid) in cmap.sorted(by: { $0.key < $1.key }) where !excluded(cp) {
            guard let png = strike.pngs[gid], let name = names[cp] else { continue }
            let label = "\(font.lastPathComponent) glyph \(gid) (U+\(String(cp, radix: 16, uppercase: true)))"
            let img = try PNGImage.decode(Data(png), name: label)
            out.append(Item(codePoint: cp, caption: name.lowercased(),
                            image: AreaResize.squareThumbnail(img, side: resolution)))
        }
        return out
    }

    /// `captions[-16|-8]`: the emoji plus the Tux Paint stamps (PNG ones), 10% held out for test.
    public static func recipe(resolution: Int) -> DatasetRecipe {
        let name = resolution == 32 ? "captions" : "captions-\(resolution)"
        return DatasetRecipe(name: name, summary: "emoji (Noto Color Emoji + Unicode names) and Tux Paint stamps with captions, \(resolution)x\(resolution)") { opts in
            let font = try DebianPackageFetch.unpacked("fonts-noto-color-emoji", cacheDir: opts.cacheDir, log: opts.log)
            let data = try DebianPackageFetch.unpacked("unicode-data", cacheDir: opts.cacheDir, log: opts.log)
            let stamps = try DebianPackageFetch.unpacked("tuxpaint-stamps-default", cacheDir: opts.cacheDir, log: opts.log)
            let emoji = try items(font: font.appendingPathComponent(fontPath),
                                  unicodeData: data.appendingPathComponent(namesPath), resolution: resolution)
            let clipart = try TuxPaintStamps.items(stampsDir: stamps.appendingPathComponent(TuxPaintStamps.stampsPath),
                                                   resolution: resolution)
            let all = emoji.map { PairShards.Pair(caption: $0.caption, image: $0.image) }
                + clipart.map { PairShards.Pair(caption: $0.caption, image: $0.image) }
            guard emoji.count >= 20, clipart.count >= 20 else {
                throw WorkbenchIOError.corrupt(path: fontPath, reason: "only \(emoji.count) emoji and \(clipart.count) stamps found")
            }
            var rng = SeededRNG(seed: opts.seed)
            let pairs = rng.permutation(all.count).map { all[$0] }
            let nTest = all.count / 10
            opts.log("\(name): \(emoji.count) emoji + \(clipart.count) stamps, \(nTest) held out for test")
            let ds = PairShards.dataset(name: name, tokenizer: PairTokenizer(resolution: resolution),
                                        train: Array(pairs[nTest...]), test: Array(pairs[..<nTest]), seed: opts.seed &+ 1,
                                        source: "Debian fonts-noto-color-emoji (CBDT bitmaps) + unicode-data (names) + tuxpaint-stamps-default (PNG stamps, English .txt)",
                                        extra: ["emoji": "\(emoji.count) single-code-point emoji, caption = lower-cased Unicode name",
                                                "stamps": "\(clipart.count) Tux Paint PNG stamps, caption = first line of the .txt",
                                                "test_selection": "seeded permutation (seed \(opts.seed)) of all pairs, first 10% held out"])
            try ds.write(to: opts.outputDir(for: name))
            return ds.manifest
        }
    }

    /// `clipart-palette`: the same emoji and stamp images without captions, as 9-bit palette
    /// tokens (`[512] + 32²`), palette fitted on the training images.
    public static func paletteRecipe(resolution: Int = 32) -> DatasetRecipe {
        let name = resolution == 32 ? "clipart-palette" : "clipart-palette-\(resolution)"
        return DatasetRecipe(name: name, summary: "emoji + Tux Paint images, 9-bit k-means palette tokens, \(resolution)x\(resolution)") { opts in
            let font = try DebianPackageFetch.unpacked("fonts-noto-color-emoji", cacheDir: opts.cacheDir, log: opts.log)
            let data = try DebianPackageFetch.unpacked("unicode-data", cacheDir: opts.cacheDir, log: opts.log)
            let stamps = try DebianPackageFetch.unpacked("tuxpaint-stamps-default", cacheDir: opts.cacheDir, log: opts.log)
            let images = try items(font: font.appendingPathComponent(fontPath),
                                   unicodeData: data.appendingPathComponent(namesPath), resolution: resolution).map(\.image)
                + TuxPaintStamps.items(stampsDir: stamps.appendingPathComponent(TuxPaintStamps.stampsPath),
                                       resolution: resolution).map(\.image)
            var rng = SeededRNG(seed: opts.seed)
            let shuffled = rng.permutation(images.count).map { images[$0] }
            let nTest = images.count / 10
            opts.log("\(name): \(images.count) images, \(nTest) held out; fitting a 512-colour palette")
            return try PaletteShards.write(name: name, train: Array(shuffled[nTest...]), test: Array(shuffled[..<nTest]),
                                           resolution: resolution, seed: opts.seed,
                                           source: "Debian fonts-noto-color-emoji + tuxpaint-stamps-default",
                                           to: opts.outputDir(for: name))
        }
    }
}

