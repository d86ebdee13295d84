import Foundation

/// Where a run keeps its cooldown branches (`<run>/branches/cooldown-<f>/`, written by the
/// trainer) and how reports name them (`<run>@<f>`): one place for the sweep's addressing and
/// the analysis's loading.
///
///     CooldownBranchFolders.list(in: runURL).map { CooldownBranchFolders.label(run: "size-L1-d32-Dall-s1", branch: $0) }
public enum CooldownBranchFolders {
    public static let folder = "branches"
    public static let prefix = "cooldown-"

    /// The run's branch folders that hold a learning curve (`metrics.jsonl`), sorted by name.
    public static func list(in run: URL) -> [URL] {
        let dir = run.appendingPathComponent(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
        return names.map { dir.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent(MetricsFile.name).path) }
    }

    /// `<run>@<f>` for the branch folder `cooldown-<f>` of the run labelled `run`.
    public static func label(run: String, branch: URL) -> String {
        run + "@" + branch.lastPathComponent.dropFirst(prefix.count)
    }
}
