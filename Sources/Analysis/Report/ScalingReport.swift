import Foundation
import RunFiles
import WorkbenchCore

/// Everything a report found, as written to `fits.json` (all parameters unrounded).
public struct ReportData: Codable, Sendable {
    /// The fits of one modality.
    public struct Modality: Codable, Sendable {
        public var modality: String
        public var runs: Int
        public var lossVersusParams: PowerLawEstimate?
        public var lossVersusData: PowerLawEstimate?
        public var lossVersusCompute: PowerLawEstimate?
        public var optimalSize: OptimalSizeLaw?
        public var optimalSizeExponent: Interval?
        public var crossoverPFDays: Interval?
        public var joint: [JointLaw.Fit]
        public var extrapolation: [String: ExtrapolationCheck]
        public var frontier: [ComputeFrontier.Point]
        public var problems: [String]
        /// Which runs went into which fit, and why the others did not (absent in older reports).
        public var placement: [String]?
        /// Seed-to-seed spread of log-loss, and the joint additive law's L∞ interval.
        public var noise: NoiseLevel? = nil
        public var jointLossInfinity: Interval? = nil
        /// The joint additive law with profile intervals of L∞, α and β (absent in older reports).
        public var jointProfile: JointProfile? = nil
    }
    /// A loss-by-position fit of one run.
    public struct Position: Codable, Sendable {
        public var run: String
        public var modality: String
        public var fit: PowerLawFitter.Fit?
        public var problem: String?
    }
    public var modalities: [Modality] = []
    public var entropy: [EntropyRow] = []
    public var mutualInformation: [MutualInformationRow] = []
    public var positions: [Position] = []
    public var paperComparisons: [PaperComparison] = []
    public var groundTruth: [GroundTruthRow] = []
    public var finetuning: [FinetuneRow] = []
    public var mathAnswers: [MathAnswerRow] = []
    /// The converged-law design per modality (annealed points, cooldown branches, IsoFLOP).
    public var convergedDesign: [ConvergedDesignData] = []
}

/// One of this study's figures beside the paper's.
public struct PaperComparison: Codable, Sendable {
    public var group: String
    public var domain: String
    public var quantity: String
    public var study: Interval?
    public var paper: Double
    /// Whether the paper's value lies inside the study's 95 % interval (nil when not fitted, or
    /// when the interval collapsed to a point because too few resamples could be fitted).
    public var agrees: Bool? {
        guard let s = study, s.lower.isFinite, s.upper.isFinite, s.upper > s.lower else { return nil }
        return s.contains(paper)
    }
}

/// A fitted or estimated figure of a synthetic source beside its exact value.
public struct GroundTruthRow: Codable, Sendable {
    public var group: String
    public var quantity: String
    public var fitted: Interval
    public var truth: Double
    public var relativeError: Double { (fitted.estimate - truth) / truth }
}

