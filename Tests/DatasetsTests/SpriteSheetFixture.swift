import Foundation
import Tokenizers

/// A PNG sprite sheet for the tileset fixtures: `columns`×`rows` sprites of `w`×`h`, sprite k
/// with red (k+1)·10 + base, green x and blue y within the sprite, opaque; sprites listed in
/// `transparent` have alpha 0.
func writeSpriteSheet(_ url: URL, w: Int, h: Int, columns: Int, rows: Int, base: UInt8, transparent: Set<Int> = []) throws {
    let width = w * columns, height = h * rows
    var rgba = [UInt8](repeating: 0, count: 4 * width * height)
    for y in 0..<height {
        for x in 0..<width {
            let k = (y / h) * columns + x / w, p = 4 * (y * width + x)
            rgba[p] = base &+ UInt8(10 * (k + 1)); rgba[p + 1] = UInt8(x % w); rgba[p + 2] = UInt8(y % h)
            rgba[p + 3] = transparent.contains(k) ? 0 : 255
        }
    }
    try PNGImage.encode(RGBAPixels(width: width, height: height, rgba: rgba)).write(to: url)
}
