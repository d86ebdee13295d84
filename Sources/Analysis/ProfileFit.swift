import Foundation

/// Fit of `L(x) = L∞ + (x₀/x)^α` by profiling the objective over L∞ and α inside their bounds,
/// L∞ ∈ [0, smallest loss) and α ∈ (0, 2], so that an L∞ the data do not determine is reported
/// as the range they allow instead of being hidden behind a pure power law.
///
/// For every (L∞, α) on a grid (53 values of L∞ from 0 to 0.999 × the smallest loss, 56
/// log-spaced α from 0.001 to 2) the log-scale b is solved exactly (bisection on the gradient,
/// which changes sign once between the points' own exact solutions), then each profile is
/// refined by golden-section search; the interval ends are refined by bisection. The objective is the Huber loss of standardised log-loss
/// residuals zᵢ = √cᵢ·rᵢ/σ (cᵢ runs averaged into point i, Huber threshold 3σ, i.e. least squares
/// for all but gross outliers). σ pools the seed-to-seed spread (when measured) with the fit's
/// residuals; a parameter's 95 % interval is where its profile stays within t²/2 of the
/// minimum, t the 97.5 % Student quantile for the pooled degrees of freedom.
///
///     let p = try ProfileFitter(noise: noise).fit(x: n, y: loss, counts: seeds, series: "L(N) text")
///     p.lossInfinity.text()          // "2.31 [2.2, 2.4]"  or, undetermined, "[0, 2.31]"
///     p.exponentAtLossInfinityBounds // α at the two ends of the L∞ interval
public struct ProfileFitter: Sendable {
    /// Measured seed-to-seed spread of log-loss (nil: not measured; the residuals alone set σ).
    public var noise: NoiseLevel?
    /// Huber threshold in units of σ.
    public var huberK: Double = 3
    public var maxExponent: Double = 2
    public var minExponent: Double = 1e-3

    public init(noise: NoiseLevel? = nil) { self.noise = noise }

    /// `independentPoints`: how many independent measurements the points are (default: the
    /// distinct x); the frontier's many points come from a few runs, so L(C) passes the runs.
    public func fit(x: [Double], y: [Double], counts: [Double]? = nil, independentPoints: Int? = nil,
                    series: String = "series") throws -> LossProfile {
        precondition(x.count == y.count, "x and y differ in length")
        for i in 0..<x.count where !(x[i] > 0 && y[i] > 0 && x[i].isFinite && y[i].isFinite) {
            throw FitError.nonPositive(series: series, index: i, x: x[i], y: y[i])
        }
        let distinct = Set(x).count
        if distinct < 3 { throw FitError.tooFewPoints(series: series, needed: 3, got: distinct) }
        let c = counts ?? [Double](repeating: 1, count: x.count)
        let problem = ProfileProblem(x: x, y: y, counts: c, minExponent: minExponent, maxExponent: maxExponent)
        // Pass 1, least squares: the residual sum of squares sets σ together with the seeds.
        let ls = problem.search(scale: 1, huberK: .infinity)
        let rss = 2 * ls.best.objective
        let residualDF = Double(max(0, (independentPoints ?? distinct) - 3))
        let pooled = NoiseLevel.pooledVariance(noise, rss: rss, residualDF: residualDF)
        let df = pooled.degreesOfFreedom, sigmaLog = pooled.variance.squareRoot()
        guard sigmaLog.isFinite, sigmaLog > 0 else {
            // Three points and no measured noise: a 3-parameter law passes through them exactly.
            return LossProfile.undetermined(problem: problem, best: ls.best, series: series, points: x.count)
        }
        // Pass 2, Huber on standardised residuals.
        let search = problem.search(scale: sigmaLog, huberK: huberK)
        let t = StudentT.quantile975(degreesOfFreedom: df)
        return LossProfile(problem: problem, search: search, sigmaLog: sigmaLog, degreesOfFreedom: df,
                           threshold: t * t / 2, huberK: huberK, residualRMS: (rss / Double(c.reduce(0, +))).squareRoot(), series: series, points: x.count)
    }
}

