import Foundation

/// The result of a `ProfileFitter` fit: the best law inside the bounds, the 95 % profile
/// intervals of L∞ and α, α at both ends of the L∞ interval, and which bounds the fit touches.
///
///     let p = try ProfileFitter().fit(x: n, y: loss)
///     p.lossInfinityDetermined ? p.lossInfinity.text() : "not determined: \(p.lossInfinityRangeText)"
public struct LossProfile: Codable, Sendable {
    public var series: String
    public var law: PowerLaw
    public var points: Int
    /// 95 % profile interval of L∞ (lower 0 and upper = smallest loss when the data allow them).
    public var lossInfinity: Interval
    /// 95 % profile interval of α within (0, 2].
    public var exponent: Interval
    /// The best α with L∞ fixed at the lower and at the upper end of its interval.
    public var exponentAtLossInfinityBounds: [Double]
    /// The smallest loss of the series: L∞ must stay below it.
    public var smallestLoss: Double
    /// σ of log-loss used for the intervals (seed spread pooled with residuals) and its degrees of freedom.
    public var sigmaLog: Double
    public var degreesOfFreedom: Double
    /// Root mean square of the log-loss residuals of the best law (weighted by runs per point).
    public var residualRMS: Double
    /// Bounds the best fit lies on ("L∞ = 0", "L∞ → smallest loss", "α = 2", "α → 0"); empty when interior.
    public var onBound: [String]
    /// Laws along both profiles inside the 95 % region, for confidence bands (not written to JSON).
    public var acceptedLaws: [PowerLaw] = []

    enum CodingKeys: String, CodingKey {
        case series, law, points, lossInfinity, exponent, exponentAtLossInfinityBounds, smallestLoss, sigmaLog, degreesOfFreedom, residualRMS, onBound
    }

    /// Whether the data bound L∞ away from both 0 and the smallest loss.
    public var lossInfinityDetermined: Bool { lossInfinity.lower > 0 && lossInfinity.upper < smallestLoss }

