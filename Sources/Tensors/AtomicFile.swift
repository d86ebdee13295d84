import Foundation

/// Writes files so that a reader never sees a half-written one: data goes to a temporary
/// name in the same folder, is flushed, then renamed over the target in one step.
/// A crash or a full disk leaves the previous version intact.
///
///     try AtomicFile.write(Data(json.utf8), to: runDir.appendingPathComponent("summary.json"))
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: tmp, options: [])
            try fsyncFile(tmp)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "\(error.localizedDescription)")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw WorkbenchIOError.writeFailed(path: url.path, reason: reason)
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    private static func fsyncFile(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}

/// File errors that say what went wrong and where.
public enum WorkbenchIOError: Error, CustomStringConvertible, Equatable {
    case writeFailed(path: String, reason: String)
    case missingFile(path: String, what: String)
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case let .writeFailed(path, reason): return "could not write '\(path)': \(reason)"
        case let .missingFile(path, what): return "missing \(what): '\(path)' does not exist"
        case let .corrupt(path, reason): return "corrupt file '\(path)': \(reason)"
        }
    }
}
