import Foundation

/// Kaplan et al.'s joint law L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (their eq. 1.5) fitted by
/// least squares on log-loss, with a 95 % profile-likelihood interval for α_N and α_D.
///
/// As D → ∞ the law becomes the pure L(N) = (N_c/N)^α_N, so α_N is the converged-data exponent
/// Kaplan et al. report (0.076 on WebText2), read off points that need not be converged
/// themselves. The statistics follow `JointProfile`: runs of one configuration (same N, D and
/// tokens) are averaged in log-loss and weighted by their count; α_N, α_D = 2·logistic(w) keep
/// both in (0, 2]; a profile fixes one exponent and minimises RSS over the other three
/// parameters with Levenberg–Marquardt from a grid of starts and the neighbouring profile point;
/// σ² pools the measured seed spread with the residuals over ν_s + k − 4 degrees of freedom, and
/// the interval is where RSS(v) − RSS_min ≤ t²·σ², its ends bisected on the profile.
///
///     let k = try KaplanJointProfile.fit(params: n, dataTokens: d, lossNats: l, noise: noise)
///     k.alphaN.text(3)   // "0.076 [0.061, 0.094]"
public struct KaplanJointProfile: Codable, Sendable {
    public var law: JointLaw
    public var alphaN: Interval
    public var alphaD: Interval
    /// Configurations (distinct N, D, tokens) and runs fitted.
    public var configurations: Int
    public var runs: Int
    public var rmsLogResidual: Double

    /// `tokens`: tokens processed per run (runs differing only in their seed are averaged).
    public static func fit(params n: [Double], dataTokens d: [Double], lossNats y: [Double], tokens: [Double]? = nil,
                           noise: NoiseLevel?, series: String = "L(N, D)") throws -> KaplanJointProfile {
        let points = try JointConfigurations(params: n, dataTokens: d, lossNats: y, tokens: tokens, needed: 5, series: series)
        let problem = KaplanProblem(n: points.params, d: points.dataTokens, logY: points.meanLogLoss, counts: points.counts)
        var best = problem.best(fixed: nil, value: 0, warm: [])
        guard best.objective.isFinite else { throw FitError.didNotConverge(series: series) }
        let grid = (0...29).map { Foundation.exp(Foundation.log(1e-3) + Foundation.log(2e3) * Double($0) / 29) }
        var profiles: [[KaplanProblem.Solution]] = []
        for j in [2, 3] {
            var warm = [best.natural]
            var row: [KaplanProblem.Solution] = []
            for v in grid {
                let s = problem.best(fixed: j, value: v, warm: warm)
                row.append(s)
                warm = [best.natural, s.natural]
                if s.objective < best.objective { best = s }   // another basin
            }
            profiles.append(row)
        }
        let rss = 2 * best.objective
        let limit = points.profileLimit(bestObjective: best.objective, parameters: 4, noise: noise).limit
        var intervals: [Interval] = []
        for (slot, j) in [2, 3].enumerated() {
            let row = profiles[slot], estimate = best.natural[j]
            let (lo, hi) = LossProfile.interval(grid, row.map(\.objective), best: estimate, limit: limit, bottom: 0, top: 2) { v in
                let k = grid.firstIndex { $0 >= v } ?? grid.count - 1
                return problem.best(fixed: j, value: v, warm: [best.natural, row[k].natural, row[max(0, k - 1)].natural]).objective
            }
            intervals.append(Interval(estimate: estimate, lower: lo, upper: hi))
        }
        let th = best.natural
        let law = JointLaw(form: .kaplan, parameters: ["nc": Foundation.exp(th[0] + problem.meanLogN), "dc": Foundation.exp(th[1] + problem.meanLogD),
                                                       "alphaN": th[2], "alphaD": th[3]])
        let totalCounts = problem.counts.reduce(0, +)
        return KaplanJointProfile(law: law, alphaN: intervals[0], alphaD: intervals[1], configurations: points.count, runs: y.count,
                                  rmsLogResidual: (rss / totalCounts).squareRoot())
    }

