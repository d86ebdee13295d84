import Foundation
import RunFiles

/// The one resolver for the paths commands are given: run directories, folders holding run
/// directories, sweep folders, the spec that made a sweep (its folder `sweeps/<name>`), and study
/// folders (a folder of sweep folders, as `workbench study` writes). `runs`, `fit`, `report` and
/// `study` all take their inputs through it.
///
///     let runs = try RunAddress.runDirectories(["sweeps/example", "runs/extra-run"])
///     let folder = try RunAddress.sweepFolder("configs/sweeps/example.toml")   // sweeps/example
public enum RunAddress {
    /// One run directory and the name a report gives it (the sweep's name is prefixed when runs
    /// of several sweeps are read together, so equal run names stay apart).
    public struct Run: Equatable, Sendable {
        public var url: URL
        public var label: String
    }

    /// What a path given on the command line is.
    public enum Kind: Sendable {
        case run(URL)
        case runsFolder(URL)
        case sweep(SweepFolder)
        case study(URL, sweeps: [SweepFolder])
    }

    /// The folder a sweep spec writes to unless `--out` says otherwise.
    public static func defaultSweepFolder(specName: String) -> URL { URL(fileURLWithPath: "sweeps/\(specName)") }

    /// A sweep folder, or the spec file that made one (then its default folder, which must exist).
    public static func sweepFolder(_ path: String) throws -> SweepFolder {
        let url = URL(fileURLWithPath: path)
        if SweepFolder.isSweep(url) { return SweepFolder(url) }
        if isFile(url), url.pathExtension == "toml" {
            let spec = try SweepSpec.load(from: url)
            let folder = defaultSweepFolder(specName: spec.name)
            guard SweepFolder.isSweep(folder) else { throw SweepError.specNotRun(spec: path, folder: folder.relativePath) }
            return SweepFolder(folder)
        }
        throw SweepError.notASweep(path: path)
    }

    /// Where a report of this one input goes unless told otherwise: `SWEEP/report` (also for
    /// the spec that made the sweep), `STUDY/report`, `RUNS/report` or `RUN/report`.
    public static func reportFolder(for input: String) throws -> URL {
        switch try kind(of: input) {
        case let .run(u), let .runsFolder(u), let .study(u, _): return u.appendingPathComponent("report")
        case let .sweep(f): return f.url.appendingPathComponent("report")
        }
    }

    /// The input as a report records it: its absolute path, a spec's sweep folder for the spec
    /// (so that `report SPEC` and `report SWEEP` are the same input).
    public static func canonicalPath(of input: String) throws -> String {
        if case let .sweep(f) = try kind(of: input) { return f.url.standardizedFileURL.path }
        return URL(fileURLWithPath: input).standardizedFileURL.path
    }

    /// What `path` is; a spec file stands for its sweep folder.
    public static func kind(of path: String) throws -> Kind {
        let url = URL(fileURLWithPath: path)
        if isRun(url) { return .run(url) }
        if SweepFolder.isSweep(url) || (isFile(url) && url.pathExtension == "toml") { return .sweep(try sweepFolder(path)) }
        guard isDirectory(url) else { throw SweepError.notAnInput(path: path) }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let sweeps = children.map { url.appendingPathComponent($0) }.filter(SweepFolder.isSweep).map(SweepFolder.init)
        if !sweeps.isEmpty { return .study(url, sweeps: sweeps) }
        return .runsFolder(url)
    }

    /// Every run directory under `paths`, in the order given (runs of a folder sorted by name).
    /// A sweep contributes the runs its results index lists with at least one evaluation (the
    /// index is refreshed first); a study, those of each of its sweeps.
    public static func runDirectories(_ paths: [String]) throws -> [Run] {
        let kinds = try paths.map(kind(of:))
        let sweepCount = kinds.reduce(0) { n, k in
            switch k { case .sweep: return n + 1; case let .study(_, s): return n + s.count; default: return n }
        }
        var out: [Run] = []
        for k in kinds {
            switch k {
            case let .run(u): out += withBranches(Run(url: u, label: u.lastPathComponent))
            case let .runsFolder(u):
                let children = ((try? FileManager.default.contentsOfDirectory(atPath: u.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                out += children.map { u.appendingPathComponent($0) }.filter(isRun).flatMap { withBranches(Run(url: $0, label: $0.lastPathComponent)) }
            case let .sweep(f): out += try runs(of: f, prefixed: sweepCount > 1)
            case let .study(_, sweeps): for f in sweeps { out += try runs(of: f, prefixed: sweepCount > 1) }
            }
        }
        if out.isEmpty { throw SweepError.noRuns(paths: paths) }
        return out
    }

    static func runs(of folder: SweepFolder, prefixed: Bool) throws -> [Run] {
        let rows = try SweepIndexLoading.openRefreshed(folder).index.runs().filter { $0.evaluations > 0 }
        let sweepName = folder.url.standardizedFileURL.lastPathComponent
        return rows.map { row in
            let label = branchLabel(row.name)
            return Run(url: folder.runURL(row.name), label: prefixed ? "\(sweepName)-\(label)" : label)
        }
    }

    /// A run and, after it, its cooldown branches (`<run>/branches/cooldown-<f>/` with metrics),
    /// labelled `<run>@<f>`.
    static func withBranches(_ run: Run) -> [Run] {
        [run] + CooldownBranchFolders.list(in: run.url).map { Run(url: $0, label: CooldownBranchFolders.label(run: run.label, branch: $0)) }
    }

    /// `size-L2-d64-Dall-s1/branches/cooldown-0.50` → `size-L2-d64-Dall-s1@0.50`; other names unchanged.
    public static func branchLabel(_ name: String) -> String {
        name.replacingOccurrences(of: "/branches/cooldown-", with: "@")
    }

    /// A run directory: it has `metrics.jsonl` (written at the first evaluation).
    public static func isRun(_ url: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent("metrics.jsonl").path)
    }

    static func isFile(_ url: URL) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && !d.boolValue
    }

    static func isDirectory(_ url: URL) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && d.boolValue
    }
}
