import Foundation
import WorkbenchCore

/// Hoffmann et al.'s (2022) approach 2: at each compute budget C, runs of several sizes that each
/// end exactly where C is spent; a parabola in ln N through their final losses gives the size
/// N*(C) and loss L*(C) at the profile's minimum; power laws through the minima give
/// N_opt(C) = k·C^a and L*(C) = L₀·(C/C₀)^(−γ). Intervals come from a residual bootstrap: the
/// parabolas' residuals (inflated by √(n/(n − 3k)) for the 3 parameters each of the k fits)
/// are redrawn, every parabola and both laws refitted.
///
///     let profiles = IsoFLOPProfiles(points: runs.map { .init(budgetFLOPs: $0.c, params: $0.n, lossNats: $0.loss) })
///     profiles.optimalSizeExponent?.text()    // "0.70 [0.67, 0.73]"
public struct IsoFLOPProfiles: Sendable {
    /// One run's final (annealed) point on a budget.
    public struct Point: Sendable, Equatable {
        public var budgetFLOPs: Double
        public var params: Double
        public var lossNats: Double
        public init(budgetFLOPs: Double, params: Double, lossNats: Double) {
            self.budgetFLOPs = budgetFLOPs; self.params = params; self.lossNats = lossNats
        }
    }

    /// One budget's parabola `loss = a·u² + b·u + c` in u = ln N, and its minimum.
    public struct Profile: Sendable {
        public var budgetFLOPs: Double
        public var points: [Point]
        public var a: Double, b: Double, c: Double
        /// N* = exp(−b / 2a), with its bootstrap interval.
        public var optimalParams: Interval
        /// L* = c − b² / 4a, with its bootstrap interval.
        public var optimalLossNats: Interval
        /// Whether N* lies inside the sizes run (outside, the parabola extrapolates: the grid
        /// should move towards it).
        public var minimumInsideGrid: Bool
    }

    public var profiles: [Profile] = []
    /// a in N_opt(C) ∝ C^a, over the profiles whose minimum lies inside their grid.
    public var optimalSizeExponent: Interval?
    /// ln k of N_opt = k·C^a (C in FLOPs).
    public var optimalSizeLogCoefficient: Double?
    /// γ in L*(C) ∝ C^(−γ) (the pure form, fitted in log–log).
    public var optimalLossExponent: Interval?
    /// Budgets left out and why (fewer than 3 sizes, no minimum, minimum outside the grid).
    public var problems: [String] = []
    public var resamples: Int

