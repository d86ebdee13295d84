import Foundation
import WorkbenchCore

/// A point estimate with a two-sided percentile interval (95 % unless stated).
///
///     Interval(estimate: 0.13, lower: 0.11, upper: 0.15).contains(0.12)   // true
public struct Interval: Codable, Equatable, Sendable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    public init(estimate: Double, lower: Double, upper: Double) {
        self.estimate = estimate; self.lower = lower; self.upper = upper
    }
    public func contains(_ v: Double) -> Bool { lower <= v && v <= upper }
    /// `0.13 [0.11, 0.15]`; an estimate without an interval (NaN bounds, e.g. one run's
    /// measured mutual information) reads `5.28 (no interval)`.
    public func text(_ digits: Int = 3) -> String {
        if lower.isFinite, upper == .infinity { return "\(Format.sig(estimate, digits)) [\(Format.sig(lower, digits)), ∞)" }
        guard lower.isFinite, upper.isFinite else { return "\(Format.sig(estimate, digits)) (no interval)" }
        return "\(Format.sig(estimate, digits)) [\(Format.sig(lower, digits)), \(Format.sig(upper, digits))]"
    }
}

/// Case-resampling bootstrap: over points, or over groups (runs) so that all the points of
/// one run are drawn together. Resample `i` uses its own `SeededRNG(seed ⊕ i)`, so results do
/// not depend on the thread count; resamples run through `Parallel.forEach`.
///
///     let samples = Bootstrap.run(resamples: 1000, seed: 7, count: n, groups: nil) { weights in
///         refit(weights)          // parameters, or nil when the resample cannot be fitted
///     }
///     let alpha = Bootstrap.interval(samples.map { $0[2] }, estimate: 0.13)
public enum Bootstrap {
    /// Bootstrap counts for each point: how many times the resample drew it (or its group).
    public static func weights(count n: Int, groups: [Int]?, rng: inout SeededRNG) -> [Double] {
        var w = [Double](repeating: 0, count: n)
        if let groups = groups {
            let ids = Array(Set(groups)).sorted()
            var index: [Int: Int] = [:]
            for (k, g) in ids.enumerated() { index[g] = k }
            var drawn = [Double](repeating: 0, count: ids.count)
            for _ in 0..<ids.count { drawn[rng.nextInt(below: ids.count)] += 1 }
            for i in 0..<n { w[i] = drawn[index[groups[i]]!] }
        } else {
            for _ in 0..<n { w[rng.nextInt(below: n)] += 1 }
        }
        return w
    }

    public static func rng(seed: UInt64, resample i: Int) -> SeededRNG {
        SeededRNG(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Runs `fit` on `resamples` weight vectors in parallel; failed resamples are dropped.
    public static func run(resamples: Int, seed: UInt64, count n: Int, groups: [Int]?,
                           fit: ([Double]) -> [Double]?) -> [[Double]] {
        var out = [[Double]?](repeating: nil, count: resamples)
        out.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.forEach(count: resamples) { i in
                var g = rng(seed: seed, resample: i)
                let w = weights(count: n, groups: groups, rng: &g)
                base[i] = fit(w)
            }
        }
        return out.compactMap { $0 }
    }

    /// Linear-interpolated percentile (q in [0, 1]) of unsorted values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        let s = values.filter { !$0.isNaN }.sorted()
        guard !s.isEmpty else { return .nan }
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (pos - Double(lo)) * (s[hi] - s[lo])
    }

    /// Percentile interval at the given level around an estimate.
    public static func interval(_ values: [Double], estimate: Double, level: Double = 0.95) -> Interval {
        let tail = (1 - level) / 2
        return Interval(estimate: estimate, lower: percentile(values, tail), upper: percentile(values, 1 - tail))
    }
}

/// A power-law fit with bootstrap intervals on every parameter and a confidence band.
///
///     let est = try PowerLawFitter().bootstrap(x: n, y: loss, resamples: 1000, seed: 1)
///     est.exponent.text()   // "0.13 [0.12, 0.14]"
public struct PowerLawEstimate: Codable, Sendable {
    public var fit: PowerLawFitter.Fit
    public var lossInfinity: Interval?
    public var scale: Interval
    public var exponent: Interval
    public var resamples: Int
    /// Resamples that could not be fitted (e.g. too few distinct points drawn).
    public var failedResamples: Int
    /// The resampled laws, kept for bands and derived quantities (not written to JSON).
    public var samples: [PowerLaw] = []
    public var resampledOver: String
    /// The profile of the objective over L∞ and α when the intervals come from it (`ProfileFitter`).
    public var profile: LossProfile? = nil

