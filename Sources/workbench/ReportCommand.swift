import Analysis
import ArgumentParser
import Foundation
import Sweeps
import Tensors

/// `workbench report RUNS…`: all fits, tables and plots over run directories, written as
/// report.md, report.html, fits.json and plots/ in the output folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the scaling-law report (Markdown, HTML, JSON, SVG/PNG plots) for run directories.",
        discussion: """
        Example:
          workbench synth-runs runs-demo && workbench report runs-demo --out report
        """)

    @Argument(help: "Run directories, folders holding them, or sweep folders (read through their results index).") var runs: [String]
    @Option(help: "Output folder.") var out = "report"
    @Option(help: "Bootstrap resamples for L(N) and L(D).") var bootstrap = 1000
    @Option(help: "Run-level bootstrap resamples for the frontier, N_opt and the crossover.") var frontierBootstrap = 200
    @Option(help: "Huber threshold on log-loss residuals.") var delta = 1e-3
    @Option(help: "Seed of the bootstraps.") var seed: UInt64 = 1
    @Option(help: "Largest scales held out for the extrapolation check.") var holdOut = 1
    @Option(help: "Report title.") var title = "Scaling-law report"

    func run() throws {
        let all = try Self.loadRuns(runs.map { URL(fileURLWithPath: $0) })
        let options = ScalingStudy.Options(resamples: bootstrap, frontierResamples: frontierBootstrap, seed: seed, delta: delta, holdOut: holdOut)
        let start = Date()
        let files = try ScalingReport.write(runs: all, to: URL(fileURLWithPath: out), options: options, title: title)
        print("read \(all.count) runs; wrote \(files.count) files to \(out)/ in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        print("  \(out)/report.md, \(out)/report.html, \(out)/fits.json, \(out)/plots/")
    }
}

extension ReportCommand {
    /// The runs under the given paths. With several sweep folders (a study), each run's name is
    /// prefixed with its sweep folder's, so that equal run names from different sweeps stay apart.
    static func loadRuns(_ paths: [URL]) throws -> [RunRecord] {
        let sweeps = paths.filter { SweepFolder.isSweep($0) }
        var runs = try RunRecord.loadAll(try runDirectories(paths))
        if sweeps.count > 1 {
            let roots = Set(sweeps.map { $0.standardizedFileURL.path })
            for i in runs.indices {
                let sweep = runs[i].url.deletingLastPathComponent().deletingLastPathComponent()
                if roots.contains(sweep.standardizedFileURL.path) { runs[i].name = "\(sweep.lastPathComponent)-\(runs[i].name)" }
            }
            runs.sort { $0.name < $1.name }
        }
        return runs
    }

    /// Paths with every sweep folder replaced by the run directories its results index lists
    /// with at least one evaluation (the index is refreshed from the run directories first).
    static func runDirectories(_ paths: [URL]) throws -> [URL] {
        try paths.flatMap { p -> [URL] in
            guard SweepFolder.isSweep(p) else { return [p] }
            let folder = SweepFolder(p)
            let rows = try SweepIndexLoading.openRefreshed(folder).index.runs().filter { $0.evaluations > 0 }
            return rows.map { folder.runURL($0.name) }
        }
    }
}

/// `workbench synth-runs DIR`: synthetic run directories from known laws, for trying the
/// analysis before real sweeps exist.
struct SynthRunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-runs",
        abstract: "Write synthetic run directories (text, images, image–caption) generated from known scaling laws.")

    @Argument(help: "Output folder.") var out: String
    @Option(help: "Seed of the noise.") var seed: UInt64 = 1

    func run() throws {
        let urls = try SyntheticRuns.writeDemo(to: URL(fileURLWithPath: out), seed: seed)
        print("wrote \(urls.count) synthetic runs to \(out)/")
    }
}
