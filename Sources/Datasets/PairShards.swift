import Foundation
import WorkbenchCore
import Tokenizers
import RunFiles

/// Builds the token-shard dataset of caption–image pairs (`PairTokenizer` records, masked).
///
/// Splits:
/// - `train`, `test`: each pair once, order caption-first or image-first at random (1/2 each).
///   In `test`, the first part is blanked with probability `testBlankFraction` (default ½, the
///   paper's mix); `train` stores its records unblanked by default (`trainBlankFraction` 0)
///   because the trainer blanks them as batches are drawn (`data.blank_share`, default ½), so the
///   share is a setting of the run. Mask: every non-blank part.
/// - `test-caption-first` / `test-caption-first-blank`: every test pair caption-first, mask on
///   the image, the second with the caption blanked. The difference of their summed losses per
///   pair estimates I(image; caption) in nats.
/// - `test-image-first` / `test-image-first-blank`: likewise, mask on the caption.
///
///     let ds = PairShards.dataset(name: "captions", tokenizer: PairTokenizer(resolution: 32),
///                                 train: trainPairs, test: testPairs, seed: 1, source: "…")
public enum PairShards {
    public struct Pair: Sendable, Equatable {
        public var caption: String
        public var image: RGBImage
        public init(caption: String, image: RGBImage) { self.caption = caption; self.image = image }
    }

    public static let evaluationSplits = ["test-caption-first", "test-caption-first-blank",
                                          "test-image-first", "test-image-first-blank"]

    /// `orders` are the orders of the `train` and `test` records: both (each record one at
    /// random, the default) or one of them.
    public static func dataset(name: String, tokenizer: PairTokenizer, train: [Pair], test: [Pair],
                               seed: UInt64, trainBlankFraction: Double = 0, testBlankFraction: Double = 0.5, source: String,
                               orders: [PairTokenizer.Order] = [.captionFirst, .imageFirst],
                               extra: [String: String] = [:]) -> TokenDataset {
        precondition(!orders.isEmpty, "at least one record order")
        var rng = SeededRNG(seed: seed)
        func mixed(_ pairs: [Pair], _ blankFraction: Double) -> TokenSplit {
            var toks: [UInt16] = [], mask: [UInt8] = []
            toks.reserveCapacity(pairs.count * tokenizer.recordLength); mask.reserveCapacity(toks.capacity)
            for p in pairs {
                let coin = rng.nextDouble()
                let order: PairTokenizer.Order = orders.count == 1 ? orders[0] : coin < 0.5 ? .captionFirst : .imageFirst
                let blank = rng.nextDouble() < blankFraction
                let r = tokenizer.record(caption: p.caption, image: p.image, order: order, counted: .both, blankFirst: blank)
                toks += r.tokens; mask += r.mask
            }
            return TokenSplit(tokens: toks, mask: mask)
        }
        func fixed(_ pairs: [Pair], _ order: PairTokenizer.Order, blank: Bool) -> TokenSplit {
            var toks: [UInt16] = [], mask: [UInt8] = []
            for p in pairs {
                let r = tokenizer.record(caption: p.caption, image: p.image, order: order, counted: .second, blankFirst: blank)
                toks += r.tokens; mask += r.mask
            }
            return TokenSplit(tokens: toks, mask: mask)
        }
        var splits: [String: TokenSplit] = ["train": mixed(train, trainBlankFraction), "test": mixed(test, testBlankFraction)]
        splits["test-caption-first"] = fixed(test, .captionFirst, blank: false)
        splits["test-caption-first-blank"] = fixed(test, .captionFirst, blank: true)
        splits["test-image-first"] = fixed(test, .imageFirst, blank: false)
        splits["test-image-first-blank"] = fixed(test, .imageFirst, blank: true)
        var info: [String: ShardManifest.Split] = [:]
        for (k, s) in splits {
            info[k] = .init(tokens: s.tokens.count, sequences: s.tokens.count / tokenizer.recordLength, hasMask: true)
        }
        var ex = extra
        ex["caption_length"] = "\(tokenizer.captionLength)"
        ex["blank_fraction_train"] = "\(trainBlankFraction)"
        ex["blank_fraction_test"] = "\(testBlankFraction)"
        ex["blank_share"] = "training records are blanked by the trainer with probability data.blank_share (default 0.5) on top of the stored blank_fraction_train"
        if orders.count == 1 { ex["orders_train"] = orders[0].rawValue + " only" }
        ex["vocabulary"] = "0-255 image values, 256-511 caption bytes (byte+256), 512 start caption-first, 513 start image-first, 514 blank, 515 pad"
        ex["mi_estimate"] = "I(image;caption) nats/pair = summed loss on test-caption-first-blank minus test-caption-first (or the image-first pair of splits), per record"
        let manifest = ShardManifest(name: name, modality: "pair", tokenizer: tokenizer.name,
                                     vocabSize: PairTokenizer.vocabSize, layout: .records,
                                     recordLength: tokenizer.recordLength, splits: info, source: source, extra: ex)
        return TokenDataset(manifest: manifest, splits: splits)
    }
}
