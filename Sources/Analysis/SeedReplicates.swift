import Foundation

/// Runs that differ only in their seed, and the noise they measure: the seed-to-seed standard
/// deviation of log best test loss, pooled over configurations (same modality, dataset, N, D, E).
///
///     let noise = SeedReplicates.noise(runs)   // nil when no configuration has two seeds
///     noise?.text                              // "0.4 % (3 df, 3 configurations)"
public enum SeedReplicates {
    /// What makes two runs replicates of each other: everything but the seed.
    public struct Configuration: Hashable, Sendable {
        public var modality: String
        public var dataset: String
        public var params: Double
        public var datasetTokens: Double
        public var tokens: Double
        public init(_ r: RunRecord) {
            modality = r.summary.modality; dataset = r.summary.dataset; params = r.summary.params
            datasetTokens = r.summary.datasetTokens ?? -1; tokens = r.summary.tokens
        }
    }

    /// Pooled σ of log-loss over configurations with two or more runs, with Σ(k − 1) degrees of freedom.
    public static func noise(_ runs: [RunRecord]) -> NoiseLevel? {
        var groups: [Configuration: [Double]] = [:]
        for r in runs where r.summary.bestTestLossNats > 0 {
            groups[Configuration(r), default: []].append(Foundation.log(r.summary.bestTestLossNats))
        }
        return noise(groups: Array(groups.values))
    }

    /// Pooled σ from groups of log-losses (each group one configuration).
    public static func noise(groups: [[Double]]) -> NoiseLevel? {
        var ss = 0.0, df = 0, used = 0
        for g in groups where g.count >= 2 {
            let m = g.reduce(0, +) / Double(g.count)
            ss += g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            df += g.count - 1
            used += 1
        }
        guard df > 0 else { return nil }
        return NoiseLevel(sigmaLog: (ss / Double(df)).squareRoot(), degreesOfFreedom: Double(df), groups: used)
    }
}