    enum CodingKeys: String, CodingKey {
        case fit, lossInfinity, scale, exponent, resamples, failedResamples, resampledOver, profile
    }

    /// Pointwise percentile band of the fitted curve at `xs`.
    public func band(at xs: [Double], level: Double = 0.95) -> [(lower: Double, upper: Double)] {
        let tail = (1 - level) / 2
        return xs.map { x in
            let v = samples.map { $0(x) }
            return (Bootstrap.percentile(v, tail), Bootstrap.percentile(v, 1 - tail))
        }
    }
}

extension PowerLawFitter {
    /// Fits, then refits `resamples` bootstrap resamples starting from the full-data optimum.
    /// `groups` (one id per point, e.g. the run) resamples whole groups instead of points.
    public func bootstrap(x: [Double], y: [Double], groups: [Int]? = nil, resamples: Int = 1000,
                          seed: UInt64 = 1, level: Double = 0.95, series: String = "series") throws -> PowerLawEstimate {
        let full = try fit(x: x, y: y, series: series)
        let problem = try PowerLawProblem(x: x, y: y, form: form, series: series)
        let start = problem.parameters(full.law)
        let lm = HuberLM(delta: delta)
        let needed = form.parameterCount + 1
        let thetas = Bootstrap.run(resamples: resamples, seed: seed, count: problem.n, groups: groups) { w in
            var distinct = Set<Double>()
            for i in 0..<w.count where w[i] > 0 { distinct.insert(x[i]) }
            if distinct.count < needed { return nil }
            // Only the drawn points, weighted by their counts (about 63 % of them).
            let drawn = (0..<w.count).filter { w[$0] > 0 }
            let r = problem.subset(drawn).minimize(lm, start: start, weights: drawn.map { w[$0] })
            return r.objective.isFinite && problem.isValid(r.parameters) ? r.parameters : nil
        }
        let laws = thetas.map { problem.law($0) }
        var est = PowerLawEstimate(
            fit: full,
            lossInfinity: form == .saturating
                ? Bootstrap.interval(laws.map(\.lossInfinity), estimate: full.law.lossInfinity, level: level) : nil,
            scale: Bootstrap.interval(laws.map(\.scale), estimate: full.law.scale, level: level),
            exponent: Bootstrap.interval(laws.map(\.exponent), estimate: full.law.exponent, level: level),
            resamples: resamples, failedResamples: resamples - laws.count,
            resampledOver: groups == nil ? "points" : "runs")
        est.samples = laws
        return est
    }

    /// Fits on all but the `holdOut` largest x and reports the error of the prediction there.
    public func extrapolationCheck(x: [Double], y: [Double], holdOut: Int = 1,
                                   series: String = "series") throws -> ExtrapolationCheck {
        let distinctX = Array(Set(x)).sorted()
        guard holdOut >= 1, distinctX.count > holdOut else {
            throw FitError.tooFewPoints(series: series, needed: form.parameterCount + 1 + holdOut, got: distinctX.count)
        }
        let cut = distinctX[distinctX.count - holdOut]
        let train = (0..<x.count).filter { x[$0] < cut }
        let fit = try self.fit(x: train.map { x[$0] }, y: train.map { y[$0] }, series: series + " (held-out check)")
        let held = (0..<x.count).filter { x[$0] >= cut }.map { i in
            ExtrapolationCheck.Point(x: x[i], observed: y[i], predicted: fit.law(x[i]),
                                     relativeError: (fit.law(x[i]) - y[i]) / y[i])
        }
        return ExtrapolationCheck(fittedOn: train.count, law: fit.law, heldOut: held)
    }
}

/// The held-out check: a law fitted on the smaller scales, and its error on the largest.
public struct ExtrapolationCheck: Codable, Sendable {
    /// One held-out point with the law's prediction.
    public struct Point: Codable, Sendable {
        public var x: Double
        public var observed: Double
        public var predicted: Double
        /// (predicted − observed) / observed.
        public var relativeError: Double
        /// 95 % prediction interval, when the check's fitter gives one (`ProfileFitter`).
        public var predictedLower: Double? = nil
        public var predictedUpper: Double? = nil
        public var withinInterval: Bool? {
            guard let lo = predictedLower, let hi = predictedUpper else { return nil }
            return lo <= observed && observed <= hi
        }
    }
    public var fittedOn: Int
    public var law: PowerLaw
    public var heldOut: [Point]
    public var maxAbsRelativeError: Double { heldOut.map { abs($0.relativeError) }.max() ?? .nan }
}
