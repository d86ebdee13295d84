import Foundation

/// The points of a joint L(N, D) fit as both joint laws take them (`JointProfile`,
/// `KaplanJointProfile`): runs checked, then averaged in log-loss per configuration (same N, D
/// and tokens, another seed) with their count as weight; and the profile threshold both use.
///
///     let c = try JointConfigurations(params: n, dataTokens: d, lossNats: l, tokens: e, needed: 6, series: "L(N, D)")
///     c.meanLogLoss; c.counts
struct JointConfigurations {
    let params: [Double], dataTokens: [Double], meanLogLoss: [Double], counts: [Double]
    var count: Int { params.count }

    init(params n: [Double], dataTokens d: [Double], lossNats y: [Double], tokens: [Double]?, needed: Int, series: String) throws {
        precondition(n.count == y.count && d.count == y.count, "params, dataTokens and lossNats differ in length")
        for i in 0..<y.count where !(n[i] > 0 && d[i] > 0 && y[i] > 0 && y[i].isFinite) {
            throw FitError.nonPositive(series: series, index: i, x: n[i], y: y[i])
        }
        var groups: [[Double]: [Double]] = [:], order: [[Double]] = []
        for i in 0..<y.count {
            let key = [n[i], d[i], tokens?[i] ?? 0]
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(Foundation.log(y[i]))
        }
        guard order.count >= needed else { throw FitError.tooFewPoints(series: series, needed: needed, got: order.count) }
        params = order.map { $0[0] }
        dataTokens = order.map { $0[1] }
        meanLogLoss = order.map { k in groups[k]!.reduce(0, +) / Double(groups[k]!.count) }
        counts = order.map { Double(groups[$0]!.count) }
    }

    /// The objective (RSS/2) a profile may reach inside the 95 % interval, and σ² and its degrees
    /// of freedom: σ² pools the measured seed spread with the residuals,
    /// (ν_s·σ_s² + RSS)/(ν_s + k − p), and the limit is RSS/2 + t²σ²/2.
    func profileLimit(bestObjective: Double, parameters p: Int, noise: NoiseLevel?) -> (limit: Double, sigma2: Double, df: Double) {
        let rss = 2 * bestObjective
        let seedDF = noise?.degreesOfFreedom.isFinite == true ? noise!.degreesOfFreedom : 0
        let df = seedDF + Double(count - p)
        let sigma2 = (seedDF * Foundation.pow(noise?.sigmaLog ?? 0, 2) + rss) / df
        let t = StudentT.quantile975(degreesOfFreedom: df)
        return (bestObjective + t * t * sigma2 / 2, sigma2, df)
    }
}
