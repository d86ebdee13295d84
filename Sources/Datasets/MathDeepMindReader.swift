import Foundation
import WorkbenchCore

/// Reads files written by DeepMind's `mathematics_dataset` generator: one `.txt` file per module
/// (`algebra__linear_1d.txt`), question and answer on alternating lines.
///
///     let problems = try MathDeepMindReader.read(file: URL(fileURLWithPath: "train-easy/numbers__gcd.txt"))
///     problems[0].module   // "numbers__gcd"
///
/// A released copy is laid out as `train-easy/`, `train-medium/`, `train-hard/`, `interpolate/`,
/// `extrapolate/`; `readFolder` reads every `.txt` of one such folder in name order.
public enum MathDeepMindReader {
    public static func read(file url: URL) throws -> [MathProblem] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "DeepMind math file")
        }
        guard let text = String(data: try Data(contentsOf: url), encoding: .utf8) else {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not UTF-8 text")
        }
        // "\r\n" is one Character in Swift, so split on both line ends.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() } // the final newline
        let module = url.deletingPathExtension().lastPathComponent
        if let blank = lines.firstIndex(where: { $0.isEmpty }) {
            let role = blank % 2 == 0 ? "question" : "answer"
            throw WorkbenchIOError.corrupt(path: url.path, reason: "line \(blank + 1) is empty where a \(role) should be")
        }
        guard lines.count % 2 == 0 else {
            throw WorkbenchIOError.corrupt(path: url.path,
                reason: "odd number of lines (\(lines.count)): the question on line \(lines.count) has no answer line")
        }
        var out: [MathProblem] = []
        out.reserveCapacity(lines.count / 2)
        for i in stride(from: 0, to: lines.count, by: 2) {
            out.append(MathProblem(question: String(lines[i]), answer: String(lines[i + 1]), module: module))
        }
        return out
    }

    /// Every `.txt` file of `folder`, in file-name order.
    public static func readFolder(_ folder: URL) throws -> [MathProblem] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw WorkbenchIOError.missingFile(path: folder.path, what: "DeepMind math folder")
        }
        let files = names.filter { $0.hasSuffix(".txt") }.sorted()
        guard !files.isEmpty else {
            throw WorkbenchIOError.missingFile(path: folder.path + "/*.txt", what: "DeepMind math files")
        }
        return try files.flatMap { try read(file: folder.appendingPathComponent($0)) }
    }

    /// Writes problems in the same format (question line, answer line), e.g. to export our own
    /// generator's splits for other tools.
    public static func write(_ problems: [MathProblem], to url: URL) throws {
        var s = ""
        for p in problems { s += p.question + "\n" + p.answer + "\n" }
        try AtomicFile.write(s, to: url)
    }
}
