import Foundation
import WorkbenchCore

/// How the run files that are single JSON objects are written: pretty-printed, keys sorted,
/// replaced whole (`AtomicFile`). With `nonFinite`, numbers JSON has no word for (fits' unbounded
/// ends, a diverged run's loss) are written as the strings "inf", "-inf" and "nan", and
/// `decode(_:from:nonFinite:)` reads them back.
public enum JSONFile {
    public static func encode<T: Encodable>(_ value: T, nonFinite: Bool = false) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        if nonFinite {
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        }
        return try enc.encode(value)
    }

    public static func write<T: Encodable>(_ value: T, to url: URL, nonFinite: Bool = false) throws {
        try AtomicFile.write(try encode(value, nonFinite: nonFinite), to: url)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, nonFinite: Bool = false) throws -> T {
        let dec = JSONDecoder()
        if nonFinite {
            dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        }
        return try dec.decode(type, from: data)
    }
}
