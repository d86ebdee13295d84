import WorkbenchCore
import Foundation

/// An RGB colour with components in 0…1.
public struct RGB: Sendable, Equatable {
    public var r: Double, g: Double, b: Double
    public init(_ r: Double, _ g: Double, _ b: Double) { self.r = r; self.g = g; self.b = b }
    public init(hex: UInt32) {
        self.init(Double((hex >> 16) & 0xFF) / 255, Double((hex >> 8) & 0xFF) / 255, Double(hex & 0xFF) / 255)
    }
    public static let black = RGB(0, 0, 0), white = RGB(1, 1, 1), gray = RGB(0.55, 0.55, 0.55)
    public static let lightGray = RGB(0.9, 0.9, 0.9), red = RGB(hex: 0xD62728), blue = RGB(hex: 0x1F77B4)

    public var hex: String {
        func c(_ v: Double) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", c(r), c(g), c(b))
    }

    /// Viridis, sampled at t in 0…1 (dark purple to yellow): one colour per model size.
    public static func viridis(_ t: Double) -> RGB {
        let stops: [UInt32] = [0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725]
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let a = RGB(hex: stops[i]), b = RGB(hex: stops[i + 1])
        return RGB(a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b))
    }
}

/// A point in figure pixels (origin top-left).
public struct PixelPoint: Sendable, Equatable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// A drawing primitive in pixel coordinates, rendered the same way to SVG and to PNG.
public enum Shape: Sendable {
    case polyline([PixelPoint], color: RGB, width: Double, dashed: Bool)
    case polygon([PixelPoint], fill: RGB, opacity: Double)
    case circle(PixelPoint, radius: Double, fill: RGB, stroke: RGB?)
    case rect(x: Double, y: Double, width: Double, height: Double, fill: RGB?, stroke: RGB?)
    /// Text anchored at the point (`anchor` 0 = start, 0.5 = middle, 1 = end; baseline at y).
    case text(PixelPoint, String, size: Double, color: RGB, anchor: Double, vertical: Bool)
}

/// A finished drawing: size plus primitives, written as SVG by hand or rasterised to PNG.
///
///     let fig = plot.figure()
///     try fig.write(to: URL(fileURLWithPath: "plots/ln"))   // ln.svg and ln.png
public struct Figure: Sendable {
    public var width: Double
    public var height: Double
    public var shapes: [Shape] = []

    public init(width: Double, height: Double) { self.width = width; self.height = height }

    public mutating func add(_ s: Shape) { shapes.append(s) }

    /// Writes `<base>.svg` and `<base>.png` atomically.
    public func write(to base: URL) throws {
        try AtomicFile.write(svg(), to: base.appendingPathExtension("svg"))
        try AtomicFile.write(try png(), to: base.appendingPathExtension("png"))
    }

    public func svg() -> String {
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for s in shapes {
            switch s {
            case let .polyline(pts, color, w, dashed):
                guard pts.count > 1 else { continue }
                out += "<polyline fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(f(w))\" stroke-linejoin=\"round\""
                    + (dashed ? " stroke-dasharray=\"6,4\"" : "") + " points=\"" + pts.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ") + "\"/>\n"
            case let .polygon(pts, fill, opacity):
                out += "<polygon fill=\"\(fill.hex)\" fill-opacity=\"\(f(opacity))\" stroke=\"none\" points=\""
                    + pts.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ") + "\"/>\n"
            case let .circle(c, r, fill, stroke):
                out += "<circle cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"\(f(r))\" fill=\"\(fill.hex)\""
                    + (stroke.map { " stroke=\"\($0.hex)\" stroke-width=\"1\"" } ?? "") + "/>\n"
            case let .rect(x, y, w, h, fill, stroke):
                out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill?.hex ?? "none")\""
                    + (stroke.map { " stroke=\"\($0.hex)\" stroke-width=\"1\"" } ?? "") + "/>\n"
            case let .text(p, str, size, color, anchor, vertical):
                let a = anchor < 0.25 ? "start" : (anchor > 0.75 ? "end" : "middle")
                let rot = vertical ? " transform=\"rotate(-90 \(f(p.x)) \(f(p.y)))\"" : ""
                out += "<text x=\"\(f(p.x))\" y=\"\(f(p.y))\" font-size=\"\(f(size))\" fill=\"\(color.hex)\" text-anchor=\"\(a)\"\(rot)>\(esc(str))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    /// Rasterises at 3× and box-filters down (anti-aliasing), then encodes PNG with libpng.
    public func png(supersample: Int = 3) throws -> Data {
        let canvas = Canvas(width: Int(width.rounded()) * supersample, height: Int(height.rounded()) * supersample)
        let k = Double(supersample)
        for s in shapes { canvas.draw(s, scale: k) }
        return try PNGEncoder.encodeRGB(canvas.downsampled(by: supersample), width: Int(width.rounded()), height: Int(height.rounded()))
    }
}
