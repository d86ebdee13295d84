import Foundation
import WorkbenchCore

/// How the run files that are single JSON objects are written: pretty-printed, keys sorted,
/// replaced whole (`AtomicFile`).
public enum JSONFile {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(value)
    }

    public static func write<T: Encodable>(_ value: T, to url: URL) throws {
        try AtomicFile.write(try encode(value), to: url)
    }
}