/// A measured seed-to-seed spread: the standard deviation of log-loss between runs that differ
/// only in their seed, pooled over configurations.
///
///     NoiseLevel(sigmaLog: 0.004, degreesOfFreedom: 3, groups: 3).text   // "0.4 % (3 df, 3 sizes)"
public struct NoiseLevel: Codable, Sendable, Equatable {
    /// Standard deviation of the natural log of the loss (≈ relative spread).
    public var sigmaLog: Double
    /// Σ (seeds − 1) over the configurations; `.infinity` for a noise level known exactly.
    public var degreesOfFreedom: Double
    /// Configurations run with more than one seed.
    public var groups: Int
    public init(sigmaLog: Double, degreesOfFreedom: Double, groups: Int) {
        self.sigmaLog = sigmaLog; self.degreesOfFreedom = degreesOfFreedom; self.groups = groups
    }
    /// The variance of log-loss a fit uses, with its degrees of freedom: the seed spread pooled
    /// with the fit's residual sum of squares, (ν_s·σ_s² + RSS)/(ν_s + ν_r); the seed spread alone
    /// when it is known exactly (ν_s = ∞); the residuals alone when none was measured; NaN with
    /// no degree of freedom at all.
    static func pooledVariance(_ noise: NoiseLevel?, rss: Double, residualDF: Double) -> (variance: Double, degreesOfFreedom: Double) {
        let seedDF = noise?.degreesOfFreedom ?? 0, seedVar = pow(noise?.sigmaLog ?? 0, 2)
        if seedDF.isInfinite { return (seedVar, .infinity) }
        let df = seedDF + residualDF
        return (df > 0 ? (seedDF * seedVar + rss) / df : .nan, df)
    }

    public var text: String {
        "\(Format.sig(100 * sigmaLog, 2)) % (\(degreesOfFreedom.isFinite ? "\(Int(degreesOfFreedom)) df" : "known"), \(groups) configuration\(groups == 1 ? "" : "s"))"
    }
}

/// The data of one profiled fit: centred log-x, log-loss and counts, with the exact solve of
/// the scale b for a given (L∞, α).
struct ProfileProblem: Sendable {
    let tc: [Double], logY: [Double], y: [Double], counts: [Double], sqrtCounts: [Double]
    let meanLogX: Double, ymin: Double
    let lossInfinityGrid: [Double], exponentGrid: [Double]

    init(x: [Double], y: [Double], counts: [Double], minExponent: Double, maxExponent: Double) {
        let t = x.map { Foundation.log($0) }
        let mean = t.reduce(0, +) / Double(t.count)
        meanLogX = mean
        tc = t.map { $0 - mean }
        logY = y.map { Foundation.log($0) }
        self.y = y
        self.counts = counts
        sqrtCounts = counts.map { $0.squareRoot() }
        let smallest = y.min()!
        ymin = smallest
        lossInfinityGrid = [0] + stride(from: 0.02, through: 0.98, by: 0.02).map { $0 * smallest } + [0.99, 0.995, 0.999].map { $0 * smallest }
        let steps = 55
        exponentGrid = (0...steps).map { k in Foundation.exp(Foundation.log(minExponent) + (Foundation.log(maxExponent) - Foundation.log(minExponent)) * Double(k) / Double(steps)) }
    }

    /// A point of the objective surface with b solved: objective and b.
    struct Cell { var lossInfinity: Double; var exponent: Double; var b: Double; var objective: Double }

    /// Minimises over b the Huber objective of zᵢ = √cᵢ(log(L∞ + e^(b − α tᵢ)) − log yᵢ)/scale.
    func solve(lossInfinity l: Double, exponent a: Double, scale: Double, huberK k: Double) -> Cell {
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<tc.count {
            let bi = Foundation.log(y[i] - l) + a * tc[i]
            lo = min(lo, bi); hi = max(hi, bi)
        }
        // Below every point's own solution all residuals are negative (gradient < 0); above
        // every one they are positive; bisect the gradient's sign change in between.
        func gradient(_ b: Double) -> Double {
            var g = 0.0
            for i in 0..<tc.count {
                let q = Foundation.exp(b - a * tc[i]), p = l + q
                let z = sqrtCounts[i] * (Foundation.log(p) - logY[i]) / scale
                g += sqrtCounts[i] * min(max(z, -k), k) * q / p
            }
            return g
        }
        if hi - lo > 1e-12 {
            for _ in 0..<40 {
                let m = 0.5 * (lo + hi)
                if gradient(m) > 0 { hi = m } else { lo = m }
            }
        }
        let b = 0.5 * (lo + hi)
        return Cell(lossInfinity: l, exponent: a, b: b, objective: objective(lossInfinity: l, exponent: a, b: b, scale: scale, huberK: k))
    }

    func objective(lossInfinity l: Double, exponent a: Double, b: Double, scale: Double, huberK k: Double) -> Double {
        var f = 0.0
        for i in 0..<tc.count {
            let z = abs(sqrtCounts[i] * (Foundation.log(l + Foundation.exp(b - a * tc[i])) - logY[i]) / scale)
            f += z <= k ? 0.5 * z * z : k * (z - 0.5 * k)
        }
        return f
    }

    func law(_ c: Cell) -> PowerLaw {
        let logScale = c.b / c.exponent + meanLogX
        return c.lossInfinity == 0 ? PowerLaw(pureLogScale: logScale, exponent: c.exponent)
            : PowerLaw(lossInfinity: c.lossInfinity, logScale: logScale, exponent: c.exponent)
    }

