import CPNG
import Foundation
import WorkbenchCore

/// Reads and writes PNG files through libpng's simplified API (no `setjmp` needed).
///
/// Every PNG variant libpng reads (1–16-bit gray, gray+alpha, RGB, RGBA, palette with or
/// without tRNS, interlaced) comes back as 8-bit RGB with alpha composited on white.
/// What the conversion does, checked against `datasets/samples/images/expected.json`:
/// - 16-bit samples become `round(v·255/65535)`: the reader sets `PNG_IMAGE_FLAG_16BIT_sRGB`,
///   so a 16-bit file without gAMA/sRGB chunks is taken as sRGB-encoded (libpng's default would
///   treat it as linear and brighten it).
/// - A file with a gAMA chunk of gamma `g` is re-encoded by libpng with a pure 2.2 power law:
///   `255·(v/255)^(1/(2.2·g))` (identity for g = 1/2.2; `gray8_gamma10.png` checks g = 1).
/// - Alpha is composited in 8-bit sRGB space: `(c·a + 255·(255 − a) + 127) / 255`.
///
///     let img = try PNGImage.read(URL(fileURLWithPath: "cat.png"))
///     try PNGImage.write(img, to: URL(fileURLWithPath: "copy.png"))
public enum PNGImage {
    static let formatRGBA: UInt32 = 3   // PNG_FORMAT_RGBA
    static let formatRGB: UInt32 = 2    // PNG_FORMAT_RGB
    static let flag16BitSRGB: UInt32 = 4  // PNG_IMAGE_FLAG_16BIT_sRGB
    static let formatFlagLinear: UInt32 = 4  // PNG_FORMAT_FLAG_LINEAR: 16-bit linear, premultiplied

    /// Decodes a PNG file; errors name the file and quote libpng.
    public static func read(_ url: URL) throws -> RGBImage {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "PNG image")
        }
        return try decode(try Data(contentsOf: url), name: url.path)
    }

    /// Decodes PNG bytes held in memory; `name` is used in error messages.
    public static func decode(_ data: Data, name: String = "<memory>") throws -> RGBImage {
        let p = try decodeStraightRGBA(data, name: name)
        return compositeOnWhite(rgba: p.rgba, width: p.width, height: p.height)
    }

    private static func decodeStraightRGBA(_ data: Data, name: String) throws -> RGBAPixels {
        let bytes = [UInt8](data)
        guard !bytes.isEmpty else {
            throw WorkbenchIOError.corrupt(path: name, reason: "not a PNG: the file is empty")
        }
        // libpng 1.6.39's 16-to-8-bit path garbles Adam7-interlaced 16-bit files (libpng issue
        // 853), so those take the 16-bit linear path and are converted here.
        let header = PNGHeader(bytes)
        if let header, header.cannotFit(inFileOf: bytes.count) {   // before allocating width × height pixels
            throw WorkbenchIOError.corrupt(path: name, reason: "PNG claims \(header.width)x\(header.height) pixels, "
                + "more image data than a file of \(bytes.count) bytes can hold (truncated?)")
        }
        let wide = header.map { $0.bitDepth == 16 && $0.interlaced } ?? false
        var image = newImage()
        return try bytes.withUnsafeBytes { buf -> RGBAPixels in
            let ok = png_image_begin_read_from_memory(&image, buf.baseAddress, bytes.count)
            return try finishRead(&image, began: ok != 0, name: name, sixteenBit: wide)
        }
    }

    /// Decodes PNG bytes with their alpha channel: 8-bit straight (not premultiplied) sRGB RGBA,
    /// for sources that must see transparency (empty sprites, compositing on another background).
    public static func decodeRGBA(_ data: Data, name: String = "<memory>") throws -> RGBAPixels {
        try decodeStraightRGBA(data, name: name)
    }

    /// Encodes an image as an 8-bit RGB PNG.
    public static func encode(_ img: RGBImage) throws -> Data {
        try encode(pixels: img.pixels, width: img.width, height: img.height, channels: 3)
    }

    /// Encodes pixels with alpha as an 8-bit RGBA PNG.
    public static func encode(_ img: RGBAPixels) throws -> Data {
        try encode(pixels: img.rgba, width: img.width, height: img.height, channels: 4)
    }

    private static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
        var image = newImage()
        image.width = UInt32(width); image.height = UInt32(height); image.format = channels == 4 ? formatRGBA : formatRGB
        var size: Int = 0
        let stride = Int32(channels * width)
        let ok1 = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard ok1 != 0, size > 0 else { throw encodeError(&image) }
        var out = [UInt8](repeating: 0, count: size)
        let ok2 = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok2 != 0 else { throw encodeError(&image) }
        return Data(out[0..<size])
    }

    /// Writes an 8-bit RGB PNG atomically (temporary file, then rename).
    public static func write(_ img: RGBImage, to url: URL) throws {
        try AtomicFile.write(try encode(img), to: url)
    }

    // MARK: - libpng plumbing

    private static func newImage() -> png_image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        return image
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func encodeError(_ image: inout png_image) -> Error {
        let msg = message(&image)
        png_image_free(&image)
        return WorkbenchIOError.writeFailed(path: "<png>", reason: "libpng: \(msg)")
    }

    private static func finishRead(_ image: inout png_image, began: Bool, name: String,
                                   sixteenBit: Bool) throws -> RGBAPixels {
        guard began else {
            let msg = message(&image)
            png_image_free(&image)
            throw WorkbenchIOError.corrupt(path: name, reason: "not a readable PNG: libpng: \(msg)")
        }
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0, w <= 1 << 15, h <= 1 << 15 else {
            png_image_free(&image)
            throw WorkbenchIOError.corrupt(path: name, reason: "PNG size \(w)x\(h) outside 1...32768")
        }
        image.flags |= flag16BitSRGB
        let ok: Int32
        var rgba = [UInt8](repeating: 0, count: 4 * w * h)
        if sixteenBit {
            image.format = formatRGBA | formatFlagLinear
            var linear = [UInt16](repeating: 0, count: 4 * w * h)
            ok = linear.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(4 * w), nil) }
            if ok != 0 { rgba = SRGB.rgba8(fromPremultipliedLinear: linear) }
        } else {
            image.format = formatRGBA
            ok = rgba.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(4 * w), nil) }
        }
        if ok == 0 {
            let msg = message(&image)
            png_image_free(&image)
            throw WorkbenchIOError.corrupt(path: name, reason: "PNG data unreadable: libpng: \(msg)")
        }
        png_image_free(&image)
        return RGBAPixels(width: w, height: h, rgba: rgba)
    }

    /// RGBA (not premultiplied, 8-bit sRGB) to RGB over a white background.
    public static func compositeOnWhite(rgba: [UInt8], width: Int, height: Int) -> RGBImage {
        var rgb = [UInt8](repeating: 0, count: 3 * width * height)
        for p in 0..<(width * height) {
            let a = UInt32(rgba[4 * p + 3])
            for k in 0..<3 {
                let c = UInt32(rgba[4 * p + k])
                rgb[3 * p + k] = UInt8((c * a + 255 * (255 - a) + 127) / 255)
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }
}

/// A decoded PNG with alpha: `rgba` holds 4 values per pixel (straight alpha, 8-bit sRGB), rows top to bottom.
public struct RGBAPixels: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var rgba: [UInt8]
    public init(width: Int, height: Int, rgba: [UInt8]) {
        precondition(rgba.count == 4 * width * height, "a \(width)x\(height) RGBA image needs \(4 * width * height) values")
        self.width = width; self.height = height; self.rgba = rgba
    }
}

