import Foundation

/// A Levenberg–Marquardt minimiser of the Huber loss of residuals, for the small models of
/// scaling laws (2 to 6 parameters).
///
/// The objective is Σᵢ cᵢ·huber_δ(rᵢ(θ)) with huber_δ(r) = r²/2 for |r| ≤ δ and δ(|r| − δ/2)
/// beyond, and cᵢ optional case weights (bootstrap counts). Each step solves
/// (JᵀWJ + λ·diag(JᵀWJ)) Δ = −JᵀWr with the Huber weights wᵢ = cᵢ·min(1, δ/|rᵢ|), so JᵀWr is
/// the exact gradient, and is kept only when the objective falls. `delta = .infinity` gives
/// ordinary least squares.
///
///     let lm = HuberLM(delta: 1e-3)
///     let result = lm.minimize(start: [0, 1], count: n) { theta, r, jac in ... }
public struct HuberLM: Sendable {
    public var delta: Double
    public var maxIterations: Int
    /// Stop when the objective falls by less than this fraction in one step.
    public var relativeTolerance: Double
    /// Or when no parameter moves by more than this, relative to 1 + |θⱼ|.
    public var stepTolerance: Double

    public init(delta: Double = 1e-3, maxIterations: Int = 300, relativeTolerance: Double = 1e-10, stepTolerance: Double = 1e-8) {
        self.delta = delta
        self.maxIterations = maxIterations
        self.relativeTolerance = relativeTolerance
        self.stepTolerance = stepTolerance
    }

    /// Fills `residuals` (count n) and, when `jacobian` is non-nil, the row-major n×p Jacobian.
    public typealias Evaluate = (_ theta: [Double], _ residuals: inout [Double], _ jacobian: inout [Double]?) -> Void

    /// The minimiser's answer: parameters, objective, iterations used, and whether it stopped
    /// on a converged objective (rather than on the iteration limit).
    public struct Result: Sendable {
        public var parameters: [Double]
        public var objective: Double
        public var iterations: Int
        public var converged: Bool
    }

    @inlinable
    public func huber(_ r: Double) -> Double {
        let a = abs(r)
        return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
    }

    public func objective(_ r: [Double], weights: [Double]? = nil) -> Double {
        var s = 0.0
        if let c = weights {
            for i in 0..<r.count where c[i] != 0 { s += c[i] * huber(r[i]) }
        } else {
            for v in r { s += huber(v) }
        }
        return s.isNaN ? .infinity : s
    }

    public func minimize(start: [Double], count n: Int, weights: [Double]? = nil,
                         evaluate: Evaluate) -> Result {
        let p = start.count
        var theta = start
        var r = [Double](repeating: 0, count: n)
        var jac: [Double]? = [Double](repeating: 0, count: n * p)
        var trialJac: [Double]? = [Double](repeating: 0, count: n * p)
        evaluate(theta, &r, &jac)
        var f = objective(r, weights: weights)
        if !f.isFinite { return Result(parameters: theta, objective: .infinity, iterations: 0, converged: false) }
        var lambda = 1e-3
        var trial = [Double](repeating: 0, count: n)
        var h = [Double](repeating: 0, count: p * p)
        var g = [Double](repeating: 0, count: p)
        var iteration = 0
        var converged = false
        while iteration < maxIterations {
            iteration += 1
            for k in 0..<(p * p) { h[k] = 0 }
            for k in 0..<p { g[k] = 0 }
            jac!.withUnsafeBufferPointer { J in
                for i in 0..<n {
                    let c = weights?[i] ?? 1
                    if c == 0 { continue }
                    let a = abs(r[i])
                    let w = c * (a <= delta ? 1.0 : delta / a)
                    let row = i * p
                    for j in 0..<p {
                        let wj = w * J[row + j]
                        g[j] += wj * r[i]
                        for k in j..<p { h[j * p + k] += wj * J[row + k] }
                    }
                }
            }
            for j in 0..<p { for k in 0..<j { h[j * p + k] = h[k * p + j] } }
            var accepted = false
            while lambda < 1e16 {
                var a = h
                for j in 0..<p { a[j * p + j] += lambda * max(h[j * p + j], 1e-12) }
                guard let step = LinearSolve.solve(a, g.map { -$0 }, size: p) else { lambda *= 10; continue }
                var candidate = theta
                for j in 0..<p { candidate[j] += step[j] }
                // The Jacobian comes with the trial point (same exponentials), so an accepted
                // step costs one evaluation.
                evaluate(candidate, &trial, &trialJac)
                let ft = objective(trial, weights: weights)
                if ft < f {
                    let change = f - ft
                    var largestStep = 0.0
                    for j in 0..<p { largestStep = max(largestStep, abs(step[j]) / (1 + abs(theta[j]))) }
                    theta = candidate
                    swap(&r, &trial)
                    swap(&jac, &trialJac)
                    f = ft
                    lambda = max(lambda / 3, 1e-12)
                    accepted = true
                    if change <= relativeTolerance * f + 1e-300 || largestStep < stepTolerance { converged = true }
                    break
                }
                lambda *= 4
            }
            if !accepted { converged = true; break }   // no descent step left: at a minimum
            if converged { break }
        }
        return Result(parameters: theta, objective: f, iterations: iteration, converged: converged)
    }
}

