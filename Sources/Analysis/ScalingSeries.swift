import Foundation

/// The points a scaling law is fitted to, drawn from run summaries, with the run each came from.
///
/// - L(N): runs that saw each training token at most once (E ≤ D, or D unknown): for each model
///   size the lowest best test loss (the converged loss of that size).
/// - L(D): runs that repeated their data (E > D): for each dataset size the lowest early-stopped
///   (best) test loss over model sizes.
///
///     let ln = ScalingSeries.lossVersusParams(runs)
///     try PowerLawFitter().fit(x: ln.x, y: ln.lossNats, series: ln.name)
public struct ScalingSeries: Codable, Sendable {
    public var name: String
    public var variable: String
    public var x: [Double]
    public var lossNats: [Double]
    public var runs: [String]
    /// Seeds averaged into each point (nil: one run per point).
    public var counts: [Double]? = nil

    public init(name: String, variable: String, x: [Double], lossNats: [Double], runs: [String]) {
        self.name = name; self.variable = variable; self.x = x; self.lossNats = lossNats; self.runs = runs
    }

    static func isDataLimited(_ s: RunOutcome) -> Bool {
        guard let d = s.datasetTokens else { return false }
        return s.tokens > d
    }

    public static func lossVersusParams(_ runs: [RunRecord], name: String = "L(N)") -> ScalingSeries {
        lowest(runs.filter { !isDataLimited($0.summary) }, name: name, variable: "N") { $0.summary.params }
    }

    public static func lossVersusData(_ runs: [RunRecord], name: String = "L(D)") -> ScalingSeries {
        lowest(runs.filter { isDataLimited($0.summary) }, name: name, variable: "D") { $0.summary.datasetTokens }
    }

    /// For each x the lowest loss over configurations; a configuration (same N, D and E) run
    /// with several seeds counts once, at the geometric mean of its seeds' losses, with `counts`
    /// saying how many seeds it averages.
    static func lowest(_ runs: [RunRecord], name: String, variable: String, key: (RunRecord) -> Double?) -> ScalingSeries {
        var configs: [SeedReplicates.Configuration: [RunRecord]] = [:]
        for r in runs where key(r) != nil { configs[SeedReplicates.Configuration(r), default: []].append(r) }
        var best: [Double: (logLoss: Double, run: String, count: Int)] = [:]
        for (_, group) in configs {
            let k = key(group[0])!
            let mean = group.map { Foundation.log($0.summary.bestTestLossNats) }.reduce(0, +) / Double(group.count)
            let first = group.map(\.name).min()!
            if mean < best[k]?.logLoss ?? .infinity { best[k] = (mean, first, group.count) }
        }
        let keys = best.keys.sorted()
        var s = ScalingSeries(name: name, variable: variable, x: keys, lossNats: keys.map { Foundation.exp(best[$0]!.logLoss) },
                              runs: keys.map { best[$0]!.run })
        s.counts = keys.map { Double(best[$0]!.count) }
        return s
    }
}

/// The compute at which the extrapolated frontier L(C) falls below L(D) evaluated at the data
/// the compute-optimal plan uses, D = E_opt(C) = C/(6·N_opt(C)). Past it, the laws cannot both
/// hold (Kaplan et al. 2020 §6.3; Henighan et al. 2020 §6).
///
///     let c = Crossover.solve(lossVersusCompute: lc, lossVersusData: ld, optimalSize: nOpt)
public enum Crossover {
    /// The crossover compute in PF-days, or nil when the curves do not cross in [1e-30, 1e30].
    public static func solve(lossVersusCompute lc: PowerLaw, lossVersusData ld: PowerLaw,
                             optimalSize: OptimalSizeLaw) -> Double? {
        func gap(_ logC: Double) -> Double {
            let c = Foundation.exp(logC)
            return lc(c) - ld(optimalSize.tokens(atPFDays: c))
        }
        // Scan upwards for the first sign change from positive (frontier above L(D)) to ≤ 0.
        let lo = Foundation.log(1e-30), hi = Foundation.log(1e30)
        let steps = 600
        var prevX = lo, prevG = gap(lo)
        for k in 1...steps {
            let x = lo + (hi - lo) * Double(k) / Double(steps)
            let g = gap(x)
            if prevG > 0 && g <= 0 {
                var a = prevX, b = x
                for _ in 0..<100 {
                    let m = 0.5 * (a + b)
                    if gap(m) > 0 { a = m } else { b = m }
                }
                return Foundation.exp(0.5 * (a + b))
            }
            prevX = x; prevG = g
        }
        return nil
    }
}
