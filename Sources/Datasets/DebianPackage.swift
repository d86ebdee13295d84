import Foundation

/// A Debian package fetched with `apt-get download` into a cache folder and unpacked there with
/// `dpkg-deb -x` (never installed). Both steps are skipped when their result is already cached.
///
///     let kjv = try DebianPackage.fetch("bible-kjv-text", cache: cacheDir, log: print)
///     kjv.root.appendingPathComponent("usr/lib/bible.data")
public struct DebianPackage {
    public var name: String
    /// File name of the downloaded `.deb` (it holds the version).
    public var debFile: String
    /// Folder the package was unpacked into.
    public var root: URL

    public static func fetch(_ name: String, cache: URL, log: (String) -> Void) throws -> DebianPackage {
        let debs = cache.appendingPathComponent("debs")
        try FileManager.default.createDirectory(at: debs, withIntermediateDirectories: true)
        func findDeb() -> String? {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: debs.path)) ?? []
            return files.filter { $0.hasPrefix(name + "_") && $0.hasSuffix(".deb") }.sorted().last
        }
        if findDeb() == nil {
            log("apt-get download \(name)")
            do {
                try ExternalCommand.run("apt-get", ["download", name], in: debs)
            } catch {
                log("apt-get download failed; running apt-get update once and retrying")
                try ExternalCommand.run("apt-get", ["update", "-qq"])
                try ExternalCommand.run("apt-get", ["download", name], in: debs)
            }
        }
        guard let deb = findDeb() else {
            throw ExternalCommand.Failure(command: "apt-get download \(name)", reason: "no \(name)_*.deb appeared in \(debs.path)")
        }
        let root = cache.appendingPathComponent("unpacked").appendingPathComponent(deb.replacingOccurrences(of: ".deb", with: ""))
        if !FileManager.default.fileExists(atPath: root.path) {
            let tmp = root.deletingLastPathComponent().appendingPathComponent(".\(root.lastPathComponent).tmp-\(getpid())")
            try? FileManager.default.removeItem(at: tmp)
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            try ExternalCommand.run("dpkg-deb", ["-x", debs.appendingPathComponent(deb).path, tmp.path])
            try FileManager.default.moveItem(at: tmp, to: root)
        }
        return DebianPackage(name: name, debFile: deb, root: root)
    }
}
