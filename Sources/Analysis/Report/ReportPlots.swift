import Foundation

/// The plots of a scaling report, built from fitted studies.
///
///     let plot = ReportPlots.law(series: study.lossVersusParamsSeries, estimate: study.lossVersusParams,
///                                xLabel: "parameters N (non-embedding)", check: nil)
public enum ReportPlots {
    static func logSpace(_ lo: Double, _ hi: Double, _ n: Int = 120) -> [Double] {
        let a = Foundation.log(lo), b = Foundation.log(hi)
        return (0..<n).map { Foundation.exp(a + (b - a) * Double($0) / Double(n - 1)) }
    }

    static func sizeColor(_ n: Double, among sizes: [Double]) -> RGB {
        let lo = Foundation.log(sizes.min() ?? n), hi = Foundation.log(sizes.max() ?? n)
        return RGB.viridis(hi > lo ? 0.9 * (Foundation.log(n) - lo) / (hi - lo) : 0.5)
    }

    /// Notes describing a fitted law with its intervals.
    static func lawNotes(_ e: PowerLawEstimate, variable: String, name: String) -> [String] {
        var notes = ["\(name) = \(e.fit.law.formula(variable: variable))"]
        notes.append("α = \(e.exponent.text())")
        if let p = e.profile { notes.append("L∞ = \(p.lossInfinityText) nats") }
        else if let l = e.lossInfinity { notes.append("L∞ = \(l.text()) nats") }
        notes.append(e.profile != nil ? "95 % profile intervals; band: the laws inside the profile region"
                                      : "95 % intervals over \(e.resampledOver), \(e.resamples) resamples")
        return notes
    }

    /// Points, fitted law, confidence band and formula for L(N) or L(D).
    public static func law(series s: ScalingSeries, estimate: PowerLawEstimate?, xLabel: String, check: ExtrapolationCheck?) -> LinePlot {
        var p = LinePlot(title: s.name, xLabel: xLabel, yLabel: "test loss (nats/token)")
        let colored = s.variable == "N"
        for i in 0..<s.x.count {
            p.series.append(PlotSeries(label: "\(s.variable) = \(Format.size(s.x[i]))",
                                       color: colored ? sizeColor(s.x[i], among: s.x) : .blue,
                                       points: [(s.x[i], s.lossNats[i])], inLegend: colored || i == 0))
        }
        if !colored, !p.series.isEmpty { p.series[0].label = "early-stopped runs" }
        if let e = estimate, let lo = s.x.min(), let hi = s.x.max() {
            let xs = logSpace(lo / 2, hi * 3)
            let band = e.band(at: xs)
            if !e.samples.isEmpty { p.bands.append(PlotBand(color: .gray, x: xs, lower: band.map(\.lower), upper: band.map(\.upper))) }
            p.series.append(PlotSeries(label: "fit", color: .black, line: xs.map { ($0, e.fit.law($0)) }, lineWidth: 2))
            p.notes = lawNotes(e, variable: s.variable, name: "L(\(s.variable))")
        }
        if let c = check {
            p.notes.append("held out: fit on \(c.fittedOn) smaller, error on largest \(Format.sig(100 * c.maxAbsRelativeError, 2)) %")
            p.series.append(PlotSeries(label: "held-out prediction", color: .red, points: c.heldOut.map { ($0.x, $0.predicted) }, pointRadius: 2.5))
        }
        return p
    }

