import CPNG
import Foundation

/// A software rasteriser for plot primitives: scanline polygons, thick lines as quads with
/// round joins, disks, rectangles and the 5×7 bitmap font, alpha-blended on a white RGB canvas.
///
///     let c = Canvas(width: 300, height: 200)
///     c.draw(.circle(PixelPoint(10, 10), radius: 3, fill: .red, stroke: nil), scale: 1)
final class Canvas {
    let width: Int, height: Int
    var pixels: [Float]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [Float](repeating: 1, count: width * height * 3)
    }

    @inline(__always) func blend(_ x: Int, _ y: Int, _ c: RGB, _ a: Double) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3, af = Float(a)
        pixels[i] += af * (Float(c.r) - pixels[i])
        pixels[i + 1] += af * (Float(c.g) - pixels[i + 1])
        pixels[i + 2] += af * (Float(c.b) - pixels[i + 2])
    }

    func draw(_ s: Shape, scale k: Double) {
        func p(_ q: PixelPoint) -> PixelPoint { PixelPoint(q.x * k, q.y * k) }
        switch s {
        case let .polyline(pts, color, w, dashed):
            let scaled = pts.map(p)
            for segment in dashed ? Self.dashes(scaled, on: 6 * k, off: 4 * k) : [scaled] {
                strokePolyline(segment, width: max(w * k, 1), color: color)
            }
        case let .polygon(pts, fill, opacity):
            fillPolygon(pts.map(p), color: fill, alpha: opacity)
        case let .circle(c, r, fill, stroke):
            if let st = stroke { fillDisk(p(c), radius: (r + 0.5) * k, color: st) }
            fillDisk(p(c), radius: (stroke == nil ? r : r - 0.5) * k, color: fill)
        case let .rect(x, y, w, h, fill, stroke):
            if let f = fill { fillPolygon([PixelPoint(x * k, y * k), PixelPoint((x + w) * k, y * k),
                                           PixelPoint((x + w) * k, (y + h) * k), PixelPoint(x * k, (y + h) * k)], color: f, alpha: 1) }
            if let st = stroke {
                strokePolyline([PixelPoint(x * k, y * k), PixelPoint((x + w) * k, y * k), PixelPoint((x + w) * k, (y + h) * k),
                                PixelPoint(x * k, (y + h) * k), PixelPoint(x * k, y * k)], width: k, color: st)
            }
        case let .text(q, str, size, color, anchor, vertical):
            drawText(str, at: p(q), size: size * k, color: color, anchor: anchor, vertical: vertical)
        }
    }

    /// Even-odd scanline fill, sampling pixel centres.
    func fillPolygon(_ pts: [PixelPoint], color: RGB, alpha: Double) {
        guard pts.count >= 3 else { return }
        let ys = pts.map(\.y)
        let y0 = max(0, Int(ys.min()!.rounded(.down))), y1 = min(height - 1, Int(ys.max()!.rounded(.up)))
        guard y0 <= y1 else { return }
        var xs: [Double] = []
        for y in y0...y1 {
            let cy = Double(y) + 0.5
            xs.removeAll(keepingCapacity: true)
            var j = pts.count - 1
            for i in 0..<pts.count {
                let a = pts[i], b = pts[j]
                if (a.y <= cy) != (b.y <= cy) { xs.append(a.x + (cy - a.y) / (b.y - a.y) * (b.x - a.x)) }
                j = i
            }
            xs.sort()
            var k = 0
            while k + 1 < xs.count {
                let xa = max(0, Int((xs[k] - 0.5).rounded(.up))), xb = min(width - 1, Int((xs[k + 1] - 0.5).rounded(.down)))
                if xa <= xb { for x in xa...xb { blend(x, y, color, alpha) } }
                k += 2
            }
        }
    }

    func fillDisk(_ c: PixelPoint, radius r: Double, color: RGB) {
        guard r > 0 else { return }
        let x0 = max(0, Int(c.x - r)), x1 = min(width - 1, Int(c.x + r) + 1)
        let y0 = max(0, Int(c.y - r)), y1 = min(height - 1, Int(c.y + r) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - c.x, dy = Double(y) + 0.5 - c.y
                if dx * dx + dy * dy <= r * r { blend(x, y, color, 1) }
            }
        }
    }

    func strokePolyline(_ pts: [PixelPoint], width w: Double, color: RGB) {
        guard pts.count > 1 else { return }
        let h = w / 2
        for i in 1..<pts.count {
            let a = pts[i - 1], b = pts[i]
            let dx = b.x - a.x, dy = b.y - a.y, len = (dx * dx + dy * dy).squareRoot()
            guard len > 1e-9 else { continue }
            let nx = -dy / len * h, ny = dx / len * h
            fillPolygon([PixelPoint(a.x + nx, a.y + ny), PixelPoint(b.x + nx, b.y + ny),
                         PixelPoint(b.x - nx, b.y - ny), PixelPoint(a.x - nx, a.y - ny)], color: color, alpha: 1)
            if i < pts.count - 1 && h > 1 { fillDisk(b, radius: h, color: color) }
        }
    }

    static func dashes(_ pts: [PixelPoint], on: Double, off: Double) -> [[PixelPoint]] {
        var out: [[PixelPoint]] = [], current: [PixelPoint] = [pts[0]]
        var drawing = true, left = on
        for i in 1..<max(pts.count, 1) {
            var a = pts[i - 1]
            let b = pts[i]
            var segLen = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            while segLen > left {
                let t = left / segLen
                let m = PixelPoint(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
                if drawing { current.append(m); out.append(current) } else { current = [m] }
                drawing.toggle()
                segLen -= left; a = m; left = drawing ? on : off
            }
            left -= segLen
            if drawing { current.append(b) }
        }
        if drawing && current.count > 1 { out.append(current) }
        return out
    }

    /// Bitmap text: glyph cells scaled by an integer factor so that the cap height ≈ 0.7·size.
    func drawText(_ s: String, at p: PixelPoint, size: Double, color: RGB, anchor: Double, vertical: Bool) {
        let scale = max(1, Int((size * 0.7 / Double(BitmapFont.height)).rounded()))
        let chars = Array(s)
        let advance = Double(BitmapFont.advance * scale)
        let total = advance * Double(chars.count) - Double(scale)
        let start = -anchor * total
        for (n, ch) in chars.enumerated() {
            let rows = BitmapFont.rows(for: ch)
            for (ry, bits) in rows.enumerated() {
                for cx in 0..<BitmapFont.width where bits & (0x10 >> UInt8(cx)) != 0 {
                    // Glyph-local coordinates: u along the text, v down from the cap line.
                    let u = start + Double(n) * advance + Double(cx * scale)
                    let v = Double((ry - BitmapFont.height) * scale)
                    // One extra subpixel across the stroke makes the 1-pixel font legible after downsampling.
                    for sy in 0..<scale {
                        for sx in 0..<(scale + 1) {
                            let uu = u + Double(sx), vv = v + Double(sy)
                            let x = vertical ? p.x + vv : p.x + uu
                            let y = vertical ? p.y - uu : p.y + vv
                            blend(Int(x.rounded(.down)), Int(y.rounded(.down)), color, 1)
                        }
                    }
                }
            }
        }
    }

    /// Box-filter downsampling to 8-bit RGB.
    func downsampled(by f: Int) -> [UInt8] {
        let w = width / f, h = height / f
        var out = [UInt8](repeating: 255, count: w * h * 3)
        let norm = Float(1) / Float(f * f)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var s: Float = 0
                    for dy in 0..<f { for dx in 0..<f { s += pixels[((y * f + dy) * width + x * f + dx) * 3 + c] } }
                    out[(y * w + x) * 3 + c] = UInt8(max(0, min(255, (s * norm * 255).rounded())))
                }
            }
        }
        return out
    }
}

/// PNG encoding through libpng's simplified API (no setjmp needed).
///
///     let data = try PNGEncoder.encodeRGB(pixels, width: 800, height: 500)
public enum PNGEncoder {
    public static func encodeRGB(_ rgb: [UInt8], width: Int, height: Int) throws -> Data {
        precondition(rgb.count == width * height * 3, "RGB buffer size")
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR)   // 8-bit RGB, no alpha
        var size: Int = 0
        let stride = Int32(width * 3)
        let ok1 = rgb.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard ok1 != 0, size > 0 else { throw PNGWriteError(message: message(&image)) }
        var out = Data(count: size)
        let ok2 = out.withUnsafeMutableBytes { dst in
            rgb.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        png_image_free(&image)
        guard ok2 != 0 else { throw PNGWriteError(message: message(&image)) }
        return out.prefix(size)
    }

    static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// libpng refused to encode an image.
public struct PNGWriteError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "PNG encoding failed: \(message)" }
}