    public init(points: [Point], resamples: Int = 1000, seed: UInt64 = 1) {
        self.resamples = resamples
        let budgets = Dictionary(grouping: points, by: \.budgetFLOPs).sorted { $0.key < $1.key }
        var fits: [(budget: Double, points: [Point], coefficients: [Double])] = []
        for (budget, group) in budgets {
            let sizes = Set(group.map(\.params)).count
            guard sizes >= 3 else {
                problems.append("budget \(Format.sig(budget, 3)) FLOPs: \(sizes) size(s), a parabola needs at least 3")
                continue
            }
            guard let coefficients = Self.parabola(group.map { log($0.params) }, group.map(\.lossNats)),
                  coefficients[0] > 0 else {
                problems.append("budget \(Format.sig(budget, 3)) FLOPs: the losses do not curve upwards around a minimum")
                continue
            }
            fits.append((budget, group, coefficients))
        }
        guard !fits.isEmpty else { return }
        // Residuals of every parabola, inflated for the parameters fitted.
        var residuals: [Double] = []
        for f in fits {
            for p in f.points { residuals.append(p.lossNats - Self.evaluate(f.coefficients, log(p.params))) }
        }
        let dof = residuals.count - 3 * fits.count
        let inflation = dof > 0 ? (Double(residuals.count) / Double(dof)).squareRoot() : 1
        residuals = residuals.map { $0 * inflation }

        func minimum(_ co: [Double]) -> (logN: Double, loss: Double) {
            (-co[1] / (2 * co[0]), co[2] - co[1] * co[1] / (4 * co[0]))
        }
        func inside(_ f: (budget: Double, points: [Point], coefficients: [Double])) -> Bool {
            let u = minimum(f.coefficients).logN, us = f.points.map { log($0.params) }
            return u >= us.min()! && u <= us.max()!
        }
        let usable = fits.filter(inside)
        for f in fits where !inside(f) {
            problems.append("budget \(Format.sig(f.budget, 3)) FLOPs: the minimum N* = \(Format.sig(exp(minimum(f.coefficients).logN), 3)) "
                            + "lies outside the sizes run; left out of N_opt(C) (move this budget's sizes towards it)")
        }
        func laws(_ minima: [(budget: Double, logN: Double, loss: Double)]) -> (a: Double, logK: Double, gamma: Double)? {
            guard minima.count >= 2 else { return nil }
            let lc = minima.map { log($0.budget) }
            guard let size = Self.line(lc, minima.map(\.logN)), let loss = Self.line(lc, minima.map { log($0.loss) })
            else { return nil }
            return (size.slope, size.intercept, -loss.slope)
        }
        let full = usable.map { f -> (budget: Double, logN: Double, loss: Double) in
            let m = minimum(f.coefficients); return (f.budget, m.logN, m.loss)
        }
        let estimate = laws(full)

        // Residual bootstrap: every parabola refitted on its fitted values plus redrawn residuals.
        var samples = [[Double]?](repeating: nil, count: resamples)
        samples.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.forEach(count: resamples) { i in
                var rng = Bootstrap.rng(seed: seed, resample: i)
                var row: [Double] = []
                var minima: [(budget: Double, logN: Double, loss: Double)] = []
                for f in fits {
                    let u = f.points.map { log($0.params) }
                    let y = u.map { Self.evaluate(f.coefficients, $0) + residuals[rng.nextInt(below: residuals.count)] }
                    guard let co = Self.parabola(u, y), co[0] > 0 else { return }
                    let m = minimum(co)
                    row += [m.logN, m.loss]
                    if inside(f) { minima.append((f.budget, m.logN, m.loss)) }
                }
                if let l = laws(minima) { row += [l.a, l.gamma] } else if estimate != nil { return }
                base[i] = row
            }
        }
        let drawn = samples.compactMap { $0 }
        for (k, f) in fits.enumerated() {
            let m = minimum(f.coefficients)
            profiles.append(Profile(budgetFLOPs: f.budget, points: f.points, a: f.coefficients[0], b: f.coefficients[1],
                                    c: f.coefficients[2],
                                    optimalParams: Bootstrap.interval(drawn.map { exp($0[2 * k]) }, estimate: exp(m.logN)),
                                    optimalLossNats: Bootstrap.interval(drawn.map { $0[2 * k + 1] }, estimate: m.loss),
                                    minimumInsideGrid: inside(f)))
        }
        if let estimate {
            let at = 2 * fits.count
            optimalSizeExponent = Bootstrap.interval(drawn.map { $0[at] }, estimate: estimate.a)
            optimalSizeLogCoefficient = estimate.logK
            optimalLossExponent = Bootstrap.interval(drawn.map { $0[at + 1] }, estimate: estimate.gamma)
        } else {
            problems.append("N_opt(C): \(usable.count) budget(s) with a minimum inside their grid, at least 2 are needed")
        }
    }

    /// N_opt at compute C (FLOPs), from the fitted law.
    public func optimalParams(atFLOPs c: Double) -> Double? {
        guard let a = optimalSizeExponent?.estimate, let k = optimalSizeLogCoefficient else { return nil }
        return exp(k + a * log(c))
    }

    static func evaluate(_ co: [Double], _ u: Double) -> Double { co[0] * u * u + co[1] * u + co[2] }

    /// Least-squares parabola through (u, y): [a, b, c] of a·u² + b·u + c (centred for accuracy),
    /// from the normal equations solved by `LinearSolve.solve`.
    static func parabola(_ u: [Double], _ y: [Double]) -> [Double]? {
        guard u.count >= 3, Set(u).count >= 3 else { return nil }
        let mean = u.reduce(0, +) / Double(u.count)
        guard let co = leastSquares(u.map { x0 in let x = x0 - mean; return [x * x, x, 1] }, y) else { return nil }
        let (a, bc, cc) = (co[0], co[1], co[2])
        // Back from x = u − mean: a(u − m)² + b(u − m) + c.
        return [a, bc - 2 * a * mean, a * mean * mean - bc * mean + cc]
    }

    /// Ordinary least-squares line y = intercept + slope·x.
    static func line(_ x: [Double], _ y: [Double]) -> (slope: Double, intercept: Double)? {
        guard Set(x).count >= 2, let co = leastSquares(x.map { [$0, 1] }, y) else { return nil }
        return (co[0], co[1])
    }

    /// Coefficients minimising Σ (y − row·β)², exact fits included (`LinearSolve.ols` needs more
    /// points than coefficients; a parabola through three sizes has none to spare).
    static func leastSquares(_ rows: [[Double]], _ y: [Double]) -> [Double]? {
        let p = rows[0].count
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        for (row, yi) in zip(rows, y) {
            for j in 0..<p {
                xty[j] += row[j] * yi
                for k in 0..<p { xtx[j * p + k] += row[j] * row[k] }
            }
        }
        return LinearSolve.solve(xtx, xty, size: p)
    }
}
