import Foundation
import WorkbenchCore

/// How often the report's 95 % intervals contain the truth, over simulated sweeps with a known
/// law and a seed-to-seed noise like the measured one (`workbench fit --coverage 200`).
///
/// Each simulated sweep has, like a preset:
/// - L(N): 7 sizes (1e4 … 1e7), a second seed at 3 of them; every run's loss is the law times
///   exp(σ·ε). Checked: the L∞ and α intervals, and the held-out prediction intervals of the two
///   largest sizes from a fit on the other five.
/// - L(D): 5 dataset sizes with the same noise; the L∞ and α intervals.
/// - L(C) and β: `SyntheticRuns` (8 sizes, learning curves with a per-run offset of σ and 0.1 %
///   per-evaluation noise, a second seed at 3 sizes) through the compute frontier; α_C, L∞ and β.
/// - IsoFLOP profiles: 5 budgets × 7 sizes of a known L(N, D) (`isoFLOP`); the exponents a of N_opt
///   and γ of L*(C), and each budget's N* and L*.
/// - Joint L(N, D): 24 runs on a 4 × 6 grid of the additive law (`JointProfile`); L∞, α and β.
///   And 24 runs on a 6 × 4 grid of Kaplan's form with the paper's fit (`KaplanJointProfile`); α_N, α_D.
/// - Pure forms (`PureFormFit`, compared with Kaplan et al.): α of a pure L(N) on the L(N) sizes
///   and seeds, and α_C of a learning-curve sweep with L∞ = 0.
/// Also counted: intervals of zero width (never allowed).
///
///     let rows = CoverageCheck.run(sweeps: 200, seed: 1)
///     rows.map(\.text)
public enum CoverageCheck {
    /// Coverage of one interval.
    public struct Row: Codable, Sendable {
        public var interval: String
        public var covered: Int
        public var total: Int
        public var zeroWidth: Int
        public var fraction: Double { total > 0 ? Double(covered) / Double(total) : .nan }
        public var text: String {
            "\(interval): \(covered)/\(total) = \(Format.sig(100 * fraction, 3)) %" + (zeroWidth > 0 ? ", \(zeroWidth) of zero width" : "")
        }
    }

