import Foundation
import Tokenizers
import RunFiles

/// Builds the token-shard dataset of an image source: records of `[256] + 3·R²` tokens
/// (`ImageTokenizer`), vocabulary 257, every image token counted.
///
///     let ds = ImageShards.dataset(name: "fashion-mnist", tokenizer: ImageTokenizer(resolution: 32),
///                                  train: trainImages, test: testImages, source: "Debian dataset-fashion-mnist")
///     try ds.write(to: opts.outputDir(for: "fashion-mnist"))
public enum ImageShards {
    public static func dataset(name: String, tokenizer: ImageTokenizer, train: [RGBImage], test: [RGBImage],
                               source: String, trueEntropyNatsPerToken: Double? = nil,
                               extra: [String: String]? = nil) -> TokenDataset {
        func tokens(_ images: [RGBImage]) -> TokenSplit {
            var out = [UInt16]()
            out.reserveCapacity(images.count * tokenizer.recordLength)
            for img in images { out += tokenizer.record(img) }
            return TokenSplit(tokens: out)
        }
        let tr = tokens(train), te = tokens(test)
        let manifest = ShardManifest(
            name: name, modality: "image", tokenizer: tokenizer.name, vocabSize: ImageTokenizer.vocabSize,
            layout: .records, recordLength: tokenizer.recordLength,
            splits: ["train": .init(tokens: tr.tokens.count, sequences: train.count),
                     "test": .init(tokens: te.tokens.count, sequences: test.count)],
            source: source, trueEntropyNatsPerToken: trueEntropyNatsPerToken, extra: extra)
        return TokenDataset(manifest: manifest, splits: ["train": tr, "test": te])
    }
}
