import Foundation
import Tokenizers

/// `workbench data import captions`: a CSV of (image path relative to the CSV, caption) to a
/// caption–image pair dataset written like the built-in `captions` / `synthetic-captions`
/// (`PairShards`: `PairTokenizer` records with masks, vocabulary 516, the four evaluation
/// splits for the mutual-information estimate).
///
/// Images are decoded with libpng, squared up on white and area-averaged to R×R. The test split
/// is a seeded `testFraction` of the distinct images, so an image with several captions never
/// has pairs on both sides. Captions longer than `captionLength` UTF-8 bytes are trimmed at a
/// character boundary (counted in `extra.captions_trimmed`).
///
///     let r = try CaptionImport.run(csv: URL(fileURLWithPath: "pets/captions.csv"), resolution: 16,
///                                   orders: [.captionFirst], options: ImportOptions(name: "pets-captions", outDir: data))
public enum CaptionImport {
    /// Reads, splits, tokenizes and writes the dataset (see the type's documentation).
    @discardableResult
    public static func run(csv: URL, resolution: Int, captionLength: Int = 128,
                           orders: [PairTokenizer.Order] = [.captionFirst, .imageFirst],
                           options opts: ImportOptions) throws -> ImportResult {
        try opts.validate()
        guard ImageImport.resolutions.contains(resolution) else {
            throw ImportError.invalidOption("--size \(resolution) must be one of \(ImageImport.resolutions.map(String.init).joined(separator: ", "))")
        }
        guard (1...4096).contains(captionLength) else {
            throw ImportError.invalidOption("--caption-length \(captionLength) must be in 1...4096")
        }
        try StagingFolder.refuseExisting(opts.target, force: opts.force)
        let rows = try ImportCSV.rows(of: csv)
        guard !rows.isEmpty else { throw ImportError.noData("'\(csv.path)' holds no rows") }
        let base = csv.deletingLastPathComponent()
        let tok = PairTokenizer(resolution: resolution, captionLength: captionLength)
        var problems: [ImportProblem] = [], decoded: [String: RGBImage] = [:], failed: [String: ImportProblem] = [:]
        var pairs: [(path: String, pair: PairShards.Pair)] = [], trimmed = 0
        for (k, row) in rows.enumerated() {
            opts.progress(k, rows.count)
            func bad(_ reason: String) { problems.append(ImportProblem(path: csv.path, line: row.line, reason: reason)) }
            guard row.fields.count >= 2 else { bad("expected 2 columns (image path, caption), found \(row.fields.count)"); continue }
            let path = ImportSupport.normalized(row.fields[0].trimmingCharacters(in: .whitespaces))
            let caption = row.fields[1].trimmingCharacters(in: .whitespacesAndNewlines)
            if path.isEmpty { bad("empty image path"); continue }
            if caption.isEmpty { bad("empty caption for '\(path)'"); continue }
            if let p = failed[path] { bad("image '\(path)': \(p.reason)"); continue }
            let image: RGBImage
            if let img = decoded[path] { image = img } else {
                switch ImageImport.image(base.appendingPathComponent(path), shownAs: path, resolution: resolution) {
                case let .success(img): decoded[path] = img; image = img
                case let .failure(p): failed[path] = p; bad("image '\(path)': \(p.reason)"); continue
                }
            }
            if tok.trimmedCaption(caption).count < caption.utf8.count { trimmed += 1 }
            pairs.append((path, PairShards.Pair(caption: caption, image: image)))
        }
        opts.progress(rows.count, rows.count)
        try ImportSupport.check(problems, opts)

        var images: [String] = [], seen = Set<String>()
        for p in pairs where seen.insert(p.path).inserted { images.append(p.path) }
        let testImages = try ImportSupport.testIndices(count: images.count, fraction: opts.testFraction, seed: opts.seed)
        let testSet = Set(testImages.map { images[$0] })
        let train = pairs.filter { !testSet.contains($0.path) }.map(\.pair)
        let test = pairs.filter { testSet.contains($0.path) }.map(\.pair)

        return try ImportSupport.finish(opts, problems: problems) { _ in
            var extra = ImportSupport.skippedExtra(problems)
            extra["resize"] = "squared up on white, area average to \(resolution)x\(resolution)"
            extra["test_selection"] = "seeded permutation (seed \(opts.seed)) of the \(images.count) distinct images, first \(testImages.count) held out with all their captions; pairs in CSV order"
            extra["captions_trimmed"] = "\(trimmed)"
            return PairShards.dataset(name: opts.name, tokenizer: tok, train: train, test: test, seed: opts.seed &+ 1,
                                      source: "imported from \(csv.path) (\(pairs.count) pairs, \(images.count) images)",
                                      orders: orders, extra: extra)
        }
    }
}
