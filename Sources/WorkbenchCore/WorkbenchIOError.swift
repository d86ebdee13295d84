/// File errors that say what went wrong and where.
public enum WorkbenchIOError: Error, CustomStringConvertible, Equatable {
    case writeFailed(path: String, reason: String)
    case missingFile(path: String, what: String)
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case let .writeFailed(path, reason): return "could not write '\(path)': \(reason)"
        case let .missingFile(path, what): return "missing \(what): '\(path)' does not exist"
        case let .corrupt(path, reason): return "corrupt file '\(path)': \(reason)"
        }
    }
}