/// The fields of a PNG's IHDR chunk the reader needs, parsed from the first 29 bytes.
struct PNGHeader {
    let width: Int
    let height: Int
    let bitDepth: Int
    let colorType: Int
    let interlaced: Bool

    init?(_ b: [UInt8]) {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard b.count >= 29, Array(b[0..<8]) == signature, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        func u32(_ k: Int) -> Int { b[k..<(k + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = u32(16); height = u32(20)
        bitDepth = Int(b[24]); colorType = Int(b[25]); interlaced = b[28] == 1
    }
}

/// Back from the 16-bit linear light libpng hands over to 8-bit sRGB values.
///
/// libpng linearises "sRGB" 16-bit input with a pure 2.2 power law (its `PNG_GAMMA_sRGB`,
/// 45455), so the inverse used here is `l^(1/2.2)`, which returns the file's samples to within
/// one unit (checked by the interlaced 16-bit samples).
enum SRGB {
    /// Linear light in 0...1 to an 8-bit gamma-2.2 value, rounded.
    static func encode8(_ linear: Double) -> UInt8 {
        let l = min(1, max(0, linear))
        return UInt8((pow(l, 1 / 2.2) * 255).rounded())
    }

    /// 16-bit premultiplied linear RGBA to 8-bit straight (not premultiplied) sRGB RGBA.
    static func rgba8(fromPremultipliedLinear p: [UInt16]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: p.count)
        for i in stride(from: 0, to: p.count, by: 4) {
            let a = Double(p[i + 3])
            out[i + 3] = UInt8((a * 255 / 65535).rounded())
            guard a > 0 else { continue }
            for k in 0..<3 { out[i + k] = encode8(Double(p[i + k]) / a) }
        }
        return out
    }
}
