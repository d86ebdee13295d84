import Foundation

/// What a report writes to `fits.json` about one modality's converged-law design: the laws
/// fitted on annealed points, the IsoFLOP profiles, and which points were left out and why.
public struct ConvergedDesignData: Codable, Sendable {
    public var modality: String
    public var computeMeasure: String
    public var lossVersusParamsConverged: PowerLawEstimate?
    public var convergedSizes: Int
    public var leftOut: [String]
    public var lossVersusDataBranches: PowerLawEstimate?
    public var jointPoints: Int
    /// α and β of the joint additive law (its unlimited-data and unlimited-size limits).
    public var jointAlphaN: Double?
    public var jointBetaD: Double?
    /// α_N and α_D of Kaplan's joint law on the same points, with 95 % profile intervals.
    public var kaplanAlphaN: Interval?
    public var kaplanAlphaD: Interval?
    public var isoFLOPOptimalSizeExponent: Interval?
    public var isoFLOPOptimalLossExponent: Interval?
    public var isoFLOPBudgets: [IsoFLOPBudget]
    public var isoFLOPProblems: [String]

    /// One budget's parabola minimum.
    public struct IsoFLOPBudget: Codable, Sendable {
        public var budgetFLOPs: Double
        public var sizes: Int
        public var optimalParams: Interval
        public var optimalLossNats: Interval
        public var minimumInsideGrid: Bool
    }
}

/// The report's account of which design each number comes from (issue 31): the fixed-budget
/// table beside L(N) from converged points, L(D) from cooldown branches, the joint law on
/// annealed points, and N_opt(C) from IsoFLOP profiles, with every point left out and why.
///
///     ConvergedDesignSection.write(study, sink)
enum ConvergedDesignSection {
    static func data(_ s: ScalingStudy) -> ConvergedDesignData {
        let additive = s.joint.first { $0.law.form == .additive }?.law.parameters
        return ConvergedDesignData(
            modality: s.modality, computeMeasure: s.computeMeasure.rawValue,
            lossVersusParamsConverged: s.lossVersusParamsConverged, convergedSizes: s.convergedParamsSeries.x.count,
            leftOut: s.convergenceLeftOut, lossVersusDataBranches: s.lossVersusDataBranches, jointPoints: s.jointPoints,
            jointAlphaN: additive?["alpha"], jointBetaD: additive?["beta"],
            kaplanAlphaN: s.kaplanJoint?.alphaN, kaplanAlphaD: s.kaplanJoint?.alphaD,
            isoFLOPOptimalSizeExponent: s.isoFLOP?.optimalSizeExponent, isoFLOPOptimalLossExponent: s.isoFLOP?.optimalLossExponent,
            isoFLOPBudgets: (s.isoFLOP?.profiles ?? []).map {
                .init(budgetFLOPs: $0.budgetFLOPs, sizes: Set($0.points.map(\.params)).count, optimalParams: $0.optimalParams,
                      optimalLossNats: $0.optimalLossNats, minimumInsideGrid: $0.minimumInsideGrid)
            },
            isoFLOPProblems: s.isoFLOP?.problems ?? [])
    }

    /// The peak learning rate of each size when the runs used more than one (a sweep with
    /// `[lr_tune]` writes the rates it chose to `learning-rates.json` in its folder).
    static func learningRateText(_ s: ScalingStudy) -> String? {
        var bySize: [Double: Set<Double>] = [:]
        for r in s.runs where !r.name.contains("@") {
            if let lr = r.summary.peakLearningRate { bySize[r.summary.params, default: []].insert(lr) }
        }
        guard Set(bySize.values.flatMap { $0 }).count > 1 else { return nil }
        return "Peak learning rate by size (tuned per size when the sweep has [lr_tune]; its short runs and choices are in the sweep folder's "
            + "lr-tune/ and learning-rates.json): " + bySize.keys.sorted().map { n in
                "N = \(Format.sig(n, 3)): " + bySize[n]!.sorted().map { Format.sig($0, 3) }.joined(separator: ", ")
            }.joined(separator: "; ") + "."
    }

