import Foundation

/// The report's rows for the fitted laws of one study: formula, α and L∞ with their 95 %
/// profile intervals (or the range an undetermined L∞ allows), bounds hit, and the noise.
///
///     FitTables.lawRows(study)   // [["L(N)", "2.1 + (63/N)^0.3", "0.3 [0.25, 0.36]", "2.1 [2.0, 2.2]", "7", ""], …]
public enum FitTables {
    public static let lawHeader = ["law", "formula", "α", "L∞ (nats/token)", "points", "on a bound"]

    public static func lawRows(_ s: ScalingStudy) -> [[String]] {
        var rows: [[String]] = []
        for (name, v, e) in [("L(N)", "N", s.lossVersusParams), ("L(D)", "D", s.lossVersusData), ("L(C)", "C", s.lossVersusCompute)] {
            guard let e else { rows.append([name, "not fitted", "–", "–", "–", "–"]); continue }
            let l = e.profile?.lossInfinityText ?? e.lossInfinity?.text(4) ?? "– (pure)"
            rows.append([name, e.fit.law.formula(variable: v, digits: 4), e.exponent.text(4), l, "\(e.fit.points)",
                         e.profile.map { $0.onBound.isEmpty ? "no" : $0.onBound.joined(separator: ", ") } ?? "–"])
        }
        return rows
    }

    /// One sentence on the noise the intervals use.
    public static func noiseText(_ s: ScalingStudy) -> String {
        let sigma = s.lossVersusParams?.profile.map { "σ used for the L(N) intervals \(Format.sig(100 * $0.sigmaLog, 2)) % (\($0.degreesOfFreedom.isFinite ? "\(Int($0.degreesOfFreedom))" : "∞") df, pooled with the fit's residuals)" }
        if let n = s.noise {
            return "Seed-to-seed spread of the best test loss: \(n.text) of log-loss." + (sigma.map { " " + $0 + "." } ?? "")
        }
        return "Seed-to-seed spread not measured (no configuration was run with two seeds): the intervals rest on the fits' residuals alone."
            + (sigma.map { " " + $0 + "." } ?? "")
    }

    /// The joint additive law with its profile intervals, in one sentence.
    public static func jointText(_ j: JointProfile) -> String {
        "Joint L(N, D), additive form: L = \(j.law.formula); L∞ = \(j.lossInfinity.text(4)), α = \(j.alpha.text(3)), "
            + "β = \(j.beta.text(3)) (95 % profile intervals, least squares on log-loss; \(j.configurations) configurations from \(j.runs) runs, "
            + "rms log residual \(Format.sig(j.rmsLogResidual, 2)))"
    }

    /// The held-out check in one sentence, with each prediction's 95 % interval.
    public static func heldOutText(_ name: String, _ c: ExtrapolationCheck) -> String {
        "Held-out check \(name): fitted on the \(c.fittedOn) smaller scales; at the largest "
            + c.heldOut.map { p in
                var s = "x = \(Format.sig(p.x)): predicted \(Format.sig(p.predicted, 4))"
                if let lo = p.predictedLower, let hi = p.predictedUpper { s += " [\(Format.sig(lo, 4)), \(Format.sig(hi, 4))]" }
                s += ", observed \(Format.sig(p.observed, 4)) (\(Format.sig(100 * p.relativeError, 2)) %"
                if let w = p.withinInterval { s += w ? ", inside" : ", outside the interval" }
                return s + ")"
            }.joined(separator: "; ")
    }
}

/// The irreducible loss of one modality as L(N), L(C) and the joint law together allow it.
///
/// L(N) and L(C) each leave the other resource where the sweep put it, so the L∞ of either
/// absorbs whatever data term the largest runs still carry (above the floor with a fixed token
/// budget, and below it when data grows with N and the two terms' exponents blend into one); only
/// the joint law L∞ + A/N^α + B/D^β separates the two. So where the intervals overlap, the joint
/// law's interval is the one shown (the hull of the others without a joint fit), never their
/// intersection, which is narrower than any one fit's misspecification allows (on `hmm-text`
/// with D = 200·N the intersection [2.305, 2.397] missed the oracle's 2.422; the joint law's
/// [2.23, 2.451] held it). A value only where every fit bounds L∞ away from 0 and the smallest
/// loss; where the intervals do not overlap, the fits disagree and the hull of all of them is given.
///
///     IrreducibleLoss.combine(lossVersusParams: ln, lossVersusCompute: lc, joint: j)
public struct IrreducibleLoss: Codable, Sendable {
    /// The value (the joint law's estimate and interval) or the bounds.
    public var interval: Interval
    public var determined: Bool
    /// Which fits took part: "L(N)", "L(C)", "joint".
    public var sources: [String]
    public var note: String?

    /// One fit's L∞: its name, interval, and whether it bounds L∞ away from 0 and the smallest loss.
    public typealias Part = (name: String, interval: Interval, determined: Bool)

    public static func combine(lossVersusParams ln: PowerLawEstimate?, lossVersusCompute lc: PowerLawEstimate?,
                               joint: Interval?) -> IrreducibleLoss? {
        var parts: [Part] = []
        if let p = ln?.profile { parts.append(("L(N)", p.lossInfinity, p.lossInfinityDetermined)) }
        else if let l = ln?.lossInfinity { parts.append(("L(N)", l, l.lower > 0)) }
        if let p = lc?.profile { parts.append(("L(C)", p.lossInfinity, p.lossInfinityDetermined)) }
        if let j = joint, j.lower.isFinite, j.upper.isFinite { parts.append(("joint", j, j.lower > 0)) }
        return combine(parts)
    }

    /// The rule above on the fits' parts (the joint law's named "joint").
    public static func combine(_ parts: [Part]) -> IrreducibleLoss? {
        guard !parts.isEmpty else { return nil }
        let names = parts.map(\.name)
        let hull = Interval(estimate: .nan, lower: parts.map(\.interval.lower).min()!, upper: parts.map(\.interval.upper).max()!)
        if parts.map(\.interval.lower).max()! > parts.map(\.interval.upper).min()! {
            let list = parts.map { "\($0.name) [\(Format.sig($0.interval.lower, 4)), \(Format.sig($0.interval.upper, 4))]" }.joined(separator: ", ")
            return IrreducibleLoss(interval: hull, determined: false, sources: names,
                                   note: "the fits disagree: \(list); all of them together allow [\(Format.sig(hull.lower, 4)), \(Format.sig(hull.upper, 4))]")
        }
        let determined = parts.allSatisfy(\.determined)
        if let j = parts.first(where: { $0.name == "joint" }) {
            return IrreducibleLoss(interval: Interval(estimate: determined ? j.interval.estimate : .nan, lower: j.interval.lower, upper: j.interval.upper),
                                   determined: determined, sources: names, note: nil)
        }
        return IrreducibleLoss(interval: Interval(estimate: determined ? parts[0].interval.estimate : .nan, lower: hull.lower, upper: hull.upper),
                               determined: determined, sources: names, note: nil)
    }

    /// "2.1 [2.0, 2.2]" when determined, "bounds [0, 2.31]" otherwise.
    public var text: String {
        if let note { return note }
        return determined ? interval.text(4) : "bounds [\(Format.sig(interval.lower, 4)), \(Format.sig(interval.upper, 4))]"
    }
}
