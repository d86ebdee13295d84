import Foundation
import WorkbenchCore

/// A hidden Markov model over a token vocabulary whose best possible next-token loss on a given
/// sequence is known exactly: the forward algorithm gives p(x_t | x_0 … x_{t−1}) for every
/// position, so the loss of the Bayes-optimal predictor (the oracle) on the very tokens a model is
/// tested on is computed, not estimated. The ground truth for a fitted L∞ that has to be
/// extrapolated (issue 25 part 5).
///
/// Sequences start in the `initial` distribution (the stationary one for `stickyZipf`), move by
/// `transitions` and emit one token per step by `emissions`.
///
///     var rng = SeededRNG(seed: 1)
///     let hmm = HiddenMarkovModel.stickyZipf(states: 128, vocab: 128, emissionSupport: 12, stay: 0.9,
///                                            zipfExponent: 1, emissionConcentration: 0.5, rng: &rng)
///     let x = hmm.sample(length: 65, rng: &rng)
///     let oracle = hmm.conditionalLossesNats(x)   // −ln p(x_t | x_<t), t = 0 … 64
public struct HiddenMarkovModel: Sendable {
    /// `transitions[i][j]` = P(state_{t+1} = j | state_t = i).
    public let transitions: [[Double]]
    /// `emissions[i][v]` = P(token_t = v | state_t = i).
    public let emissions: [[Double]]
    /// P(state_0 = i).
    public let initial: [Double]

    public var states: Int { transitions.count }
    public var vocab: Int { emissions.first?.count ?? 0 }

    public init(transitions: [[Double]], emissions: [[Double]], initial: [Double]) {
        let n = transitions.count
        precondition(n > 0 && transitions.allSatisfy { $0.count == n }, "transition matrix must be square")
        precondition(emissions.count == n && initial.count == n, "one emission row and one initial probability per state")
        let v = emissions[0].count
        precondition(v > 0 && emissions.allSatisfy { $0.count == v }, "emission rows must have one entry per token")
        for row in transitions + emissions + [initial] {
            precondition(abs(row.reduce(0, +) - 1) < 1e-9 && row.allSatisfy { $0 >= 0 }, "each row must be a probability distribution")
        }
        self.transitions = transitions; self.emissions = emissions; self.initial = initial
    }

    /// A sticky HMM with Zipf-distributed state frequencies: at each step the state stays with
    /// probability `stay`, else jumps to a state drawn with P(j) ∝ (j + 1)^−`zipfExponent` (which
    /// is also the stationary distribution, and the start). Each state emits from its own
    /// random set of `emissionSupport` tokens, with weights ~ Dirichlet(`emissionConcentration`).
    ///
    /// What a model must learn: to tell the current state from the tokens since the last jump
    /// (memory of about 1/(1 − stay) tokens), and every state's emission table — the frequent
    /// states' first, the rare ones' only with more capacity, as in the quantization model.
    public static func stickyZipf(states: Int, vocab: Int, emissionSupport: Int, stay: Double,
                                  zipfExponent: Double, emissionConcentration: Double,
                                  rng: inout SeededRNG) -> HiddenMarkovModel {
        precondition(states >= 1 && vocab >= 1 && (1...vocab).contains(emissionSupport) && (0...1).contains(stay))
        let weights = (0..<states).map { pow(Double($0 + 1), -zipfExponent) }
        let total = weights.reduce(0, +)
        let zipf = weights.map { $0 / total }
        let transitions = (0..<states).map { i in
            (0..<states).map { j in (1 - stay) * zipf[j] + (i == j ? stay : 0) }
        }
        let emissions = (0..<states).map { _ -> [Double] in
            let support = rng.permutation(vocab).prefix(emissionSupport)
            var w = support.map { _ in gammaSample(shape: emissionConcentration, rng: &rng) }
            let sum = w.reduce(0, +)
            if sum <= 0 { w = w.map { _ in 1 } }
            let norm = w.reduce(0, +)
            var row = [Double](repeating: 0, count: vocab)
            for (k, v) in support.enumerated() { row[v] = w[k] / norm }
            return row
        }
        return HiddenMarkovModel(transitions: transitions, emissions: emissions, initial: zipf)
    }

