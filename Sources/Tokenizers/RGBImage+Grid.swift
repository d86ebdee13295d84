/// Enlarging images and tiling them into one picture (sample sheets, completion figures).
extension RGBImage {
    /// The image with every pixel repeated `factor`×`factor` times (nearest neighbour).
    public func upscaled(by factor: Int) -> RGBImage {
        precondition(factor >= 1, "upscale factor must be at least 1, got \(factor)")
        if factor == 1 { return self }
        let w = width * factor
        var out = [UInt8](repeating: 0, count: 3 * w * height * factor)
        for y in 0..<(height * factor) {
            let src = 3 * (y / factor) * width, dst = 3 * y * w
            for x in 0..<w {
                let s = src + 3 * (x / factor), d = dst + 3 * x
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return RGBImage(width: w, height: height * factor, pixels: out)
    }

    /// Images laid out in rows (a row may be shorter than the longest), each upscaled by `scale`,
    /// in cells of the largest image's size, `gap` pixels of `background` between cells and
    /// around the edge. Cell `(row r, column c)` starts at `gap + c·(cellWidth + gap)`,
    /// `gap + r·(cellHeight + gap)`; a smaller image sits in its cell's top-left corner.
    public static func grid(_ rows: [[RGBImage]], scale: Int = 1, gap: Int = 2,
                            background: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> RGBImage {
        precondition(gap >= 0, "grid gap must not be negative")
        let images = rows.flatMap { $0 }
        precondition(!images.isEmpty, "a grid needs at least one image")
        let cellW = images.map(\.width).max()! * scale, cellH = images.map(\.height).max()! * scale
        let columns = rows.map(\.count).max()!
        var sheet = RGBImage(width: gap + columns * (cellW + gap), height: gap + rows.count * (cellH + gap), fill: background)
        for (r, row) in rows.enumerated() {
            for (c, img) in row.enumerated() {
                sheet.paste(img.upscaled(by: scale), x: gap + c * (cellW + gap), y: gap + r * (cellH + gap))
            }
        }
        return sheet
    }

    /// `rows` of `columns` images from a flat list, for `grid`.
    public static func rows(_ images: [RGBImage], columns: Int) -> [[RGBImage]] {
        precondition(columns >= 1, "a grid needs at least one column")
        return stride(from: 0, to: images.count, by: columns).map { Array(images[$0..<min(images.count, $0 + columns)]) }
    }

    /// Copies `img` into this image with its top-left corner at column `x`, row `y`.
    public mutating func paste(_ img: RGBImage, x: Int, y: Int) {
        precondition(x >= 0 && y >= 0 && x + img.width <= width && y + img.height <= height,
                     "a \(img.width)x\(img.height) image at (\(x), \(y)) does not fit in \(width)x\(height)")
        for row in 0..<img.height {
            let src = 3 * row * img.width, dst = 3 * ((y + row) * width + x)
            pixels.replaceSubrange(dst..<(dst + 3 * img.width), with: img.pixels[src..<(src + 3 * img.width)])
        }
    }
}
