import Foundation

/// Side-by-side heat maps sharing one colour scale, e.g. mean loss per pixel of a 32×32 image
/// and per RGB channel.
///
///     let h = HeatMapPlot(title: "loss per pixel", colorLabel: "nats/token",
///                         panels: [.init(title: "mean", rows: 32, columns: 32, values: v)])
///     try h.figure().write(to: base)
public struct HeatMapPlot: Sendable {
    /// One grid of values in row-major order (row 0 at the top).
    public struct Panel: Sendable {
        public var title: String, rows: Int, columns: Int, values: [Double]
        public init(title: String, rows: Int, columns: Int, values: [Double]) {
            self.title = title; self.rows = rows; self.columns = columns; self.values = values
        }
    }
    public var title: String
    public var colorLabel: String
    public var panels: [Panel]
    public var panelSize = 230.0

    public init(title: String, colorLabel: String, panels: [Panel]) {
        self.title = title; self.colorLabel = colorLabel; self.panels = panels
    }

    public func figure() -> Figure {
        let gap = 26.0, left = 30.0, top = 70.0
        let width = left + Double(panels.count) * (panelSize + gap) + 120
        var fig = Figure(width: width, height: top + panelSize + 50)
        // Colour scale from the 1st to the 99th percentile, so one extreme pixel (the first,
        // predicted without context) does not flatten the rest.
        let all = panels.flatMap(\.values).filter(\.isFinite)
        let lo = all.isEmpty ? 0 : Bootstrap.percentile(all, 0.01)
        let hi = max(all.isEmpty ? 1 : Bootstrap.percentile(all, 0.99), lo + 1e-12)
        fig.add(.text(PixelPoint(width / 2, 30), title, size: 16, color: .black, anchor: 0.5, vertical: false))
        for (k, p) in panels.enumerated() {
            let x0 = left + Double(k) * (panelSize + gap)
            let cw = panelSize / Double(p.columns), ch = panelSize / Double(p.rows)
            for r in 0..<p.rows { for c in 0..<p.columns {
                let v = p.values[r * p.columns + c]
                fig.add(.rect(x: x0 + Double(c) * cw, y: top + Double(r) * ch, width: cw + 0.3, height: ch + 0.3,
                              fill: v.isFinite ? RGB.viridis(min(max((v - lo) / (hi - lo), 0), 1)) : .white, stroke: nil))
            } }
            fig.add(.rect(x: x0, y: top, width: panelSize, height: panelSize, fill: nil, stroke: .black))
            fig.add(.text(PixelPoint(x0 + panelSize / 2, top - 10), p.title, size: 13, color: .black, anchor: 0.5, vertical: false))
        }
        ColorBar.add(to: &fig, x: width - 100, top: top, height: panelSize, lo: lo, hi: hi, label: colorLabel)
        return fig
    }
}

/// A vertical viridis colour bar with ticks.
enum ColorBar {
    static func add(to fig: inout Figure, x: Double, top: Double, height: Double, lo: Double, hi: Double, label: String, reversed: Bool = false) {
        let steps = 64
        for i in 0..<steps {
            let t = Double(i) / Double(steps - 1)
            fig.add(.rect(x: x, y: top + height * (1 - t) - height / Double(steps), width: 16, height: height / Double(steps) + 0.5,
                          fill: RGB.viridis(reversed ? 1 - t : t), stroke: nil))
        }
        fig.add(.rect(x: x, y: top, width: 16, height: height, fill: nil, stroke: .black))
        for v in Axis.linearTicks(lo, hi, target: 5) where v >= lo && v <= hi {
            let y = top + height * (1 - (v - lo) / (hi - lo))
            fig.add(.polyline([PixelPoint(x + 16, y), PixelPoint(x + 20, y)], color: .black, width: 1, dashed: false))
            fig.add(.text(PixelPoint(x + 23, y + 4), Format.sig(v, 3), size: 11, color: .black, anchor: 0, vertical: false))
        }
        fig.add(.text(PixelPoint(x - 4, top - 10), label, size: 11, color: .black, anchor: 0, vertical: false))
    }
}

/// Loss over (N, D) on log axes: a colour map with labelled contour lines (the indifference
/// curves: combinations of model and data size that reach the same loss) and the runs on top.
///
///     var c = ContourPlot(title: "L(N, D)", nRange: (1e4, 1e9), dRange: (1e6, 1e11)) { n, d in law(params: n, dataTokens: d) }
///     c.runs = zip(n, d).map { ($0, $1) }
public struct ContourPlot: Sendable {
    public var title: String
    public var nRange: (Double, Double)
    public var dRange: (Double, Double)
    public var loss: @Sendable (Double, Double) -> Double
    public var runs: [(n: Double, d: Double)] = []
    public var note: String = ""
    public var grid = 90

    public init(title: String, nRange: (Double, Double), dRange: (Double, Double), loss: @escaping @Sendable (Double, Double) -> Double) {
        self.title = title; self.nRange = nRange; self.dRange = dRange; self.loss = loss
    }

