import Foundation
import WorkbenchCore

/// A scaling law in one variable, as in Henighan et al. 2020:
/// `L(x) = L∞ + (x₀/x)^α` (saturating) or the pure power law `L(x) = (x₀/x)^α`.
///
///     let law = PowerLaw(lossInfinity: 2.2, scale: 63, exponent: 0.13)
///     law(1e6)                 // predicted loss in nats at N = 1e6
///     law.formula(variable: "N")   // "2.2 + (63/N)^0.13"
public struct PowerLaw: Codable, Equatable, Sendable {
    /// Which of the two laws: with the irreducible term L∞ or without.
    public enum Form: String, Codable, Sendable, CaseIterable {
        case saturating, pure
        /// Number of free parameters.
        public var parameterCount: Int { self == .saturating ? 3 : 2 }
    }

    public var form: Form
    /// L∞, the irreducible loss (0 for the pure form), in the units of the fitted loss.
    public var lossInfinity: Double
    /// x₀: the scale at which the reducible term equals 1 (infinite when it lies beyond Double's
    /// range, as for a fit whose α sits at its lower bound; `logScale` keeps it then).
    public private(set) var scale: Double
    /// ln x₀, which the law is evaluated with.
    public private(set) var logScale: Double
    /// α > 0.
    public var exponent: Double

    public init(lossInfinity: Double, scale: Double, exponent: Double) {
        self.init(lossInfinity: lossInfinity, logScale: Foundation.log(scale), exponent: exponent)
    }

    public init(lossInfinity: Double, logScale: Double, exponent: Double) {
        form = .saturating
        self.lossInfinity = lossInfinity
        self.logScale = logScale
        self.scale = Foundation.exp(logScale)
        self.exponent = exponent
    }

    public init(pureScale scale: Double, exponent: Double) {
        self.init(pureLogScale: Foundation.log(scale), exponent: exponent)
    }

    public init(pureLogScale logScale: Double, exponent: Double) {
        form = .pure
        lossInfinity = 0
        self.logScale = logScale
        self.scale = Foundation.exp(logScale)
        self.exponent = exponent
    }

    enum CodingKeys: String, CodingKey { case form, lossInfinity, scale, logScale, exponent }

    /// Reads `logScale` when present (files written before it have only `scale`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        form = try c.decode(Form.self, forKey: .form)
        lossInfinity = try c.decode(Double.self, forKey: .lossInfinity)
        scale = try c.decode(Double.self, forKey: .scale)
        logScale = try c.decodeIfPresent(Double.self, forKey: .logScale) ?? Foundation.log(scale)
        exponent = try c.decode(Double.self, forKey: .exponent)
    }

    /// The reducible part (x₀/x)^α.
    public func reducible(_ x: Double) -> Double { Foundation.exp(exponent * (logScale - Foundation.log(x))) }

    public func callAsFunction(_ x: Double) -> Double { lossInfinity + reducible(x) }

    /// The x at which the law reaches `loss`, or nil when the loss is at or below L∞.
    public func inverse(loss: Double) -> Double? {
        let excess = loss - lossInfinity
        guard excess > 0 else { return nil }
        return scale * Foundation.exp(-Foundation.log(excess) / exponent)
    }

    /// The formula with its values, e.g. `2.2 + (63/N)^0.13`.
    public func formula(variable: String = "x", digits: Int = 3) -> String {
        let x0 = scale.isFinite && scale > 0 ? Format.sig(scale, digits) : Self.scientific(logScale: logScale, digits: digits)
        let core = "(\(x0)/\(variable))^\(Format.sig(exponent, digits))"
        return form == .saturating ? "\(Format.sig(lossInfinity, digits)) + \(core)" : core
    }
}

extension PowerLaw {
    /// e^logScale written as "1.6e604" when it lies beyond Double's range.
    static func scientific(logScale: Double, digits: Int) -> String {
        guard logScale.isFinite else { return Format.sig(Foundation.exp(logScale), digits) }
        let l10 = logScale / Foundation.log(10.0)
        let e = Foundation.floor(l10)
        return "\(Format.sig(Foundation.pow(10, l10 - e), digits))e\(Int(e))"
    }
}

/// Number formatting for reports and plot labels (`NumberFormat` of WorkbenchCore, shared
/// with the command line's tables).
public typealias Format = NumberFormat

/// Why a series cannot be fitted, naming the series and the reason.
public enum FitError: Error, CustomStringConvertible, Equatable {
    case tooFewPoints(series: String, needed: Int, got: Int)
    case nonPositive(series: String, index: Int, x: Double, y: Double)
    case noCurvature(series: String, tStatistic: Double)
    case lossInfinityCollapsed(series: String, lossInfinity: Double)
    case didNotConverge(series: String)

    public var description: String {
        switch self {
        case let .tooFewPoints(s, needed, got):
            return "cannot fit '\(s)': \(got) point(s) with distinct x, a fit needs at least \(needed)"
        case let .nonPositive(s, i, x, y):
            return "cannot fit '\(s)': point \(i) has x = \(x), loss = \(y); both must be positive and finite"
        case let .noCurvature(s, t):
            return "cannot fit L∞ for '\(s)': log-loss against log-x shows no significant curvature "
                + "(t = \(Format.sig(t, 2)) < 2), so the irreducible loss is not determined; fit the pure power law instead"
        case let .lossInfinityCollapsed(s, l):
            return "cannot fit L∞ for '\(s)': the fit drives L∞ to \(Format.sig(l)), i.e. the data look like a pure power law; fit that instead"
        case let .didNotConverge(s):
            return "fit of '\(s)' did not converge from any starting point"
        }
    }
}
