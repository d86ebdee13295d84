import Foundation
import RunFiles

/// The lower envelope of all learning curves in loss against compute, on a log-spaced grid.
///
/// At each grid compute C, a run contributes the best loss it had reached by C (log-log
/// interpolation between its evaluations; after its last evaluation its final best, since that
/// loss was had with less compute). The frontier is the minimum over runs, and the run giving
/// it is "on the frontier" at C. A point is *interior* when that run is still training at C
/// and is neither the smallest nor the largest model size: only interior points measure the
/// laws, since at the edges a size outside the sweep would have been better.
///
///     let frontier = ComputeFrontier(runs: runs)
///     let lc = try PowerLawFitter().fit(x: frontier.interior.map(\.computePFDays), y: frontier.interior.map(\.lossNats))
public struct ComputeFrontier: Codable, Sendable {
    /// One grid point of the envelope.
    public struct Point: Codable, Sendable {
        public var computePFDays: Double
        public var lossNats: Double
        public var run: String
        public var params: Double
        public var interior: Bool
    }

    public var points: [Point]
    /// Where the model size on the frontier changes: (compute, geometric mean of the two sizes).
    public var transitions: [(computePFDays: Double, params: Double)]

    enum CodingKeys: String, CodingKey { case points }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decode([Point].self, forKey: .points)
        transitions = []
    }

    public var interior: [Point] { points.filter(\.interior) }

    /// How compute is counted: Kaplan's 6·N·E, or as spent (`compute_flops_total`: output layer
    /// and attention included).
    public enum Measure: String, Codable, Sendable, CaseIterable {
        case sixNE = "6ne", total
        /// Compute of one metrics row in PF-days under this measure (nil: the row lacks it).
        public func pfDays(_ row: MetricsRecord) -> Double? {
            switch self {
            case .sixNE: return row.computePFDays
            case .total: return row.computeFLOPsTotal.map { $0 / PFDay.flops }
            }
        }
        public var text: String { self == .total ? "compute as spent (output layer and attention included)" : "Kaplan's C = 6·N·E" }
        /// `total` when every run recorded it, else 6·N·E (runs made before `compute_flops_total`).
        public static func available(_ preferred: Measure, runs: [RunRecord]) -> Measure {
            preferred == .total && runs.allSatisfy({ $0.curve.allSatisfy { $0.computeFLOPsTotal != nil } }) ? .total : .sixNE
        }
    }

    public init(runs: [RunRecord], gridPoints: Int = 120, measure: Measure = .sixNE) {
        struct Curve { let name: String; let n: Double; let logC: [Double]; let logL: [Double] }
        var curves: [Curve] = []
        for r in runs {
            let rows = r.curve.compactMap { row in measure.pfDays(row).map { (c: $0, loss: row.testLossNats) } }
                .filter { $0.c > 0 && $0.loss > 0 }.sorted { $0.c < $1.c }
            guard !rows.isEmpty else { continue }
            var best = Double.infinity
            var lc: [Double] = [], ll: [Double] = []
            for row in rows {
                best = min(best, row.loss)
                lc.append(Foundation.log(row.c)); ll.append(Foundation.log(best))
            }
            curves.append(Curve(name: r.name, n: r.summary.params, logC: lc, logL: ll))
        }
        points = []
        transitions = []
        guard let lo = curves.map({ $0.logC.first! }).min(), let hi = curves.map({ $0.logC.last! }).max(), hi > lo else { return }
        let smallest = curves.map(\.n).min()!, largest = curves.map(\.n).max()!
        for g in 0..<gridPoints {
            let logC = lo + (hi - lo) * Double(g) / Double(gridPoints - 1)
            var bestLoss = Double.infinity, bestCurve = -1, live = false
            for (k, c) in curves.enumerated() where c.logC.first! <= logC + 1e-12 {
                let (v, isLive) = Self.value(c.logC, c.logL, at: logC)
                if v < bestLoss { bestLoss = v; bestCurve = k; live = isLive }
            }
            guard bestCurve >= 0 else { continue }
            let c = curves[bestCurve]
            points.append(Point(computePFDays: Foundation.exp(logC), lossNats: Foundation.exp(bestLoss), run: c.name,
                                params: c.n, interior: live && c.n != smallest && c.n != largest))
        }
        // Noise can make two sizes swap places a few times where their curves cross: keep one
        // transition per pair of sizes, at the geometric mean of its crossing computes. A size
        // whose run has ended holds the frontier at its final loss until a larger one beats it:
        // that is where the larger size starts to pay, so it counts as a transition too (short
        // sweeps end their runs before the next size crosses them). Edge sizes never count.
        var crossings: [Double: [Double]] = [:]
        func inner(_ p: Point) -> Bool { p.params != smallest && p.params != largest }
        for k in 1..<max(points.count, 1) where points[k].params != points[k - 1].params && inner(points[k]) && inner(points[k - 1]) {
            let c = (points[k].computePFDays * points[k - 1].computePFDays).squareRoot()
            crossings[(points[k].params * points[k - 1].params).squareRoot(), default: []].append(Foundation.log(c))
        }
        for n in crossings.keys.sorted() {
            let logs = crossings[n]!
            transitions.append((Foundation.exp(logs.reduce(0, +) / Double(logs.count)), n))
        }
    }

    /// Log-loss of a running-min curve at log-compute x, and whether x is within the curve.
    static func value(_ xs: [Double], _ ys: [Double], at x: Double) -> (Double, Bool) {
        if x >= xs.last! { return (ys.last!, x <= xs.last! + 1e-12) }
        if x <= xs.first! { return (ys.first!, true) }
        var lo = 0, hi = xs.count - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if xs[m] <= x { lo = m } else { hi = m } }
        let t = (x - xs[lo]) / max(xs[hi] - xs[lo], 1e-300)
        return (ys[lo] + t * (ys[hi] - ys[lo]), true)
    }
}