    public func figure() -> Figure {
        let width = 860.0, height = 600.0, left = 84.0, right = 700.0, top = 46.0, bottom = 536.0
        var fig = Figure(width: width, height: height)
        let ax = Axis(lo: nRange.0, hi: nRange.1, log: true, pixelLo: left, pixelHi: right)
        let ay = Axis(lo: dRange.0, hi: dRange.1, log: true, pixelLo: bottom, pixelHi: top)
        let g = grid
        func nAt(_ i: Int) -> Double { Foundation.exp(Foundation.log(nRange.0) + (Foundation.log(nRange.1) - Foundation.log(nRange.0)) * Double(i) / Double(g)) }
        func dAt(_ j: Int) -> Double { Foundation.exp(Foundation.log(dRange.0) + (Foundation.log(dRange.1) - Foundation.log(dRange.0)) * Double(j) / Double(g)) }
        var v = [Double](repeating: .nan, count: (g + 1) * (g + 1))
        for j in 0...g { for i in 0...g { v[j * (g + 1) + i] = loss(nAt(i), dAt(j)) } }
        let finite = v.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = max(finite.max() ?? 1, lo + 1e-12)
        // Colour cells: low loss bright, as on the colour bar.
        let cw = (right - left) / Double(g), ch = (bottom - top) / Double(g)
        for j in 0..<g { for i in 0..<g {
            let c = v[j * (g + 1) + i]
            fig.add(.rect(x: left + Double(i) * cw, y: bottom - Double(j + 1) * ch, width: cw + 0.4, height: ch + 0.4,
                          fill: c.isFinite ? RGB.viridis(1 - (c - lo) / (hi - lo)) : .white, stroke: nil))
        } }
        // Contour levels: 1-2-5 style values inside the range.
        // Contour levels at quantiles of the loss over the (log-spaced) grid, so that they
        // are dense where most of the plane is; rounded to 3 significant digits.
        var levels: [Double] = []
        for q in stride(from: 0.06, through: 0.96, by: 0.1) {
            let l = Double(Format.sig(Bootstrap.percentile(finite, q), 3)) ?? .nan
            if l.isFinite && l > lo && l < hi && !levels.contains(l) { levels.append(l) }
        }
        for level in levels {
            var labelled = false
            for j in 0..<g { for i in 0..<g {
                let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                let vals = corners.map { v[$0.1 * (g + 1) + $0.0] }
                guard vals.allSatisfy(\.isFinite) else { continue }
                var cross: [PixelPoint] = []
                for e in 0..<4 {
                    let a = vals[e], b = vals[(e + 1) % 4]
                    if (a < level) != (b < level) {
                        let t = (level - a) / (b - a)
                        let (ia, ja) = corners[e], (ib, jb) = corners[(e + 1) % 4]
                        let fi = Double(ia) + t * Double(ib - ia), fj = Double(ja) + t * Double(jb - ja)
                        cross.append(PixelPoint(left + fi * cw, bottom - fj * ch))
                    }
                }
                if cross.count >= 2 { fig.add(.polyline([cross[0], cross[1]], color: .white, width: 1.3, dashed: false)) }
                if cross.count == 4 { fig.add(.polyline([cross[2], cross[3]], color: .white, width: 1.3, dashed: false)) }
                if !labelled && cross.count >= 2 && i == g * 2 / 3 {
                    fig.add(.text(PixelPoint(cross[0].x + 4, cross[0].y - 4), Format.sig(level, 3), size: 11, color: .white, anchor: 0, vertical: false))
                    labelled = true
                }
            } }
        }
        for r in runs where ax.contains(r.n) && ay.contains(r.d) {
            fig.add(.circle(PixelPoint(ax.map(r.n), ay.map(r.d)), radius: 3.5, fill: .red, stroke: .white))
        }
        for (t, label) in ax.ticks() where label != nil {
            fig.add(.polyline([PixelPoint(ax.map(t), bottom), PixelPoint(ax.map(t), bottom + 6)], color: .black, width: 1, dashed: false))
            fig.add(.text(PixelPoint(ax.map(t), bottom + 20), label!, size: 12, color: .black, anchor: 0.5, vertical: false))
        }
        for (t, label) in ay.ticks() where label != nil {
            fig.add(.polyline([PixelPoint(left - 6, ay.map(t)), PixelPoint(left, ay.map(t))], color: .black, width: 1, dashed: false))
            fig.add(.text(PixelPoint(left - 9, ay.map(t) + 4), label!, size: 12, color: .black, anchor: 1, vertical: false))
        }
        fig.add(.rect(x: left, y: top, width: right - left, height: bottom - top, fill: nil, stroke: .black))
        fig.add(.text(PixelPoint((left + right) / 2, 28), title, size: 16, color: .black, anchor: 0.5, vertical: false))
        fig.add(.text(PixelPoint((left + right) / 2, height - 18), "parameters N (non-embedding)", size: 13, color: .black, anchor: 0.5, vertical: false))
        fig.add(.text(PixelPoint(22, (top + bottom) / 2), "dataset size D (tokens)", size: 13, color: .black, anchor: 0.5, vertical: true))
        ColorBar.add(to: &fig, x: right + 30, top: top, height: bottom - top - 40, lo: lo, hi: hi, label: "loss (nats/token)", reversed: true)
        if !note.isEmpty {
            fig.add(.text(PixelPoint(left + 8, top + 18), note, size: 12, color: .white, anchor: 0, vertical: false))
        }
        return fig
    }
}
