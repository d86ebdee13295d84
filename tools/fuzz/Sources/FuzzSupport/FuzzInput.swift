import Foundation

/// Helpers shared by the fuzz targets: turning libFuzzer's buffer into `Data`, and a scratch
/// folder for readers that only take a file path.
public enum FuzzInput {
    /// The bytes libFuzzer passes, copied into `Data`.
    public static func data(_ start: UnsafeRawPointer?, _ count: Int) -> Data {
        guard let start, count > 0 else { return Data() }
        return Data(bytes: start, count: count)
    }

    /// A per-process scratch folder (in /dev/shm when there is one, so writes stay in memory).
    public static let scratch: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("workbench-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A sub-folder of the scratch folder, created on first use.
    public static func folder(_ name: String) -> URL {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `data` to `name` inside the scratch folder and returns its URL.
    public static func write(_ data: Data, named name: String, in folder: URL = scratch) -> URL {
        let url = folder.appendingPathComponent(name)
        try! data.write(to: url)
        return url
    }
}
