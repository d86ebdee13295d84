import Foundation

/// The 95 % profile interval of L∞ in the additive joint law L = L∞ + A/N^α + B/D^β.
///
/// For each L∞ on a grid from 0 to 0.999 × the smallest loss, the other four parameters are
/// fitted by least squares on log-loss (Levenberg–Marquardt from a grid of 9 starts and from
/// the previous grid point's optimum). σ² pools the seed spread with the residuals,
/// (ν_s·σ_s² + RSS_min)/(ν_s + n − 5); the interval is where RSS(L∞) − RSS_min ≤ t²·σ².
///
///     let l = try JointLossInfinityProfile.interval(runs: runs, fit: additive, noise: noise)
public enum JointLossInfinityProfile {
    public static func interval(runs: [RunRecord], fit: JointLaw.Fit, noise: NoiseLevel?) throws -> Interval? {
        let n = runs.map(\.summary.params), d = runs.compactMap(\.summary.datasetTokens), y = runs.map(\.summary.bestTestLossNats)
        guard d.count == n.count else { return nil }
        return interval(params: n, dataTokens: d, lossNats: y, estimate: fit.law.parameters["lossInfinity"] ?? .nan, noise: noise)
    }

    public static func interval(params n: [Double], dataTokens d: [Double], lossNats y: [Double], estimate: Double,
                                noise: NoiseLevel?) -> Interval? {
        let count = y.count
        guard count >= 6, let ymin = y.min(), ymin > 0 else { return nil }
        let ln = n.map { Foundation.log($0) }, ld = d.map { Foundation.log($0) }, ly = y.map { Foundation.log($0) }
        let mN = ln.reduce(0, +) / Double(count), mD = ld.reduce(0, +) / Double(count)
        let ymean = y.reduce(0, +) / Double(count)
        let lm = HuberLM(delta: .infinity, maxIterations: 300)
        let grid = [0] + stride(from: 0.025, through: 0.975, by: 0.025).map { $0 * ymin } + [0.99, 0.999].map { $0 * ymin }
        var rss: [Double] = []
        var previous: [Double]? = nil
        for l in grid {
            let evaluate: HuberLM.Evaluate = { th, r, jac in
                for i in 0..<count {
                    let q = Foundation.exp(th[0] - th[1] * (ln[i] - mN)), s = Foundation.exp(th[2] - th[3] * (ld[i] - mD))
                    let p = l + q + s
                    r[i] = Foundation.log(p) - ly[i]
                    if jac != nil {
                        jac![4 * i] = q / p; jac![4 * i + 1] = -(ln[i] - mN) * q / p
                        jac![4 * i + 2] = s / p; jac![4 * i + 3] = -(ld[i] - mD) * s / p
                    }
                }
            }
            let rest = Foundation.log(max((ymean - l) / 2, 1e-3 * ymin))
            var starts: [[Double]] = []
            for al in [0.1, 0.3, 0.7] { for be in [0.1, 0.3, 0.7] { starts.append([rest, al, rest, be]) } }
            if let p = previous { starts.insert(p, at: 0) }
            var best: HuberLM.Result? = nil
            for s in starts {
                let r = lm.minimize(start: s, count: count, evaluate: evaluate)
                if r.objective.isFinite, r.parameters[1] > 0, r.parameters[3] > 0, r.objective < (best?.objective ?? .infinity) { best = r }
            }
            previous = best?.parameters
            rss.append(2 * (best?.objective ?? .infinity))
        }
        guard let minRSS = rss.min(), minRSS.isFinite else { return nil }
        let residualDF = Double(count - 5)
        let seedDF = noise?.degreesOfFreedom.isFinite == true ? noise!.degreesOfFreedom : 0
        let df = seedDF + residualDF
        let sigma2 = (seedDF * pow(noise?.sigmaLog ?? 0, 2) + minRSS) / df
        let t = StudentT.quantile975(degreesOfFreedom: df)
        let limit = minRSS + t * t * sigma2
        let best = grid[rss.firstIndex(of: minRSS)!]
        let (lo, hi) = LossProfile.interval(grid, rss, best: best, limit: limit, bottom: 0, top: ymin) { m in
            // Linear between grid points (each point of this profile costs ten 4-parameter fits).
            guard let j = grid.firstIndex(where: { $0 >= m }), j > 0 else { return rss[0] }
            let f = (m - grid[j - 1]) / (grid[j] - grid[j - 1])
            return rss[j - 1] + f * (rss[j] - rss[j - 1])
        }
        return Interval(estimate: estimate.isFinite ? estimate : best, lower: lo, upper: hi)
    }
}
