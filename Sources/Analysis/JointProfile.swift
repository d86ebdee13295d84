import Foundation

/// The additive joint law L = L∞ + A/N^α + B/D^β fitted by least squares on log-loss, with 95 %
/// profile-likelihood intervals for L∞, α and β inside their bounds L∞ ∈ [0, smallest loss)
/// and α, β ∈ (0, 2].
///
/// Runs of one configuration (same N, D and tokens, other seed) are averaged in log-loss and
/// weighted by their count, as in `ProfileFitter`. The objective is RSS = Σ cᵢ·rᵢ² over the
/// configurations. A parameter's profile fixes it and minimises RSS over the other four with
/// Levenberg–Marquardt from the full grid of starting points (3 L∞ × 3 α × 3 β, less the fixed
/// one's values) and from the neighbouring profile point's optimum; L∞ = smallest loss·logistic(u)
/// and α, β = 2·logistic(w) keep every fit inside the bounds. σ² pools the measured seed spread
/// with the residuals, (ν_s·σ_s² + RSS_min)/(ν_s + k − 5) for k configurations, and the interval is
/// where RSS(v) − RSS_min ≤ t²·σ² (t the 97.5 % Student quantile for ν_s + k − 5 degrees of
/// freedom, i.e. the F(1, ν) test of nonlinear regression). The interval ends are bisected on
/// the true profile, not interpolated.
///
///     let j = try JointProfile.fit(params: n, dataTokens: d, lossNats: l, noise: noise)
///     j.lossInfinity.text()   // "1.70 [1.52, 1.81]"
public struct JointProfile: Codable, Sendable {
    public var law: JointLaw
    public var lossInfinity: Interval
    public var alpha: Interval
    public var beta: Interval
    /// Configurations (distinct N, D, tokens) and runs fitted.
    public var configurations: Int
    public var runs: Int
    public var sigmaLog: Double
    public var degreesOfFreedom: Double
    public var rmsLogResidual: Double

    /// `tokens`: tokens processed per run (runs differing only in their seed are averaged);
    /// nil treats every run as its own configuration unless N and D coincide.
    public static func fit(params n: [Double], dataTokens d: [Double], lossNats y: [Double], tokens: [Double]? = nil,
                           noise: NoiseLevel?, series: String = "L(N, D)") throws -> JointProfile {
        let points = try JointConfigurations(params: n, dataTokens: d, lossNats: y, tokens: tokens, needed: 6, series: series)
        let problem = AdditiveProblem(n: points.params, d: points.dataTokens, logY: points.meanLogLoss, counts: points.counts)
        let full = problem.best(fixed: nil, value: 0, warm: [])
        guard full.objective.isFinite else { throw FitError.didNotConverge(series: series) }
        let grids: [[Double]] = [
            [0] + (1...29).map { Double($0) / 30 * problem.ymin } + [0.99, 0.999].map { $0 * problem.ymin },
            (0...29).map { Foundation.exp(Foundation.log(1e-3) + Foundation.log(2e3) * Double($0) / 29) },
            (0...29).map { Foundation.exp(Foundation.log(1e-3) + Foundation.log(2e3) * Double($0) / 29) },
        ]
        // Profiles on the grids; a lower point anywhere becomes the optimum (another basin).
        var best = full
        var profiles: [[AdditiveProblem.Solution]] = []
        for (slot, j) in [0, 2, 4].enumerated() {
            var warm = [best.natural]
            var row: [AdditiveProblem.Solution] = []
            for v in grids[slot] {
                let s = problem.best(fixed: j, value: v, warm: warm)
                row.append(s)
                warm = [best.natural, s.natural]
                if s.objective < best.objective { best = s }
            }
            profiles.append(row)
        }
        let rss = 2 * best.objective
        let (limit, sigma2, df) = points.profileLimit(bestObjective: best.objective, parameters: 5, noise: noise)
        var intervals: [Interval] = []
        for (slot, j) in [0, 2, 4].enumerated() {
            let grid = grids[slot], row = profiles[slot]
            let estimate = best.natural[j]
            let top = j == 0 ? problem.ymin : 2.0
            let (lo, hi) = LossProfile.interval(grid, row.map(\.objective), best: estimate, limit: limit, bottom: 0, top: top) { v in
                // Warm start from the grid neighbours of v and from the optimum.
                let k = grid.firstIndex { $0 >= v } ?? grid.count - 1
                let warm = [best.natural, row[k].natural, row[max(0, k - 1)].natural]
                return problem.best(fixed: j, value: v, warm: warm).objective
            }
            intervals.append(Interval(estimate: estimate, lower: lo, upper: hi))
        }
        let th = best.natural
        let law = JointLaw(form: .additive, parameters: [
            "lossInfinity": th[0], "a": Foundation.exp(th[1] + th[2] * problem.meanLogN), "alpha": th[2],
            "b": Foundation.exp(th[3] + th[4] * problem.meanLogD), "beta": th[4]])
        let totalCounts = problem.counts.reduce(0, +)
        return JointProfile(law: law, lossInfinity: intervals[0], alpha: intervals[1], beta: intervals[2],
                            configurations: points.count, runs: y.count, sigmaLog: sigma2.squareRoot(), degreesOfFreedom: df,
                            rmsLogResidual: (rss / totalCounts).squareRoot())
    }

