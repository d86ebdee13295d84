/// Tokens for caption–image pairs in one shared vocabulary, in either order.
///
/// Vocabulary (516): image channel values `0...255`; caption bytes `256...511` (UTF-8 byte + 256);
/// `512` starts a caption-first record, `513` an image-first record; `514` is the blank token
/// that replaces a whole part (for mutual-information estimates); `515` pads the caption.
/// A record is `[start] + first part + second part`, always `1 + captionLength + 3·R²` tokens:
/// the caption is UTF-8, trimmed at a character boundary to `captionLength` bytes (default 128)
/// and padded with `pad`; the image is `ImageTokenizer`'s `3·R²` values.
///
/// The mask (1 = counts in the loss) covers the parts asked for; the start token and a blanked
/// part never count. Pads count: they tell where the caption ends.
///
///     let tok = PairTokenizer(resolution: 8)
///     let r = tok.record(caption: "a red circle", image: img, order: .captionFirst, counted: .image)
///     // I(image; caption) ≈ Σ loss over r.mask with `blankFirst: true` − Σ loss without.
public struct PairTokenizer: Sendable, Equatable {
    public enum Order: String, Sendable, Codable { case captionFirst = "caption-first", imageFirst = "image-first" }
    /// Which parts count in the loss.
    public enum Counted: String, Sendable, Codable { case caption, image, both, second }

    public static let captionOffset: UInt16 = 256
    public static let captionFirstStart: UInt16 = 512
    public static let imageFirstStart: UInt16 = 513
    public static let blank: UInt16 = 514
    public static let pad: UInt16 = 515
    public static let vocabSize = 516

    public let resolution: Int
    public let captionLength: Int

    public init(resolution: Int, captionLength: Int = 128) {
        precondition(resolution > 0 && captionLength > 0)
        self.resolution = resolution; self.captionLength = captionLength
    }

    public var name: String { "pair-bytes\(captionLength)-rgb\(resolution)" }
    public var imageTokens: Int { 3 * resolution * resolution }
    public var recordLength: Int { 1 + captionLength + imageTokens }

    /// The caption's UTF-8 bytes, trimmed at a character boundary to `captionLength`.
    public func trimmedCaption(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for ch in text {
            let b = Array(String(ch).utf8)
            if out.count + b.count > captionLength { break }
            out += b
        }
        return out
    }

    /// Exactly `captionLength` tokens: bytes + 256, then pads.
    public func captionTokens(_ text: String) -> [UInt16] {
        let bytes = trimmedCaption(text).map { UInt16($0) + Self.captionOffset }
        return bytes + [UInt16](repeating: Self.pad, count: captionLength - bytes.count)
    }

    /// One record and its mask. `blankFirst` replaces the first part with blank tokens.
    public func record(caption: String, image: RGBImage, order: Order, counted: Counted = .both,
                       blankFirst: Bool = false) -> (tokens: [UInt16], mask: [UInt8]) {
        precondition(image.width == resolution && image.height == resolution,
                     "\(name) needs \(resolution)x\(resolution) images, got \(image.width)x\(image.height)")
        var cap = captionTokens(caption)
        var img = image.pixels.map(UInt16.init)
        let captionIsFirst = order == .captionFirst
        if blankFirst {
            if captionIsFirst { cap = [UInt16](repeating: Self.blank, count: cap.count) }
            else { img = [UInt16](repeating: Self.blank, count: img.count) }
        }
        let countCaption: Bool, countImage: Bool
        switch counted {
        case .caption: (countCaption, countImage) = (true, false)
        case .image: (countCaption, countImage) = (false, true)
        case .both: (countCaption, countImage) = (true, true)
        case .second: (countCaption, countImage) = (!captionIsFirst, captionIsFirst)
        }
        let capMask = [UInt8](repeating: countCaption && !(blankFirst && captionIsFirst) ? 1 : 0, count: cap.count)
        let imgMask = [UInt8](repeating: countImage && !(blankFirst && !captionIsFirst) ? 1 : 0, count: img.count)
        if captionIsFirst {
            return ([Self.captionFirstStart] + cap + img, [0] + capMask + imgMask)
        }
        return ([Self.imageFirstStart] + img + cap, [0] + imgMask + capMask)
    }

    /// A record back to its caption and image (`nil` for a blanked part).
    public func decode(_ tokens: [UInt16]) throws -> (caption: String?, image: RGBImage?) {
        guard tokens.count == recordLength else {
            throw ImageTokenError.wrongLength(expected: recordLength, got: tokens.count, tokenizer: name)
        }
        let captionIsFirst: Bool
        switch tokens[0] {
        case Self.captionFirstStart: captionIsFirst = true
        case Self.imageFirstStart: captionIsFirst = false
        default: throw ImageTokenError.notAChannelValue(token: tokens[0], position: 0, tokenizer: name + " (start)")
        }
        let capRange = captionIsFirst ? 1..<(1 + captionLength) : (1 + imageTokens)..<recordLength
        let imgRange = captionIsFirst ? (1 + captionLength)..<recordLength : 1..<(1 + imageTokens)
        let cap = Array(tokens[capRange]), img = Array(tokens[imgRange])
        var caption: String? = nil
        if cap.first != Self.blank {
            let bytes = cap.prefix { $0 != Self.pad }
            if let bad = bytes.firstIndex(where: { $0 < Self.captionOffset || $0 >= Self.captionFirstStart }) {
                throw ImageTokenError.notAChannelValue(token: cap[bad], position: capRange.lowerBound + bad, tokenizer: name + " (caption byte)")
            }
            caption = String(decoding: bytes.map { UInt8($0 - Self.captionOffset) }, as: UTF8.self)
        }
        var image: RGBImage? = nil
        if img.first != Self.blank {
            image = try ImageTokenizer(resolution: resolution).decode(img)
        }
        return (caption, image)
    }
}
