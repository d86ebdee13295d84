import Foundation

/// One point of the converged-law design (Hägele et al. 2024; Hoffmann et al. 2022): the
/// annealed end of a run or of one of its cooldown branches, as (N, D = tokens seen, loss).
///
/// A run that repeated its data is counted by its effective data (Muennighoff et al. 2023,
/// "Scaling Data-Constrained Language Models", eq. 5 with their fitted R*_D = 15.4):
/// D' = U + U·R*·(1 − e^(−R/R*)), U unique tokens, R = E/U − 1 repetitions. Up to about 4
/// epochs D' ≈ E; far beyond, repeated tokens stop counting.
public struct AnnealedPoint: Sendable, Equatable {
    public var run: String
    /// The run this point belongs to: the run itself, or the parent of a cooldown branch.
    public var family: String
    public var params: Double
    /// E at the point: tokens processed (at the best evaluation for runs that repeated data).
    public var tokensSeen: Double
    /// U, unique training tokens (nil when the run did not record it).
    public var uniqueTokens: Double?
    /// D' (see the type's comment): E when the data was seen at most once.
    public var effectiveTokens: Double
    public var lossNats: Double
    public var isBranch: Bool
    /// Compute at the point: Kaplan's 6·N·E and as spent (nil for runs that did not record it).
    public var computeFLOPs: Double
    public var computeFLOPsTotal: Double?
    /// How much the loss fell over the last 20 % of the point's tokens (fraction of the loss,
    /// from ln L(0.8·E) − ln L(E)), and what that was measured on.
    public var recentFall: Double?
    public var recentFallSource: String?
    /// Whether `recentFall` exceeds the threshold (`ConvergenceCheck.threshold`): the loss was
    /// still falling with data, so the point is not the converged L(N) of its size.
    public var stillFalling: Bool
}

/// Which points stand for converged losses, and why the others do not.
///
///     let points = ConvergenceCheck.points(runs, noise: noise)
///     points.filter { !$0.stillFalling }     // L(N) candidates
public enum ConvergenceCheck {
    /// Muennighoff et al.'s R*_D: repetitions after which repeated data has lost 1 − 1/e of its value.
    public static let repetitionScale = 15.4

    /// D' for E tokens processed over U unique ones.
    public static func effectiveTokens(seen e: Double, unique u: Double?) -> Double {
        guard let u, u > 0, e > u else { return e }
        let r = e / u - 1
        return u + u * repetitionScale * (1 - Foundation.exp(-r / repetitionScale))
    }

    /// The fall in log-loss that counts as "still falling": twice the measured seed-to-seed
    /// spread, or 0.5 % when no seed noise was measured.
    public static func threshold(_ noise: NoiseLevel?) -> Double { 2 * (noise?.sigmaLog ?? 0.0025) }

    /// Every annealed run and branch as a point. A point's recent fall is measured against the
    /// annealed point of the same run nearest 0.8·E (within 0.7–0.9·E) when there is one (a
    /// cooldown branch there), else on its own learning curve (where, for a schedule that
    /// decays, part of the fall is the decay itself: such a point is judged conservatively).
    public static func points(_ runs: [RunRecord], noise: NoiseLevel?) -> [AnnealedPoint] {
        let limit = threshold(noise)
        var points: [AnnealedPoint] = []
        for r in runs where r.summary.annealed && r.summary.task == nil && r.summary.bestTestLossNats > 0 {
            let s = r.summary
            let repeated = s.datasetTokens.map { s.tokens > $0 } ?? false
            let loss = repeated ? s.bestTestLossNats : s.finalTestLossNats
            let row = repeated ? (r.curve.first { $0.step == s.bestStep } ?? r.curve.last!) : r.curve.last!
            let seen = Double(row.tokens)
            points.append(AnnealedPoint(run: r.name, family: family(r.name), params: s.params, tokensSeen: seen,
                                        uniqueTokens: s.datasetTokens, effectiveTokens: effectiveTokens(seen: seen, unique: s.datasetTokens),
                                        lossNats: loss, isBranch: s.branchOf != nil || r.name.contains("@"),
                                        computeFLOPs: 6 * s.params * seen,
                                        computeFLOPsTotal: row.computeFLOPsTotal, recentFall: nil, recentFallSource: nil, stillFalling: false))
        }
        let byFamily = Dictionary(grouping: points.indices, by: { points[$0].family })
        for i in points.indices {
            let p = points[i]
            let siblings = (byFamily[p.family] ?? []).map { points[$0] }
                .filter { $0.tokensSeen >= 0.7 * p.tokensSeen && $0.tokensSeen <= 0.9 * p.tokensSeen }
            if let s = siblings.min(by: { abs($0.tokensSeen - 0.8 * p.tokensSeen) < abs($1.tokensSeen - 0.8 * p.tokensSeen) }) {
                points[i].recentFall = Foundation.log(s.lossNats) - Foundation.log(p.lossNats)
                points[i].recentFallSource = "annealed at \(Format.sig(s.tokensSeen, 3)) tokens (\(s.run))"
            } else if let run = runs.first(where: { $0.name == p.run }),
                      let early = run.curve.last(where: { Double($0.tokens) <= 0.8 * p.tokensSeen && $0.testLossNats > 0 }) {
                points[i].recentFall = Foundation.log(early.testLossNats) - Foundation.log(p.lossNats)
                points[i].recentFallSource = "learning curve from \(Format.sig(Double(early.tokens), 3)) tokens"
            }
            points[i].stillFalling = (points[i].recentFall ?? .infinity) > limit
        }
        return points.sorted { ($0.params, $0.tokensSeen, $0.run) < ($1.params, $1.tokensSeen, $1.run) }
    }

