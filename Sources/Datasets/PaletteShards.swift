import Foundation
import Tokenizers
import RunFiles

/// Builds a palette-token image dataset: a 9-bit palette is fitted on the training images only,
/// saved beside the shards as `palette.json` (named in the manifest's `tokenizer_file`), and
/// each image becomes `[start] + R²` palette indices.
///
///     let ds = try PaletteShards.write(name: "clipart-palette", train: tr, test: te, resolution: 32,
///                                      seed: 1, source: "…", to: dir)
public enum PaletteShards {
    public static func write(name: String, train: [RGBImage], test: [RGBImage], resolution: Int, colours: Int = 512,
                             seed: UInt64, source: String, extra: [String: String] = [:], to dir: URL) throws -> ShardManifest {
        let tok = PaletteTokenizer.train(images: train, resolution: resolution, k: colours, seed: seed)
        try tok.save(to: dir.appendingPathComponent("palette.json"))
        func split(_ images: [RGBImage]) -> TokenSplit { TokenSplit(tokens: images.flatMap { tok.record($0) }) }
        let tr = split(train), te = split(test)
        var ex = extra
        ex["palette"] = "\(colours) colours by k-means (k-means++ init, seed \(seed)) on up to 100000 training pixels; nearest colour by RGB distance"
        let m = ShardManifest(name: name, modality: "image", tokenizer: tok.name, tokenizerFile: "palette.json",
                              vocabSize: tok.vocabSize, layout: .records, recordLength: tok.recordLength,
                              splits: ["train": .init(tokens: tr.tokens.count, sequences: train.count),
                                       "test": .init(tokens: te.tokens.count, sequences: test.count)],
                              source: source, extra: ex)
        let ds = TokenDataset(manifest: m, splits: ["train": tr, "test": te])
        try ds.write(to: dir)
        return m
    }
}
