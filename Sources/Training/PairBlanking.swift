import Foundation
import Datasets
import RunFiles
import Tokenizers
import WorkbenchCore

/// Blanks the first part of image–caption training records while batches are drawn, so that
/// a share `data.blank_share` of them (default ½, the 50/50 mix of blank and real captions of
/// Henighan et al. 2020 §4) teaches the model the unconditional distribution of the second part.
///
/// A pair dataset may already store some training records blanked (`extra.blank_fraction_train`
/// = f; datasets prepared before the setting existed store f = 0.1, newer ones 0): those stay
/// blanked, and each other record is blanked with probability q = (s − f)/(1 − f), so the
/// expected share is s. The choice for a record depends only on (seed, epoch, record), so a
/// resumed run blanks exactly what an uninterrupted one would.
///
///     let b = try PairBlanking(manifest: ds.manifest, share: 0.5, seed: 7)
///     b?.apply(inputs: &row, targets: &t, weights: &w, epoch: 0, record: 12)
public struct PairBlanking: Sendable, Equatable {
    /// Tokens of the first part after the start token: the caption (caption-first records) or the image.
    public let captionTokens: Int, imageTokens: Int
    /// Probability of blanking a record that is not blanked already.
    public let probability: Double
    public let seed: UInt64

    /// The blanking `share` asks for on the dataset, or nil when the dataset is not image–caption
    /// pairs and `share` is the default (nothing to do). Errors name the key and the dataset.
    public init?(manifest m: ShardManifest, share: Double, seed: UInt64) throws {
        let isPair = m.modality == "pair" && m.layout == .records && m.tokenizer.hasPrefix("pair-")
        guard isPair else {
            if share != TrainConfig.DataSection.defaultBlankShare {
                throw ConfigError.invalidValue(key: "data.blank_share", reason: "is for image–caption datasets; '\(m.name)' is \(m.modality)", file: nil)
            }
            return nil
        }
        guard let length = m.recordLength, let cap = m.extra?["caption_length"].flatMap(Int.init), cap > 0, cap < length - 1 else {
            throw ConfigError.invalidValue(key: "data.blank_share", reason: "dataset '\(m.name)' has no usable caption_length and record_length in its manifest", file: nil)
        }
        let stored = m.extra?["blank_fraction_train"].flatMap(Double.init) ?? 0
        guard share >= stored - 1e-12 else {
            throw ConfigError.invalidValue(key: "data.blank_share", reason: "\(share) is below the \(stored) of training records dataset '\(m.name)' already stores blanked; prepare it again (new preparations store none)", file: nil)
        }
        captionTokens = cap; imageTokens = length - 1 - cap
        probability = stored >= 1 ? 0 : min(1, max(0, (share - stored) / (1 - stored)))
        self.seed = seed
    }

    /// Whether record `record` of epoch `epoch` is blanked (when not blanked already).
    public func blanks(epoch: Int, record: Int) -> Bool {
        guard probability > 0 else { return false }
        var rng = SeededRNG(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(record) &* 0xC2B2_AE3D_27D4_EB4F))
        return rng.nextDouble() < probability
    }

    /// Blanks the first part of one record's window in place (as `PairTokenizer.record(blankFirst:)`
    /// would have written it): inputs `[start, first…, second…]` (n_ctx tokens), targets shifted by
    /// one, weights of the first part's targets set to 0. Windows that do not start a record or
    /// whose first part is blank already are left alone.
    public func apply(inputs: inout ArraySlice<Int32>, targets: inout ArraySlice<Int32>, weights: inout ArraySlice<Float>,
                      epoch: Int, record: Int) {
        let i0 = inputs.startIndex, t0 = targets.startIndex, w0 = weights.startIndex
        let first: Int
        switch UInt16(clamping: inputs[i0]) {
        case PairTokenizer.captionFirstStart: first = captionTokens
        case PairTokenizer.imageFirstStart: first = imageTokens
        default: return
        }
        guard inputs.count > first, inputs[i0 + 1] != Int32(PairTokenizer.blank), blanks(epoch: epoch, record: record) else { return }
        for k in 0..<first {
            inputs[i0 + 1 + k] = Int32(PairTokenizer.blank)
            targets[t0 + k] = Int32(PairTokenizer.blank)
            weights[w0 + k] = 0
        }
    }
}
