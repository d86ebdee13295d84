import Foundation

/// Whether a live process is training into a run directory right now: its `.lock` (the `flock`
/// a trainer holds while it lives, see `RunLock`) is held. Read from the kernel's lock table
/// (`/proc/locks`) without taking the lock, so asking never gets in a trainer's way; where there
/// is no such table the answer is false.
///
///     if RunLiveness.isTraining(folder.runURL("size-L1-d32-Dall-s1")) { … }
public enum RunLiveness {
    public static func isTraining(_ runDirectory: URL) -> Bool {
        var st = stat()
        guard stat(runDirectory.appendingPathComponent(".lock").path, &st) == 0,
              let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return false }
        let inode = UInt64(st.st_ino)
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        for line in table.split(separator: "\n") where line.contains("FLOCK") && !line.contains("->") {
            for field in line.split(separator: " ") {
                let parts = field.split(separator: ":")
                guard parts.count == 3, let ino = UInt64(parts[2]), ino == inode,
                      let ma = UInt64(parts[0], radix: 16), let mi = UInt64(parts[1], radix: 16) else { continue }
                if ma == major && mi == minor { return true }
            }
        }
        return false
    }
}
