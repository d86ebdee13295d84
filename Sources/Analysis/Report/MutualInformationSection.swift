import Foundation
import RunFiles
import WorkbenchCore

/// Mutual information measured on one run in one direction: I with its paired standard error
/// over the test pairs, infogain I / L(text), and what the dataset's manifest knows exactly.
public struct MutualInformationRow: Codable, Sendable {
    public var run: String
    public var params: Double
    /// "image" (caption → image: from the image's loss) or "text" (image → caption: from the caption's loss).
    public var predicted: String
    public var mutualInformationNats: Double?
    public var infogain: Double?
    /// Dataset the run trained on (rows of several datasets are shown apart).
    public var dataset: String? = nil
    /// Paired standard error of I over the test pairs (nil for files written before it existed).
    public var standardErrorNats: Double? = nil
    public var pairs: Int? = nil
    /// Standard error of the infogain, SE(I) / L(text) (L(text) taken as known).
    public var infogainStandardError: Double? = nil
    /// Exact I and H(caption) when the manifest gives them.
    public var trueMutualInformationNats: Double? = nil
    public var captionEntropyNats: Double? = nil
    /// Image → caption rows where H(caption) is known: H(caption) − L(caption | image), a lower
    /// bound on I that no model error can push above the truth (Barber & Agakov 2003: the
    /// conditioned loss is at least H(caption | image)); with I ≤ H(caption) it brackets I.
    public var knownEntropyLowerBoundNats: Double? = nil
    /// Problems found: the two directions apart by more than 2 SE, I below 0 or above H(caption), I more than 2 SE from the exact value.
    public var flags: [String] = []

    public init(run: String, params: Double, predicted: String, mutualInformationNats: Double?, infogain: Double?,
                dataset: String? = nil, standardErrorNats: Double? = nil, pairs: Int? = nil, infogainStandardError: Double? = nil,
                trueMutualInformationNats: Double? = nil, captionEntropyNats: Double? = nil) {
        self.run = run; self.params = params; self.predicted = predicted; self.mutualInformationNats = mutualInformationNats
        self.infogain = infogain; self.dataset = dataset; self.standardErrorNats = standardErrorNats; self.pairs = pairs
        self.infogainStandardError = infogainStandardError; self.trueMutualInformationNats = trueMutualInformationNats
        self.captionEntropyNats = captionEntropyNats
    }
}