    static func write(_ s: ScalingStudy, _ sink: ReportSink) {
        let d = data(s)
        sink.data.convergedDesign.append(d)
        sink.doc.blocks.append(.paragraph("Which design each number comes from. The table above: L(N) is the lowest loss per size "
            + "over runs that saw their data at most once — where the sizes share one token budget that is the loss at that budget, "
            + "not the converged L(N) the papers fit; L(D) is the early-stopped loss of runs that repeated a smaller dataset; "
            + "L(C) and N_opt(C) come from the envelope of learning curves (Kaplan's method; its intermediate points are not annealed, "
            + "so N_opt(C) is biased, Hoffmann et al. 2022 approach 1), with \(s.computeMeasure.text); IsoFLOP runs and cooldown branches stay out of it. "
            + "Below: the converged design, on annealed points only (ends of completed runs whose rate decayed, and cooldown branches)."))
        var rows: [[String]] = []
        func row(_ name: String, _ v: String, _ e: PowerLawEstimate?, _ points: Int, _ absent: String) {
            guard let e else { rows.append([name, absent, "–", "–", "\(points)"]); return }
            rows.append([name, e.fit.law.formula(variable: v, digits: 4), e.exponent.text(4),
                         e.profile?.lossInfinityText ?? e.lossInfinity?.text(4) ?? "– (pure)", "\(e.fit.points)"])
        }
        let converged = s.convergedParamsSeries.x.count
        row("L(N), converged points", "N", s.lossVersusParamsConverged, converged,
            converged < 3 ? "not fitted: \(converged) size\(converged == 1 ? "" : "s") converged (a fit needs 3 or more)" : "not fitted")
        if let b = s.branchDataSeries { row("L(D), cooldown branches", "D", s.lossVersusDataBranches, b.x.count, "not fitted") }
        sink.doc.blocks.append(.table(header: ["law (converged design)", "formula", "α", "L∞ (nats/token)", "points"], rows: rows))
        var items: [String] = []
        if let j = s.jointProfile {
            items.append("Joint additive law on \(s.jointPoints) annealed points with D = tokens seen (repeated data counted as effective tokens, "
                + "Muennighoff et al. 2023): its unlimited-data limit L∞ + A/N^α has α_N = \(j.alpha.text(3)), and β_D = \(j.beta.text(3)) "
                + "(95 % profile intervals; its L∞ interval is in the irreducible-loss table).")
        }
        if let k = s.kaplanJoint {
            items.append("Kaplan's joint law [(N_c/N)^(α_N/α_D) + D_c/D]^α_D on the same points: its unlimited-data limit (N_c/N)^α_N has "
                + "α_N = \(k.alphaN.text(3)) (paper: 0.076 on WebText2), and α_D = \(k.alphaD.text(3)) (95 % profile intervals).")
        }
        if let iso = s.isoFLOP {
            if let a = iso.optimalSizeExponent {
                items.append("N_opt(C) from IsoFLOP profiles (Hoffmann et al. 2022 approach 2, compute counted as each grid's budget says): "
                    + "exponent \(a.text(3)) (paper: ≈ 0.7 in every modality, Henighan et al. 2020); L*(C) exponent \(iso.optimalLossExponent?.text(3) ?? "–").")
            } else {
                items.append("IsoFLOP profiles: fewer than 2 budgets with a minimum inside their grid, so no N_opt(C) exponent.")
            }
            items += iso.problems.map { "IsoFLOP: \($0)" }
        }
        if let rates = learningRateText(s) { items.append(rates) }
        if !s.convergenceLeftOut.isEmpty {
            items.append("Left out of L(N) from converged points (the corpus or the budget did not train these sizes to convergence): "
                + s.convergenceLeftOut.joined(separator: "; ") + ".")
        }
        if !items.isEmpty { sink.doc.blocks.append(.list(items)) }
        if let iso = s.isoFLOP, !iso.profiles.isEmpty {
            sink.doc.blocks.append(.table(header: ["budget (FLOPs)", "sizes", "N* [95 %]", "L* [95 %]", "minimum inside the grid"],
                                          rows: d.isoFLOPBudgets.map {
                [Format.sig($0.budgetFLOPs, 3), "\($0.sizes)", $0.optimalParams.text(3), $0.optimalLossNats.text(4), $0.minimumInsideGrid ? "yes" : "no"]
            }))
        }
    }
}
