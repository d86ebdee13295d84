import Foundation
import WorkbenchCore

/// The PNG bitmaps of a colour font's CBLC/CBDT tables (e.g. Noto Color Emoji), by glyph id.
///
/// Reads the strike with the largest ppem; index subtable formats 1–5 and glyph image formats
/// 17, 18 and 19 (PNG data with small, big or no metrics) are supported.
///
///     let font = try OpenTypeTables(bytes: bytes, name: path)
///     let pngs = try ColorBitmapFont.largestStrike(font)   // [glyphID: PNG bytes]
public enum ColorBitmapFont {
    public static func largestStrike(_ font: OpenTypeTables) throws -> (ppem: Int, pngs: [Int: [UInt8]]) {
        let cblc = try font.reader("CBLC"), cbdt = try font.reader("CBDT")
        let numSizes = try cblc.u32(4, "CBLC size count")
        guard numSizes > 0 else { throw WorkbenchIOError.corrupt(path: cblc.name, reason: "no bitmap strikes") }
        var best = 0, bestPpem = -1
        for s in 0..<numSizes {
            let ppem = try cblc.u8(8 + 48 * s + 44, "BitmapSize ppemX")
            if ppem > bestPpem { bestPpem = ppem; best = s }
        }
        let size = 8 + 48 * best
        let arrayOffset = try cblc.u32(size, "indexSubTableArrayOffset")
        let subtables = try cblc.u32(size + 8, "numberOfIndexSubTables")
        var pngs: [Int: [UInt8]] = [:]
        for i in 0..<subtables {
            let rec = arrayOffset + 8 * i
            let first = try cblc.u16(rec, "IndexSubTableArray first glyph"), last = try cblc.u16(rec + 2, "IndexSubTableArray last glyph")
            let sub = arrayOffset + (try cblc.u32(rec + 4, "IndexSubTableArray offset"))
            let indexFormat = try cblc.u16(sub, "index subtable format"), imageFormat = try cblc.u16(sub + 2, "image format")
            let dataOffset = try cblc.u32(sub + 4, "image data offset")
            guard last >= first else { continue }
            for (gid, start, end) in try glyphRanges(cblc, sub: sub, format: indexFormat, first: first, last: last) where end > start {
                if let png = try png(cbdt, offset: dataOffset + start, length: end - start, format: imageFormat, glyph: gid) {
                    pngs[gid] = png
                }
            }
        }
        return (bestPpem, pngs)
    }

    /// (glyph id, start, end) of each glyph's data relative to the subtable's image data offset.
    static func glyphRanges(_ t: BigEndianBytes, sub: Int, format: Int, first: Int, last: Int) throws -> [(Int, Int, Int)] {
        let n = last - first + 1
        switch format {
        case 1, 3:
            let w = format == 1 ? 4 : 2
            let offs = try (0...n).map { format == 1 ? try t.u32(sub + 8 + w * $0, "sbitOffsets") : try t.u16(sub + 8 + w * $0, "sbitOffsets") }
            return (0..<n).map { (first + $0, offs[$0], offs[$0 + 1]) }
        case 2:
            let imageSize = try t.u32(sub + 8, "imageSize")
            return (0..<n).map { (first + $0, $0 * imageSize, ($0 + 1) * imageSize) }
        case 4:
            let count = try t.u32(sub + 8, "numGlyphs")
            let pairs = try (0...count).map { (try t.u16(sub + 12 + 4 * $0, "glyphIdOffsetPair"), try t.u16(sub + 14 + 4 * $0, "glyphIdOffsetPair")) }
            return (0..<count).map { (pairs[$0].0, pairs[$0].1, pairs[$0 + 1].1) }
        case 5:
            let imageSize = try t.u32(sub + 8, "imageSize"), count = try t.u32(sub + 20, "numGlyphs")
            return try (0..<count).map { (try t.u16(sub + 24 + 2 * $0, "glyphIdArray"), $0 * imageSize, ($0 + 1) * imageSize) }
        default:
            throw WorkbenchIOError.corrupt(path: t.name, reason: "index subtable format \(format) is not defined")
        }
    }

    /// The PNG inside one glyph's CBDT record; nil for non-PNG image formats.
    static func png(_ t: BigEndianBytes, offset: Int, length: Int, format: Int, glyph: Int) throws -> [UInt8]? {
        let header: Int
        switch format {
        case 17: header = 5
        case 18: header = 8
        case 19: header = 0
        default: return nil
        }
        let len = try t.u32(offset + header, "glyph \(glyph) PNG length")
        guard header + 4 + len <= length else {
            throw WorkbenchIOError.corrupt(path: t.name, reason: "glyph \(glyph): PNG of \(len) bytes overruns its \(length)-byte record")
        }
        return try t.slice(offset + header + 4, len, "glyph \(glyph) PNG")
    }
}