    static func roundedTo3Figures(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x }
        let scale = Foundation.pow(10, Foundation.floor(Foundation.log10(x)) - 2)
        return (x / scale).rounded() * scale
    }

    /// `size-L1-d32-Dall-s1@0.50` → `size-L1-d32-Dall-s1`.
    static func family(_ name: String) -> String {
        name.firstIndex(of: "@").map { String(name[..<$0]) } ?? name
    }

    /// L(N) from converged points: for each N, the last point of each run (its largest E) when it
    /// had stopped falling and saw its data at most once; the lowest loss per N (seeds averaged
    /// as in `ScalingSeries`). Returns the series and one line per size left out, with why.
    public static func convergedParams(_ points: [AnnealedPoint], name: String, noise: NoiseLevel?) -> (series: ScalingSeries, leftOut: [String]) {
        let limit = threshold(noise)
        let ends = Dictionary(grouping: points, by: \.family).values.compactMap { $0.max { $0.tokensSeen < $1.tokensSeen } }
        var leftOut: [String] = []
        var kept: [AnnealedPoint] = []
        for p in ends.sorted(by: { ($0.params, $0.run) < ($1.params, $1.run) }) {
            if let u = p.uniqueTokens, p.tokensSeen > u {
                leftOut.append("\(p.run) (N = \(Format.sig(p.params, 3))): it repeated its data (E/D = \(Format.sig(p.tokensSeen / u, 2))), an L(D) point")
            } else if p.stillFalling {
                let fall = p.recentFall.map { "fell \(Format.sig(100 * $0, 2)) % over its last 20 % of tokens (\(p.recentFallSource!))" } ?? "has no earlier evaluation to compare"
                leftOut.append("\(p.run) (N = \(Format.sig(p.params, 3))): not converged: its loss \(fall), more than the \(Format.sig(100 * limit, 2)) % threshold")
            } else {
                kept.append(p)
            }
        }
        // Seeds of one configuration (same N and E) are averaged; the lowest configuration per N is the point.
        var configs: [String: [AnnealedPoint]] = [:]
        for p in kept { configs["\(p.params)|\(roundedTo3Figures(p.tokensSeen))", default: []].append(p) }
        var best: [Double: (logLoss: Double, run: String, count: Int)] = [:]
        for group in configs.values {
            let mean = group.map { Foundation.log($0.lossNats) }.reduce(0, +) / Double(group.count)
            let n = group[0].params
            if mean < best[n]?.logLoss ?? .infinity { best[n] = (mean, group.map(\.run).min()!, group.count) }
        }
        let keys = best.keys.sorted()
        var s = ScalingSeries(name: name, variable: "N", x: keys, lossNats: keys.map { Foundation.exp(best[$0]!.logLoss) },
                              runs: keys.map { best[$0]!.run })
        s.counts = keys.map { Double(best[$0]!.count) }
        return (s, leftOut)
    }

    /// L(D) from cooldown branches and the ends of the runs they branched from, where the data was
    /// seen once: for each D (tokens seen, to 3 significant figures), the lowest annealed loss
    /// over model sizes. Nil when the
    /// runs have no cooldown branches (the design then has no annealed points at several D).
    public static func dataFromBranches(_ points: [AnnealedPoint], name: String) -> ScalingSeries? {
        // Only runs that branched (the design of this series); IsoFLOP and other single points
        // would add data sizes that only a small model reached.
        let branched = Set(points.filter(\.isBranch).map(\.family))
        guard !branched.isEmpty else { return nil }
        var best: [Double: (loss: Double, run: String)] = [:]
        for p in points where branched.contains(p.family) && (p.uniqueTokens.map({ p.tokensSeen <= $0 }) ?? true) {
            let d = roundedTo3Figures(p.tokensSeen)
            if p.lossNats < best[d]?.loss ?? .infinity { best[d] = (p.lossNats, p.run) }
        }
        let keys = best.keys.sorted()
        return ScalingSeries(name: name, variable: "D", x: keys, lossNats: keys.map { best[$0]!.loss }, runs: keys.map { best[$0]!.run })
    }
}
