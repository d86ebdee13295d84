/// Why a run file could not be read, in words a reader can act on ("missing numeric key
/// 'tokens'", "'best_step' must be a whole number, got 1e+300"). Readers add the run, file and
/// line around it.
public struct RunFileFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A coding key for objects whose keys are not fixed (metrics lines carry extra figures).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// A JSON number under `key`, or nil when the key is absent, null or not a number.
    func number(_ key: Key) -> Double? {
        (try? decodeIfPresent(Double.self, forKey: key)) ?? nil
    }

    /// A whole number under `key` (written as `40`, `40.0` or `4e1`), nil when absent, null or
    /// not a number; a number that is not whole is an error naming the key.
    func wholeNumber(_ key: Key) throws -> Int? {
        guard let x = number(key) else { return nil }
        guard let i = Int(exactly: x) else {   // Int(_:) would trap on 1e300 or NaN
            throw RunFileFormatError("'\(key.stringValue)' must be a whole number, got \(x)")
        }
        return i
    }

    /// A string under `key`, nil when absent, null or not a string.
    func text(_ key: Key) -> String? {
        (try? decodeIfPresent(String.self, forKey: key)) ?? nil
    }
}
