import Foundation
import WorkbenchCore

/// Big-endian reads over a byte array with bounds checks that say where the data ran out.
struct BigEndianBytes {
    let bytes: [UInt8]
    let name: String

    func need(_ offset: Int, _ count: Int, _ what: String) throws {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else {
            throw WorkbenchIOError.corrupt(path: name, reason: "\(what) at byte \(offset) (+\(count)) runs past the end (\(bytes.count) bytes)")
        }
    }
    func u8(_ o: Int, _ what: String) throws -> Int { try need(o, 1, what); return Int(bytes[o]) }
    func u16(_ o: Int, _ what: String) throws -> Int {
        try need(o, 2, what); return Int(bytes[o]) << 8 | Int(bytes[o + 1])
    }
    func u32(_ o: Int, _ what: String) throws -> Int {
        try need(o, 4, what)
        return Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
    }
    func slice(_ o: Int, _ count: Int, _ what: String) throws -> [UInt8] {
        try need(o, count, what); return Array(bytes[o..<(o + count)])
    }
}

/// The table directory of a TrueType/OpenType font file: where each table starts and its length.
///
///     let font = try OpenTypeTables(bytes: [UInt8](data), name: "NotoColorEmoji.ttf")
///     let cbdt = try font.table("CBDT")   // the table's bytes
public struct OpenTypeTables {
    let data: BigEndianBytes
    public let tables: [String: (offset: Int, length: Int)]

    public init(bytes: [UInt8], name: String) throws {
        data = BigEndianBytes(bytes: bytes, name: name)
        let version = try data.u32(0, "sfnt version")
        guard version == 0x0001_0000 || version == 0x7472_7565 /* 'true' */ || version == 0x4F54_544F /* 'OTTO' */ else {
            throw WorkbenchIOError.corrupt(path: name, reason: String(format: "not a TrueType/OpenType font (sfnt version 0x%08x)", version))
        }
        let n = try data.u16(4, "table count")
        var t: [String: (Int, Int)] = [:]
        for i in 0..<n {
            let rec = 12 + 16 * i
            let tag = String(decoding: try data.slice(rec, 4, "table record \(i)"), as: UTF8.self)
            let off = try data.u32(rec + 8, "table '\(tag)' offset"), len = try data.u32(rec + 12, "table '\(tag)' length")
            try data.need(off, len, "table '\(tag)'")
            t[tag] = (off, len)
        }
        tables = t
    }

    /// A table's bytes as its own reader (offsets inside it start at 0).
    func reader(_ tag: String) throws -> BigEndianBytes {
        guard let t = tables[tag] else {
            throw WorkbenchIOError.corrupt(path: data.name, reason: "font has no '\(tag)' table (has \(tables.keys.sorted().joined(separator: ", ")))")
        }
        return BigEndianBytes(bytes: Array(data.bytes[t.offset..<(t.offset + t.length)]), name: "\(data.name) '\(tag)' table")
    }

    /// Unicode code point → glyph id, from the best Unicode subtable of `cmap`
    /// (format 12 for the full range, else format 4 for the BMP).
    public func characterMap() throws -> [UInt32: Int] {
        let cmap = try reader("cmap")
        let n = try cmap.u16(2, "cmap subtable count")
        var format4: Int? = nil, format12: Int? = nil
        for i in 0..<n {
            let platform = try cmap.u16(4 + 8 * i, "cmap encoding record"), encoding = try cmap.u16(6 + 8 * i, "cmap encoding record")
            let off = try cmap.u32(8 + 8 * i, "cmap subtable offset")
            let format = try cmap.u16(off, "cmap subtable format")
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
            if unicode && format == 12 { format12 = off }
            if unicode && format == 4 { format4 = off }
        }
        var map: [UInt32: Int] = [:]
        if let o = format12 {
            let groups = try cmap.u32(o + 12, "cmap format 12 group count")
            for g in 0..<groups {
                let r = o + 16 + 12 * g
                let start = try cmap.u32(r, "cmap group"), end = try cmap.u32(r + 4, "cmap group"), gid = try cmap.u32(r + 8, "cmap group")
                guard end >= start, end - start < 0x11_0000 else { continue }
                for c in start...end { map[UInt32(c)] = gid + (c - start) }
            }
        } else if let o = format4 {
            let segX2 = try cmap.u16(o + 6, "cmap format 4 segment count")
            let ends = o + 14, starts = ends + segX2 + 2, deltas = starts + segX2, rangeOffsets = deltas + segX2
            for s in 0..<(segX2 / 2) {
                let end = try cmap.u16(ends + 2 * s, "cmap format 4 end"), start = try cmap.u16(starts + 2 * s, "cmap format 4 start")
                let delta = try cmap.u16(deltas + 2 * s, "cmap format 4 delta"), ro = try cmap.u16(rangeOffsets + 2 * s, "cmap format 4 range offset")
                guard start <= end, start != 0xFFFF else { continue }
                for c in start...end {
                    var gid: Int
                    if ro == 0 { gid = (c + delta) & 0xFFFF } else {
                        gid = try cmap.u16(rangeOffsets + 2 * s + ro + 2 * (c - start), "cmap format 4 glyph id")
                        if gid != 0 { gid = (gid + delta) & 0xFFFF }
                    }
                    if gid != 0 { map[UInt32(c)] = gid }
                }
            }
        } else {
            throw WorkbenchIOError.corrupt(path: data.name, reason: "cmap has no Unicode subtable of format 4 or 12")
        }
        return map
    }
}
