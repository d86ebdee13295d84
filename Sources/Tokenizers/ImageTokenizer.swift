import Foundation

/// Turns R×R RGB images into tokens and back: one token per channel value (0–255), raster
/// order, R, G, B interleaved per pixel, so an image is `3·R²` tokens (3072 at 32×32).
///
/// Training records are `[startToken] + 3·R²` tokens: the start token (256) gives the first
/// value a context, and the vocabulary is 257. All `3·R²` image tokens count in the loss.
///
///     let tok = ImageTokenizer(resolution: 32)
///     let record = tok.record(try tok.image(fromPNG: url))  // 3073 tokens, starts with 256
///     let png = try tok.decodePNG(Array(record.dropFirst()))
public struct ImageTokenizer: Sendable, Equatable {
    public let resolution: Int
    public static let startToken: UInt16 = 256
    public static let vocabSize = 257

    public init(resolution: Int) {
        precondition(resolution > 0, "resolution must be positive")
        self.resolution = resolution
    }

    /// Tokenizer name for manifests, e.g. `image-rgb-32`.
    public var name: String { "image-rgb-\(resolution)" }
    public var tokensPerImage: Int { 3 * resolution * resolution }
    public var recordLength: Int { tokensPerImage + 1 }

    /// Reads a PNG and brings it to R×R: squared up on white, then area-averaged.
    public func image(fromPNG url: URL) throws -> RGBImage {
        AreaResize.squareThumbnail(try PNGImage.read(url), side: resolution)
    }

    /// The `3·R²` channel values of an R×R image.
    public func encode(_ img: RGBImage) -> [UInt16] {
        precondition(img.width == resolution && img.height == resolution,
                     "\(name) needs a \(resolution)x\(resolution) image, got \(img.width)x\(img.height)")
        return img.pixels.map(UInt16.init)
    }

    /// `[startToken] + encode(img)`: one training record.
    public func record(_ img: RGBImage) -> [UInt16] { [Self.startToken] + encode(img) }

    /// Tokens back to an image; a leading start token is allowed and skipped.
    public func decode(_ tokens: [UInt16]) throws -> RGBImage {
        let body = tokens.first == Self.startToken ? Array(tokens.dropFirst()) : tokens
        guard body.count == tokensPerImage else {
            throw ImageTokenError.wrongLength(expected: tokensPerImage, got: body.count, tokenizer: name)
        }
        if let bad = body.firstIndex(where: { $0 > 255 }) {
            throw ImageTokenError.notAChannelValue(token: body[bad], position: bad, tokenizer: name)
        }
        return RGBImage(width: resolution, height: resolution, pixels: body.map { UInt8($0) })
    }

    /// Tokens back to PNG bytes (e.g. to look at samples).
    public func decodePNG(_ tokens: [UInt16]) throws -> Data { try PNGImage.encode(try decode(tokens)) }
}

/// Tokens that do not form an image.
public enum ImageTokenError: Error, CustomStringConvertible, Equatable {
    case wrongLength(expected: Int, got: Int, tokenizer: String)
    case notAChannelValue(token: UInt16, position: Int, tokenizer: String)

    public var description: String {
        switch self {
        case let .wrongLength(e, g, t): return "\(t): an image is \(e) tokens, got \(g)"
        case let .notAChannelValue(tok, pos, t): return "\(t): token \(tok) at position \(pos) is not a channel value 0-255"
        }
    }
}