/// `workbench report`: every fit, table and plot over a set of run directories, written as
/// `report.md`, `report.html`, `fits.json` and `plots/*.svg|png` in one folder.
///
///     let runs = try RunRecord.loadAll([URL(fileURLWithPath: "runs")])
///     let written = try ScalingReport.write(runs: runs, to: URL(fileURLWithPath: "report"))
public enum ScalingReport {
    public static func write(runs unlabelled: [RunRecord], to dir: URL, options: ScalingStudy.Options = .init(),
                             title: String = "Scaling-law report") throws -> [URL] {
        // Every file is replaced whole (AtomicFile), so a killed report leaves the previous files
        // intact; only the temporary files of a killed writer remain, removed here.
        for folder in [dir, dir.appendingPathComponent("plots")] { AtomicFile.removeStaleTemporaryFiles(in: folder) }
        // Fine-tuning runs measure classification, not the generative loss the fits are about.
        let runs = StudyGroups.label(unlabelled.filter { $0.summary.task == nil })
        let finetuning = unlabelled.filter { $0.summary.task != nil }
        let sink = ReportSink(title: title, plots: dir.appendingPathComponent("plots"))
        let modalities = Array(Set(runs.map(\.summary.modality))).sorted()
        if runs.isEmpty {
            sink.doc.blocks.append(.paragraph("No generative runs, so no scaling fits: \(finetuning.count) fine-tuning run(s) for "
                + "classification, reported under “Fine-tuning for classification” (loss in nats per example, and accuracy)."))
        } else {
        sink.doc.blocks.append(.paragraph("\(runs.count) runs in \(modalities.count) modalities (\(modalities.joined(separator: ", "))). "
            + "Loss in nats per counted token, compute in PF-days (8.64e19 FLOP), N = non-embedding parameters. "
            + "Fits: L∞ + (x₀/x)^α with L∞ in [0, smallest loss) and α in (0, 2], by profiling the objective over L∞ and α "
            + "(Huber at 3σ on standardised log-loss residuals, σ = the seed-to-seed spread pooled with the residuals); "
            + "intervals are 95 % profile intervals with Student-t thresholds, β's from a regression over the frontier's transitions, "
            + "the joint additive law's L∞, α and β from its profile likelihood (least squares) "
            + "(coverage on simulated sweeps: `workbench fit --coverage 200`)."))
        }
        if let kernels = KernelNote.text(unlabelled.map(\.summary)) { sink.doc.blocks.append(.paragraph(kernels)) }
        var entropyRows: [EntropyRow] = [], entropyNotes: [IrreducibleLoss] = []
        var studies: [String: ScalingStudy] = [:]
        for m in modalities {
            let study = try ScalingStudy(runs: runs, modality: m, options: options)
            studies[m] = study
            fitsProse(study, sink)
            try modalityPlots(study, sink)
            if let (row, note) = entropyRow(study) { entropyRows.append(row); entropyNotes.append(note) }
            sink.data.modalities.append(ReportData.Modality(
                modality: m, runs: study.runs.count, lossVersusParams: study.lossVersusParams, lossVersusData: study.lossVersusData,
                lossVersusCompute: study.lossVersusCompute, optimalSize: study.optimalSize, optimalSizeExponent: study.optimalSizeExponent,
                crossoverPFDays: study.crossover, joint: study.joint, extrapolation: study.extrapolation, frontier: study.frontier.points,
                problems: study.problems, placement: study.placement.isEmpty ? nil : study.placement,
                noise: study.noise, jointLossInfinity: study.jointLossInfinity, jointProfile: study.jointProfile))
        }
        entropySection(entropyRows, entropyNotes, sink)
        try ArchitectureSection.write(studies: studies, sink)
        try positionSection(runs, sink)
        try mutualInformationSection(runs, sink)
        try FinetuneSection.write(finetuning, sink)
        try MathAnswerSection.write(runs, sink)
        groundTruthSection(sink)
        try writeFiles(sink, to: dir)
        return sink.written
    }

