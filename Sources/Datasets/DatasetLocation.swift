import Foundation

/// Where a dataset named on the command line or in a config lives: a shard folder given by path
/// (`data/pics`, `/abs/pics`), a bare name prepared under the data folder (`pics` → `data/pics`),
/// or the built-in sample (`builtin:english-sample`). Every command resolves `data.dataset` and
/// `--dataset` through this, so a name and a path work alike.
///
///     DatasetLocation.resolve("pics", dataDir: URL(fileURLWithPath: "data"))   // "data/pics" when prepared
public enum DatasetLocation {
    /// The folder (or built-in name) `value` stands for. A value that is already a shard folder,
    /// or that names none under `dataDir`, is returned unchanged (the loader then says what is
    /// missing).
    public static func resolve(_ value: String, dataDir: URL) -> String {
        if value.isEmpty || value.hasPrefix("builtin:") { return value }
        let fm = FileManager.default
        if fm.fileExists(atPath: URL(fileURLWithPath: value).appendingPathComponent("manifest.json").path) { return value }
        guard !value.contains("/") else { return value }
        let named = dataDir.appendingPathComponent(value)
        if fm.fileExists(atPath: named.appendingPathComponent("manifest.json").path) { return named.relativePath }
        return value
    }

    /// Whether `name` is prepared under `dataDir` (its manifest, written last, exists).
    public static func isPrepared(_ name: String, dataDir: URL) -> Bool {
        FileManager.default.fileExists(atPath: dataDir.appendingPathComponent(name).appendingPathComponent("manifest.json").path)
    }
}