    /// Golden-section minimum of f on [a, b].
    static func golden(_ a0: Double, _ b0: Double, iterations: Int = 40, _ f: (Double) -> Cell) -> Cell {
        let r = (5.0.squareRoot() - 1) / 2
        var a = a0, b = b0
        var x1 = b - r * (b - a), x2 = a + r * (b - a)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<iterations {
            if f1.objective <= f2.objective { b = x2; x2 = x1; f2 = f1; x1 = b - r * (b - a); f1 = f(x1) }
            else { a = x1; x1 = x2; f1 = f2; x2 = a + r * (b - a); f2 = f(x2) }
        }
        return f1.objective <= f2.objective ? f1 : f2
    }

    /// The best α (grid, then golden section in log α) at a fixed L∞.
    func profile(lossInfinity l: Double, scale: Double, huberK k: Double) -> Cell {
        let cells = exponentGrid.map { solve(lossInfinity: l, exponent: $0, scale: scale, huberK: k) }
        let j = cells.indices.min { cells[$0].objective < cells[$1].objective }!
        let lo = Foundation.log(exponentGrid[max(0, j - 1)]), hi = Foundation.log(exponentGrid[min(exponentGrid.count - 1, j + 1)])
        let refined = Self.golden(lo, hi, iterations: 20) { solve(lossInfinity: l, exponent: Foundation.exp($0), scale: scale, huberK: k) }
        return refined.objective < cells[j].objective ? refined : cells[j]
    }

    /// The best L∞ (grid, then golden section) at a fixed α.
    func profile(exponent a: Double, scale: Double, huberK k: Double) -> Cell {
        let cells = lossInfinityGrid.map { solve(lossInfinity: $0, exponent: a, scale: scale, huberK: k) }
        let j = cells.indices.min { cells[$0].objective < cells[$1].objective }!
        let lo = lossInfinityGrid[max(0, j - 1)], hi = lossInfinityGrid[min(lossInfinityGrid.count - 1, j + 1)]
        let refined = Self.golden(lo, hi, iterations: 20) { solve(lossInfinity: $0, exponent: a, scale: scale, huberK: k) }
        return refined.objective < cells[j].objective ? refined : cells[j]
    }

    /// Both profiles on their grids and the refined optimum.
    struct Search { var overLossInfinity: [Cell]; var overExponent: [Cell]; var best: Cell }

    func search(scale: Double, huberK k: Double) -> Search {
        let rows = lossInfinityGrid.map { profile(lossInfinity: $0, scale: scale, huberK: k) }
        let cols = exponentGrid.map { profile(exponent: $0, scale: scale, huberK: k) }
        let j = rows.indices.min { rows[$0].objective < rows[$1].objective }!
        var best = rows[j]
        let refined = Self.golden(lossInfinityGrid[max(0, j - 1)], lossInfinityGrid[min(rows.count - 1, j + 1)], iterations: 30) {
            profile(lossInfinity: $0, scale: scale, huberK: k)
        }
        if refined.objective < best.objective { best = refined }
        if let c = cols.min(by: { $0.objective < $1.objective }), c.objective < best.objective { best = c }
        return Search(overLossInfinity: rows, overExponent: cols, best: best)
    }
}

extension ProfileFitter {
    /// Fits on all but the `holdOut` largest x and predicts them: each held-out point gets the
    /// prediction of the best law and a 95 % prediction interval (the range of the laws inside
    /// the profile region, widened by the point's own noise t·σ/√count).
    public func extrapolationCheck(x: [Double], y: [Double], counts: [Double]? = nil, holdOut: Int = 2,
                                   series: String = "series") throws -> ExtrapolationCheck {
        let distinctX = Array(Set(x)).sorted()
        guard holdOut >= 1, distinctX.count > holdOut + 2 else {
            throw FitError.tooFewPoints(series: series + " (held-out check)", needed: 3 + holdOut, got: distinctX.count)
        }
        let c = counts ?? [Double](repeating: 1, count: x.count)
        let cut = distinctX[distinctX.count - holdOut]
        let train = (0..<x.count).filter { x[$0] < cut }
        let p = try fit(x: train.map { x[$0] }, y: train.map { y[$0] }, counts: train.map { c[$0] }, series: series + " (held-out check)")
        let t = StudentT.quantile975(degreesOfFreedom: p.degreesOfFreedom)
        let held = (0..<x.count).filter { x[$0] >= cut }.map { i -> ExtrapolationCheck.Point in
            let predicted = p.law(x[i])
            let values = p.acceptedLaws.map { $0(x[i]) } + [predicted]
            let widen = p.sigmaLog.isFinite ? Foundation.exp(t * p.sigmaLog / c[i].squareRoot()) : .infinity
            var point = ExtrapolationCheck.Point(x: x[i], observed: y[i], predicted: predicted, relativeError: (predicted - y[i]) / y[i])
            point.predictedLower = values.min()! / widen
            point.predictedUpper = widen.isFinite ? values.max()! * widen : .infinity
            return point
        }
        return ExtrapolationCheck(fittedOn: train.count, law: p.law, heldOut: held)
    }
}
