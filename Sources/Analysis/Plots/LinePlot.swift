import Foundation

/// One set of points and/or a curve in a `LinePlot`.
public struct PlotSeries: Sendable {
    public var label: String
    public var color: RGB
    public var points: [(x: Double, y: Double)]
    public var line: [(x: Double, y: Double)]
    public var dashed: Bool
    public var lineWidth: Double
    public var pointRadius: Double
    public var inLegend: Bool

    public init(label: String, color: RGB, points: [(x: Double, y: Double)] = [], line: [(x: Double, y: Double)] = [],
                dashed: Bool = false, lineWidth: Double = 1.5, pointRadius: Double = 3.5, inLegend: Bool = true) {
        self.label = label; self.color = color; self.points = points; self.line = line
        self.dashed = dashed; self.lineWidth = lineWidth; self.pointRadius = pointRadius; self.inLegend = inLegend
    }
}

/// A shaded confidence band between two curves sampled at the same x.
public struct PlotBand: Sendable {
    public var color: RGB
    public var x: [Double], lower: [Double], upper: [Double]
    public init(color: RGB, x: [Double], lower: [Double], upper: [Double]) {
        self.color = color; self.x = x; self.lower = lower; self.upper = upper
    }
}

/// A scatter/line chart with (by default) log-log axes, a legend beside the plot area and
/// notes (the fitted formulas) under the legend.
///
///     var p = LinePlot(title: "L(N)", xLabel: "parameters N (non-embedding)", yLabel: "test loss (nats/token)")
///     p.series.append(PlotSeries(label: "runs", color: .blue, points: zip(n, l).map { ($0, $1) }))
///     try p.figure().write(to: URL(fileURLWithPath: "plots/ln"))
public struct LinePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = true
    public var logY = true
    public var series: [PlotSeries] = []
    public var bands: [PlotBand] = []
    public var notes: [String] = []
    public var width = 940.0
    public var height = 560.0

    public init(title: String, xLabel: String, yLabel: String, logX: Bool = true, logY: Bool = true) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.logX = logX; self.logY = logY
    }

    public func figure() -> Figure {
        var fig = Figure(width: width, height: height)
        let left = 84.0, right = width - 290, top = 46.0, bottom = height - 62
        var xs: [Double] = [], ys: [Double] = []
        for s in series { xs += s.points.map(\.x) + s.line.map(\.x); ys += s.points.map(\.y) + s.line.map(\.y) }
        for b in bands { xs += b.x }
        // Bands do not set the y range (a wild bootstrap draw would squash the data).
        let ax = Axis.covering(xs, log: logX, pixelLo: left, pixelHi: right)
        let ay = Axis.covering(ys, log: logY, pixelLo: bottom, pixelHi: top)
        let clip = Clip.Rect(x0: left, y0: top, x1: right, y1: bottom)
        func px(_ x: Double, _ y: Double) -> PixelPoint? {
            guard (!logX || x > 0) && (!logY || y > 0) && x.isFinite && y.isFinite else { return nil }
            return PixelPoint(ax.map(x), ay.map(y))
        }
        // Grid and ticks.
        for (v, label) in ax.ticks() {
            let x = ax.map(v)
            fig.add(.polyline([PixelPoint(x, top), PixelPoint(x, bottom)], color: label == nil ? RGB(0.95, 0.95, 0.95) : .lightGray, width: 1, dashed: false))
            fig.add(.polyline([PixelPoint(x, bottom), PixelPoint(x, bottom + (label == nil ? 3 : 6))], color: .black, width: 1, dashed: false))
            if let l = label { fig.add(.text(PixelPoint(x, bottom + 20), l, size: 12, color: .black, anchor: 0.5, vertical: false)) }
        }
        for (v, label) in ay.ticks() {
            let y = ay.map(v)
            fig.add(.polyline([PixelPoint(left, y), PixelPoint(right, y)], color: label == nil ? RGB(0.95, 0.95, 0.95) : .lightGray, width: 1, dashed: false))
            fig.add(.polyline([PixelPoint(left - (label == nil ? 3 : 6), y), PixelPoint(left, y)], color: .black, width: 1, dashed: false))
            if let l = label { fig.add(.text(PixelPoint(left - 9, y + 4), l, size: 12, color: .black, anchor: 1, vertical: false)) }
        }
        // Bands, curves, points.
        for b in bands {
            var upper: [PixelPoint] = [], lower: [PixelPoint] = []
            for i in 0..<b.x.count {
                if let u = px(b.x[i], b.upper[i]), let l = px(b.x[i], b.lower[i]) { upper.append(u); lower.append(l) }
            }
            let poly = Clip.polygon(upper + lower.reversed(), clip)
            if poly.count >= 3 { fig.add(.polygon(poly, fill: b.color, opacity: 0.18)) }
        }
        for s in series where s.line.count > 1 {
            for part in Clip.polyline(s.line.compactMap { px($0.x, $0.y) }, clip) {
                fig.add(.polyline(part, color: s.color, width: s.lineWidth, dashed: s.dashed))
            }
        }
        for s in series {
            for p in s.points {
                if let q = px(p.x, p.y), q.x >= left - 0.5, q.x <= right + 0.5, q.y >= top - 0.5, q.y <= bottom + 0.5 {
                    fig.add(.circle(q, radius: s.pointRadius, fill: s.color, stroke: .white))
                }
            }
        }
        fig.add(.rect(x: left, y: top, width: right - left, height: bottom - top, fill: nil, stroke: .black))
        // Labels.
        fig.add(.text(PixelPoint((left + right) / 2, 28), title, size: 16, color: .black, anchor: 0.5, vertical: false))
        fig.add(.text(PixelPoint((left + right) / 2, height - 18), xLabel, size: 13, color: .black, anchor: 0.5, vertical: false))
        fig.add(.text(PixelPoint(22, (top + bottom) / 2), yLabel, size: 13, color: .black, anchor: 0.5, vertical: true))
        // Legend and notes.
        var y = top + 12
        let lx = right + 18
        for s in series where s.inLegend {
            if !s.line.isEmpty {
                fig.add(.polyline([PixelPoint(lx, y - 4), PixelPoint(lx + 22, y - 4)], color: s.color, width: s.lineWidth, dashed: s.dashed))
            }
            if !s.points.isEmpty { fig.add(.circle(PixelPoint(lx + 11, y - 4), radius: s.pointRadius, fill: s.color, stroke: .white)) }
            fig.add(.text(PixelPoint(lx + 30, y), s.label, size: 12, color: .black, anchor: 0, vertical: false))
            y += 18
            if y > bottom - 20 { break }
        }
        y += 10
        for n in notes {
            for line in Self.wrap(n, width: 32) {
                fig.add(.text(PixelPoint(lx, y), line, size: 12, color: RGB(0.15, 0.15, 0.15), anchor: 0, vertical: false))
                y += 16
            }
            y += 4
        }
        return fig
    }

    static func wrap(_ s: String, width: Int) -> [String] {
        var lines: [String] = [], cur = ""
        for word in s.split(separator: " ") {
            if !cur.isEmpty && cur.count + word.count + 1 > width { lines.append(cur); cur = "  " + word }
            else { cur += (cur.isEmpty ? "" : " ") + word }
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }
}
