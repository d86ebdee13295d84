import Tokenizers
import Transformer

/// Draws images from an image model with a key–value cache: unconditional samples (or samples
/// from a caption) and completions of the bottom half of an image given its top half.
///
/// Every draw after a shared prefix reuses that prefix's cache: the prefix is decoded once, and
/// each image rewinds the cache to its end. Only image tokens (`format.allowedTokens`) are drawn.
///
///     let s = ImageSampling(model: gpt, format: format)
///     let images = try s.samples(count: 16, caption: nil, sampler: &sampler)
public struct ImageSampling {
    public let model: any LanguageModel
    public let format: ImageRecordFormat

    public init(model: any LanguageModel, format: ImageRecordFormat) throws {
        self.model = model; self.format = format
        let needed = format.prefix(caption: nil).count + format.imageTokens - 1
        guard model.nCtx >= needed else {
            throw ImageSamplingError.unsupported("the model's n_ctx \(model.nCtx) is shorter than the \(needed) positions a \(format.resolution)x\(format.resolution) image needs")
        }
    }

    /// `count` images drawn after the prefix (the caption's, on caption–image runs).
    public func samples(count: Int, caption: String?, sampler: inout Sampler) throws -> [RGBImage] {
        try draw(given: format.prefix(caption: caption), imageTokensGiven: 0, count: count, sampler: &sampler)
            .map { try format.image($0) }
    }

    /// `count` completions of `image` (its tokens) given its top half — the first
    /// `resolution / 2` rows — after `prefix`; the top half of each is `image`'s, exactly.
    public func completions(prefix: [Int32], image: [Int32], count: Int, sampler: inout Sampler) throws -> [RGBImage] {
        precondition(image.count == format.imageTokens, "an image is \(format.imageTokens) tokens, got \(image.count)")
        let top = Array(image.prefix(format.resolution / 2 * format.tokensPerRow))
        return try draw(given: prefix + top, imageTokensGiven: top.count, count: count, sampler: &sampler)
            .map { try format.image($0) }
    }

    /// The top half of `image` over a flat grey bottom half: what the completions were given.
    public func topHalf(_ image: RGBImage, grey: UInt8 = 128) -> RGBImage {
        var out = image
        for y in (format.resolution / 2)..<image.height { for x in 0..<image.width { out[x, y] = (grey, grey, grey) } }
        return out
    }

    /// `count` image token lists, each the last `imageTokensGiven` tokens of `given` followed by
    /// drawn tokens up to a whole image.
    func draw(given: [Int32], imageTokensGiven: Int, count: Int, sampler: inout Sampler) throws -> [[Int32]] {
        let cache = model.makeDecoder()
        let start = try cache.decode(tokens: given)!
        let given0 = cache.count
        let toDraw = format.imageTokens - imageTokensGiven
        let kept = Array(given.suffix(imageTokensGiven))
        var out: [[Int32]] = []
        for _ in 0..<count {
            cache.rewind(to: given0)
            var logits = start, image = kept
            for i in 0..<toDraw {
                let next = Int32(sampler.pick(logits, allowed: format.allowedTokens))
                image.append(next)
                if i < toDraw - 1 { logits = try cache.decode(token: next) }
            }
            out.append(image)
        }
        return out
    }
}