    /// One modality's fits in words: the laws, N_opt(C) and the crossover, the joint law, the
    /// held-out checks, the paper's values beside ours (real data) or the exact entropy beside
    /// the fitted L∞ (synthetic data), and the fits' caveats.
    static func fitsProse(_ study: ScalingStudy, _ sink: ReportSink) {
        let m = study.modality
        sink.doc.blocks.append(.heading(2, "Modality: \(m)"))
        sink.doc.blocks.append(.paragraph(FitTables.noiseText(study)))
        sink.doc.blocks.append(.table(header: FitTables.lawHeader, rows: FitTables.lawRows(study)))
        ConvergedDesignSection.write(study, sink)
        if let n = study.optimalSize {
            var items = ["N_opt(C) = \(n.formula), β = \(study.optimalSizeExponent?.text() ?? Format.sig(n.exponent)) (paper: ≈ 0.7 in every modality)"]
            if let c = study.crossover { items.append("L(C)/L(D) crossover at C = \(c.text()) PF-days") }
            sink.doc.blocks.append(.list(items))
        }
        if let k = study.kaplanJoint {
            sink.doc.blocks.append(.paragraph("Joint L(N, D), Kaplan's form: L = \(k.law.formula); α_N = \(k.alphaN.text(3)) (its unlimited-data limit "
                + "L(N) = (N_c/N)^α_N), α_D = \(k.alphaD.text(3)) (95 % profile intervals, least squares on log-loss; \(k.configurations) configurations "
                + "from \(k.runs) runs, rms log residual \(Format.sig(k.rmsLogResidual, 2)))"))
        }
        if let j = study.jointProfile { sink.doc.blocks.append(.paragraph(FitTables.jointText(j))) }
        for (name, c) in study.extrapolation.sorted(by: { $0.key < $1.key }) {
            sink.doc.blocks.append(.paragraph(FitTables.heldOutText(name, c)))
        }
        let synthetic = study.runs.first { $0.summary.trueEntropyNatsPerToken != nil }?.summary.trueEntropyNatsPerToken
        let tokensPerItem = study.runs.first { $0.summary.tokensPerItem != nil }?.summary.tokensPerItem
        let datasets = Set(study.runs.map(\.summary.dataset))
        if synthetic == nil, datasets.count == 1,
           let paper = PaperReference.match(modality: m, dataset: datasets.first!, tokensPerItem: tokensPerItem) {
            let rows = paperRows(study, paper, tokensPerItem: tokensPerItem)
            sink.data.paperComparisons.append(contentsOf: rows.map(\.1))
            let form = (paper.reference.form == .pure ? "pure power laws (L∞ = 0), compared with this study's pure-form fits"
                                                      : "L∞ + power law, compared with this study's fits of the same form")
                + "; rows that name their points or another form are the converged design's"
            sink.doc.blocks.append(.paragraph("Against the paper (\(paper.reference.name), \(paper.reference.source); \(form)"
                + (paper.note.map { "; data: \($0)" } ?? "") + "). \"agrees\" means the paper's value lies inside this study's 95 % interval:"))
            sink.doc.blocks.append(.table(header: ["quantity", "this study", "paper", "agrees"], rows: rows.map(\.0)))
        }
        if let truth = synthetic, let l = study.lossVersusParams?.lossInfinity {
            sink.data.groundTruth.append(GroundTruthRow(group: m, quantity: "L∞ of L(N) (nats/token)", fitted: l, truth: truth))
        }
        if let truth = synthetic, let k = study.lossVersusParamsSeries.x.indices.last {
            // How far the largest model of L(N) stayed above the floor: a fit that finds L∞ must extrapolate this far.
            let s = study.lossVersusParamsSeries
            sink.data.groundTruth.append(GroundTruthRow(group: m, quantity: "loss of the largest model (\(s.runs[k])) above the floor",
                                                        fitted: Interval(estimate: s.lossNats[k], lower: .nan, upper: .nan), truth: truth))
        }
        if let truth = synthetic, let j = study.jointLossInfinity, j.lower.isFinite, j.upper.isFinite {
            // The joint law's L∞ is the limit in both N and D (the irreducible-loss table's estimate, inside the hull it shows).
            sink.data.groundTruth.append(GroundTruthRow(group: m, quantity: "L∞ of the joint law L(N, D) (nats/token)", fitted: j, truth: truth))
        }
        sink.data.groundTruth.append(contentsOf: predictedExponentRows(study))
        if !study.placement.isEmpty { sink.doc.blocks.append(.list(study.placement.map { "Runs: \($0)" })) }
        if !study.problems.isEmpty { sink.doc.blocks.append(.list(study.problems.map { "Caveat: \($0)" })) }
    }

