import Foundation

/// A run's `config.toml` as data: the fully resolved config the trainer saved, as tables of
/// `key = value` lines whose values are TOML strings, numbers or arrays of strings.
///
///     [model]
///     n_layer = 2
///
///     [data]
///     dataset = "data/english"
///
/// The trainer renders its config through this type; reports read it back without the
/// trainer's config type (`Analysis` does not depend on `Training`). Reading is lenient: lines
/// that are not `key = value` (comments, blank lines) are skipped, and a value is kept as its
/// TOML text until asked for as a string or number.
///
///     let saved = SavedRunConfig.read(from: runDir)
///     saved?.string("data.dataset")      // "data/english"
public struct SavedRunConfig: Equatable, Sendable {
    public static let fileName = "config.toml"

    /// One table: its name and its `key = value` entries in order (values as TOML text).
    public struct Table: Equatable, Sendable {
        public var name: String
        public var entries: [(key: String, value: String)]
        public init(name: String, entries: [(key: String, value: String)] = []) { self.name = name; self.entries = entries }
        public static func == (l: Table, r: Table) -> Bool {
            l.name == r.name && l.entries.map(\.key) == r.entries.map(\.key) && l.entries.map(\.value) == r.entries.map(\.value)
        }
    }

    public var tables: [Table]

    public init(tables: [Table]) { self.tables = tables }

    /// Builds the config from dotted keys (`"model.n_layer"`) and TOML values, in order; a new
    /// table starts where the prefix changes.
    public init(values: [(key: String, value: String)]) {
        var tables: [Table] = []
        for (key, value) in values {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if tables.last?.name != parts[0] { tables.append(Table(name: parts[0])) }
            tables[tables.count - 1].entries.append((parts[1], value))
        }
        self.tables = tables
    }

    /// Parses config.toml text (the subset the trainer writes).
    public init(parsing text: String) {
        var tables: [Table] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                if line.hasSuffix("]") { tables.append(Table(name: String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces))) }
                continue
            }
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "="), !tables.isEmpty else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            tables[tables.count - 1].entries.append((key, value))
        }
        self.tables = tables
    }

    /// The config in `runDirectory`, nil when it has none or it is not UTF-8 text.
    public static func read(from runDirectory: URL) -> SavedRunConfig? {
        guard let text = try? String(contentsOf: runDirectory.appendingPathComponent(fileName), encoding: .utf8) else { return nil }
        return SavedRunConfig(parsing: text)
    }

    /// The TOML text: tables separated by a blank line, one `key = value` per line.
    public func rendered() -> String {
        tables.map { t in "[\(t.name)]\n" + t.entries.map { "\($0.key) = \($0.value)\n" }.joined() }.joined(separator: "\n")
    }

    /// The TOML text of `"table.key"`, nil when absent.
    public func value(_ dottedKey: String) -> String? {
        let parts = dottedKey.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return tables.first { $0.name == parts[0] }?.entries.first { $0.key == parts[1] }?.value
    }

    /// A basic string value (`"…"` with `\"` and `\\` escapes), nil when absent or not a string.
    public func string(_ dottedKey: String) -> String? {
        guard let v = value(dottedKey), v.hasPrefix("\""), v.count >= 2, v.hasSuffix("\"") else { return nil }
        return Self.unquote(String(v.dropFirst().dropLast()))
    }

    /// A number value, nil when absent or not a number.
    public func number(_ dottedKey: String) -> Double? { value(dottedKey).flatMap(Double.init) }

    /// A string as a TOML basic string.
    public static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func unquote(_ s: String) -> String {
        var out = "", escaped = false
        for ch in s {
            if escaped { out.append(ch); escaped = false } else if ch == "\\" { escaped = true } else { out.append(ch) }
        }
        return out
    }
}
