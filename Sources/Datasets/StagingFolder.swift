import Foundation
import WorkbenchCore

/// A dataset folder built beside its target and renamed into place when complete, so a half
/// dataset is never visible under the target's name.
///
/// The temporary folder is `.<name>.importing-<pid>` in the target's parent. A killed import
/// leaves only that folder; the next import of the same name removes it (when its process is
/// gone). With `force`, an existing target is first renamed to `.<name>.replaced-<pid>`, the new
/// folder renamed in, and the old one removed.
///
///     let stage = try StagingFolder(target: data.appendingPathComponent("pets"), force: false)
///     try ds.write(to: stage.folder)
///     try stage.commit()
public struct StagingFolder {
    public let target: URL
    /// Where to write; becomes `target` on `commit()`.
    public let folder: URL
    let force: Bool

    /// Refuses an existing target without `force`, removes leftovers of dead imports, and
    /// creates the temporary folder.
    public init(target: URL, force: Bool) throws {
        self.target = target; self.force = force
        try Self.refuseExisting(target, force: force)
        let parent = target.deletingLastPathComponent(), name = target.lastPathComponent
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        Self.removeLeftovers(in: parent, name: name)
        folder = parent.appendingPathComponent(".\(name).importing-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    }

    /// Without `force`, an existing target stops the import before any input is read.
    public static func refuseExisting(_ target: URL, force: Bool) throws {
        if !force, FileManager.default.fileExists(atPath: target.path) {
            throw ImportError.exists(path: target.path)
        }
    }

    /// Renames the finished folder to the target (replacing it under `force`).
    public func commit() throws {
        let fm = FileManager.default
        var old: URL? = nil
        if fm.fileExists(atPath: target.path) {
            guard force else { discard(); throw ImportError.exists(path: target.path) }
            let o = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).replaced-\(getpid())")
            try? fm.removeItem(at: o)
            try move(target, to: o)
            old = o
        }
        try move(folder, to: target)
        if let o = old { try? fm.removeItem(at: o) }
    }

    /// Removes the temporary folder (after a failure).
    public func discard() { try? FileManager.default.removeItem(at: folder) }

    private func move(_ from: URL, to: URL) throws {
        if rename(from.path, to.path) != 0 {
            throw WorkbenchIOError.writeFailed(path: to.path, reason: "rename from '\(from.path)': \(String(cString: strerror(errno)))")
        }
    }

    /// Removes `.<name>.importing-<pid>` / `.<name>.replaced-<pid>` folders whose process has ended.
    static func removeLeftovers(in parent: URL, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for e in entries {
            for marker in [".\(name).importing-", ".\(name).replaced-"] where e.hasPrefix(marker) {
                guard let pid = Int32(e.dropFirst(marker.count)), pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH {
                    try? FileManager.default.removeItem(at: parent.appendingPathComponent(e))
                }
            }
        }
    }
}