extension ScalingReport {
    /// The report's "Image–caption mutual information" section: both directions per run (I from
    /// the image's loss with and without the caption, and from the caption's loss with and
    /// without the image), each with its paired standard error; flags when the two directions
    /// differ by more than 2 standard errors of their difference, when I exceeds H(caption), and
    /// when it lies more than 2 standard errors from the exact I; I and infogain against N with
    /// 95 % intervals (±1.96 SE), one pair of plots per dataset.
    static func mutualInformationSection(_ runs: [RunRecord], _ sink: ReportSink) throws {
        var evals: [(RunRecord, PairedEvaluation)] = []
        for r in runs {
            for file in [PairedEvaluation.imageFileName, PairedEvaluation.textFileName] {
                let u = r.url.appendingPathComponent(file)
                if FileManager.default.fileExists(atPath: u.path) { evals.append((r, try PairedEvaluation.load(u))) }
            }
        }
        guard !evals.isEmpty else { return }
        // A caption→image file without L(text) takes it from the same run's image→caption file.
        let captionLoss = Dictionary(evals.compactMap { e in e.1.predicted == "text" ? (e.0.name, e.1.captionLossNats!) : nil }, uniquingKeysWith: { a, _ in a })
        let rows: [MutualInformationRow]
        var unflagged: [MutualInformationRow] = evals.map { r, e in
            let lt = e.captionLossNats ?? captionLoss[r.name]
            let i = e.mutualInformationNats, se = e.mutualInformationStandardErrorNats
            var row = MutualInformationRow(run: r.name, params: r.summary.params, predicted: e.predicted, mutualInformationNats: i,
                                           infogain: lt.map { i / $0 }, dataset: r.summary.dataset, standardErrorNats: se, pairs: e.pairs,
                                           infogainStandardError: se.flatMap { s in lt.map { s / $0 } },
                                           trueMutualInformationNats: r.summary.trueMutualInformationNats, captionEntropyNats: r.summary.captionEntropyNats)
            if e.predicted == "text", let h = r.summary.captionEntropyNats {
                row.knownEntropyLowerBoundNats = max(0, h - e.lossConditionedNatsPerToken * e.tokensPerItem)
            }
            return row
        }
        rows = MutualInformationRow.flagged(unflagged)
        sink.data.mutualInformation = rows
        sink.doc.blocks.append(.heading(2, "Image–caption mutual information"))
        sink.doc.blocks.append(.paragraph("I = summed loss of the predicted part with the other part blanked − with it given, averaged over the same test pairs, in nats per pair: from the image's loss (caption → image) and from the caption's loss (image → caption); ± is the paired standard error over the pairs. Infogain = I / L(text), L(text) the caption's loss with the image blanked. Flags: the two directions differ by more than 2 standard errors of their difference; I below 0 or above H(caption), which no estimate without bias can be; I more than 2 standard errors from the exact value. The ± covers the test pairs' sampling only, not the models' own error: I − exact = KL(blank path) − KL(conditioned path), which shrinks only as both paths converge. Where H(caption) is known, the image → caption rows also give bounds that no model error can break: H(caption) − L(caption | image) ≤ I ≤ H(caption) (the conditioned loss is at least H(caption | image); Barber & Agakov 2003)."))
        let datasets = Array(Set(rows.map { $0.dataset ?? "unknown" })).sorted()
        for d in datasets {
            let sub = rows.filter { ($0.dataset ?? "unknown") == d }.sorted { ($0.params, $0.run, $0.predicted) < ($1.params, $1.run, $1.predicted) }
            if datasets.count > 1 { sink.doc.blocks.append(.heading(3, "Dataset \(d)")) }
            if let t = sub.compactMap(\.trueMutualInformationNats).first {
                let h = sub.compactMap(\.captionEntropyNats).first
                sink.doc.blocks.append(.paragraph("Exact I = \(Format.sig(t, 4)) nats per pair" + (h.map { ", H(caption) = \(Format.sig($0, 4)), exact infogain I / H(caption) = \(Format.sig(t / $0, 3))" } ?? "") + "."))
            } else if let h = sub.compactMap(\.captionEntropyNats).first {
                sink.doc.blocks.append(.paragraph("H(caption) = \(Format.sig(h, 4)) nats per caption."))
            }
            sink.doc.blocks.append(.table(header: ["run", "N", "direction", "I (nats/pair)", "± SE", "test pairs", "infogain", "bounds from H(caption)", "flags"], rows: sub.map { r in
                [r.run, Format.sig(r.params, 3), r.predicted == "image" ? "caption → image" : "image → caption",
                 r.mutualInformationNats.map { Format.sig($0, 4) } ?? "–", r.standardErrorNats.map { Format.sig($0, 2) } ?? "–",
                 r.pairs.map(String.init) ?? "–",
                 r.infogain.map { Format.sig($0, 3) + (r.infogainStandardError.map { " ± " + Format.sig($0, 2) } ?? "") } ?? "–",
                 r.knownEntropyLowerBoundNats.flatMap { lo in r.captionEntropyNats.map { "[\(Format.sig(lo, 4)), \(Format.sig($0, 4))]" } } ?? "–",
                 r.flags.isEmpty ? "" : r.flags.joined(separator: "; ")]
            }))
            // The largest model of each direction against the exact value.
            for predicted in ["image", "text"] {
                guard let r = sub.filter({ $0.predicted == predicted }).max(by: { $0.params < $1.params }),
                      let truth = r.trueMutualInformationNats, let mi = r.mutualInformationNats else { continue }
                let half = 1.96 * (r.standardErrorNats ?? .nan)
                sink.data.groundTruth.append(GroundTruthRow(group: d, quantity: "I(image; caption), nats/pair, \(predicted) predicted, N = \(Format.sig(r.params, 3))",
                                                            fitted: Interval(estimate: mi, lower: mi - half, upper: mi + half), truth: truth))
            }
            let suffix = datasets.count > 1 ? "-" + d.split(separator: "/").last.map(String.init)! : ""
            try sink.save(mutualInformationPlot(sub, infogain: false).figure(), "mutual-information" + suffix, "mutual information against model size, \(d)", paper: "Henighan et al. 2020 §4, eq. (4.1)")
            try sink.save(mutualInformationPlot(sub, infogain: true).figure(), "infogain" + suffix, "infogain against model size, \(d)", paper: "Henighan et al. 2020 §4, eq. (1.3)")
        }
    }

