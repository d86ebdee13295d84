import Foundation

/// Robust fit of `L(x) = L∞ + (x₀/x)^α` or `(x₀/x)^α` to points (x, loss).
///
/// Residuals are taken on log-loss, rᵢ = log L(xᵢ) − log yᵢ, and the Huber loss (δ = 1e-3 by
/// default, as in Hoffmann et al. 2022) makes the fit robust to outlying runs. The saturating
/// law is minimised by Levenberg–Marquardt from a grid of 20 starting points (L∞ from 5 % to
/// 97 % of the smallest loss × α from 0.05 to 1) and the best end point is kept. Internally
/// the law is `exp(e) + exp(b − α·(log x − mean log x))`, which keeps the problem well scaled.
///
///     let fit = try PowerLawFitter().fit(x: params, y: losses, series: "L(N) image")
///     print(fit.law.formula(variable: "N"))
public struct PowerLawFitter: Sendable {
    public var form: PowerLaw.Form
    /// Huber threshold on log-loss residuals; `.infinity` for least squares.
    public var delta: Double
    /// For the saturating form: refuse series whose log-log curvature is not significant.
    public var requireCurvature: Bool

    public init(form: PowerLaw.Form = .saturating, delta: Double = 1e-3, requireCurvature: Bool = true) {
        self.form = form
        self.delta = delta
        self.requireCurvature = requireCurvature
    }

    /// The fitted law with its goodness of fit.
    public struct Fit: Codable, Sendable {
        public var law: PowerLaw
        public var points: Int
        /// Root mean square of the log-loss residuals (≈ relative error of the fit).
        public var rmsLogResidual: Double
        /// Huber objective at the optimum.
        public var objective: Double
        /// t-statistic of the quadratic term of log-loss on log-x (saturating form only).
        public var curvatureT: Double?
    }

    public func fit(x: [Double], y: [Double], series: String = "series") throws -> Fit {
        let problem = try PowerLawProblem(x: x, y: y, form: form, series: series)
        var curvature: Double? = nil
        if form == .saturating {
            let t = problem.curvatureT()
            curvature = t
            if requireCurvature && !(t >= 2) { throw FitError.noCurvature(series: series, tStatistic: t.isNaN ? 0 : t) }
        }
        let lm = HuberLM(delta: delta)
        var best: HuberLM.Result? = nil
        for start in problem.startingPoints() {
            let r = problem.minimize(lm, start: start, weights: nil)
            if r.objective.isFinite, problem.isValid(r.parameters), r.objective < (best?.objective ?? .infinity) { best = r }
        }
        guard let b = best else { throw FitError.didNotConverge(series: series) }
        let law = problem.law(b.parameters)
        if form == .saturating && law.lossInfinity < 1e-6 * (y.min() ?? 1) {
            throw FitError.lossInfinityCollapsed(series: series, lossInfinity: law.lossInfinity)
        }
        var r = [Double](repeating: 0, count: problem.n), none: [Double]? = nil
        problem.evaluate(b.parameters, &r, &none)
        let rms = (r.reduce(0) { $0 + $1 * $1 } / Double(r.count)).squareRoot()
        return Fit(law: law, points: problem.n, rmsLogResidual: rms, objective: b.objective, curvatureT: curvature)
    }
}

/// The prepared data of one power-law fit: centred log-x, log-loss, and the residual function.
struct PowerLawProblem: Sendable {
    let form: PowerLaw.Form
    let n: Int
    let meanLogX: Double
    let tc: [Double]
    let logY: [Double]
    let y: [Double]

    init(x: [Double], y: [Double], form: PowerLaw.Form, series: String) throws {
        precondition(x.count == y.count, "x and y differ in length")
        for i in 0..<x.count where !(x[i] > 0 && y[i] > 0 && x[i].isFinite && y[i].isFinite) {
            throw FitError.nonPositive(series: series, index: i, x: x[i], y: y[i])
        }
        let needed = form.parameterCount + 1
        let distinct = Set(x).count
        if distinct < needed { throw FitError.tooFewPoints(series: series, needed: needed, got: distinct) }
        self.form = form
        n = x.count
        let t = x.map { Foundation.log($0) }
        let mean = t.reduce(0, +) / Double(x.count)
        meanLogX = mean
        tc = t.map { $0 - mean }
        logY = y.map { Foundation.log($0) }
        self.y = y
    }

