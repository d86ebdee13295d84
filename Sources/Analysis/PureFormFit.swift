import Foundation

/// The pure power law L(x) = (x₀/x)^α, the form Kaplan et al. 2020 fit to language, as a
/// weighted least-squares line in log–log: log L = α·log x₀ − α·log x, each point weighted by
/// the runs averaged into it. σ² pools the measured seed spread with the residuals,
/// (ν_s·σ_s² + RSS)/(ν_s + k − 2) for k independent points, and α's 95 % interval is
/// α̂ ± t·σ/√Σwᵢ(log xᵢ − mean)² with t the Student quantile for ν_s + k − 2 degrees of freedom
/// (exact for a pure law with log-normal noise). Used only to compare with papers' pure-form
/// exponents: the report's own L(x) is the L∞ form of `ProfileFitter`.
///
///     let a = try PureFormFit.exponent(x: n, y: loss, counts: seeds, noise: noise)
///     a.text()   // "0.076 [0.07, 0.082]"
public enum PureFormFit {
    public static func exponent(x: [Double], y: [Double], counts: [Double]? = nil, independentPoints: Int? = nil,
                                noise: NoiseLevel?, series: String = "series") throws -> Interval {
        precondition(x.count == y.count, "x and y differ in length")
        for i in 0..<x.count where !(x[i] > 0 && y[i] > 0 && x[i].isFinite && y[i].isFinite) {
            throw FitError.nonPositive(series: series, index: i, x: x[i], y: y[i])
        }
        let distinct = Set(x).count
        if distinct < 2 { throw FitError.tooFewPoints(series: series, needed: 2, got: distinct) }
        let w = counts ?? [Double](repeating: 1, count: x.count)
        let t = x.map { Foundation.log($0) }, v = y.map { Foundation.log($0) }
        let sw = w.reduce(0, +)
        let mt = zip(w, t).reduce(0) { $0 + $1.0 * $1.1 } / sw, mv = zip(w, v).reduce(0) { $0 + $1.0 * $1.1 } / sw
        var sxx = 0.0, sxy = 0.0
        for i in 0..<x.count { sxx += w[i] * (t[i] - mt) * (t[i] - mt); sxy += w[i] * (t[i] - mt) * (v[i] - mv) }
        let slope = sxy / sxx
        var rss = 0.0
        for i in 0..<x.count { let r = v[i] - mv - slope * (t[i] - mt); rss += w[i] * r * r }
        let residualDF = Double(max(0, (independentPoints ?? distinct) - 2))
        let (sigma2, df) = NoiseLevel.pooledVariance(noise, rss: rss, residualDF: residualDF)
        guard sigma2.isFinite, sigma2 > 0 else {
            return Interval(estimate: -slope, lower: .nan, upper: .nan)   // two points, no noise measured
        }
        let half = StudentT.quantile975(degreesOfFreedom: df) * (sigma2 / sxx).squareRoot()
        return Interval(estimate: -slope, lower: -slope - half, upper: -slope + half)
    }
}
