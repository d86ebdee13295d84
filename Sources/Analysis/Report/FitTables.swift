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

/// The irreducible loss of one modality as L(N), L(C) and the joint law together allow it: the
/// hull of their 95 % intervals, never their intersection.
///
/// Each fit assumes a form, and each form can be wrong about the sweep at hand. L(N) and L(C)
/// each leave the other resource where the sweep put it, so their L∞ carries whatever data term
/// the largest runs still have (above the floor with a fixed token budget, below it when data grows
/// with N and the two terms blend into one power law); the additive joint law separates the terms
/// but is itself biased when they interact (Kaplan's form). An interval is honest about noise, not
/// about its form, so the intersection can miss the truth that each interval alone holds: on
/// `hmm-text` with D = 200·N it was [2.305, 2.397] against the oracle's 2.4219, where the joint
/// law's interval was [2.23, 2.451]. The hull holds the truth whenever one fit's interval does.
/// A value (the joint law's estimate, or L(N)'s without a joint fit) only where every fit bounds L∞
/// away from 0 and the smallest loss and the intervals overlap; where they do not overlap, a note
/// says the fits disagree.
///
///     IrreducibleLoss.combine(lossVersusParams: ln, lossVersusCompute: lc, joint: j)
public struct IrreducibleLoss: Codable, Sendable {
    /// The value (estimate and the hull) or the bounds (the hull).
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
        let lower = parts.map(\.interval.lower).min()!, upper = parts.map(\.interval.upper).max()!
        if parts.map(\.interval.lower).max()! > parts.map(\.interval.upper).min()! {
            let list = parts.map { "\($0.name) [\(Format.sig($0.interval.lower, 4)), \(Format.sig($0.interval.upper, 4))]" }.joined(separator: ", ")
            return IrreducibleLoss(interval: Interval(estimate: .nan, lower: lower, upper: upper), determined: false, sources: names,
                                   note: "the fits disagree: \(list); all of them together allow [\(Format.sig(lower, 4)), \(Format.sig(upper, 4))]")
        }
        let determined = parts.allSatisfy(\.determined)
        let estimate = (parts.first { $0.name == "joint" } ?? parts[0]).interval.estimate
        return IrreducibleLoss(interval: Interval(estimate: determined ? estimate : .nan, lower: lower, upper: upper),
                               determined: determined, sources: names, note: nil)
    }

    /// "2.1 [2.0, 2.2]" when determined, "bounds [0, 2.31]" otherwise.
    public var text: String {
        if let note { return note }
        return determined ? interval.text(4) : "bounds [\(Format.sig(interval.lower, 4)), \(Format.sig(interval.upper, 4))]"
    }
}
