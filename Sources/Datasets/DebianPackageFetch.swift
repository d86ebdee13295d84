import Foundation
import WorkbenchCore

/// Fetches a Debian package with `apt-get download` into the cache and unpacks it with
/// `dpkg-deb -x` (nothing is installed). Unpacking is skipped when already done.
///
///     let root = try DebianPackageFetch.unpacked("dataset-fashion-mnist", cacheDir: opts.cacheDir, log: opts.log)
///     root.appendingPathComponent("usr/share/datasets/fashion-mnist")
public enum DebianPackageFetch {
    /// The folder holding the unpacked package tree (`<cache>/debian/<name>/root`).
    public static func unpacked(_ package: String, cacheDir: URL,
                                log: (String) -> Void = { print($0) }) throws -> URL {
        let base = cacheDir.appendingPathComponent("debian").appendingPathComponent(package)
        let root = base.appendingPathComponent("root")
        let done = base.appendingPathComponent(".unpacked")
        let fm = FileManager.default
        if fm.fileExists(atPath: done.path) { return root }
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        var debs = try fm.contentsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".deb") }
        if debs.isEmpty {
            log("apt-get download \(package)")
            try run("/usr/bin/apt-get", ["download", package], in: base, what: "apt-get download \(package)")
            debs = try fm.contentsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".deb") }
        }
        guard let deb = debs.sorted().last else {
            throw WorkbenchIOError.missingFile(path: base.path, what: "downloaded .deb of '\(package)'")
        }
        try? fm.removeItem(at: root)
        log("dpkg-deb -x \(deb)")
        try run("/usr/bin/dpkg-deb", ["-x", base.appendingPathComponent(deb).path, root.path], in: base,
                what: "dpkg-deb -x \(deb)")
        try Data().write(to: done)
        return root
    }

    /// Runs a program; a non-zero exit becomes an error quoting its standard error.
    @discardableResult
    public static func run(_ program: String, _ args: [String], in dir: URL? = nil, what: String) throws -> Data {
        let reply: ExternalCommand.Reply
        do { reply = try ExternalCommand.capture(path: program, args, in: dir) } catch {
            throw WorkbenchIOError.missingFile(path: program, what: "program for '\(what)'")
        }
        guard reply.status == 0 else {
            let msg = String(decoding: reply.error, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw WorkbenchIOError.corrupt(path: program, reason: "'\(what)' failed (exit \(reply.status)): \(msg)")
        }
        return reply.output
    }
}