    /// One sequence of `length` tokens, the first state drawn from `initial`.
    public func sample(length: Int, rng: inout SeededRNG) -> [Int] {
        guard length > 0 else { return [] }
        func draw(_ p: [Double]) -> Int {
            let u = rng.nextDouble()
            var acc = 0.0
            for (i, q) in p.enumerated() { acc += q; if u < acc { return i } }
            return p.lastIndex { $0 > 0 } ?? p.count - 1   // rounding: the last possible outcome
        }
        var out = [Int](repeating: 0, count: length)
        var s = draw(initial)
        for t in 0..<length {
            if t > 0 { s = draw(transitions[s]) }
            out[t] = draw(emissions[s])
        }
        return out
    }

    /// The oracle's loss at every position, −ln p(x_t | x_0 … x_{t−1}) in nats, by the scaled
    /// forward algorithm: the filtered state distribution is propagated through `transitions`,
    /// weighted by the emission of x_t, and its total is p(x_t | x_<t). Position 0 conditions on
    /// nothing (−ln Σ_i initial_i · emissions_i(x_0)). A token the model cannot emit gives +∞.
    public func conditionalLossesNats(_ tokens: [Int]) -> [Double] {
        let n = states
        var filtered = initial
        var predicted = [Double](repeating: 0, count: n)
        var losses: [Double] = []
        losses.reserveCapacity(tokens.count)
        for (t, x) in tokens.enumerated() {
            precondition((0..<vocab).contains(x), "token \(x) at position \(t) is outside the vocabulary of \(vocab)")
            if t > 0 {
                for j in 0..<n { predicted[j] = 0 }
                for i in 0..<n where filtered[i] != 0 {
                    let f = filtered[i], row = transitions[i]
                    for j in 0..<n { predicted[j] += f * row[j] }
                }
            } else {
                predicted = initial
            }
            var total = 0.0
            for j in 0..<n {
                filtered[j] = predicted[j] * emissions[j][x]
                total += filtered[j]
            }
            guard total > 0 else { losses.append(.infinity); filtered = initial; continue }
            for j in 0..<n { filtered[j] /= total }
            losses.append(-log(total))
        }
        return losses
    }

    /// The stationary distribution of `transitions` (by power iteration; `initial` for `stickyZipf`).
    public var stationary: [Double] { MarkovChain.powerIteration(transitions) }

    /// Σ_i π_i H(emissions_i): what even an oracle that knew the state would pay per token, a
    /// lower bound on the entropy rate (and so on the expected oracle loss at every position).
    public var emissionEntropyNats: Double {
        zip(stationary, emissions).reduce(0) { acc, pair in
            acc + pair.0 * pair.1.reduce(0) { $1 > 0 ? $0 - $1 * log($1) : $0 }
        }
    }

    /// H(x_{t+1} | x_t) in the stationary process: the loss of the best bigram predictor, an
    /// upper bound on the expected oracle loss at every position t ≥ 1.
    public var bigramConditionalEntropyNats: Double {
        let pi = stationary, n = states, v = vocab
        // joint[a][b] = Σ_i Σ_j π_i E_i(a) A_ij E_j(b)
        var joint = [[Double]](repeating: [Double](repeating: 0, count: v), count: v)
        var next = [[Double]](repeating: [Double](repeating: 0, count: v), count: n)   // next[i][b] = Σ_j A_ij E_j(b)
        for i in 0..<n { for j in 0..<n where transitions[i][j] > 0 { for b in 0..<v { next[i][b] += transitions[i][j] * emissions[j][b] } } }
        for i in 0..<n { for a in 0..<v where emissions[i][a] > 0 { let w = pi[i] * emissions[i][a]; for b in 0..<v { joint[a][b] += w * next[i][b] } } }
        var h = 0.0
        for a in 0..<v {
            let marginal = joint[a].reduce(0, +)
            for p in joint[a] where p > 0 { h -= p * log(p / marginal) }
        }
        return h
    }
}
