import Analysis
import ArgumentParser
import Foundation
import Sweeps
import Tensors
import WorkbenchCore

/// `workbench fit`: fits one series, L = L∞ + (x₀/x)^α or (x₀/x)^α, from a CSV or from run
/// directories, with bootstrap intervals and a held-out check; `--bench` times the fitter.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit one scaling law (from a CSV or from runs) with bootstrap intervals.",
        discussion: """
        Examples:
          workbench fit --csv ln.csv --plot ln
          workbench fit --runs runs/ --x params --modality text --json ln.json
          workbench fit --runs sweeps/example --x data
          workbench fit --bench
          workbench fit --coverage 200
        """)

    @Option(help: "CSV with columns x,loss (optional header).") var csv: String?
    @Option(parsing: .upToNextOption, help: "Run directories, folders of runs, sweep folders (or their specs), or study folders.") var runs: [String] = []
    @Option(help: "With --runs: params (L(N)), data (L(D)) or compute (frontier L(C)).") var x = "params"
    @Option(help: "With --runs: which modality (default: the only one).") var modality: String?
    @Option(help: "saturating (L∞ + (x₀/x)^α) or pure ((x₀/x)^α).") var form = "saturating"
    @Option(help: "Huber threshold on log-loss residuals (inf: least squares).") var delta = 1e-3
    @Option(help: "Bootstrap resamples (0: none).") var bootstrap = 1000
    @Option(help: "Bootstrap over points, or over runs (with --runs: all points of a run drawn together).") var over = "points"
    @Option(help: "Seed of the bootstrap.") var seed: UInt64 = 1
    @Option(help: "Largest scales held out for the extrapolation check.") var holdOut = 1
    @Option(help: "Write <base>.svg and <base>.png of the fit.") var plot: String?
    @Option(help: "Write the fit with its intervals as JSON.") var json: String?
    @Option(help: "Worker threads for the bootstrap.") var threads: Int?
    @Flag(help: "Benchmark: 1,000 points with 1,000 bootstrap resamples; prints seconds.") var bench = false
    @Option(help: "Coverage check: simulate this many sweeps with a known law and print how often each 95 % interval of the report contains the truth.") var coverage: Int?
    @Option(help: "With --coverage: seed-to-seed noise σ of log-loss to simulate.") var coverageNoise = 0.005

    func run() throws {
        if let t = threads { Parallel.workers = max(1, t) }
        if bench { return runBenchmark() }
        if let sweeps = coverage {
            guard sweeps > 0 else { throw ValidationError("--coverage needs a positive number of sweeps") }
            print("coverage of the report's 95 % intervals over \(sweeps) simulated sweeps (seed noise σ = \(coverageNoise), seed \(seed)):")
            for row in CoverageCheck.run(sweeps: sweeps, seed: seed, sigmaLog: coverageNoise) { print("  " + row.text) }
            return
        }
        guard let f = PowerLaw.Form(rawValue: form) else { throw ValidationError("--form must be saturating or pure, not '\(form)'") }
        let series = try loadSeries()
        let fitter = PowerLawFitter(form: f, delta: delta)
        var groups: [Int]? = nil
        switch over {
        case "points": break
        case "runs":
            guard !series.runs.isEmpty else { throw ValidationError("--over runs needs --runs (a CSV has no runs)") }
            let names = Array(Set(series.runs)).sorted()
            groups = series.runs.map { names.firstIndex(of: $0)! }
        default: throw ValidationError("--over must be points or runs, not '\(over)'")
        }
        let est = try fitter.bootstrap(x: series.x, y: series.lossNats, groups: groups, resamples: bootstrap, seed: seed, series: series.name)
        let law = est.fit.law
        print("\(series.name): L(\(series.variable)) = \(law.formula(variable: series.variable, digits: 4))")
        print("  alpha        = \(law.exponent)" + (bootstrap > 0 ? "  95% [\(est.exponent.lower), \(est.exponent.upper)]" : ""))
        print("  x0           = \(law.scale)" + (bootstrap > 0 ? "  95% [\(est.scale.lower), \(est.scale.upper)]" : ""))
        if let l = est.lossInfinity {
            print("  L_inf (nats) = \(law.lossInfinity)" + (bootstrap > 0 ? "  95% [\(l.lower), \(l.upper)]" : ""))
        }
        print("  points \(est.fit.points), rms log residual \(est.fit.rmsLogResidual), bootstrap \(bootstrap) over \(est.resampledOver) (\(est.failedResamples) failed)")
        var check: ExtrapolationCheck? = nil
        do {
            let c = try fitter.extrapolationCheck(x: series.x, y: series.lossNats, holdOut: holdOut, series: series.name)
            check = c
            for p in c.heldOut {
                print("  held out x = \(p.x): predicted \(p.predicted), observed \(p.observed), error \(Format.sig(100 * p.relativeError, 3)) %")
            }
        } catch { print("  held-out check: \(error)") }
        if let base = plot {
            try ReportPlots.law(series: series, estimate: est, xLabel: series.variable, check: check).figure().write(to: URL(fileURLWithPath: base))
            print("wrote \(base).svg and \(base).png")
        }
        if let path = json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try enc.encode(est), to: URL(fileURLWithPath: path))
            print("wrote \(path)")
        }
    }

    func loadSeries() throws -> ScalingSeries {
        if let c = csv { return try SeriesCSV.read(URL(fileURLWithPath: c)) }
        guard !runs.isEmpty else { throw ValidationError("give --csv FILE or --runs DIR…") }
        let all = try RunRecord.load(labelled: try RunAddress.runDirectories(runs).map { ($0.url, $0.label) })
        let modalities = Set(all.map(\.summary.modality))
        guard let m = modality ?? (modalities.count == 1 ? modalities.first : nil) else {
            throw ValidationError("runs hold several modalities (\(modalities.sorted().joined(separator: ", "))); choose one with --modality")
        }
        let chosen = all.filter { $0.summary.modality == m }
        switch x {
        case "params": return ScalingSeries.lossVersusParams(chosen, name: "L(N) \(m)")
        case "data": return ScalingSeries.lossVersusData(chosen, name: "L(D) \(m)")
        case "compute":
            let f = ComputeFrontier(runs: chosen.filter { ($0.summary.datasetTokens ?? .infinity) >= $0.summary.tokens })
            let p = f.interior
            return ScalingSeries(name: "L(C) \(m)", variable: "C", x: p.map(\.computePFDays), lossNats: p.map(\.lossNats), runs: p.map(\.run))
        default: throw ValidationError("--x must be params, data or compute, not '\(x)'")
        }
    }

    func runBenchmark() {
        var rng = SeededRNG(seed: 42)
        let truth = PowerLaw(lossInfinity: 2.0, scale: 1e3, exponent: 0.3)
        let xs = (0..<1000).map { Foundation.exp(Foundation.log(1e3) + Foundation.log(1e6) * Double($0) / 999) }
        let ys = xs.map { truth($0) * (1 + 0.03 * Double(rng.nextGaussian())) }
        let start = Date()
        do {
            let est = try PowerLawFitter().bootstrap(x: xs, y: ys, resamples: 1000, seed: 7)
            let seconds = Date().timeIntervalSince(start)
            print("bench-fit: 1000 points, 1000 bootstrap resamples, \(Parallel.workers) threads: \(String(format: "%.3f", seconds)) s")
            print("  alpha \(est.exponent.text(4)), L_inf \(est.lossInfinity!.text(4)) (truth 0.3, 2.0), \(est.failedResamples) failed resamples")
        } catch { print("bench-fit failed: \(error)") }
    }
}
