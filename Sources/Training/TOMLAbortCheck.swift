import Foundation

/// Finds TOML text that would abort the process inside TOMLKit.
///
/// TOMLKit's parser (toml++ 3.x) asserts, instead of reporting an error, on some malformed text
/// (found by `tools/fuzz`, target `toml-config`); the assertion ends the process with SIGABRT:
/// - a table header whose `[` (or `[[`) is not followed by a key: `[=`, `[{`, `[#`, `[` at the
///   end of a line;
/// - an array element that starts with `}` or with a Unicode line separator (U+0085, U+2028,
///   U+2029): `a = [}`, `a = [1, }`;
/// - a 10-character value shaped like a date (`-` 5th and 8th) followed by a space and a single
///   digit: `a = 2022-02-02 8`, `a = 32=6-25-2A 4` (toml++ looks for a date-time with a space
///   for the `T` and scans on past the end of the value);
/// - a date and `T` not followed by a digit: `a = 6464-10-14t_1` (toml++ skips the `_` when it
///   guesses the value's type, then finds no hour).
/// Every caller of `TOMLTable(string:)` runs this check first and turns a finding into an error
/// that names the file and the line.
///
/// The scan follows TOML's lexical structure far enough to know where headers and values can
/// start: strings, comments, arrays and inline tables. It rejects only text that is not valid
/// TOML (a `}` or `]` that closes nothing open, a line separator outside strings and comments,
/// a header without a key), so valid files always pass; on invalid text it may stray only after
/// a point where TOMLKit reports its own error.
///
///     if let bad = TOMLAbortCheck.firstProblem(in: text) { throw … "\(bad.reason) at line \(bad.line)" }
public enum TOMLAbortCheck {
    /// Text that TOMLKit cannot parse without aborting: its 1-based line and why.
    public struct Problem: Equatable, Sendable {
        public var line: Int
        public var reason: String
    }

    /// The first problem in `text`, or nil.
    public static func firstProblem(in text: String) -> Problem? {
        let s = Array(text.unicodeScalars)
        var i = s.first == "\u{FEFF}" ? 1 : 0, line = 1   // toml++ skips a byte-order mark
        var open: [Unicode.Scalar] = []   // the arrays (`[`) and inline tables (`{`) of the current value
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
            if c == "\n" { line += 1; i += 1; if open.isEmpty { atLineStart = true }; continue }
            if c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                return Problem(line: line, reason: "Unicode line separator U+\(String(c.value, radix: 16, uppercase: true)) outside a string or comment (TOML lines end with \\n)")
            }
            if atLineStart {
                if c.properties.isWhitespace { i += 1; continue }   // blanks before a key or header
                atLineStart = false
                if c == "[" && open.isEmpty {
                    if !headerStartsWithKey(s, after: i) {
                        return Problem(line: line, reason: "table header '\(lineText(from: i))' must start with a key (letters, digits, '_', '-' or a quoted name)")
                    }
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
                open.append(c); i += 1
            case "]", "}":
                guard open.last == (c == "]" ? "[" : "{") else {
                    return Problem(line: line, reason: "'\(c)' where no \(c == "]" ? "array" : "inline table") is open")
                }
                open.removeLast(); i += 1
            default:
                if isDigit(c), i == 0 || isValueEnd(s[i - 1]) || "=[,{".unicodeScalars.contains(s[i - 1]),
                   isDateThenOneDigit(s, at: i) {
                    return Problem(line: line, reason: "a date followed by a single digit ('\(lineText(from: i))') is not a TOML value")
                }
                if isDigit(c), i == 0 || isValueEnd(s[i - 1]) || "=[,{".unicodeScalars.contains(s[i - 1]),
                   isDateThenTWithoutHour(s, at: i) {
                    return Problem(line: line, reason: "a date and 'T' without an hour ('\(lineText(from: i))') is not a TOML value")
                }
                i += 1
            }
        }
        return nil
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    /// toml++'s value terminators: whitespace, `]`, `}`, `,`, `#`.
    static func isValueEnd(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || "]},#".unicodeScalars.contains(c) }

    /// Mirrors the case of toml++'s value scan that asserts: a value (up to a terminator) of
    /// exactly 10 characters not counting underscores, `-` 5th and 8th, then one space, one digit
    /// and a terminator. (toml++ also needs some characters absent, e.g. `:` or `t`; requiring
    /// less rejects only more text that is not TOML either.)
    static func isDateThenOneDigit(_ s: [Unicode.Scalar], at start: Int) -> Bool {
        var chars: [Unicode.Scalar] = []
        var k = start
        while k < s.count, !isValueEnd(s[k]), chars.count <= 10 {
            if s[k] != "_" { chars.append(s[k]) }
            k += 1
        }
        guard chars.count == 10, chars[4] == "-", chars[7] == "-" else { return false }
        guard k + 2 < s.count, s[k] == " ", isDigit(s[k + 1]) else { return false }
        return isValueEnd(s[k + 2])
    }

    /// `YYYY-MM-DD` in ASCII digits, then `T` or `t`, then anything but a digit (the end of the
    /// text is fine: toml++ reports it).
    static func isDateThenTWithoutHour(_ s: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + 11 < s.count else { return false }
        for k in 0..<10 {
            let c = s[start + k]
            guard k == 4 || k == 7 ? c == "-" : isDigit(c) else { return false }
        }
        return (s[start + 10] == "T" || s[start + 10] == "t") && !isDigit(s[start + 11])
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
