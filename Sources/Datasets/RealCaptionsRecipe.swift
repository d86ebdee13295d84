import Foundation
import WorkbenchCore
import Tokenizers

/// `real-captions[-16|-8]`: real image–caption pairs from Cataclysm: DDA (Debian
/// `cataclysm-dda-data`, CC BY-SA 3.0): every tileset sprite linked to the name and description
/// of the game object it draws (`CataclysmCaptionedSprites`). `real-captions-clipart[-16|-8]` adds
/// the titled clip art of Debian `openclipart-svg` (public domain), rasterised with
/// `rsvg-convert` (`OpenClipartCaptions`; about one process per file, so it takes far longer).
///
/// Captions are at most `captionBytes` (64) UTF-8 bytes: a pair record is 1 + 64 + 3·R² tokens.
/// Test: about 10 % of the pairs, with no caption and no image (identical R×R pixels) on both
/// sides (`CaptionDisjointSplit`).
///
///     let m = try RealCaptionsRecipe.recipe(resolution: 8).prepare(opts)
public enum RealCaptionsRecipe {
    public static let captionBytes = 64
    static let cataclysmJSON = "usr/share/games/cataclysm-dda/json"

    public static func recipe(resolution: Int, clipart: Bool = false) -> DatasetRecipe {
        let base = clipart ? "real-captions-clipart" : "real-captions"
        let name = resolution == 32 ? base : "\(base)-\(resolution)"
        let summary = "real captioned images: Cataclysm: DDA sprites + item names/descriptions"
            + (clipart ? " + openclipart titles/keywords (rsvg-convert)" : "") + ", \(resolution)x\(resolution)"
        return DatasetRecipe(name: name, summary: summary) { opts in
            let cdda = try EnglishSources.debian("cataclysm-dda-data", opts.cacheDir, opts.log)
            let names = try CataclysmItemNames(jsonFolder: cdda.root.appendingPathComponent(cataclysmJSON))
            opts.log("\(name): \(names.entries.count) named game objects in \(names.files) JSON files")
            let parts = try CataclysmCaptionedSprites.parts(gfx: cdda.root.appendingPathComponent(TileImages.cataclysmGfx),
                                                            names: names, resolution: resolution, captionBytes: captionBytes,
                                                            log: { opts.log("\(name): \($0)") })
            var all = parts.flatMap(\.pairs)
            var extra: [String: String] = [:]
            for p in parts {
                extra["source.cataclysm/\(p.tileset)"] = "\(p.pairs.count) pairs (tiles \(p.tileSize)): \(p.linkedIds) tile ids linked to a named object, \(p.looksLikeIds) objects through looks_like, \(p.unnamedIds) tile ids without a name, \(p.emptySprites) empty sprites, \(p.repeatedPairs) repeated pairs dropped"
            }
            var source = "Debian \(cdda.debFile) (tilesets \(parts.map(\.tileset).joined(separator: ", ")); names and descriptions from \(cataclysmJSON))"
            var licences = "Cataclysm: DDA sprites and text CC BY-SA 3.0 (cataclysm-dda-data)"
            if clipart {
                let oc = try EnglishSources.debian("openclipart-svg", opts.cacheDir, opts.log)
                let rsvg = try OpenClipartCaptions.rasterizer(cacheDir: opts.cacheDir, log: opts.log)
                let part = try OpenClipartCaptions.pairs(svgDir: oc.root.appendingPathComponent(OpenClipartCaptions.svgPath),
                                                         rasterDir: oc.root.deletingLastPathComponent().appendingPathComponent("raster32"),
                                                         rsvgConvert: rsvg, resolution: resolution, captionBytes: captionBytes,
                                                         log: { opts.log("\(name): \($0)") })
                all += part.pairs
                extra["source.openclipart"] = "\(part.pairs.count) pairs of \(part.files) SVG files (\(part.untitled) without a title, \(part.unrenderable) rsvg-convert could not render); caption = title, then keywords"
                source += " + Debian \(oc.debFile) (rasterised by \(rsvg.path))"
                licences += "; openclipart public domain (openclipart-svg)"
            }
            let distinct = CataclysmCaptionedSprites.distinct(all)
            all = distinct.pairs
            guard all.count >= 100 else {
                throw WorkbenchIOError.corrupt(path: cdda.root.path, reason: "only \(all.count) captioned images found")
            }
            let split = CaptionDisjointSplit(all, testFraction: 0.1, seed: opts.seed)
            extra["pairs"] = "\(all.count) distinct (caption, image) pairs: \(split.train.count) train, \(split.test.count) test (\(distinct.repeated) repeats of a pair across sources dropped)"
            extra["captions"] = "\(split.trainCaptions) train, \(split.testCaptions) test, disjoint"
            extra["test_selection"] = "captions joined into \(split.groups) groups by shared images (identical \(resolution)x\(resolution) pixels; the largest holds \(split.largestGroupPairs) pairs); seeded (seed \(opts.seed)) groups held out whole while they fit in 10% of the pairs: no caption and no image on both sides"
            extra["caption_form"] = "Cataclysm: name, then ': ' and the description's first sentence cut at a word boundary, at most \(captionBytes) bytes; colour tags removed"
            extra["image_form"] = "alpha composited on white; sprites other than \(resolution)x\(resolution) squared up on white and area-averaged (never upscaled: sheets of smaller sprites left out)"
            extra["licences"] = licences
            opts.log("\(name): \(extra["pairs"]!)")
            let ds = PairShards.dataset(name: name, tokenizer: PairTokenizer(resolution: resolution, captionLength: captionBytes),
                                        train: split.train, test: split.test, seed: opts.seed &+ 1, source: source, extra: extra)
            return try StagingFolder.write(ds, to: opts.outputDir(for: name))
        }
    }
}
