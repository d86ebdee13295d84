import Analysis
import ArgumentParser
import Foundation
import Sweeps
import Tensors

/// `workbench report RUNS…`: all fits, tables and plots over run directories, written as
/// report.md, report.html, fits.json and plots/ into a report folder that belongs to the input.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the scaling-law report (Markdown, HTML, JSON, SVG/PNG plots) for runs, a sweep or a study.",
        discussion: """
        Inputs may be run directories, folders of them, sweep folders (or the spec that made one), or study folders.
        With one input the report goes into INPUT/report/ (a spec's: its sweep folder's report/); with several, give --out.
        The report is built in a hidden folder beside its target and renamed into place whole. A report made from
        other inputs (its report-inputs.json says which) is replaced only with --force.
        Examples:
          workbench report sweeps/example                 # → sweeps/example/report/
          workbench synth-runs runs-demo && workbench report runs-demo --out report-demo
        """)

    @Argument(help: "Run directories, folders holding them, sweep folders or specs, or study folders.") var runs: [String]
    @Option(help: "Output folder (default: INPUT/report for a single input).") var out: String?
    @Flag(help: "Replace an existing report folder made from other inputs.") var force = false
    @Option(help: "Residual-bootstrap resamples of the IsoFLOP profiles (the other intervals are profile intervals).") var bootstrap = 1000
    @Option(help: "Huber threshold on log-loss residuals of the N_opt(C) point fit.") var delta = 1e-3
    @Option(help: "Seed of the IsoFLOP bootstrap.") var seed: UInt64 = 1
    @Option(help: "Largest scales held out for the extrapolation check (the fit on the rest predicts them; default 2, as in fit and the study).") var holdOut = 2
    @Option(help: "Report title.") var title = "Scaling-law report"

    func run() throws {
        let target = try Self.outputFolder(for: runs, out: out)
        let all = try RunRecord.load(labelled: try RunAddress.runDirectories(runs).map { ($0.url, $0.label) })
        let options = ScalingStudy.Options(resamples: bootstrap, seed: seed, delta: delta, holdOut: holdOut)
        let start = Date()
        var count = 0
        let record = ReportFolder.Inputs(inputs: try runs.map(RunAddress.canonicalPath(of:)), runs: all.map(\.name))
        try ReportFolder.replace(target, with: record, force: force) { dir in
            count = try ScalingReport.write(runs: all, to: dir, options: options, title: title).count
        }
        let path = target.relativePath
        print("read \(all.count) runs; wrote \(count + 1) files to \(path)/ in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        print("  \(path)/report.md, \(path)/report.html, \(path)/fits.json, \(path)/plots/")
    }

    /// `--out`, or the report folder of the single input: `SWEEP/report` (also for the spec
    /// that made it), `STUDY/report`, `RUNS/report`, `RUN/report`.
    static func outputFolder(for inputs: [String], out: String?) throws -> URL {
        if let out { return URL(fileURLWithPath: out) }
        guard inputs.count == 1 else {
            throw ValidationError("\(inputs.count) inputs: give --out DIR for the report (with one input it goes into INPUT/report)")
        }
        return try RunAddress.reportFolder(for: inputs[0])
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
