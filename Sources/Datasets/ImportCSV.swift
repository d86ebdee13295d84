import Foundation
import WorkbenchCore

/// The rows of a small CSV file (RFC 4180: comma-separated, fields optionally in double quotes,
/// `""` for a quote inside them, quoted fields may span lines; LF or CRLF line ends), each with
/// the 1-based line it starts on, for error messages. Blank lines are skipped.
///
/// A first row whose first field is `path`, `file`, `filename`, `image` or `image_path`
/// (any case) is a header and is dropped.
///
///     let rows = try ImportCSV.rows(of: URL(fileURLWithPath: "labels.csv"))
///     rows[0].line, rows[0].fields     // 2, ["cats/tom.png", "cat"]
public enum ImportCSV {
    public struct Row: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
        public init(line: Int, fields: [String]) { self.line = line; self.fields = fields }
    }

    static let headerNames: Set<String> = ["path", "file", "filename", "file_name", "image", "image_path"]

    public static func rows(of url: URL) throws -> [Row] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw WorkbenchIOError.missingFile(path: url.path, what: "CSV file")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        if let bad = TextImport.firstInvalidUTF8(bytes) {
            throw WorkbenchIOError.corrupt(path: url.path, reason: "not UTF-8: invalid byte at line \(bad.line), byte offset \(bad.offset)")
        }
        return try rows(parsing: String(decoding: bytes, as: UTF8.self), name: url.path)
    }

    /// Parses CSV text; `name` appears in errors (an unterminated quote names its line).
    public static func rows(parsing text: String, name: String = "<csv>") throws -> [Row] {
        var rows: [Row] = []
        var fields: [String] = [], field = "", quoted = false, wasQuoted = false
        var line = 1, rowLine = 1, quoteLine = 1
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) { rows.append(Row(line: rowLine, fields: fields)) }
            fields = []; field = ""; wasQuoted = false
        }
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if chars.index(after: i) < chars.endIndex, chars[chars.index(after: i)] == "\"" {
                        field.unicodeScalars.append("\""); i = chars.index(after: i)
                    } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty: quoted = true; wasQuoted = true; quoteLine = line
                case ",": fields.append(field); field = ""
                case "\r": break
                case "\n": endRow(); line += 1; rowLine = line
                default: field.unicodeScalars.append(c)
                }
            }
            i = chars.index(after: i)
        }
        if quoted { throw WorkbenchIOError.corrupt(path: name, reason: "line \(quoteLine): quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRow() }
        if let first = rows.first, let f = first.fields.first,
           headerNames.contains(f.trimmingCharacters(in: .whitespaces).lowercased()) {
            rows.removeFirst()
        }
        return rows
    }
}
