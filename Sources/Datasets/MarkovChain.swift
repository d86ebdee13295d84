import Foundation
import WorkbenchCore

/// A first-order Markov chain over a small alphabet whose entropy rate is known exactly: the
/// ground truth for checking that a fitted irreducible loss L∞ is right.
///
/// Entropy rate H = −Σ_i π_i Σ_j P_ij ln P_ij nats per token, with π the stationary distribution
/// (found by power iteration). A long sample started from π has this per-token entropy.
///
///     var rng = SeededRNG(seed: 1)
///     let chain = MarkovChain.random(states: 64, concentration: 0.1, rng: &rng)
///     chain.entropyRateNats                      // ≈ 2.3
///     let tokens = chain.sample(count: 1_000, rng: &rng)
public struct MarkovChain: Sendable {
    /// Row-stochastic transition matrix: `transitions[i][j]` = P(next = j | current = i).
    public let transitions: [[Double]]
    /// The stationary distribution π (π = π P).
    public let stationary: [Double]

    public var states: Int { transitions.count }

    public init(transitions: [[Double]]) {
        let n = transitions.count
        precondition(n > 0 && transitions.allSatisfy { $0.count == n }, "transition matrix must be square")
        precondition(transitions.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 && $0.allSatisfy { $0 >= 0 } },
                     "each row must be a probability distribution")
        self.transitions = transitions
        self.stationary = MarkovChain.powerIteration(transitions)
    }

    /// A chain whose rows are drawn from a symmetric Dirichlet(`concentration`): smaller
    /// concentrations give peakier rows and a lower entropy rate (64 states, 0.1 → ≈ 2.3 nats).
    public static func random(states: Int, concentration: Double, rng: inout SeededRNG) -> MarkovChain {
        var rows: [[Double]] = []
        for _ in 0..<states {
            var row = (0..<states).map { _ in gammaSample(shape: concentration, rng: &rng) }
            var sum = row.reduce(0, +)
            if sum <= 0 { row[rng.nextInt(below: states)] = 1; sum = 1 }  // all underflowed: one-hot
            rows.append(row.map { $0 / sum })
        }
        return MarkovChain(transitions: rows)
    }

    /// Entropy rate in nats per token: −Σ_i π_i Σ_j P_ij ln P_ij.
    public var entropyRateNats: Double {
        var h = 0.0
        for i in 0..<states {
            var rowH = 0.0
            for p in transitions[i] where p > 0 { rowH -= p * log(p) }
            h += stationary[i] * rowH
        }
        return h
    }

    /// Entropy of the stationary distribution (the loss of the first token, which has no context).
    public var stationaryEntropyNats: Double {
        stationary.reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
    }

    /// `count` states; the first is drawn from π, so the whole sequence is stationary.
    public func sample(count: Int, rng: inout SeededRNG) -> [Int] {
        guard count > 0 else { return [] }
        let cumulative = transitions.map { row -> [Double] in
            var acc = 0.0
            return row.map { acc += $0; return acc }
        }
        var piCumulative: [Double] = []
        var acc = 0.0
        for p in stationary { acc += p; piCumulative.append(acc) }
        func draw(_ cdf: [Double]) -> Int {
            let u = rng.nextDouble() * cdf[cdf.count - 1]
            var lo = 0, hi = cdf.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cdf[mid] > u { hi = mid } else { lo = mid + 1 } }
            return lo
        }
        var out = [Int](repeating: 0, count: count)
        out[0] = draw(piCumulative)
        for t in 1..<count { out[t] = draw(cumulative[out[t - 1]]) }
        return out
    }

    /// π from the uniform start by repeated π ← π P, until the L1 change is below 1e-15.
    static func powerIteration(_ p: [[Double]]) -> [Double] {
        let n = p.count
        var pi = [Double](repeating: 1.0 / Double(n), count: n)
        for _ in 0..<100_000 {
            var next = [Double](repeating: 0, count: n)
            for i in 0..<n where pi[i] != 0 {
                for j in 0..<n { next[j] += pi[i] * p[i][j] }
            }
            let total = next.reduce(0, +)
            for j in 0..<n { next[j] /= total }
            let change = zip(pi, next).reduce(0) { $0 + abs($1.0 - $1.1) }
            pi = next
            if change < 1e-15 { break }
        }
        return pi
    }
}

/// Gamma(shape, 1) by Marsaglia–Tsang; shapes below 1 use Gamma(shape + 1) · U^(1/shape).
func gammaSample(shape: Double, rng: inout SeededRNG) -> Double {
    if shape < 1 {
        let u = max(rng.nextDouble(), 1e-300)
        return gammaSample(shape: shape + 1, rng: &rng) * pow(u, 1 / shape)
    }
    let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
    while true {
        var x = 0.0, v = 0.0
        repeat {
            let u1 = max(rng.nextDouble(), 1e-300), u2 = rng.nextDouble()
            x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            v = 1 + c * x
        } while v <= 0
        v = v * v * v
        let u = rng.nextDouble()
        if u < 1 - 0.0331 * x * x * x * x { return d * v }
        if log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
    }
}