/// N_opt(C) = (C/C₀)^β: the compute-optimal model size, fitted (Huber, log space) to the
/// points where the frontier passes from one model size to the next.
///
///     let nOpt = try OptimalSizeLaw.fit(frontier)
///     nOpt.params(atPFDays: 1e-3)
public struct OptimalSizeLaw: Codable, Sendable, Equatable {
    /// C₀ in PF-days.
    public var scalePFDays: Double
    /// β.
    public var exponent: Double

    public init(scalePFDays: Double, exponent: Double) { self.scalePFDays = scalePFDays; self.exponent = exponent }

    public func params(atPFDays c: Double) -> Double { Foundation.exp(exponent * (Foundation.log(c) - Foundation.log(scalePFDays))) }

    /// Training tokens the compute-optimal plan uses at compute C: E = C / (6·N_opt(C)).
    public func tokens(atPFDays c: Double) -> Double { ComputeCost.tokens(flops: c * PFDay.flops, params: params(atPFDays: c)) }

    /// Tokens the plan gives a model of size N: E = C(N)/(6N) with C(N) = C₀·N^(1/β).
    public func tokens(forParams n: Double) -> Double {
        let c = scalePFDays * Foundation.exp(Foundation.log(n) / exponent)
        return ComputeCost.tokens(flops: c * PFDay.flops, params: n)
    }

    public var formula: String { "(C/\(Format.sig(scalePFDays)))^\(Format.sig(exponent))" }

    public static func fit(computePFDays c: [Double], params n: [Double], delta: Double = 1e-3,
                           series: String = "N_opt(C)") throws -> OptimalSizeLaw {
        guard Set(c).count >= 3 else { throw FitError.tooFewPoints(series: series, needed: 3, got: Set(c).count) }
        let lc = c.map { Foundation.log($0) }, ln = n.map { Foundation.log($0) }
        let mean = lc.reduce(0, +) / Double(lc.count)
        // log N = b + β (log C − mean)
        let r = HuberLM(delta: delta).minimize(start: [ln.reduce(0, +) / Double(ln.count), 0.5], count: lc.count) { th, res, jac in
            for i in 0..<lc.count {
                res[i] = th[0] + th[1] * (lc[i] - mean) - ln[i]
                if jac != nil { jac![2 * i] = 1; jac![2 * i + 1] = lc[i] - mean }
            }
        }
        let beta = r.parameters[1]
        guard beta > 0, beta.isFinite else { throw FitError.didNotConverge(series: series) }
        // N = exp(b + β(log C − mean)) = (C/C₀)^β with log C₀ = mean − b/β
        return OptimalSizeLaw(scalePFDays: Foundation.exp(mean - r.parameters[0] / beta), exponent: beta)
    }

    public static func fit(_ frontier: ComputeFrontier, delta: Double = 1e-3) throws -> OptimalSizeLaw {
        try fit(computePFDays: frontier.transitions.map(\.computePFDays), params: frontier.transitions.map(\.params), delta: delta)
    }
}

/// 1 PF-day = 10¹⁵ FLOP/s × 86 400 s.
public enum PFDay {
    public static let flops = ComputeCost.flopsPerPFDay
}