    /// Learning curves against compute (one colour per model size), the frontier and L(C).
    public static func frontier(_ study: ScalingStudy) -> LinePlot {
        var p = LinePlot(title: "Compute frontier, \(study.modality)", xLabel: "compute C (PF-days)", yLabel: "test loss (nats/token)")
        let sweep = study.runs.filter { !ScalingSeries.isDataLimited($0.summary) }.sorted { $0.summary.params < $1.summary.params }
        let sizes = sweep.map(\.summary.params)
        for r in sweep {
            p.series.append(PlotSeries(label: "N = \(Format.size(r.summary.params))", color: sizeColor(r.summary.params, among: sizes),
                                       line: r.curve.map { ($0.computePFDays, $0.testLossNats) }, lineWidth: 1.4))
        }
        let interior = study.frontier.interior
        p.series.append(PlotSeries(label: "frontier (interior)", color: .black, points: interior.map { ($0.computePFDays, $0.lossNats) }, pointRadius: 2))
        if let e = study.lossVersusCompute, let lo = interior.first?.computePFDays, let hi = study.frontier.points.last?.computePFDays {
            let xs = logSpace(lo / 3, hi * 10)
            if !e.samples.isEmpty {
                let band = e.band(at: xs)
                p.bands.append(PlotBand(color: .red, x: xs, lower: band.map(\.lower), upper: band.map(\.upper)))
            }
            p.series.append(PlotSeries(label: "L(C) fit", color: .red, line: xs.map { ($0, e.fit.law($0)) }, dashed: true, lineWidth: 2))
            p.notes = lawNotes(e, variable: "C", name: "L(C)")
        }
        return p
    }

    /// Model size on the frontier against compute, with N_opt = (C/C₀)^β.
    public static func optimalSize(_ study: ScalingStudy) -> LinePlot {
        var p = LinePlot(title: "Compute-optimal model size, \(study.modality)", xLabel: "compute C (PF-days)", yLabel: "parameters N (non-embedding)")
        p.series.append(PlotSeries(label: "size on frontier", color: .gray, points: study.frontier.interior.map { ($0.computePFDays, $0.params) }, pointRadius: 1.8))
        p.series.append(PlotSeries(label: "size transitions", color: .blue, points: study.frontier.transitions.map { ($0.computePFDays, $0.params) }))
        if let n = study.optimalSize, let lo = study.frontier.interior.first?.computePFDays, let hi = study.frontier.interior.last?.computePFDays {
            let xs = logSpace(lo / 3, hi * 3)
            p.series.append(PlotSeries(label: "N_opt fit", color: .black, line: xs.map { ($0, n.params(atPFDays: $0)) }, lineWidth: 2))
            p.notes.append("N_opt = \(n.formula)")
            if let b = study.optimalSizeExponent { p.notes.append("β = \(b.text()) (paper: ≈ 0.7)") }
            p.notes.append("compute-optimal data per model size:")
            for size in Array(Set(study.frontier.interior.map(\.params))).sorted().prefix(6) {
                p.notes.append("N = \(Format.size(size)): E = \(Format.size(n.tokens(forParams: size))) tokens")
            }
        }
        return p
    }

    /// Contour plot of a joint law over (N, D) with the runs.
    public static func joint(_ fit: JointLaw.Fit, runs: [RunRecord], modality: String) -> ContourPlot {
        let n = runs.map(\.summary.params), d = runs.compactMap(\.summary.datasetTokens).filter { $0 < 1e15 }
        let nr = ((n.min() ?? 1e4) / 3, (n.max() ?? 1e9) * 3), dr = ((d.min() ?? 1e6) / 3, (d.max() ?? 1e10) * 3)
        let law = fit.law
        var c = ContourPlot(title: "L(N, D) \(law.form.rawValue) form, \(modality)", nRange: nr, dRange: dr) { law(params: $0, dataTokens: $1) }
        c.runs = runs.compactMap { r in r.summary.datasetTokens.map { (r.summary.params, $0) } }
        c.note = "L = \(law.formula)"
        return c
    }

    /// Loss against position in the context, with its power-law fit.
    public static func position(_ p: PositionLoss, fit: PowerLawFitter.Fit?, run: String) -> LinePlot {
        var plot = LinePlot(title: "Loss by position, \(run)", xLabel: "position in context (tokens)", yLabel: "test loss (nats/token)")
        let xs = (1...p.lossByPosition.count).map(Double.init)
        plot.series.append(PlotSeries(label: "mean loss", color: .blue, points: zip(xs, p.lossByPosition).map { ($0, $1) }, pointRadius: 1.5))
        if let f = fit {
            plot.series.append(PlotSeries(label: "fit", color: .black, line: xs.map { ($0, f.law($0)) }, lineWidth: 2))
            plot.notes = ["L(pos) = \(f.law.formula(variable: "pos"))", "rms log residual \(Format.sig(f.rmsLogResidual, 2))"]
        }
        return plot
    }
}
