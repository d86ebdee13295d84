import Foundation

/// Tells whether a path lives on storage that only this machine sees (tmpfs, ramfs, or the
/// usual node-local folders /tmp, /var/tmp, /dev/shm, /run), which array tasks on other nodes
/// of a cluster cannot read. Shared filesystems (NFS, Lustre, GPFS, …) cannot be told from a
/// big local disk by type alone, so anything else counts as shared; the task script checks
/// again on the node and says so in its log when it cannot read the sweep.
public enum NodeLocalPath {
    /// Why `path` is node-local, or nil when it may be shared.
    public static func reason(_ path: String) -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        for prefix in ["/tmp", "/var/tmp", "/dev/shm", "/run"] where resolved == prefix || resolved.hasPrefix(prefix + "/") {
            return "under \(prefix) (node-local)"
        }
        switch filesystemType(resolved) {
        case "tmpfs"?: return "on a tmpfs (memory of this node)"
        case "ramfs"?: return "on a ramfs (memory of this node)"
        default: return nil
        }
    }

    /// The type of the filesystem holding `path` (the longest mount point in /proc/mounts that
    /// contains it), or nil where /proc/mounts cannot be read.
    public static func filesystemType(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        var best: (point: String, type: String)? = nil
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let point = String(f[1]).replacingOccurrences(of: "\\040", with: " ")
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside, point.count >= (best?.point.count ?? -1) { best = (point, String(f[2])) }
        }
        return best?.type
    }
}
