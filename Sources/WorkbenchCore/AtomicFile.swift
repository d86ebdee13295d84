import Foundation

/// Writes files so that a reader never sees a half-written one: data goes to a temporary
/// name in the same folder (`.<name>.tmp-<pid>`), is flushed, then renamed over the target in
/// one step. A crash or a full disk leaves the previous version intact; a failed write removes
/// its temporary file and says why in the system's words ("No space left on device").
///
///     try AtomicFile.write(Data(json.utf8), to: runDir.appendingPathComponent("summary.json"))
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw WorkbenchIOError.writeFailed(path: url.path, reason: "cannot create the folder '\(dir.path)': \(systemReason(of: error))")
        }
        let tmp = temporaryURL(for: url)
        do {
            try writeAndSync(data, to: tmp.path)
        } catch let reason as POSIXReason {
            unlink(tmp.path)
            throw WorkbenchIOError.writeFailed(path: url.path, reason: reason.text)
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw WorkbenchIOError.writeFailed(path: url.path, reason: reason)
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// The temporary name this process writes `url` under.
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    }

    /// Removes temporary files in `folder` that writers killed before their rename left behind
    /// (`.<name>.tmp-<pid>` whose process no longer exists). Returns their names.
    @discardableResult
    public static func removeStaleTemporaryFiles(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var removed: [String] = []
        for n in names where n.hasPrefix(".") {
            guard let r = n.range(of: ".tmp-", options: .backwards), let pid = Int32(n[r.upperBound...]),
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if unlink(folder.appendingPathComponent(n).path) == 0 { removed.append(n) }
        }
        return removed
    }

    /// An errno's text, e.g. "No space left on device".
    struct POSIXReason: Error { let text: String }

    /// Creates `path`, writes all bytes and fsyncs, reporting the first failing call with errno.
    static func writeAndSync(_ data: Data, to path: String) throws {
        func fail(_ what: String) -> POSIXReason { POSIXReason(text: "\(what): \(String(cString: strerror(errno)))") }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("cannot create a temporary file beside it") }
        defer { close(fd) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("write failed after \(done) of \(raw.count) bytes")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw fail("fsync failed") }
    }

    static func systemReason(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
