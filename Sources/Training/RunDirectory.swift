import Foundation
import RunFiles
import Tensors
import WorkbenchCore

/// The folder of one run: `config.toml`, `metrics.jsonl`, checkpoint files and `summary.json`.
/// Every file is replaced whole through a temporary name, so a crash never truncates one.
public struct RunDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url }

    public var configURL: URL { url.appendingPathComponent(SavedRunConfig.fileName) }
    public var metricsURL: URL { url.appendingPathComponent(MetricsFile.name) }
    public var summaryURL: URL { url.appendingPathComponent(RunSummary.fileName) }

    public func create() throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot create run directory: \(error.localizedDescription)")
        }
    }

    /// Takes the run's lock (`.lock`, an advisory `flock` held while the process lives), so
    /// that two processes never train into one run directory; the second is refused.
    public func acquireLock() throws -> RunLock {
        try RunLock(url.appendingPathComponent(".lock"))
    }

    /// Removes temporary files that a killed writer left (`.<name>.tmp-<pid>`, see `AtomicFile`):
    /// only the lock holder calls this, so no live writer owns them. Returns their names.
    @discardableResult
    public func removeStaleTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let stale = names.filter { $0.hasPrefix(".") && $0.contains(".tmp-") }
        for n in stale { try? FileManager.default.removeItem(at: url.appendingPathComponent(n)) }
        return stale
    }

    public func writeConfig(_ cfg: TrainConfig) throws { try AtomicFile.write(cfg.renderTOML(), to: configURL) }

    /// Lines of metrics.jsonl whose step is at most `step` (what a resume keeps).
    public func metricsLines(upToStep step: Int) throws -> [String] {
        guard let text = try? String(contentsOf: metricsURL, encoding: .utf8) else { return [] }
        return MetricsFile.lines(of: text, upToStep: step)
    }

    public func writeMetrics(_ lines: [String]) throws { try MetricsFile.write(lines, to: metricsURL) }

    public func writeSummary(_ s: RunSummary) throws { try s.write(to: url) }
}

/// An exclusive lock on a run directory, held until released or the process ends (the kernel
/// drops `flock` locks of dead processes, so a killed run never leaves a stale lock).
public final class RunLock {
    let fd: Int32
    public let path: String

    init(_ url: URL) throws {
        path = url.path
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot create the run's lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw TrainingError.runLocked(path: url.deletingLastPathComponent().path)
        }
    }

    deinit { flock(fd, LOCK_UN); close(fd) }
}
