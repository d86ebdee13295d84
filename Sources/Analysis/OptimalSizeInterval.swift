import Foundation

extension OptimalSizeLaw {
    /// 95 % interval of β in N_opt ∝ C^β from the frontier's transitions.
    ///
    /// The sizes at the transitions are fixed by the sweep; the noise is in the compute where
    /// two curves cross. So log C is regressed on log N (slope 1/β, ordinary least squares) and
    /// the Student-t interval of the slope, with n − 2 degrees of freedom, is inverted. When the
    /// slope's interval reaches 0 the upper end of β is `.infinity` ("not bounded above").
    /// Needs at least 3 transitions (1 degree of freedom: a very wide interval).
    ///
    ///     OptimalSizeLaw.exponentInterval(computePFDays: c, params: n)?.text()   // "0.71 [0.62, 0.83]"
    public static func exponentInterval(computePFDays c: [Double], params n: [Double]) -> Interval? {
        let k = c.count
        guard k >= 3, Set(n).count >= 3 else { return nil }
        let ln = n.map { Foundation.log($0) }, lc = c.map { Foundation.log($0) }
        let mn = ln.reduce(0, +) / Double(k), mc = lc.reduce(0, +) / Double(k)
        var sxx = 0.0, sxy = 0.0
        for i in 0..<k { sxx += (ln[i] - mn) * (ln[i] - mn); sxy += (ln[i] - mn) * (lc[i] - mc) }
        let slope = sxy / sxx
        var rss = 0.0
        for i in 0..<k { let r = lc[i] - mc - slope * (ln[i] - mn); rss += r * r }
        let se = (rss / Double(k - 2) / sxx).squareRoot()
        let t = StudentT.quantile975(degreesOfFreedom: Double(k - 2))
        let lo = slope - t * se, hi = slope + t * se
        guard slope > 0 else { return Interval(estimate: .nan, lower: hi > 0 ? 1 / hi : 0, upper: .infinity) }
        return Interval(estimate: 1 / slope, lower: 1 / hi, upper: lo > 0 ? 1 / lo : .infinity)
    }

    public static func exponentInterval(_ frontier: ComputeFrontier) -> Interval? {
        exponentInterval(computePFDays: frontier.transitions.map(\.computePFDays), params: frontier.transitions.map(\.params))
    }
}
