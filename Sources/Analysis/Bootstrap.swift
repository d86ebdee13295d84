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

/// Percentile intervals of resampled values, and the seeded generator of resample `i`
/// (`SeededRNG(seed ⊕ i)`, so results do not depend on the thread count), for the residual
/// bootstrap of `IsoFLOPProfiles` and the simulated sweeps of `CoverageCheck`.
///
///     var rng = Bootstrap.rng(seed: 7, resample: i)
///     let a = Bootstrap.interval(samples, estimate: 0.7)
public enum Bootstrap {
    public static func rng(seed: UInt64, resample i: Int) -> SeededRNG {
        SeededRNG(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
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

/// A power-law fit with intervals on its parameters and a confidence band, as plots and
/// `fits.json` read it; made from a `LossProfile` (`LossProfile.estimate()`), whose accepted
/// laws are the `samples` of the band.
///
///     let est = try ProfileFitter().fit(x: n, y: loss).estimate()
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