/// Dense solves for the tiny systems of the fitters (Gaussian elimination, partial pivoting).
///
///     LinearSolve.solve([2, 0, 0, 4], [2, 8], size: 2)   // [1, 2]
public enum LinearSolve {
    /// Solves a·x = b for a row-major size×size matrix; nil when singular.
    public static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var m = a, x = b
        for col in 0..<n {
            var pivot = col
            var row = col + 1
            while row < n { if abs(m[row * n + col]) > abs(m[pivot * n + col]) { pivot = row }; row += 1 }
            let pv = m[pivot * n + col]
            if abs(pv) < 1e-300 || !pv.isFinite { return nil }
            if pivot != col {
                for k in 0..<n { m.swapAt(col * n + k, pivot * n + k) }
                x.swapAt(col, pivot)
            }
            row = col + 1
            while row < n {
                let factor = m[row * n + col] / pv
                if factor != 0 {
                    for k in col..<n { m[row * n + k] -= factor * m[col * n + k] }
                    x[row] -= factor * x[col]
                }
                row += 1
            }
        }
        var col = n - 1
        while col >= 0 {
            var s = x[col]
            var k = col + 1
            while k < n { s -= m[col * n + k] * x[k]; k += 1 }
            x[col] = s / m[col * n + col]
            if !x[col].isFinite { return nil }
            col -= 1
        }
        return x
    }

    /// Ordinary least squares of y on the columns of a row-major n×p design; nil when singular.
    /// Also returns the residual variance estimate and the diagonal of (XᵀX)⁻¹ for t-statistics.
    public static func ols(design x: [Double], _ y: [Double], columns p: Int)
        -> (beta: [Double], sigma2: Double, inverseDiagonal: [Double])? {
        let n = y.count
        guard n > p else { return nil }
        var xtx = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        for i in 0..<n {
            for j in 0..<p {
                xty[j] += x[i * p + j] * y[i]
                for k in 0..<p { xtx[j * p + k] += x[i * p + j] * x[i * p + k] }
            }
        }
        guard let beta = solve(xtx, xty, size: p) else { return nil }
        var rss = 0.0
        for i in 0..<n {
            var pred = 0.0
            for j in 0..<p { pred += x[i * p + j] * beta[j] }
            rss += (y[i] - pred) * (y[i] - pred)
        }
        var diag = [Double](repeating: 0, count: p)
        for j in 0..<p {
            var e = [Double](repeating: 0, count: p); e[j] = 1
            guard let col = solve(xtx, e, size: p) else { return nil }
            diag[j] = col[j]
        }
        return (beta, rss / Double(n - p), diag)
    }
}