    /// Runs `sweeps` simulated sweeps with seed-to-seed noise `sigmaLog` (0.5 % by default) and
    /// returns one row per interval. Sweeps run through `Parallel.forEach`.
    public static func run(sweeps: Int, seed: UInt64 = 1, sigmaLog: Double = 0.005, includeFrontier: Bool = true) -> [Row] {
        let names = ["L(N) L∞", "L(N) α", "L(N) held-out predictions", "L(D) L∞", "L(D) α",
                     "L(C) L∞", "L(C) α_C", "N_opt β (frontier)", "N_opt a (IsoFLOP profiles)",
                     "IsoFLOP L*(C) exponent γ", "IsoFLOP N* per budget", "IsoFLOP L* per budget",
                     "L(N) α, pure form", "L(C) α_C, pure form",
                     "joint L(N, D) L∞", "joint L(N, D) α", "joint L(N, D) β",
                     "Kaplan's joint L(N, D) α_N", "Kaplan's joint L(N, D) α_D"]
        // covered, total, zero width per name, per sweep
        var results = [[(Int, Int, Int)]](repeating: [], count: sweeps)
        results.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            Parallel.forEach(count: sweeps) { k in
                base[k] = one(sweep: k, seed: seed, sigmaLog: sigmaLog, includeFrontier: includeFrontier)
            }
        }
        return names.indices.map { j in
            let cols = results.map { $0[j] }
            return Row(interval: names[j], covered: cols.map(\.0).reduce(0, +), total: cols.map(\.1).reduce(0, +),
                       zeroWidth: cols.map(\.2).reduce(0, +))
        }
    }

    static func tally(_ i: Interval?, _ truth: Double) -> (Int, Int, Int) {
        guard let i else { return (0, 1, 0) }
        return (i.contains(truth) ? 1 : 0, 1, i.upper > i.lower ? 0 : 1)
    }

    /// Noisy losses at `xs` (each repeated for the seeds listed in `seeds`), averaged per size.
    static func series(_ law: PowerLaw, _ xs: [Double], seeds: [Int], sigma: Double, rng: inout SeededRNG)
        -> (x: [Double], y: [Double], counts: [Double], groups: [[Double]]) {
        var y: [Double] = [], groups: [[Double]] = []
        for (i, x) in xs.enumerated() {
            let logs = (0..<seeds[i]).map { _ in Foundation.log(law(x)) + sigma * Double(rng.nextGaussian()) }
            y.append(Foundation.exp(logs.reduce(0, +) / Double(logs.count)))
            groups.append(logs)
        }
        return (xs, y, seeds.map(Double.init), groups)
    }

    static func one(sweep k: Int, seed: UInt64, sigmaLog: Double, includeFrontier: Bool) -> [(Int, Int, Int)] {
        var rng = Bootstrap.rng(seed: seed, resample: k)
        var out: [(Int, Int, Int)] = []
        // L(N): 7 sizes, 2 seeds at 3 of them.
        let ln = PowerLaw(lossInfinity: 2.0, scale: 4e3, exponent: 0.3)
        let nSizes = (0..<7).map { Foundation.pow(10, 4 + 0.5 * Double($0)) }
        let s = series(ln, nSizes, seeds: [2, 1, 1, 2, 1, 1, 2], sigma: sigmaLog, rng: &rng)
        let noise = SeedReplicates.noise(groups: s.groups)
        let fitter = ProfileFitter(noise: noise)
        let pn = try? fitter.fit(x: s.x, y: s.y, counts: s.counts)
        out.append(tally(pn?.lossInfinity, ln.lossInfinity))
        out.append(tally(pn?.exponent, ln.exponent))
        if let check = try? fitter.extrapolationCheck(x: s.x, y: s.y, counts: s.counts, holdOut: 2) {
            let inside = check.heldOut.filter { $0.withinInterval == true }.count
            let zero = check.heldOut.filter { ($0.predictedUpper ?? 0) <= ($0.predictedLower ?? 0) }.count
            out.append((inside, check.heldOut.count, zero))
        } else { out.append((0, 2, 0)) }
        // L(D): 5 dataset sizes, one seed each; the noise measured on the L(N) replicates.
        let ld = PowerLaw(lossInfinity: 1.8, scale: 1e5, exponent: 0.35)
        let dSizes = (0..<5).map { Foundation.pow(10, 5 + 0.5 * Double($0)) }
        let sd = series(ld, dSizes, seeds: [1, 1, 1, 1, 1], sigma: sigmaLog, rng: &rng)
        let pd = try? fitter.fit(x: sd.x, y: sd.y, counts: sd.counts)
        out.append(tally(pd?.lossInfinity, ld.lossInfinity))
        out.append(tally(pd?.exponent, ld.exponent))
        // L(C) and β through the frontier of simulated learning curves.
        if includeFrontier {
            out += frontier(sweep: k, seed: seed, sigmaLog: sigmaLog)
        } else {
            out += [(0, 0, 0), (0, 0, 0), (0, 0, 0)]
        }
        out += isoFLOP(sweep: k, seed: seed, sigmaLog: sigmaLog, rng: &rng)
        // Pure forms (L∞ = 0), as compared with Kaplan et al.: L(N) on the same sizes and seeds.
        let pure = PowerLaw(pureScale: 8.8e13, exponent: 0.076)
        let sp = series(pure, nSizes, seeds: [2, 1, 1, 2, 1, 1, 2], sigma: sigmaLog, rng: &rng)
        out.append(tally(try? PureFormFit.exponent(x: sp.x, y: sp.y, counts: sp.counts, noise: SeedReplicates.noise(groups: sp.groups)),
                         pure.exponent))
        out.append(includeFrontier ? frontierPure(sweep: k, seed: seed, sigmaLog: sigmaLog) : (0, 0, 0))
        // Joint additive law on a 4 × 6 grid.
        let truth = JointLaw(form: .additive, parameters: ["lossInfinity": 1.7, "a": 60, "alpha": 0.34, "b": 300, "beta": 0.28])
        var n: [Double] = [], d: [Double] = [], y: [Double] = []
        for a in [4.0, 5, 6, 7] { for b in [5.0, 5.6, 6.2, 6.8, 7.4, 8] {
            n.append(Foundation.pow(10, a)); d.append(Foundation.pow(10, b))
            y.append(truth(params: n.last!, dataTokens: d.last!) * Foundation.exp(sigmaLog * Double(rng.nextGaussian())))
        } }
        let joint = try? JointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: noise)
        out.append(tally(joint?.lossInfinity, 1.7))
        out.append(tally(joint?.alpha, 0.34))
        out.append(tally(joint?.beta, 0.28))
        // Kaplan's form (eq. 1.5 with the paper's fit) on a 6 × 4 grid of CPU-sized N and D.
        let kaplan = JointLaw(form: .kaplan, parameters: ["nc": 6.4e13, "dc": 1.8e13, "alphaN": 0.076, "alphaD": 0.103])
        n = []; d = []; y = []
        for a in [4.0, 4.5, 5, 5.5, 6, 6.5] { for b in [5.5, 6, 6.5, 7] {
            n.append(Foundation.pow(10, a)); d.append(Foundation.pow(10, b))
            y.append(kaplan(params: n.last!, dataTokens: d.last!) * Foundation.exp(sigmaLog * Double(rng.nextGaussian())))
        } }
        let k = try? KaplanJointProfile.fit(params: n, dataTokens: d, lossNats: y, noise: noise)
        out.append(tally(k?.alphaN, 0.076))
        out.append(tally(k?.alphaD, 0.103))
        return out
    }

    /// IsoFLOP profiles: 5 budgets over four decades, 7 sizes a factor 2 apart per budget centred
    /// off the optimum by up to ×1.4, from L = E + A/N^α + B/D^β with D = C/6N (α = 0.3, β = 0.7,
    /// so N_opt ∝ C^0.7). The exponent a is checked against 0.7; γ of L*(C) ∝ C^(−γ) (a pure form
    /// fitted to minima that approach E) and each budget's N* and L* (a parabola's minimum, about
    /// 20 % below the true optimum over sizes ×8 either side) against what the same fits give on
    /// the noiseless losses: the quantities those intervals estimate.
    static func isoFLOP(sweep k: Int, seed: UInt64, sigmaLog: Double, rng: inout SeededRNG) -> [(Int, Int, Int)] {
        let (e, a, alpha, b, beta) = (1.7, 31.6, 0.3, 79_433.0, 0.7)
        func loss(_ n: Double, _ c: Double) -> Double { e + a / Foundation.pow(n, alpha) + b / Foundation.pow(c / (6 * n), beta) }
        let exponent = beta / (alpha + beta)
        var points: [IsoFLOPProfiles.Point] = [], exact: [IsoFLOPProfiles.Point] = []
        for c in [1e13, 1e14, 1e15, 1e16, 1e17] {
            let optimum = Foundation.pow(alpha * a / (beta * b), 1 / (alpha + beta)) * Foundation.pow(c / 6, exponent)
            let centre = optimum * Foundation.pow(1.4, 2 * rng.nextDouble() - 1)
            for j in -3...3 {
                let n = centre * Foundation.pow(2, Double(j))
                exact.append(.init(budgetFLOPs: c, params: n, lossNats: loss(n, c)))
                points.append(.init(budgetFLOPs: c, params: n, lossNats: loss(n, c) * Foundation.exp(sigmaLog * Double(rng.nextGaussian()))))
            }
        }
        let fit = IsoFLOPProfiles(points: points, resamples: 400, seed: seed &+ UInt64(k))
        let truth = IsoFLOPProfiles(points: exact, resamples: 1)
        var nStar = (0, 0, 0), lStar = (0, 0, 0)
        for (p, q) in zip(fit.profiles, truth.profiles) where p.budgetFLOPs == q.budgetFLOPs {
            let tn = tally(p.optimalParams, q.optimalParams.estimate), tl = tally(p.optimalLossNats, q.optimalLossNats.estimate)
            nStar = (nStar.0 + tn.0, nStar.1 + tn.1, nStar.2 + tn.2)
            lStar = (lStar.0 + tl.0, lStar.1 + tl.1, lStar.2 + tl.2)
        }
        return [tally(fit.optimalSizeExponent, exponent),
                truth.optimalLossExponent.map { tally(fit.optimalLossExponent, $0.estimate) } ?? (0, 0, 0), nStar, lStar]
    }

    /// The pure-form α_C (`PureFormFit` on the frontier's points) of a sweep whose law has L∞ = 0.
    static func frontierPure(sweep k: Int, seed: UInt64, sigmaLog: Double) -> (Int, Int, Int) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coverage-pure-\(getpid())-\(seed)-\(k)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var plan = frontierPlan(sweep: k, seed: seed ^ 0x9E3, sigmaLog: sigmaLog)
        plan.law.lossInfinity = 0
        guard (try? plan.write(to: dir)) != nil, let runs = try? RunRecord.loadAll([dir]) else { return (0, 1, 0) }
        let p = ScalingStudy.frontierPoints(ComputeFrontier(runs: runs))
        let law = plan.law
        let i = try? PureFormFit.exponent(x: p.x, y: p.y, counts: p.counts, independentPoints: p.runs, noise: SeedReplicates.noise(runs))
        return tally(i, law.alphaN * law.alphaS / (law.alphaN + law.alphaS))
    }

    /// The simulated learning-curve sweep: `SyntheticRuns` with the run-to-run noise σ and a second seed at 3 sizes.
    static func frontierPlan(sweep k: Int, seed: UInt64, sigmaLog: Double) -> SyntheticRuns {
        var plan = SyntheticRuns(modality: "text")
        plan.dataSizes = []
        plan.noise = 0.001
        plan.runNoise = sigmaLog
        plan.replicateSizes = [plan.sizes[1], plan.sizes[4], plan.sizes[6]]
        var seedRNG = Bootstrap.rng(seed: seed ^ 0xC0FE, resample: k)
        plan.seed = seedRNG.next()
        return plan
    }

    /// α_C, L∞ and β from a simulated sweep of learning curves.
    static func frontier(sweep k: Int, seed: UInt64, sigmaLog: Double) -> [(Int, Int, Int)] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coverage-\(getpid())-\(seed)-\(k)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = frontierPlan(sweep: k, seed: seed, sigmaLog: sigmaLog)
        guard (try? plan.write(to: dir)) != nil, let runs = try? RunRecord.loadAll([dir]) else { return [(0, 1, 0), (0, 1, 0), (0, 1, 0)] }
        let law = plan.law
        let noise = SeedReplicates.noise(runs)
        let f = ComputeFrontier(runs: runs)
        let lc = try? ScalingStudy.fitFrontier(f, ProfileFitter(noise: noise), name: "L(C)")
        let alphaC = law.alphaN * law.alphaS / (law.alphaN + law.alphaS)
        return [tally(lc?.lossInfinity, law.lossInfinity), tally(lc?.exponent, alphaC),
                tally(OptimalSizeLaw.exponentInterval(f), law.optimalSizeExponent)]
    }
}