    private init(form: PowerLaw.Form, meanLogX: Double, tc: [Double], logY: [Double], y: [Double]) {
        self.form = form; n = tc.count; self.meanLogX = meanLogX; self.tc = tc; self.logY = logY; self.y = y
    }

    /// The same problem restricted to some points (same centring, so parameters carry over).
    func subset(_ idx: [Int]) -> PowerLawProblem {
        PowerLawProblem(form: form, meanLogX: meanLogX, tc: idx.map { tc[$0] }, logY: idx.map { logY[$0] }, y: idx.map { y[$0] })
    }

    func evaluate(_ th: [Double], _ r: inout [Double], _ jac: inout [Double]?) {
        tc.withUnsafeBufferPointer { tc in
            logY.withUnsafeBufferPointer { ly in
                if form == .pure {
                    let b = th[0], a = th[1]
                    for i in 0..<n { r[i] = b - a * tc[i] - ly[i] }
                    if jac != nil {
                        for i in 0..<n { jac![2 * i] = 1; jac![2 * i + 1] = -tc[i] }
                    }
                    return
                }
                let le = Foundation.exp(th[0]), b = th[1], a = th[2]
                if jac == nil {
                    for i in 0..<n { r[i] = Foundation.log(le + Foundation.exp(b - a * tc[i])) - ly[i] }
                } else {
                    jac!.withUnsafeMutableBufferPointer { J in
                        for i in 0..<n {
                            let q = Foundation.exp(b - a * tc[i])
                            let p = le + q
                            r[i] = Foundation.log(p) - ly[i]
                            let inv = 1 / p
                            J[3 * i] = le * inv
                            J[3 * i + 1] = q * inv
                            J[3 * i + 2] = -tc[i] * q * inv
                        }
                    }
                }
            }
        }
    }

    func minimize(_ lm: HuberLM, start: [Double], weights: [Double]?) -> HuberLM.Result {
        lm.minimize(start: start, count: n, weights: weights) { th, r, j in evaluate(th, &r, &j) }
    }

    func isValid(_ th: [Double]) -> Bool {
        th.allSatisfy { $0.isFinite } && th[form == .pure ? 1 : 2] > 0
    }

    func law(_ th: [Double]) -> PowerLaw {
        if form == .pure {
            let a = th[1]
            return PowerLaw(pureLogScale: th[0] / a + meanLogX, exponent: a)
        }
        let a = th[2]
        return PowerLaw(lossInfinity: Foundation.exp(th[0]), logScale: th[1] / a + meanLogX, exponent: a)
    }

    func parameters(_ law: PowerLaw) -> [Double] {
        let b = law.exponent * (law.logScale - meanLogX)
        return form == .pure ? [b, law.exponent] : [Foundation.log(law.lossInfinity), b, law.exponent]
    }

    func startingPoints() -> [[Double]] {
        if form == .pure {
            // Ordinary least squares in log-log space.
            let design: [Double] = tc.flatMap { t -> [Double] in [1, t] }
            if let o = LinearSolve.ols(design: design, logY, columns: 2), o.beta[1] < 0 { return [[o.beta[0], -o.beta[1]]] }
            return [[logY.reduce(0, +) / Double(n), 0.1]]
        }
        let ymin = y.min()!
        var starts: [[Double]] = []
        for frac in [0.05, 0.3, 0.6, 0.85, 0.97] {
            let linf = frac * ymin
            for alpha in [0.05, 0.15, 0.4, 1.0] {
                var b = 0.0
                for i in 0..<n { b += Foundation.log(max(y[i] - linf, 1e-3 * ymin)) + alpha * tc[i] }
                starts.append([Foundation.log(linf), b / Double(n), alpha])
            }
        }
        return starts
    }

    /// t-statistic of c in log y = a + b·t + c·t² (positive c: the curve flattens, as L∞ does).
    func curvatureT() -> Double {
        guard n >= 4 else { return .nan }
        let design: [Double] = tc.flatMap { t -> [Double] in [1, t, t * t] }
        guard let o = LinearSolve.ols(design: design, logY, columns: 3) else { return .nan }
        let se = (o.sigma2 * o.inverseDiagonal[2]).squareRoot()
        if se == 0 { return o.beta[2] > 0 ? .infinity : .nan }
        return o.beta[2] / se
    }
}
