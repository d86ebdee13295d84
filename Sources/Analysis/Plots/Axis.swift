import Foundation

/// One plot axis: a data range mapped linearly or logarithmically onto a pixel range, with
/// ticks a reader expects (decades on wide log ranges, 1-2-5 or 1…9 mantissas on narrow ones).
///
///     let a = Axis(lo: 1e4, hi: 1e8, log: true, pixelLo: 80, pixelHi: 620)
///     a.map(1e6)   // 350
public struct Axis: Sendable {
    public var lo: Double, hi: Double
    public var log: Bool
    public var pixelLo: Double, pixelHi: Double

    public init(lo: Double, hi: Double, log: Bool, pixelLo: Double, pixelHi: Double) {
        self.lo = lo; self.hi = hi; self.log = log; self.pixelLo = pixelLo; self.pixelHi = pixelHi
    }

    /// A padded axis covering `values` (non-positive values are ignored on a log axis).
    public static func covering(_ values: [Double], log: Bool, pixelLo: Double, pixelHi: Double, pad: Double = 0.05) -> Axis {
        var v = values.filter { $0.isFinite && (!log || $0 > 0) }
        if v.isEmpty { v = log ? [1, 10] : [0, 1] }
        var lo = v.min()!, hi = v.max()!
        if log {
            var a = Foundation.log10(lo), b = Foundation.log10(hi)
            if b - a < 1e-9 { a -= 0.1; b += 0.1 }
            let p = (b - a) * pad
            lo = Foundation.pow(10, a - p); hi = Foundation.pow(10, b + p)
        } else {
            if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
            let p = (hi - lo) * pad
            lo -= p; hi += p
        }
        return Axis(lo: lo, hi: hi, log: log, pixelLo: pixelLo, pixelHi: pixelHi)
    }

    func t(_ v: Double) -> Double {
        log ? (Foundation.log10(v) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) : (v - lo) / (hi - lo)
    }

    public func map(_ v: Double) -> Double { pixelLo + t(v) * (pixelHi - pixelLo) }

    public func contains(_ v: Double) -> Bool { v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) && (!log || v > 0) }

    /// Ticks with labels (nil label: minor tick).
    public func ticks() -> [(value: Double, label: String?)] {
        if !log { return Self.linearTicks(lo, hi).map { ($0, Format.sig($0, 3)) } }
        let d0 = Int(Foundation.floor(Foundation.log10(lo))), d1 = Int(Foundation.ceil(Foundation.log10(hi)))
        func inRange(_ v: Double) -> Bool { v >= lo && v <= hi }
        let decades = (d0...d1).map { Foundation.pow(10, Double($0)) }.filter(inRange)
        if decades.count >= 2 {
            let every = max(1, Int((Double(decades.count) / 8).rounded(.up)))
            var out: [(Double, String?)] = []
            for (k, v) in decades.enumerated() { out.append((v, k % every == 0 ? (v >= 1e4 ? Format.size(v) : Format.sig(v, 2)) : nil)) }
            if decades.count <= 6 {
                for d in d0...d1 { for m in 2...9 {
                    let v = Double(m) * Foundation.pow(10, Double(d))
                    if inRange(v) { out.append((v, nil)) }
                } }
            }
            return out
        }
        for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] {
            var vals: [Double] = []
            for d in d0...d1 { for m in mantissas { let v = m * Foundation.pow(10, Double(d)); if inRange(v) { vals.append(v) } } }
            if vals.count >= 3 { return vals.map { ($0, Format.sig($0, 2)) } }
        }
        return Self.linearTicks(lo, hi).filter { $0 > 0 }.map { ($0, Format.sig($0, 3)) }
    }

    static func linearTicks(_ lo: Double, _ hi: Double, target: Int = 6) -> [Double] {
        let raw = (hi - lo) / Double(target)
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var v = Foundation.ceil(lo / step) * step
        var out: [Double] = []
        while v <= hi + 1e-9 * step { out.append(abs(v) < 1e-12 * step ? 0 : v); v += step }
        return out
    }
}

/// Clipping of lines and polygons to a rectangle (Liang–Barsky, Sutherland–Hodgman).
enum Clip {
    struct Rect { var x0, y0, x1, y1: Double }

    static func polyline(_ pts: [PixelPoint], _ r: Rect) -> [[PixelPoint]] {
        var out: [[PixelPoint]] = [], current: [PixelPoint] = []
        for i in 1..<max(pts.count, 1) {
            guard let (a, b) = segment(pts[i - 1], pts[i], r) else {
                if current.count > 1 { out.append(current) }
                current = []
                continue
            }
            if current.isEmpty || current.last! != a {
                if current.count > 1 { out.append(current) }
                current = [a]
            }
            current.append(b)
        }
        if current.count > 1 { out.append(current) }
        return out
    }

    static func segment(_ a: PixelPoint, _ b: PixelPoint, _ r: Rect) -> (PixelPoint, PixelPoint)? {
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - r.x0), (dx, r.x1 - a.x), (-dy, a.y - r.y0), (dy, r.y1 - a.y)] {
            if p == 0 { if q < 0 { return nil } else { continue } }
            let t = q / p
            if p < 0 { if t > t1 { return nil }; t0 = max(t0, t) } else { if t < t0 { return nil }; t1 = min(t1, t) }
        }
        return (PixelPoint(a.x + t0 * dx, a.y + t0 * dy), PixelPoint(a.x + t1 * dx, a.y + t1 * dy))
    }

    static func polygon(_ pts: [PixelPoint], _ r: Rect) -> [PixelPoint] {
        var poly = pts
        let edges: [(PixelPoint) -> Bool] = [{ $0.x >= r.x0 }, { $0.x <= r.x1 }, { $0.y >= r.y0 }, { $0.y <= r.y1 }]
        let cut: [(PixelPoint, PixelPoint) -> PixelPoint] = [
            { a, b in let t = (r.x0 - a.x) / (b.x - a.x); return PixelPoint(r.x0, a.y + t * (b.y - a.y)) },
            { a, b in let t = (r.x1 - a.x) / (b.x - a.x); return PixelPoint(r.x1, a.y + t * (b.y - a.y)) },
            { a, b in let t = (r.y0 - a.y) / (b.y - a.y); return PixelPoint(a.x + t * (b.x - a.x), r.y0) },
            { a, b in let t = (r.y1 - a.y) / (b.y - a.y); return PixelPoint(a.x + t * (b.x - a.x), r.y1) },
        ]
        for e in 0..<4 {
            guard !poly.isEmpty else { break }
            var out: [PixelPoint] = []
            var prev = poly.last!
            for cur in poly {
                let inCur = edges[e](cur), inPrev = edges[e](prev)
                if inCur { if !inPrev { out.append(cut[e](prev, cur)) }; out.append(cur) }
                else if inPrev { out.append(cut[e](prev, cur)) }
                prev = cur
            }
            poly = out
        }
        return poly
    }
}
