import Foundation
import WorkbenchCore
import Tokenizers

/// Captioned clip-art from Debian's `tuxpaint-stamps-default`: each stamp `NAME.png` has a
/// `NAME.txt` whose first line is an English sentence ("A red apple."). SVG-only stamps are
/// skipped (no rasteriser here). Images are squared up on white and area-averaged to R×R.
///
///     let items = try TuxPaintStamps.items(stampsDir: root.appendingPathComponent("usr/share/tuxpaint/stamps"), resolution: 32)
public enum TuxPaintStamps {
    public struct Item: Equatable, Sendable {
        public var path: String
        public var caption: String
        public var image: RGBImage
    }

    static let stampsPath = "usr/share/tuxpaint/stamps"

    /// Every PNG stamp with an English caption, sorted by path (relative to `stampsDir`).
    public static func items(stampsDir: URL, resolution: Int) throws -> [Item] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stampsDir.path, isDirectory: &isDir), isDir.boolValue,
              let walker = FileManager.default.enumerator(atPath: stampsDir.path) else {
            throw WorkbenchIOError.missingFile(path: stampsDir.path, what: "Tux Paint stamps folder")
        }
        let pngs = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".png") }.sorted()
        var out: [Item] = []
        for rel in pngs {
            let png = stampsDir.appendingPathComponent(rel)
            let txt = png.deletingPathExtension().appendingPathExtension("txt")
            guard let text = try? String(contentsOf: txt, encoding: .utf8) else { continue }
            let caption = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard !caption.isEmpty, !caption.contains(".utf8=") else { continue }
            out.append(Item(path: rel, caption: caption,
                            image: AreaResize.squareThumbnail(try PNGImage.read(png), side: resolution)))
        }
        return out
    }
}
