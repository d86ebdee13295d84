import Foundation

/// Which runs of a modality went into which fit, and why the others did not: a run that repeated
/// its data (E > D) is an L(D) point, not an L(N) or frontier run; of several runs at one N (or
/// one D) only the lowest loss is a point. The report prints these lines wherever a grid yields
/// fewer points than it has runs, e.g. "6 runs moved to L(D): they repeated their data
/// (E/D = 9.4 epochs > 1): size-L1-d16-Dall-s1, …".
///
///     let lines = SeriesPlacement.explain(runs: study.runs, params: study.lossVersusParamsSeries, data: study.lossVersusDataSeries)
public enum SeriesPlacement {
    /// The explanation lines; empty when every run is a point of L(N) or L(D).
    public static func explain(runs: [RunRecord], params ln: ScalingSeries, data ld: ScalingSeries) -> [String] {
        var lines: [String] = []
        let repeated = runs.filter { ScalingSeries.isDataLimited($0.summary) }
        let once = runs.filter { !ScalingSeries.isDataLimited($0.summary) }
        func names(_ rs: [RunRecord]) -> String {
            let n = rs.map(\.name).sorted()
            return n.prefix(6).joined(separator: ", ") + (n.count > 6 ? " and \(n.count - 6) more" : "")
        }
        func epochs(_ r: RunRecord) -> Double { r.summary.tokens / (r.summary.datasetTokens ?? .infinity) }
        // Runs on the largest D present (the whole dataset, unless every run cuts it) that still
        // repeated it were meant for L(N) and the frontier; runs on a smaller D are the L(D) design.
        let fullD = runs.compactMap(\.summary.datasetTokens).max()
        let moved = repeated.filter { $0.summary.datasetTokens == fullD }
        if !moved.isEmpty {
            let e = moved.map(epochs)
            let lo = Format.sig(e.min()!, 2), hi = Format.sig(e.max()!, 2)
            let range = lo == hi ? "\(lo) epochs" : "\(lo)–\(hi) epochs"
            let one = moved.count == 1
            lines.append("\(moved.count) run\(one ? "" : "s") moved to L(D), out of L(N), L(C) and N_opt(C): "
                + "\(one ? "it" : "they") trained on the largest D of these runs (D = \(Format.sig(fullD!, 3)) tokens, the whole dataset unless cut) but repeated it "
                + "(E/D = \(range) > 1): \(names(moved)). For L(N), train each size for at most one epoch (E ≤ D).")
        }
        // A series point stands for its configuration (same N, D and E): the other seeds of that
        // configuration are averaged into it, not left out.
        let byName = Dictionary(runs.map { ($0.name, SeedReplicates.Configuration($0)) }, uniquingKeysWith: { a, _ in a })
        let lnPoints = Set(ln.runs.compactMap { byName[$0] }), ldPoints = Set(ld.runs.compactMap { byName[$0] })
        let sameN = once.filter { !lnPoints.contains(SeedReplicates.Configuration($0)) }
        if !sameN.isEmpty {
            lines.append("\(sameN.count == 1 ? "1 run is not an L(N) point" : "\(sameN.count) runs are not L(N) points"): another run of the same N has a lower best loss: \(names(sameN)).")
        }
        let sameD = repeated.filter { !ldPoints.contains(SeedReplicates.Configuration($0)) && $0.summary.datasetTokens != nil }
        if !sameD.isEmpty {
            lines.append("\(sameD.count == 1 ? "1 run is not an L(D) point" : "\(sameD.count) runs are not L(D) points"): another run of the same D has a lower best loss: \(names(sameD)).")
        }
        if ln.x.count < 4 && !once.isEmpty {
            lines.append("L(N) has \(ln.x.count) distinct size\(ln.x.count == 1 ? "" : "s") (\(names(once))); a fit needs at least 4.")
        }
        if ld.x.count > 0 && ld.x.count < 4 {
            lines.append("L(D) has \(ld.x.count) distinct dataset size\(ld.x.count == 1 ? "" : "s"); a fit needs at least 4.")
        }
        return lines
    }
}