    /// The fit as a `JointLaw.Fit` for plots and `fits.json`'s `joint` list.
    public var jointFit: JointLaw.Fit { JointLaw.Fit(law: law, points: runs, rmsLogResidual: rmsLogResidual) }
}

/// Weighted least squares of log L = α_D·log((N_c/N)^(α_N/α_D) + D_c/D) over natural
/// θ = [u, v, α_N, α_D] (u = ln N_c − m_N, v = ln D_c − m_D), with free coordinates
/// [u, v, w_N, w_D] and α = 2·logistic(w).
struct KaplanProblem {
    let t: [Double], s: [Double], logY: [Double], counts: [Double]
    let meanLogN: Double, meanLogD: Double

    init(n: [Double], d: [Double], logY: [Double], counts: [Double]) {
        let ln = n.map { Foundation.log($0) }, ld = d.map { Foundation.log($0) }
        let mN = ln.reduce(0, +) / Double(ln.count), mD = ld.reduce(0, +) / Double(ld.count)
        meanLogN = mN; meanLogD = mD
        t = ln.map { $0 - mN }; s = ld.map { $0 - mD }
        self.logY = logY; self.counts = counts
    }

    struct Solution { var natural: [Double]; var objective: Double }

    /// ln L at one configuration, by log-sum-exp: α_D·ln(e^((α_N/α_D)(u − tᵢ)) + e^(v − sᵢ)).
    func logLoss(_ th: [Double], _ i: Int) -> Double {
        let a = (th[2] / th[3]) * (th[0] - t[i]), b = th[1] - s[i]
        let m = max(a, b)
        return th[3] * (m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m)))
    }

    /// The least-squares optimum with exponent `fixed` (2 = α_N, 3 = α_D, or nil) held at
    /// `value`, from a grid of starts and the `warm` natural parameter vectors.
    func best(fixed: Int?, value: Double, warm: [[Double]]) -> Solution {
        let free = (0..<4).filter { $0 != fixed }
        let lm = HuberLM(delta: .infinity, maxIterations: 300)
        func natural(_ x: [Double]) -> [Double] {
            var th = [Double](repeating: 0, count: 4)
            for (k, j) in free.enumerated() { th[j] = j >= 2 ? 2 * AdditiveProblem.logistic(x[k]) : x[k] }
            if let f = fixed { th[f] = value }
            return th
        }
        func freeCoordinates(_ th: [Double]) -> [Double] { free.map { $0 >= 2 ? AdditiveProblem.logit(th[$0] / 2) : th[$0] } }
        let evaluate: HuberLM.Evaluate = { x, r, jac in
            let th = natural(x)
            for i in 0..<t.count { r[i] = logLoss(th, i) - logY[i] }
            if jac != nil {
                for k in 0..<x.count {
                    var up = x, dn = x
                    let h = 1e-6 * max(1, abs(x[k]))
                    up[k] += h; dn[k] -= h
                    let tu = natural(up), td = natural(dn)
                    for i in 0..<t.count { jac![x.count * i + k] = (logLoss(tu, i) - logLoss(td, i)) / (2 * h) }
                }
            }
        }
        var starts = warm.map(freeCoordinates)
        for u in [1.0, 5, 12] { for v in [1.0, 5, 12] {
            for aN in fixed == 2 ? [value] : [0.05, 0.15, 0.4] { for aD in fixed == 3 ? [value] : [0.05, 0.15, 0.4] {
                starts.append(freeCoordinates([u, v, aN, aD]))
            } }
        } }
        var bestSolution = Solution(natural: [], objective: .infinity)
        for start in starts {
            let r = lm.minimize(start: start, count: t.count, weights: counts, evaluate: evaluate)
            guard r.objective.isFinite, r.parameters.allSatisfy({ $0.isFinite }), r.objective < bestSolution.objective else { continue }
            bestSolution = Solution(natural: natural(r.parameters), objective: r.objective)
        }
        return bestSolution
    }
}
