import Foundation
import Tensors
import Training
import Transformer
import WorkbenchCore

/// How long a plan will take on this machine: a few timed training steps of the smallest,
/// middle and largest shapes (random tokens, the thread count each run gets), their rate in
/// training FLOPs per second interpolated in log N for the others.
///
///     let est = SweepEstimate.measure(plan, threadsPerRun: 1)
///     est.seconds(for: plan.runs[0])
public struct SweepEstimate: Sendable {
    /// Measured (N, training FLOP/s) pairs, by N.
    public var rates: [(params: Int, flopsPerSecond: Double)]

    public static func measure(_ plan: SweepPlan, threadsPerRun: Int, vocab: Int = 256) -> SweepEstimate {
        let byCost = plan.runs.sorted { LocalExecutor.trainingFLOPs($0) / Double($0.tokens) < LocalExecutor.trainingFLOPs($1) / Double($1.tokens) }
        guard !byCost.isEmpty else { return SweepEstimate(rates: []) }
        var picks = [byCost.first!, byCost[byCost.count / 2], byCost.last!]
        picks = picks.enumerated().filter { i, r in !picks[..<i].contains { $0.params == r.params } }.map(\.element)
        let savedWorkers = Parallel.workers, savedBLAS = BLAS.threads
        Parallel.workers = threadsPerRun; BLAS.threads = threadsPerRun
        defer { Parallel.workers = savedWorkers; BLAS.threads = savedBLAS }
        var rates: [(Int, Double)] = []
        for r in picks {
            let g = r.config.gptConfig(datasetVocab: vocab)
            let model = GPT(config: g, seed: 1)
            let T = g.nCtx, b = max(1, min(r.config.train.batchSize, 4096 / T))
            var rng = SeededRNG(seed: 7)
            let tokens = (0..<(b * T)).map { _ in Int32(rng.next() % UInt64(g.vocabSize)) }
            let batch = TokenBatch(b: b, t: T, inputs: tokens, targets: tokens.reversed())
            func step() { model.zeroGradients(); _ = model.forward(batch, needsGradient: true); model.backward() }
            step()
            let clock = ContinuousClock()
            var reps = 0
            let t0 = clock.now
            while reps < 2 || (reps < 20 && clock.now - t0 < .milliseconds(300)) { step(); reps += 1 }
            let d = clock.now - t0
            let secs = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            let perToken = LocalExecutor.trainingFLOPs(r, vocab: vocab) / Double(r.tokens)
            rates.append((r.params, perToken * Double(reps * b * T) / secs))
        }
        return SweepEstimate(rates: rates.sorted { $0.0 < $1.0 })
    }

    /// Estimated wall seconds of one run alone at its thread count: its training steps plus its
    /// evaluations (forward only, a third of a training token's cost). Runs that share the
    /// machine also share caches and memory bandwidth, so K runs at once take somewhat longer
    /// than these solo figures divided by K (on 2 cores, about 1.3–1.6× measured). Cooldown
    /// branches add their cooldowns: a branch ending at f of the run trains cooldown_fraction·f of
    /// its steps on its own.
    public func seconds(for r: PlannedRun) -> Double {
        let perToken = LocalExecutor.trainingFLOPs(r) / Double(max(1, r.tokens))
        let evals = Double(r.steps / max(1, r.config.train.evalEvery) + 2)
        let evalTokens = evals * Double(r.config.train.evalTokens) * Double(1 + r.config.data.extraEvalSplits.count)
        let branches = 1 + r.config.schedule.cooldownFraction * Set(r.config.train.cooldownAt).filter { $0 < 1 }.reduce(0, +)
        return branches * (LocalExecutor.trainingFLOPs(r) + perToken * evalTokens / 3) / flopsPerSecond(params: r.params)
    }

    func flopsPerSecond(params n: Int) -> Double {
        guard let first = rates.first, let last = rates.last else { return 1e10 }
        if n <= first.params { return first.flopsPerSecond }
        if n >= last.params { return last.flopsPerSecond }
        for (a, b) in zip(rates, rates.dropFirst()) where n <= b.params {
            let t = (log(Double(n)) - log(Double(a.params))) / (log(Double(b.params)) - log(Double(a.params)))
            return exp(log(a.flopsPerSecond) * (1 - t) + log(b.flopsPerSecond) * t)
        }
        return last.flopsPerSecond
    }
}
