import Foundation

/// Epigrams of the `fortune` program's data files (Debian `fortunes`, `fortunes-min`): plain text
/// with one fortune after another, each ended by a line holding only `%`.
///
///     FortuneFiles.fortunes(in: "A.\n%\nB.\n  -- someone\n%\n")   // ["A.", "B.\n  -- someone"]
public enum FortuneFiles {
    /// Fortune files left out: pictures drawn in characters, not prose.
    public static let excluded: Set<String> = ["ascii-art", "art"]

    /// The fortunes of one file's text, trailing spaces and blank edges trimmed, tabs as spaces.
    public static func fortunes(in text: String) -> [String] {
        var out: [String] = [], current: [Substring] = []
        func flush() {
            let t = current.map { $0.replacingOccurrences(of: "\t", with: "    ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
                .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { out.append(t) }
            current = []
        }
        for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "%" { flush() } else { current.append(line) }
        }
        flush()
        return out
    }

    /// Every fortune file in `folder` (not `.dat` indexes, not `.u8` links, not `excluded`),
    /// sorted by name.
    public static func files(in folder: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return names.filter { !$0.contains(".") && !excluded.contains($0) }.map { folder.appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0.path, isDirectory: &d) && !d.boolValue }
    }
}
