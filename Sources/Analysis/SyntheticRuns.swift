import Foundation
import RunFiles
import WorkbenchCore

/// A known law of loss in model size N, training steps S and dataset size D, to generate
/// synthetic run directories whose fits have a known answer.
///
/// With unlimited data (D = nil) the test loss after S steps is Kaplan's L(N, S) plus L∞:
///     L = L∞ + (N_c/N)^α_N + (S_c/S)^α_S,
/// so the compute-optimal size is N_opt ∝ C^(α_S/(α_N+α_S)) and the frontier L(C) − L∞ ∝
/// C^(−α_N·α_S/(α_N+α_S)). With D unique tokens seen for E = B·S tokens:
///     L = L∞ + [(N_c/N)^(α_N/α_D) + D_c/D]^α_D + (S_c/S)^α_S + ρ·max(0, ln(E/D))²,
/// whose early-stopped minimum approaches L(N, D) (Kaplan's form plus L∞) for small ρ.
///
///     let law = SyntheticLaw()
///     law.testLoss(params: 1e6, steps: 1000, datasetTokens: nil)
public struct SyntheticLaw: Codable, Sendable {
    public var lossInfinity = 2.0
    public var nc = 4e4
    public var alphaN = 0.3
    public var sc = 270.0
    public var alphaS = 0.7
    public var dc = 1e6
    public var alphaD = 0.35
    /// Tokens per step (B).
    public var batchTokens = 1e4
    /// ρ, the strength of overfitting once data repeats.
    public var overfit = 1e-4

    public init() {}

    public func testLoss(params n: Double, steps s: Double, datasetTokens d: Double?) -> Double {
        let stepTerm = Foundation.pow(sc / s, alphaS)
        guard let d = d else { return lossInfinity + Foundation.pow(nc / n, alphaN) + stepTerm }
        let e = batchTokens * s
        let nd = Foundation.pow(Foundation.pow(nc / n, alphaN / alphaD) + dc / d, alphaD)
        let over = e > d ? overfit * Foundation.pow(Foundation.log(e / d), 2) : 0
        return lossInfinity + nd + stepTerm + over
    }

    /// β = α_S/(α_N+α_S).
    public var optimalSizeExponent: Double { alphaS / (alphaN + alphaS) }

    /// The continuous compute-optimal size at C (PF-days), minimising L(N, S = C/(6NB)).
    public func optimalParams(atPFDays c: Double) -> Double {
        let flops = c * PFDay.flops
        let k = (alphaN / alphaS) * Foundation.pow(nc, alphaN) * Foundation.pow(flops / (6 * batchTokens * sc), alphaS)
        return Foundation.pow(k, 1 / (alphaN + alphaS))
    }

    /// The true frontier: L(N_opt(C), S = C/(6·N_opt·B)).
    public func frontierLoss(atPFDays c: Double) -> Double {
        let n = optimalParams(atPFDays: c)
        return testLoss(params: n, steps: c * PFDay.flops / (6 * n * batchTokens), datasetTokens: nil)
    }

    /// L(D) = L∞ + (D_c/D)^α_D, the limit of large models trained to their early-stopping point.
    public var lossVersusData: PowerLaw { PowerLaw(lossInfinity: lossInfinity, scale: dc, exponent: alphaD) }
}

/// A plan of synthetic runs: a sweep over model sizes on unlimited data, and runs on small
/// datasets that overfit; each run gets a run directory as the trainer writes it. The law gives
/// the loss each evaluation would have if the run were annealed there, so every run's summary
/// says `annealed` (its end is a converged-design point).
///
///     let dirs = try SyntheticRuns(modality: "text").write(to: URL(fileURLWithPath: "runs-synth"))
public struct SyntheticRuns: Sendable {
    public var modality: String
    public var dataset: String
    public var law = SyntheticLaw()
    /// Model sizes of the unlimited-data sweep.
    public var sizes: [Double] = [1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7]
    public var maxSteps = 1e5
    public var evaluations = 48
    /// Datasets (unique tokens) of the overfitting runs, and the model sizes trained on each.
    public var dataSizes: [Double] = [1e5, 3e5, 1e6, 3e6, 1e7, 3e7]
    public var dataRunSizes: [Double] = [1e6, 1e8, 1e10]
    public var dataRunSteps = 3e6
    /// Multiplicative noise (standard deviation) on each evaluation.
    public var noise = 0.002
    /// Multiplicative noise drawn once per run and applied to its whole curve: the seed-to-seed
    /// spread of a real sweep (0: none).
    public var runNoise = 0.0
    /// Sizes of the unlimited-data sweep run a second time with another seed (`-s2`).
    public var replicateSizes: [Double] = []
    public var seed: UInt64 = 1
    public var tokensPerItem: Double? = nil
    public var itemName: String? = nil

