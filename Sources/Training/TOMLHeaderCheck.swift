import Foundation

/// Finds table headers that would abort the process inside TOMLKit.
///
/// TOMLKit's parser (toml++ 3.x) asserts, instead of reporting an error, when a table header's
/// `[` (or `[[`) is followed by anything but a key: `[=`, `[{`, `[#`, or `[` at the end of a
/// line all end the process with SIGABRT (found by `tools/fuzz`, target `toml-config`). Every
/// caller of `TOMLTable(string:)` runs this check first and turns a finding into an error that
/// names the file and the line.
///
/// The scan follows TOML's lexical structure far enough to know where headers can start: a
/// header is a `[` that begins a line (after blanks) outside strings, arrays and inline tables.
/// It is exact for valid TOML; on invalid text it may stray only after the point where TOMLKit
/// reports its own error, so a header it misses is never reached by TOMLKit's parser.
///
///     if let bad = TOMLHeaderCheck.firstBadHeader(in: text) { throw … "line \(bad.line)" … }
public enum TOMLHeaderCheck {
    /// A header that TOMLKit cannot parse: its 1-based line and the line's text.
    public struct BadHeader: Equatable, Sendable {
        public var line: Int
        public var text: String
        /// The reason, for error messages.
        public var reason: String {
            "table header '\(text)' must start with a key (letters, digits, '_', '-' or a quoted name)"
        }
    }

    /// The first header whose first key does not start with a key character, or nil.
    public static func firstBadHeader(in text: String) -> BadHeader? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1
        var depth = 0          // open arrays and inline tables of the current value
        var atLineStart = true
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func lineText(from start: Int) -> String {
            var t = String.UnicodeScalarView()
            var k = start
            while k < s.count, s[k] != "\n", s[k] != "\r", t.count < 60 { t.append(s[k]); k += 1 }
            return String(t)
        }
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1; i += 1; if depth == 0 { atLineStart = true }; continue }
            if atLineStart {
                if c.properties.isWhitespace { i += 1; continue }   // blanks before a key or header
                atLineStart = false
                if c == "[" && depth == 0 {
                    if !headerStartsWithKey(s, after: i) { return BadHeader(line: line, text: lineText(from: i)) }
                    while i < s.count, s[i] != "\n" { i += 1 }     // the rest of the header line
                    continue
                }
            }
            switch c {
            case "#":
                while i < s.count, s[i] != "\n" { i += 1 }
            case "\"", "'":
                let multiLine = at(i + 1) == c && at(i + 2) == c
                i = skipString(s, from: i, quote: c, multiLine: multiLine, line: &line)
            case "[", "{":
                depth += 1; i += 1
            case "]", "}":
                depth = max(0, depth - 1); i += 1
            default:
                i += 1
            }
        }
        return nil
    }

    /// Mirrors toml++'s `parse_table_header` up to its `parse_key` call: `[`, blanks, an
    /// optional second `[` (only right after the first), blanks, then a key must start, unless
    /// the text ends or a `]` follows (toml++ reports both as errors).
    static func headerStartsWithKey(_ s: [Unicode.Scalar], after open: Int) -> Bool {
        var k = open + 1
        func skipBlanks() -> Bool {
            let start = k
            while k < s.count, s[k] == " " || s[k] == "\t" { k += 1 }
            return k > start
        }
        let blanks = skipBlanks()
        if k < s.count, s[k] == "[" {
            if blanks { return true }     // "[ [": toml++ reports non-contiguous brackets
            k += 1
            _ = skipBlanks()
        }
        guard k < s.count else { return true }
        let c = s[k]
        if c == "]" || c == "\"" || c == "'" { return true }
        return c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-")
    }

    /// The index after the string that opens at `start`. Single-line strings also end at a line
    /// break (TOML forbids one there), which keeps the scan in step with TOMLKit's error.
    static func skipString(_ s: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar,
                           multiLine: Bool, line: inout Int) -> Int {
        let escapes = quote == "\""
        var k = start + (multiLine ? 3 : 1)
        while k < s.count {
            let c = s[k]
            if c == "\n" {
                if !multiLine { return k }
                line += 1
            } else if escapes && c == "\\" {
                if k + 1 < s.count, s[k + 1] == "\n" { line += 1 }
                k += 2; continue
            } else if c == quote {
                if !multiLine { return k + 1 }
                if k + 2 < s.count, s[k + 1] == quote, s[k + 2] == quote {
                    // Up to two more quotes right before the closing three belong to the string.
                    var end = k + 3
                    var extra = 0
                    while end < s.count, s[end] == quote, extra < 2 { end += 1; extra += 1 }
                    return end
                }
            }
            k += 1
        }
        return k
    }
}