    /// The fit as a `JointLaw.Fit` for plots and `fits.json`'s `joint` list.
    public var jointFit: JointLaw.Fit { JointLaw.Fit(law: law, points: runs, rmsLogResidual: rmsLogResidual) }
}

/// Weighted least squares of log L = log(L∞ + e^(a − α(ln N − m_N)) + e^(b − β(ln D − m_D))) over
/// bounded parameters: natural θ = [L∞, a, α, b, β], free coordinates [u, a, w_α, b, w_β] with
/// L∞ = ymin·logistic(u), α = 2·logistic(w_α), β = 2·logistic(w_β).
struct AdditiveProblem {
    let t: [Double], s: [Double], logY: [Double], counts: [Double]
    let meanLogN: Double, meanLogD: Double, ymin: Double, ymean: Double

    init(n: [Double], d: [Double], logY: [Double], counts: [Double]) {
        let ln = n.map { Foundation.log($0) }, ld = d.map { Foundation.log($0) }
        let mN = ln.reduce(0, +) / Double(ln.count), mD = ld.reduce(0, +) / Double(ld.count)
        meanLogN = mN; meanLogD = mD
        t = ln.map { $0 - mN }; s = ld.map { $0 - mD }
        self.logY = logY; self.counts = counts
        let y = logY.map { Foundation.exp($0) }
        ymin = y.min()!; ymean = y.reduce(0, +) / Double(y.count)
    }

    struct Solution { var natural: [Double]; var objective: Double }

    static func logistic(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func logit(_ p: Double) -> Double { let q = min(max(p, 1e-9), 1 - 1e-9); return Foundation.log(q / (1 - q)) }

    func toFree(_ natural: [Double]) -> [Double] {
        [Self.logit(natural[0] / ymin), natural[1], Self.logit(natural[2] / 2), natural[3], Self.logit(natural[4] / 2)]
    }

    func toNatural(_ free: [Double]) -> [Double] {
        [ymin * Self.logistic(free[0]), free[1], 2 * Self.logistic(free[2]), free[3], 2 * Self.logistic(free[4])]
    }

    /// The least-squares optimum with parameter `fixed` (an index of θ, or nil) held at `value`,
    /// from the grid of starts and the `warm` natural parameter vectors.
    func best(fixed: Int?, value: Double, warm: [[Double]]) -> Solution {
        let free = (0..<5).filter { $0 != fixed }
        let lm = HuberLM(delta: .infinity, maxIterations: 200)
        func expand(_ x: [Double]) -> [Double] {
            var full = [Double](repeating: 0, count: 5)
            for (k, j) in free.enumerated() { full[j] = x[k] }
            if let f = fixed { full[f] = f == 0 ? Self.logit(value / ymin) : f == 2 || f == 4 ? Self.logit(value / 2) : value }
            return full
        }
        let evaluate: HuberLM.Evaluate = { x, r, jac in
            let th = expand(x)
            let sl = Self.logistic(th[0]), sa = Self.logistic(th[2]), sb = Self.logistic(th[4])
            // A fixed L∞ of exactly 0 (logit clamps at 1e-9) is used as 0.
            let l = fixed == 0 ? value : ymin * sl
            let alpha = fixed == 2 ? value : 2 * sa, beta = fixed == 4 ? value : 2 * sb
            for i in 0..<t.count {
                let q = Foundation.exp(th[1] - alpha * t[i]), u = Foundation.exp(th[3] - beta * s[i])
                let p = l + q + u
                r[i] = Foundation.log(p) - logY[i]
                if jac != nil {
                    let g = [ymin * sl * (1 - sl) / p, q / p, -t[i] * q / p * 2 * sa * (1 - sa),
                             u / p, -s[i] * u / p * 2 * sb * (1 - sb)]
                    for (k, j) in free.enumerated() { jac![free.count * i + k] = g[j] }
                }
            }
        }
        var starts: [[Double]] = warm.map { w in free.map { toFree(w)[$0] } }
        let lValues = fixed == 0 ? [value] : [0.05, 0.4, 0.8].map { $0 * ymin }
        let aValues = fixed == 2 ? [value] : [0.1, 0.3, 0.7]
        let bValues = fixed == 4 ? [value] : [0.1, 0.3, 0.7]
        for l in lValues { for a in aValues { for b in bValues {
            let rest = Foundation.log(max((ymean - l) / 2, 1e-3 * ymin))
            let natural = [l, rest, a, rest, b]
            starts.append(free.map { toFree(natural)[$0] })
        } } }
        var bestSolution = Solution(natural: [], objective: .infinity)
        for start in starts {
            let r = lm.minimize(start: start, count: t.count, weights: counts, evaluate: evaluate)
            guard r.objective.isFinite, r.parameters.allSatisfy({ $0.isFinite }), r.objective < bestSolution.objective else { continue }
            var natural = toNatural(expand(r.parameters))
            if let f = fixed { natural[f] = value }
            bestSolution = Solution(natural: natural, objective: r.objective)
        }
        return bestSolution
    }
}
