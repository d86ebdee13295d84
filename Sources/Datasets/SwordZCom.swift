import Foundation
import WorkbenchCore

/// Reads the entries of a SWORD compressed commentary module (drivers `zCom` and `zCom4`), as
/// Debian's `sword-comm-*` packages install them under `modules/comments/zcom/<name>/`.
///
/// Per testament (`ot`, `nt`) and block type (`b` = book blocks, `c` = chapter blocks) there are
/// three files:
/// - `ot.bzs`, the block index: 12 bytes per block, little-endian `UInt32` offset into `ot.bzz`,
///   compressed size, uncompressed size;
/// - `ot.bzz`, the blocks, each one zlib stream;
/// - `ot.bzv`, the verse index: one entry per verse slot of the versification (book and chapter
///   headings included), `UInt32` block number, `UInt32` offset in the inflated block and the
///   size, a `UInt16` (`zCom`, 10 bytes) or a `UInt32` (`zCom4`, 12 bytes).
///
/// Slots that several verses share (a note on a whole passage) point at the same bytes and are
/// returned once; empty slots are skipped.
///
///     let entries = try SwordZCom.entries(folder: moduleDir, testament: "ot", blockType: "b", fourByteSizes: false)
public enum SwordZCom {
    /// One commentary entry: its first verse slot, its block, and its OSIS text.
    public struct Entry: Equatable, Sendable {
        public var slot: Int
        public var block: Int
        public var osis: String
    }

    /// The entries of one testament, in slot order; a testament without files gives none.
    /// `fourByteSizes` (zCom4) is a hint: when the verse index's length is not a multiple of the
    /// hinted entry size but is of the other one, the other is used (Debian's MHCC says zCom4 but
    /// ships 10-byte entries).
    public static func entries(folder: URL, testament: String, blockType: Character,
                               fourByteSizes: Bool) throws -> [Entry] {
        let stem = folder.appendingPathComponent(testament).path
        let blockIndexPath = "\(stem).\(blockType)zs", versePath = "\(stem).\(blockType)zv", dataPath = "\(stem).\(blockType)zz"
        let fm = FileManager.default
        guard fm.fileExists(atPath: versePath) else { return [] }
        for p in [blockIndexPath, dataPath] where !fm.fileExists(atPath: p) {
            throw WorkbenchIOError.missingFile(path: p, what: "SWORD module file beside \(versePath)")
        }
        let blockIndex = [UInt8](try Data(contentsOf: URL(fileURLWithPath: blockIndexPath)))
        let verses = [UInt8](try Data(contentsOf: URL(fileURLWithPath: versePath)))
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataPath)))
        return try entries(blockIndex: blockIndex, verseIndex: verses, data: data,
                           fourByteSizes: fourByteSizes, name: versePath)
    }

    /// The same from the three files' bytes (`name` is used in errors).
    public static func entries(blockIndex: [UInt8], verseIndex: [UInt8], data: [UInt8],
                               fourByteSizes: Bool, name: String) throws -> [Entry] {
        guard blockIndex.count % 12 == 0 else {
            throw WorkbenchIOError.corrupt(path: name, reason: "block index of \(blockIndex.count) bytes is not a multiple of 12")
        }
        var entrySize = fourByteSizes ? 12 : 10
        if verseIndex.count % entrySize != 0 {
            let other = fourByteSizes ? 10 : 12
            guard verseIndex.count % other == 0 else {
                throw WorkbenchIOError.corrupt(path: name, reason: "verse index of \(verseIndex.count) bytes is a multiple of neither 10 nor 12")
            }
            entrySize = other
        }
        func u32(_ b: [UInt8], _ k: Int) -> Int {
            Int(b[k]) | Int(b[k + 1]) << 8 | Int(b[k + 2]) << 16 | Int(b[k + 3]) << 24
        }
        var blocks: [Int: [UInt8]] = [:]
        func block(_ n: Int, slot: Int) throws -> [UInt8] {
            if let b = blocks[n] { return b }
            guard n < blockIndex.count / 12 else {
                throw WorkbenchIOError.corrupt(path: name, reason: "verse slot \(slot) points at block \(n), the index has \(blockIndex.count / 12)")
            }
            let offset = u32(blockIndex, 12 * n), size = u32(blockIndex, 12 * n + 4), inflated = u32(blockIndex, 12 * n + 8)
            guard offset + size <= data.count else {
                throw WorkbenchIOError.corrupt(path: name, reason: "block \(n) ends at byte \(offset + size), the data file has \(data.count) (truncated?)")
            }
            let b = try Zlib.inflate(Array(data[offset..<(offset + size)]), uncompressedSize: inflated, name: "\(name) block \(n)")
            blocks[n] = b
            return b
        }
        var seen = Set<[Int]>(), out: [Entry] = []
        for slot in 0..<(verseIndex.count / entrySize) {
            let k = slot * entrySize
            let b = u32(verseIndex, k), offset = u32(verseIndex, k + 4)
            let size = entrySize == 12 ? u32(verseIndex, k + 8) : Int(verseIndex[k + 8]) | Int(verseIndex[k + 9]) << 8
            guard size > 0, seen.insert([b, offset, size]).inserted else { continue }
            let bytes = try block(b, slot: slot)
            guard offset + size <= bytes.count else {
                throw WorkbenchIOError.corrupt(path: name, reason: "verse slot \(slot) reads bytes \(offset)..<\(offset + size) of block \(b), which inflates to \(bytes.count)")
            }
            out.append(Entry(slot: slot, block: b, osis: String(decoding: bytes[offset..<(offset + size)], as: UTF8.self)))
        }
        return out
    }

    /// Plain prose of an entry: paragraphs and titles on lines of their own, notes, tags and
    /// entities removed (`EnglishTextCleaning.plainTextFromOSIS` per paragraph).
    public static func plainText(_ osis: String) -> String {
        var s = osis
        for breakTag in ["</title>", "<lb/>", "<lb />"] { s = s.replacingOccurrences(of: breakTag, with: "\u{2}" + breakTag) }
        s = s.replacingOccurrences(of: "<div eID=", with: "\u{2}<div eID=")
        s = s.replacingOccurrences(of: "<div sID=", with: "\u{2}<div sID=")
        return EnglishTextCleaning.plainTextFromOSIS(s)
            .split(separator: "\u{2}")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}