    /// `[0, 2.31]`, the L∞ range the data allow, with α at its two ends.
    public var lossInfinityRangeText: String {
        let a = exponentAtLossInfinityBounds
        return "[\(Format.sig(lossInfinity.lower, 4)), \(Format.sig(lossInfinity.upper, 4))\(lossInfinity.upper >= smallestLoss ? ")" : "]")"
            + (a.count == 2 ? " (α = \(Format.sig(a[0], 3)) at L∞ = \(Format.sig(lossInfinity.lower, 4)), \(Format.sig(a[1], 3)) at \(Format.sig(lossInfinity.upper, 4)))" : "")
    }

    /// What a report prints for L∞: a value with its interval when determined, else the range.
    public var lossInfinityText: String {
        lossInfinityDetermined ? lossInfinity.text(4) : "not determined: \(lossInfinityRangeText)"
    }

    /// The interval as an estimate for older readers (`PowerLawEstimate`, plots, the paper table).
    public func estimate() -> PowerLawEstimate {
        let fit = PowerLawFitter.Fit(law: law, points: points, rmsLogResidual: residualRMS, objective: .nan, curvatureT: nil)
        var e = PowerLawEstimate(fit: fit, lossInfinity: lossInfinity, scale: Interval(estimate: law.scale, lower: .nan, upper: .nan),
                                 exponent: exponent, resamples: 0, failedResamples: 0, resampledOver: "profile")
        e.samples = acceptedLaws
        e.profile = self
        return e
    }

    init(problem: ProfileProblem, search: ProfileProblem.Search, sigmaLog: Double, degreesOfFreedom: Double,
         threshold: Double, huberK k: Double, residualRMS: Double, series: String, points: Int) {
        self.series = series
        self.points = points
        smallestLoss = problem.ymin
        self.sigmaLog = sigmaLog
        self.degreesOfFreedom = degreesOfFreedom
        self.residualRMS = residualRMS
        let best = search.best
        law = problem.law(best)
        let limit = best.objective + threshold
        let scale = sigmaLog.isFinite ? sigmaLog : 1
        let lGrid = search.overLossInfinity.map(\.lossInfinity), lProfile = search.overLossInfinity.map(\.objective)
        let (l0, l1) = Self.interval(lGrid, lProfile, best: best.lossInfinity, limit: limit, bottom: 0, top: problem.ymin) {
            problem.profile(lossInfinity: $0, scale: scale, huberK: k).objective
        }
        lossInfinity = Interval(estimate: best.lossInfinity, lower: l0, upper: l1)
        let aGrid = search.overExponent.map(\.exponent), aProfile = search.overExponent.map(\.objective)
        let (a0, a1) = Self.interval(aGrid, aProfile, best: best.exponent, limit: limit, bottom: 0, top: aGrid.last!) {
            problem.profile(exponent: $0, scale: scale, huberK: k).objective
        }
        exponent = Interval(estimate: best.exponent, lower: a0, upper: a1)
        exponentAtLossInfinityBounds = [l0, min(l1, problem.lossInfinityGrid.last!)].map {
            problem.profile(lossInfinity: $0, scale: scale, huberK: k).exponent
        }
        var bounds: [String] = []
        if best.lossInfinity == 0 { bounds.append("L∞ = 0") }
        if best.lossInfinity >= problem.lossInfinityGrid.last! * (1 - 1e-9) { bounds.append("L∞ → smallest loss") }
        if best.exponent >= aGrid.last! * (1 - 1e-6) { bounds.append("α = 2") }
        if best.exponent <= aGrid[0] * (1 + 1e-6) { bounds.append("α → 0") }
        onBound = bounds
        acceptedLaws = (search.overLossInfinity + search.overExponent).filter { $0.objective <= limit }.map { problem.law($0) }
    }

    /// The fit of a series with as many points as parameters and no measured noise: every L∞
    /// and α is allowed.
    static func undetermined(problem: ProfileProblem, best: ProfileProblem.Cell, series: String, points: Int) -> LossProfile {
        var p = LossProfile(problem: problem, search: .init(overLossInfinity: [best], overExponent: [best], best: best), sigmaLog: .nan,
                            degreesOfFreedom: 0, threshold: .infinity, huberK: .infinity, residualRMS: 0, series: series, points: points)
        p.lossInfinity = Interval(estimate: best.lossInfinity, lower: 0, upper: problem.ymin)
        p.exponent = Interval(estimate: best.exponent, lower: 0, upper: problem.exponentGrid.last!)
        p.exponentAtLossInfinityBounds = [0, problem.lossInfinityGrid.last!].map { problem.profile(lossInfinity: $0, scale: 1, huberK: .infinity).exponent }
        p.acceptedLaws = []
        return p
    }

    /// The ends of the region where the profile stays within `limit`: the hull of the grid
    /// values inside it and the best value, each end refined by bisection on `profile` between
    /// the outermost inside value and its outside neighbour. `bottom` (`top`) is returned when
    /// the first (last) grid value is inside.
    static func interval(_ grid: [Double], _ values: [Double], best: Double, limit: Double, bottom: Double, top: Double,
                         profile: (Double) -> Double) -> (Double, Double) {
        func bisect(inside: Double, outside: Double) -> Double {
            var a = inside, b = outside
            for _ in 0..<14 { let m = 0.5 * (a + b); if profile(m) <= limit { a = m } else { b = m } }
            return 0.5 * (a + b)
        }
        let inside = grid.indices.filter { values[$0] <= limit }
        var lower: Double, upper: Double
        if let f = inside.first, grid[f] <= best {
            lower = f == 0 ? bottom : bisect(inside: grid[f], outside: grid[f - 1])
        } else if let below = grid.last(where: { $0 < best }) {
            lower = bisect(inside: best, outside: below)
        } else { lower = best <= grid[0] ? bottom : best }
        if let l = inside.last, grid[l] >= best {
            upper = l == grid.count - 1 ? top : bisect(inside: grid[l], outside: grid[l + 1])
        } else if let above = grid.first(where: { $0 > best }) {
            upper = bisect(inside: best, outside: above)
        } else { upper = top }
        return (lower, upper)
    }
}