    /// I (or infogain) against N, one series per direction with its 95 % band; the exact value
    /// and H(caption) as dashed lines when known.
    static func mutualInformationPlot(_ rows: [MutualInformationRow], infogain: Bool) -> LinePlot {
        var p = LinePlot(title: infogain ? "Infogain I / L(text)" : "Image–caption mutual information",
                         xLabel: "parameters N (non-embedding)", yLabel: infogain ? "infogain (fraction of caption entropy)" : "mutual information (nats per pair)",
                         logY: false)
        for (k, dir) in ["image", "text"].enumerated() {
            let r = rows.filter { $0.predicted == dir }.sorted { $0.params < $1.params }
            let pts = r.compactMap { row -> (x: Double, y: Double, se: Double?)? in
                let v = infogain ? row.infogain : row.mutualInformationNats
                return v.map { (row.params, $0, infogain ? row.infogainStandardError : row.standardErrorNats) }
            }
            guard !pts.isEmpty else { continue }
            let color: RGB = k == 0 ? .blue : .red
            p.series.append(PlotSeries(label: dir == "image" ? "from the image's loss (caption → image)" : "from the caption's loss (image → caption)",
                                       color: color, points: pts.map { ($0.x, $0.y) }, line: pts.map { ($0.x, $0.y) }))
            let banded = pts.filter { $0.se != nil }
            if banded.count == pts.count {
                p.bands.append(PlotBand(color: color, x: pts.map(\.x), lower: pts.map { $0.y - 1.96 * $0.se! }, upper: pts.map { $0.y + 1.96 * $0.se! }))
            }
        }
        let xs = rows.map(\.params)
        if let lo = xs.min(), let hi = xs.max() {
            if let t = rows.compactMap(\.trueMutualInformationNats).first {
                let h = rows.compactMap(\.captionEntropyNats).first
                let y = infogain ? h.map { t / $0 } : t
                if let y { p.series.append(PlotSeries(label: infogain ? "exact I / H(caption)" : "exact I", color: .black, line: [(lo, y), (hi, y)], dashed: true)) }
            }
            if !infogain, let h = rows.compactMap(\.captionEntropyNats).first, rows.contains(where: { ($0.mutualInformationNats ?? 0) > 0.5 * h }) {
                p.series.append(PlotSeries(label: "H(caption)", color: .gray, line: [(lo, h), (hi, h)], dashed: true))
            }
        }
        p.notes.append("bands: 95 % intervals (±1.96 paired standard errors over the test pairs)")
        return p
    }
}

extension MutualInformationRow {
    /// The rows with their flags set: the two directions of one run more than 2 standard errors
    /// of their difference apart (√(SE₁² + SE₂²), as if independent), I below 0 (on test pairs
    /// unlike any in training, a model can read the other part worse than nothing), I above
    /// H(caption), I more than 2 standard errors from the exact value.
    public static func flagged(_ input: [MutualInformationRow]) -> [MutualInformationRow] {
        var rows = input
        for k in rows.indices {
            guard let i = rows[k].mutualInformationNats else { continue }
            let se = rows[k].standardErrorNats
            if let other = rows.first(where: { $0.run == rows[k].run && $0.predicted != rows[k].predicted }), let j = other.mutualInformationNats,
               let s1 = se, let s2 = other.standardErrorNats {
                let sd = (s1 * s1 + s2 * s2).squareRoot()
                if abs(i - j) > 2 * sd { rows[k].flags.append("directions differ by \(Format.sig(abs(i - j) / sd, 2)) SE") }
            }
            if i < 0 {
                // I ≥ 0 always: the model predicts the part worse with the other part given than blanked.
                rows[k].flags.append("below 0" + (se.map { i + 2 * $0 < 0 ? " by more than 2 SE" : " (within 2 SE)" } ?? "")
                                     + ": the conditioned path generalizes worse than the blank path")
            }
            if let h = rows[k].captionEntropyNats, i > h {
                rows[k].flags.append("above H(caption) = \(Format.sig(h, 4))" + (se.map { i - 2 * $0 > h ? " by more than 2 SE" : " (within 2 SE)" } ?? ""))
            }
            if let t = rows[k].trueMutualInformationNats, let s = se, abs(i - t) > 2 * s {
                rows[k].flags.append("\(Format.sig(abs(i - t) / s, 2)) SE \(i > t ? "above" : "below") the exact \(Format.sig(t, 4))")
            }
        }
        return rows
    }
}