    /// File names without spaces or brackets, so that Markdown links to the plots work:
    /// "image (fashion-mnist-8)" → "image-fashion-mnist-8".
    static func plotStem(_ modality: String) -> String {
        modality.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? String($0) : "-" }.joined()
            .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
    }

    /// One modality's plots: L(N), L(D), the learning curves with the frontier and L(C), N_opt(C)
    /// and the joint law's contours, each with the papers' figure it corresponds to.
    static func modalityPlots(_ study: ScalingStudy, _ sink: ReportSink) throws {
        let m = study.modality, safe = plotStem(m)
        func save(_ f: Figure, _ n: String, _ a: String, paper: String? = nil) throws { try sink.save(f, n, a, paper: paper) }
        try save(ReportPlots.law(series: study.lossVersusParamsSeries, estimate: study.lossVersusParams, xLabel: "parameters N (non-embedding)",
                                 check: study.extrapolation[study.lossVersusParamsSeries.name]).figure(), "\(safe)-loss-vs-params", "L(N), \(m)", paper: "Henighan et al. 2020 Fig. 3 (Fig. 7 for image resolutions); Kaplan et al. 2020 Fig. 1 (right)")
        if !study.lossVersusDataSeries.x.isEmpty {
            try save(ReportPlots.law(series: study.lossVersusDataSeries, estimate: study.lossVersusData, xLabel: "dataset size D (tokens)",
                                     check: study.extrapolation[study.lossVersusDataSeries.name]).figure(), "\(safe)-loss-vs-data", "L(D), \(m)", paper: "Kaplan et al. 2020 Fig. 1 (centre) and Fig. 9; Henighan et al. 2020 App. B.2 (math)")
        }
        if !study.frontier.points.isEmpty {
            try save(ReportPlots.frontier(study).figure(), "\(safe)-frontier", "learning curves, frontier and L(C), \(m)", paper: "Henighan et al. 2020 Fig. 5 (Fig. 1 shows the reducible part L − L∞)")
            try save(ReportPlots.optimalSize(study).figure(), "\(safe)-optimal-size", "N_opt(C), \(m)", paper: "Henighan et al. 2020 Fig. 2 and Fig. 16")
        }
        if let j = study.joint.first(where: { $0.law.form == .additive }) ?? study.joint.first {
            try save(ReportPlots.joint(j, runs: study.runs, modality: m).figure(), "\(safe)-joint", "L(N, D) contours (indifference curves), \(m)", paper: "Kaplan et al. 2020 Fig. 9 and eq. (1.5); the L(C)/L(D) crossover is Henighan et al. 2020 §6, Kaplan et al. 2020 §6.3")
        }
    }

    /// L∞ as L(N), L(C) and the joint law together give it (`IrreducibleLoss.combine`), in the units the
    /// entropy table compares, with where it came from.
    static func entropyRow(_ study: ScalingStudy) -> (EntropyRow, IrreducibleLoss)? {
        guard let l = IrreducibleLoss.combine(lossVersusParams: study.lossVersusParams, lossVersusCompute: study.lossVersusCompute,
                                              joint: study.jointLossInfinity) else { return nil }
        let withItem = study.runs.first { $0.summary.tokensPerItem != nil }?.summary
        let datasets = Set(study.runs.map(\.summary.dataset))
        let caveat = datasets.count == 1 ? EntropyRow.perTokenCaveat(dataset: datasets.first!) : nil
        return (EntropyRow(modality: study.modality, lossInfinity: l.interval, tokensPerItem: withItem?.tokensPerItem, itemName: withItem?.itemName,
                           perTokenCaveat: caveat), l)
    }

    static func entropySection(_ entropyRows: [EntropyRow], _ entropyNotes: [IrreducibleLoss], _ sink: ReportSink) {
        sink.data.entropy = entropyRows
        if !entropyRows.isEmpty {
        sink.doc.blocks.append(.heading(2, "Irreducible loss by modality"))
        sink.doc.blocks.append(.paragraph("L∞ per modality, in the units of Henighan et al. 2020 Table 1 (nats per token) and Table 3 (per image). "
            + "Each fit assumes a form that can be wrong about the sweep at hand (L(N) and L(C) keep the other resource where the sweep put it; "
            + "the additive joint law L∞ + A/N^α + B/D^β misses any interaction of the two terms), and its interval covers noise, not its form. "
            + "So the interval shown is the hull of the fits' 95 % intervals, which holds the truth whenever one of them does, never their intersection. "
            + "A value (the joint law's estimate) only where every fit bounds L∞ away from 0 and the smallest loss and the intervals overlap; "
            + "bounds elsewhere; where the intervals do not overlap, the fits disagree, and the table says so."))
        sink.doc.blocks.append(.table(header: ["modality", "L∞ nats/token", "bits/token", "per item (nats)", "per item (bits)", "from"], rows: zip(entropyRows, entropyNotes).map { r, n in
            func cell(_ i: Interval) -> String { n.note != nil ? "–" : n.determined ? i.text(4) : "bounds [\(Format.sig(i.lower, 4)), \(Format.sig(i.upper, 4))]" }
            if let c = r.perTokenCaveat, n.note == nil {
                return [r.modality, "– (\(c))", "–", r.perItemNats.map { "\(cell($0)) per \(r.itemName ?? "item")" } ?? "–",
                        r.perItemBits.map(cell) ?? "–", n.sources.joined(separator: ", ")]
            }
            return [r.modality, n.note.map { "not determined: \($0)" } ?? cell(r.lossInfinity), cell(r.bitsPerToken),
                    r.perItemNats.map { "\(cell($0)) per \(r.itemName ?? "item")" } ?? "–", r.perItemBits.map(cell) ?? "–", n.sources.joined(separator: ", ")]
        }))
        }
    }

    /// The report's files: `report.md`, `report.html` and `fits.json` (non-finite numbers as
    /// strings), each replaced whole.
    static func writeFiles(_ sink: ReportSink, to dir: URL) throws {
        let files = [("report.md", Data(sink.doc.markdown().utf8)), ("report.html", Data(sink.doc.html().utf8)),
                     ("fits.json", try JSONFile.encode(sink.data, nonFinite: true))]
        for (name, bytes) in files {
            try AtomicFile.write(bytes, to: dir.appendingPathComponent(name))
            sink.written.append(dir.appendingPathComponent(name))
        }
    }

    /// This study's exponents and L∞ beside the paper's, in the paper's functional form and in
    /// the units the token layouts allow, with whether each paper value falls in our interval.
    static func paperRows(_ s: ScalingStudy, _ match: PaperReference.Match, tokensPerItem: Double?) -> [([String], PaperComparison)] {
        let p = match.reference
        var out: [([String], PaperComparison)] = []
        func add(_ q: String, _ ours: Interval?, _ theirs: Double?) {
            guard let theirs else { return }
            let c = PaperComparison(group: s.modality, domain: p.name, quantity: q, study: ours, paper: theirs)
            out.append(([q, ours?.text(3) ?? "not fitted", Format.sig(theirs, 3), c.agrees.map { $0 ? "yes" : "no" } ?? (ours == nil ? "–" : "no interval")], c))
        }
        if p.form == .pure {
            add("α_N, pure form (L(N) = (N_c/N)^α), lowest loss per size", s.pureExponents["L(N)"], p.alphaN)
            add("α_D, pure form", s.pureExponents["L(D)"], p.alphaD)
            add("α_C, pure form", s.pureExponents["L(C)"], p.alphaC)
        } else {
            add("α_N (L(N) = L∞ + (N₀/N)^α)", s.lossVersusParams?.exponent, p.alphaN)
            add("α_D (L∞ form)", s.lossVersusData?.exponent, p.alphaD)
            add("α_C (L∞ form)", s.lossVersusCompute?.exponent, p.alphaC)
        }
        add("β (N_opt ∝ C^β)", s.optimalSizeExponent, p.beta)
        // The converged design (issue 31): the laws the papers fit, from annealed points (rows only
        // where the sweeps had such points or an IsoFLOP grid).
        if !s.annealedPoints.isEmpty {
            if p.form == .pure {
                add("α_N, pure form, converged points", s.pureExponents["L(N), converged"], p.alphaN)
                add("α_N, Kaplan's joint L(N, D) as D → ∞ (annealed points)", s.kaplanJoint?.alphaN, p.alphaN)
            } else {
                add("α_N (L∞ form), converged points", s.lossVersusParamsConverged?.exponent, p.alphaN)
            }
            add("α_N, additive joint L∞ + A/N^α + B/D^β (annealed points)", s.jointProfile?.alpha, p.alphaN)
        }
        if let iso = s.isoFLOP { add("β, IsoFLOP profiles (N_opt ∝ C^β, annealed runs)", iso.optimalSizeExponent, p.beta) }
        if let l = s.lossVersusParams?.lossInfinity, let theirs = p.lossInfinity {
            if match.perTokenComparable { add("L∞ of L(N) (nats/token)", l, theirs) }
            if match.perImageComparable, let ours = tokensPerItem, let paperTokens = p.tokensPerImage {
                add("L∞ of L(N) (nats/image)", Interval(estimate: l.estimate * ours, lower: l.lower * ours, upper: l.upper * ours), theirs * paperTokens)
            }
        }
        return out
    }

    /// Fitted irreducible losses and estimated mutual information of synthetic sources next to
    /// their exact values.
    static func groundTruthSection(_ sink: ReportSink) {
        guard !sink.data.groundTruth.isEmpty else { return }
        sink.doc.blocks.append(.heading(2, "Ground truth: synthetic sources with known entropy and mutual information"))
        sink.doc.blocks.append(.paragraph("The synthetic datasets' exact entropy rate (nats per counted token) and image–caption mutual information "
            + "(nats per pair) are known from their generators, and for `zipf-memory` the exponent of L(D) is predicted by theory; a fit that recovers them checks the whole pipeline."))
        sink.doc.blocks.append(.table(header: ["group", "quantity", "fitted / estimated", "true", "relative error"], rows: sink.data.groundTruth.map { r in
            [r.group, r.quantity, r.fitted.text(4), Format.sig(r.truth, 4), r.truth == 0 ? "– (true value 0)" : "\(Format.sig(100 * r.relativeError, 2)) %"]
        }))
    }

    static func positionSection(_ runs: [RunRecord], _ sink: ReportSink) throws {
        func save(_ f: Figure, _ n: String, _ a: String, paper: String? = nil) throws { try sink.save(f, n, a, paper: paper) }
        func positionsFile(_ r: RunRecord) -> URL? {
            ["eval_positions.json", "eval_test.json"].map { r.url.appendingPathComponent($0) }
                .first { FileManager.default.fileExists(atPath: $0.path) }
        }
        let found = runs.filter { positionsFile($0) != nil }
        guard !found.isEmpty else { return }
        sink.doc.blocks.append(.heading(2, "Loss by position in the context"))
        for r in found {
            let p = try PositionLoss.load(positionsFile(r)!, modality: r.summary.modality)
            if let maps = p.pixelMaps(), let side = p.imageSide {
                let names = ["mean of channels", "red", "green", "blue"]
                let panels = maps.enumerated().map { HeatMapPlot.Panel(title: $0.offset < names.count ? names[$0.offset] : "channel \($0.offset)", rows: side, columns: side, values: $0.element) }
                try save(HeatMapPlot(title: "Mean loss per pixel, \(r.name)", colorLabel: "nats/token", panels: panels).figure(), "\(r.name)-pixel-loss", "loss per pixel, \(r.name)", paper: "Henighan et al. 2020 Fig. 6 (left)")
                sink.data.positions.append(.init(run: r.name, modality: p.modality, fit: nil, problem: nil))
            } else {
                do {
                    let f = try p.powerLawFit()
                    try save(ReportPlots.position(p, fit: f, run: r.name).figure(), "\(r.name)-position-loss", "loss by position, \(r.name)", paper: "Henighan et al. 2020 §2.4")
                    sink.doc.blocks.append(.paragraph("\(r.name): L(pos) = \(f.law.formula(variable: "pos", digits: 4))"
                        + (f.law.form == .pure ? " (pure power law: the positions show no significant curvature, so L∞ is not determined)" : "")
                        + ", rms log residual \(Format.sig(f.rmsLogResidual, 2))"))
                    sink.data.positions.append(.init(run: r.name, modality: p.modality, fit: f, problem: nil))
                } catch {
                    sink.doc.blocks.append(.paragraph("\(r.name): \(error)"))
                    sink.data.positions.append(.init(run: r.name, modality: p.modality, fit: nil, problem: "\(error)"))
                }
            }
        }
    }
}

/// The report being assembled: document, data and files written. A class, so that saving a
/// plot (which appends to the document) never overlaps another access to the same storage.
final class ReportSink {
    var doc: ReportDocument
    var data = ReportData()
    var written: [URL] = []
    let plots: URL

    init(title: String, plots: URL) {
        doc = ReportDocument(title: title)
        self.plots = plots
    }

    /// Writes a plot and places it in the document; `paper` names the papers' figure it corresponds to.
    func save(_ fig: Figure, _ name: String, _ alt: String, paper: String? = nil) throws {
        try fig.write(to: plots.appendingPathComponent(name))
        written += [plots.appendingPathComponent(name + ".svg"), plots.appendingPathComponent(name + ".png")]
        doc.blocks.append(.figure("plots/\(name)", alt))
        if let paper { doc.blocks.append(.paragraph("In the papers: \(paper).")) }
    }
}
