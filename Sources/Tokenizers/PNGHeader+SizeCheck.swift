import Foundation

extension PNGHeader {
    /// Deflate's largest compression ratio (a 258-byte match in at most 2 bits, plus block
    /// overhead, gives about 1032:1), so a file of `n` bytes holds at most `1032 · n` bytes of
    /// image data.
    static let maxDeflateRatio = 1032.0

    /// True when the header claims more pixels than the file can hold even at deflate's best
    /// ratio. The decoder allocates `width × height` RGBA pixels (and twice that again for
    /// 16-bit interlaced files) before libpng reads the data, so without this check a 68-byte
    /// file claiming 32768×32768 pixels made it allocate 4–12 GB (the `png` fuzz target reports
    /// it as an out-of-memory; the input was crafted, since random mutations rarely keep the
    /// IHDR's CRC valid).
    func cannotFit(inFileOf fileBytes: Int) -> Bool {
        let channels: Double
        switch colorType {
        case 2: channels = 3          // RGB
        case 4: channels = 2          // gray + alpha
        case 6: channels = 4          // RGBA
        default: channels = 1         // gray, palette (libpng rejects other types itself)
        }
        // Filtered rows hold at least width · height · bits per pixel / 8 bytes.
        let dataBytes = Double(width) * Double(height) * channels * Double(max(1, bitDepth)) / 8
        return dataBytes > Self.maxDeflateRatio * Double(fileBytes)
    }
}
