/// Turning the raw forms of the English sources into plain prose.
///
///     EnglishTextCleaning.stripGutenbergBoilerplate(fileText)
///     EnglishTextCleaning.plainTextFromOSIS(#"God<note>a note</note><w>created</w> the earth."#)
///     // "God created the earth."
public enum EnglishTextCleaning {
    /// The text between Project Gutenberg's `*** START OF …` and `*** END OF …` lines, if they
    /// are present (either may be missing); otherwise the text unchanged.
    public static func stripGutenbergBoilerplate(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func isMarker(_ line: Substring, _ word: String) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces).uppercased()
            return t.hasPrefix("***") && t.contains("\(word) OF") && t.contains("GUTENBERG")
        }
        if let end = lines.firstIndex(where: { isMarker($0, "END") }) { lines.removeSubrange(end...) }
        if let start = lines.firstIndex(where: { isMarker($0, "START") }) { lines.removeSubrange(...start) }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    /// XML's five predefined entities decoded (`&amp;` last, so `&amp;lt;` stays `&lt;`).
    static func decodeXMLEntities(_ text: String) -> String {
        var out = text
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out
    }

    /// Plain text of one OSIS verse: notes dropped, tags removed, entities decoded, whitespace
    /// collapsed. Where a dropped note stood between two words, a space keeps them apart.
    public static func plainTextFromOSIS(_ osis: String) -> String {
        var s = osis
        // Notes, with their content; mark the gap.
        while let open = s.range(of: "<note"), let close = s.range(of: "</note>", range: open.upperBound..<s.endIndex) {
            s.replaceSubrange(open.lowerBound..<close.upperBound, with: "\u{1}")
        }
        var out = ""
        var inTag = false
        for c in s {
            if inTag { if c == ">" { inTag = false }; continue }
            if c == "<" { inTag = true; continue }
            out.append(c)
        }
        out = decodeXMLEntities(out)
        // A note gap between two word characters becomes a space; elsewhere it vanishes.
        var chars = Array(out)
        var i = 0
        while i < chars.count {
            if chars[i] == "\u{1}" {
                let before = i > 0 ? chars[i - 1] : " ", after = i + 1 < chars.count ? chars[i + 1] : " "
                if (before.isLetter || before.isNumber) && (after.isLetter || after.isNumber) { chars[i] = " " }
                else { chars.remove(at: i); continue }
            }
            i += 1
        }
        return String(chars).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
