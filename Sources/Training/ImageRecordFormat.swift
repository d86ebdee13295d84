import Foundation
import Datasets
import Tokenizers

/// How the records of an image dataset hold their image: the tokens before it (a start token;
/// for caption–image pairs also the caption), the image's tokens in raster order, and how those
/// become pixels. Read from the dataset's manifest (`tokenizer`).
///
///     let format = try ImageRecordFormat(dataset: ds, folder: dir)
///     format.prefix(caption: nil)      // [256] for image-rgb-8
public struct ImageRecordFormat: Sendable {
    /// The tokenizer behind the records.
    public enum Kind: Sendable {
        case rgb(ImageTokenizer)
        /// One gray value per pixel after the start token 256 (`image-gray-R`, `fashion-mnist-gray`).
        case gray(side: Int)
        case palette(PaletteTokenizer)
        /// Caption-first records of caption–image pairs.
        case pair(PairTokenizer)
    }

    public let kind: Kind

    public init(kind: Kind) { self.kind = kind }

    /// The format of `dataset`'s records; `folder` is its shard folder (for a palette file).
    public init(dataset ds: TokenDataset, folder: URL?) throws {
        let name = ds.manifest.tokenizer
        func number(after prefix: String, in text: Substring) -> Int? {
            text.hasPrefix(prefix) ? Int(text.dropFirst(prefix.count)) : nil
        }
        if let r = number(after: "image-rgb-", in: Substring(name)) {
            kind = .rgb(ImageTokenizer(resolution: r))
        } else if let r = number(after: "image-gray-", in: Substring(name)), r > 0 {
            kind = .gray(side: r)
        } else if name.hasPrefix("image-palette") {
            guard let folder, let file = ds.manifest.tokenizerFile else {
                throw ImageSamplingError.unsupported("dataset '\(ds.manifest.name)' uses \(name) but names no palette file")
            }
            kind = .palette(try PaletteTokenizer.load(from: folder.appendingPathComponent(file)))
        } else if name.hasPrefix("pair-bytes") {
            let parts = name.dropFirst("pair-bytes".count).split(separator: "-")
            guard parts.count == 2, let l = Int(parts[0]), let r = number(after: "rgb", in: parts[1]) else {
                throw ImageSamplingError.unsupported("dataset '\(ds.manifest.name)' has tokenizer '\(name)', not of the form pair-bytesL-rgbR")
            }
            kind = .pair(PairTokenizer(resolution: r, captionLength: l))
        } else {
            throw ImageSamplingError.unsupported("dataset '\(ds.manifest.name)' has tokenizer '\(name)', not an image tokenizer (image-rgb-R, image-gray-R, image-paletteK-R, pair-bytesL-rgbR)")
        }
    }

    public var resolution: Int {
        switch kind {
        case let .rgb(t): return t.resolution
        case let .gray(side): return side
        case let .palette(t): return t.resolution
        case let .pair(t): return t.resolution
        }
    }

    /// Tokens of one row of pixels (three channel values per pixel, or one palette index).
    public var tokensPerRow: Int {
        switch kind {
        case .palette, .gray: return resolution
        default: return 3 * resolution
        }
    }

    public var imageTokens: Int { tokensPerRow * resolution }

    /// Image tokens are `0..<allowedTokens` (channel values, or palette indices).
    public var allowedTokens: Int {
        if case let .palette(t) = kind { return t.count }
        return 256
    }

    /// Whether the records carry a caption before the image.
    public var hasCaption: Bool {
        if case .pair = kind { return true }
        return false
    }

    /// The tokens before an image: the start token; for pairs the caption-first start and the
    /// caption (`nil`: the blanked caption, which the model learned as "no caption").
    public func prefix(caption: String?) -> [Int32] {
        switch kind {
        case .rgb, .gray: return [Int32(ImageTokenizer.startToken)]
        case let .palette(t): return [Int32(t.startToken)]
        case let .pair(t):
            let cap = caption.map { t.captionTokens($0) } ?? [UInt16](repeating: PairTokenizer.blank, count: t.captionLength)
            return [Int32(PairTokenizer.captionFirstStart)] + cap.map(Int32.init)
        }
    }

    /// An image's tokens as pixels.
    public func image(_ tokens: [Int32]) throws -> RGBImage {
        let body = tokens.map { UInt16(clamping: $0) }
        switch kind {
        case let .rgb(t): return try t.decode(body)
        case let .gray(side):
            guard body.count == side * side else {
                throw ImageSamplingError.unsupported("a \(side)x\(side) gray image needs \(side * side) tokens, got \(body.count)")
            }
            return RGBImage(width: side, height: side, gray: body.map { UInt8(clamping: $0) })
        case let .palette(t): return try t.decode(body)
        case let .pair(t): return try ImageTokenizer(resolution: t.resolution).decode(body)
        }
    }

    /// The split whose records show a whole image after its prefix: `test` (pairs:
    /// `test-caption-first`, every record caption first).
    public var testSplit: String { hasCaption ? "test-caption-first" : "test" }

    /// Up to `count` test images, evenly spread over the split, each as (prefix, image tokens).
    public func testImages(_ ds: TokenDataset, count: Int) throws -> [(prefix: [Int32], image: [Int32])] {
        let split = try ds.split(testSplit)
        let length = prefix(caption: nil).count + imageTokens
        let records = split.tokens.count / length
        guard records > 0 else { throw ImageSamplingError.unsupported("split '\(testSplit)' of '\(ds.manifest.name)' holds no whole record of \(length) tokens") }
        let n = min(count, records)
        let p = length - imageTokens
        return (0..<n).map { i in
            let r = i * records / n
            let rec = split.tokens[(r * length)..<((r + 1) * length)].map(Int32.init)
            return (Array(rec[0..<p]), Array(rec[p...]))
        }
    }
}

/// An image run or request that sampling cannot serve, with the reason.
public enum ImageSamplingError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self { case let .unsupported(m): return m }
    }
}
