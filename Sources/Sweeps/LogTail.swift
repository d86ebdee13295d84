import Foundation

/// The end of a log file, read without loading the whole file (training and Slurm logs grow
/// with every attempt): for progress, a failed run's error line, or a task's last lines.
///
///     LogTail.text(of: runDir.appendingPathComponent("train.log"))
public enum LogTail {
    /// The last `bytes` bytes as text (nil when the file cannot be opened).
    public static func text(of url: URL, bytes: Int = 4096) -> String? {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? h.close() }
        let size = h.seekToEndOfFile()
        h.seek(toFileOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        return String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
    }
}
