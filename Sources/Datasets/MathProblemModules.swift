import Foundation
import WorkbenchCore

/// The module of every packed math problem, which the token shards do not keep (they hold only
/// characters): `problem_modules.json` beside the manifest, `{"<split>": ["<module>", …]}` with
/// one name per problem in packing order. Written by the math recipes for every split but
/// `train`; read by `workbench eval --answers` for accuracy per module.
public enum MathProblemModules {
    public static let fileName = "problem_modules.json"

    /// Writes the module names of each split's problems into `dir` (atomically).
    public static func write(_ splits: [String: [MathProblem]], to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try enc.encode(splits.mapValues { $0.map(\.module) }), to: dir.appendingPathComponent(fileName))
    }

    /// The module names per split from `dir`, or nil when the dataset has no such file (prepared
    /// before it existed, or not a math dataset).
    public static func load(from dir: URL) throws -> [String: [String]]? {
        let url = dir.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: url))
        } catch {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not a JSON object of module-name lists: \(error)")
        }
    }
}