    public init(modality: String, dataset: String? = nil) {
        self.modality = modality
        self.dataset = dataset ?? "synthetic-\(modality)"
    }

    /// Writes `<dir>/<modality>-n<N>[-d<D>]/` with config.toml, metrics.jsonl and summary.json.
    @discardableResult
    public func write(to dir: URL) throws -> [URL] {
        var rng = SeededRNG(seed: seed)
        var urls: [URL] = []
        for n in sizes {
            urls.append(try writeRun(dir, n: n, d: nil, steps: maxSteps, rng: &rng))
        }
        for n in replicateSizes {
            urls.append(try writeRun(dir, n: n, d: nil, steps: maxSteps, rng: &rng, suffix: "-s2"))
        }
        for d in dataSizes {
            for n in dataRunSizes { urls.append(try writeRun(dir, n: n, d: d, steps: dataRunSteps, rng: &rng)) }
        }
        return urls
    }

    func writeRun(_ dir: URL, n: Double, d: Double?, steps: Double, rng: inout SeededRNG, suffix: String = "") throws -> URL {
        let name = "\(modality)-n\(Format.size(n))" + (d.map { "-d\(Format.size($0))" } ?? "") + suffix
        let offset = runNoise > 0 ? Foundation.exp(runNoise * Double(rng.nextGaussian())) : 1
        let url = dir.appendingPathComponent(name)
        var lines: [String] = []
        var best = (Double.infinity, 0), last = 0.0
        let logLo = Foundation.log(10.0), logHi = Foundation.log(steps)
        for k in 0..<evaluations {
            let s = Foundation.exp(logLo + (logHi - logLo) * Double(k) / Double(evaluations - 1)).rounded()
            let e = s * law.batchTokens
            let loss = law.testLoss(params: n, steps: s, datasetTokens: d) * offset * (1 + noise * Double(rng.nextGaussian()))
            let train = loss * 0.98
            let flops = ComputeCost.flops(params: n, tokens: e)
            lines.append(MetricsRecord(step: Int(s), tokens: e, params: n, computeFLOPs: flops,
                                       computePFDays: ComputeCost.pfDays(flops: flops), trainLoss: train, testLoss: loss,
                                       lr: 0.001, wallSeconds: Double(k)).jsonLine())
            if loss < best.0 { best = (loss, Int(s)) }
            last = loss
        }
        let dataTokens = d ?? 1e12
        let summary = RunSummary(dataset: dataset, modality: modality, params: Int(n.rounded()), datasetTokens: Int(dataTokens.rounded()),
                                 tokens: Int((steps * law.batchTokens).rounded()), bestTestLoss: best.0, bestStep: best.1,
                                 finalTestLoss: last, status: "completed", item: itemName, tokensPerItem: tokensPerItem,
                                 annealed: true)
        let config = SavedRunConfig(values: [("model.params", "\(n)"), ("data.dataset", SavedRunConfig.quote(dataset)),
                                             ("data.max_train_tokens", "\(Int(dataTokens))"), ("train.steps", "\(Int(steps))"),
                                             ("train.seed", "\(seed)")])
        try MetricsFile.write(lines, to: url.appendingPathComponent(MetricsFile.name))
        try summary.write(to: url)
        try AtomicFile.write("# synthetic run: generated by SyntheticRuns, law \(law)\n" + config.rendered(),
                             to: url.appendingPathComponent(SavedRunConfig.fileName))
        return url
    }
}
