import Analysis
import ArgumentParser
import Foundation
import RunFiles
import Sweeps
import Tensors
import WorkbenchCore

/// `workbench fit`: fits one series, L = L∞ + (x₀/x)^α with L∞ ∈ [0, smallest loss) and
/// α ∈ (0, 2], from a CSV or from run directories, by the same profile fit and 95 % profile
/// intervals as `workbench report` (`ProfileFitter`), with a held-out check; `--coverage N`
/// measures how often the report's intervals cover the truth; `--bench` times the fitter.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit one scaling law (from a CSV or from runs) with the report's 95 % profile intervals.",
        discussion: """
        Examples:
          workbench fit --csv ln.csv --plot ln
          workbench fit --csv ln.csv --seed-noise 0.004 --seed-noise-df 3
          workbench fit --runs runs/ --x params --modality text --json ln.json
          workbench fit --runs sweeps/example --x data
          workbench fit --bench
          workbench fit --coverage 200
        """)

    @Option(help: "CSV with columns x,loss (optional header).") var csv: String?
    @Option(parsing: .upToNextOption, help: "Run directories, folders of runs, sweep folders (or their specs), or study folders.") var runs: [String] = []
    @Option(help: "With --runs: params (L(N)), data (L(D)) or compute (frontier L(C)).") var x = "params"
    @Option(help: "With --runs: which modality (default: the only one).") var modality: String?
    @Option(help: "Seed-to-seed σ of log-loss (default: measured on the runs' replicates; a CSV has none).") var seedNoise: Double?
    @Option(help: "Degrees of freedom of --seed-noise (default: known exactly).") var seedNoiseDf: Double?
    @Option(help: "Seed of --coverage's simulated sweeps.") var seed: UInt64 = 1
    @Option(help: "Largest scales held out for the extrapolation check (0: none).") var holdOut = 2
    @Option(help: "Write <base>.svg and <base>.png of the fit.") var plot: String?
    @Option(help: "Write the fit with its intervals as JSON.") var json: String?
    @Option(help: "Worker threads (coverage check).") var threads: Int?
    @Flag(help: "Benchmark: the profile fit of 1,000 points; prints seconds.") var bench = false
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
        guard holdOut >= 0 else { throw ValidationError("--hold-out must be 0 or more, not \(holdOut)") }
        let (series, measured, frontier) = try loadSeries()
        var noise = measured
        if let sigma = seedNoise {
            guard sigma > 0, sigma.isFinite else { throw ValidationError("--seed-noise must be a positive σ of log-loss, not \(sigma)") }
            noise = NoiseLevel(sigmaLog: sigma, degreesOfFreedom: seedNoiseDf ?? .infinity, groups: 0)
        } else if seedNoiseDf != nil { throw ValidationError("--seed-noise-df needs --seed-noise") }
        let fitter = ProfileFitter(noise: noise)
        let est: PowerLawEstimate
        if let frontier {
            est = try ScalingStudy.fitFrontier(frontier, fitter, name: series.name)
        } else {
            est = try fitter.fit(x: series.x, y: series.lossNats, counts: series.counts, series: series.name).estimate()
        }
        let p = est.profile!
        print("\(series.name): L(\(series.variable)) = \(p.law.formula(variable: series.variable, digits: 4))")
        print("  alpha        = \(p.exponent.text(4))  (95 % profile interval)")
        print("  L_inf (nats) = \(p.lossInfinityText)")
        print("  points \(p.points), σ of log-loss \(Format.sig(100 * p.sigmaLog, 2)) % (\(p.degreesOfFreedom.isFinite ? "\(Int(p.degreesOfFreedom))" : "∞") df; "
              + "seed spread \(noise?.text ?? "not measured") pooled with the residuals), rms log residual \(Format.sig(p.residualRMS, 3))")
        if !p.onBound.isEmpty { print("  on a bound: \(p.onBound.joined(separator: ", "))") }
        var check: ExtrapolationCheck? = nil
        if holdOut > 0 && frontier == nil {
            do {
                let c = try fitter.extrapolationCheck(x: series.x, y: series.lossNats, counts: series.counts, holdOut: holdOut, series: series.name)
                check = c
                print("  " + FitTables.heldOutText(series.name, c))
            } catch { print("  held-out check: \(error)") }
        }
        if let base = plot {
            try ReportPlots.law(series: series, estimate: est, xLabel: series.variable, check: check).figure().write(to: URL(fileURLWithPath: base))
            print("wrote \(base).svg and \(base).png")
        }
        if let path = json {
            try JSONFile.write(est, to: URL(fileURLWithPath: path), nonFinite: true)
            print("wrote \(path)")
        }
    }

    /// The series, the seed noise measured on its runs, and the frontier when x is compute.
    func loadSeries() throws -> (ScalingSeries, NoiseLevel?, ComputeFrontier?) {
        if let c = csv { return (try SeriesCSV.read(URL(fileURLWithPath: c)), nil, nil) }
        guard !runs.isEmpty else { throw ValidationError("give --csv FILE or --runs DIR…") }
        let all = try RunRecord.load(labelled: try RunAddress.runDirectories(runs).map { ($0.url, $0.label) })
        let modalities = Set(all.map(\.summary.modality))
        guard let m = modality ?? (modalities.count == 1 ? modalities.first : nil) else {
            throw ValidationError("runs hold several modalities (\(modalities.sorted().joined(separator: ", "))); choose one with --modality")
        }
        let chosen = ScalingStudy.curveRuns(all.filter { $0.summary.modality == m })   // as the report chooses them
        let noise = SeedReplicates.noise(all.filter { $0.summary.modality == m })   // as the report measures it
        switch x {
        case "params": return (ScalingSeries.lossVersusParams(chosen, name: "L(N) \(m)"), noise, nil)
        case "data": return (ScalingSeries.lossVersusData(chosen, name: "L(D) \(m)"), noise, nil)
        case "compute":
            let f = ScalingStudy.frontier(of: chosen).0   // the report's frontier
            let p = f.interior
            return (ScalingSeries(name: "L(C) \(m)", variable: "C", x: p.map(\.computePFDays), lossNats: p.map(\.lossNats), runs: p.map(\.run)), noise, f)
        default: throw ValidationError("--x must be params, data or compute, not '\(x)'")
        }
    }

    func runBenchmark() {
        var rng = SeededRNG(seed: 42)
        let truth = PowerLaw(lossInfinity: 2.0, scale: 1e3, exponent: 0.3)
        let xs = (0..<1000).map { Foundation.exp(Foundation.log(1e3) + Foundation.log(1e6) * Double($0) / 999) }
        let ys = xs.map { truth($0) * Foundation.exp(0.03 * Double(rng.nextGaussian())) }
        let start = Date()
        do {
            let p = try ProfileFitter().fit(x: xs, y: ys)
            let seconds = Date().timeIntervalSince(start)
            print("bench-fit: profile fit of 1000 points: \(String(format: "%.3f", seconds)) s")
            print("  alpha \(p.exponent.text(4)), L_inf \(p.lossInfinityText) (truth 0.3, 2.0)")
        } catch { print("bench-fit failed: \(error)") }
    }
}
