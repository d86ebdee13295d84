import Foundation
import WorkbenchCore

/// Synset glosses of WordNet 3.0 (Debian `wordnet-base`, `usr/share/wordnet/data.{noun,verb,adj,adv}`)
/// as short English documents: `lemma, lemma: gloss; "example"`.
///
/// A data line is `offset lex_filenum ss_type w_cnt word lex_id … | gloss`; `w_cnt` is two hex
/// digits; lines starting with two spaces are the licence header.
///
///     WordNetGlosses.document(fromLine: "00977214 04 n 01 swoop 1 002 @ 00976953 n 0000 | a very rapid raid  ")
///     // "swoop: a very rapid raid"
public enum WordNetGlosses {
    /// The document of one data line, or nil for header lines and lines without a gloss.
    public static func document<S: StringProtocol>(fromLine line: S) -> String? {
        guard !line.hasPrefix("  "), let bar = line.range(of: " | ") else { return nil }
        let fields = line[..<bar.lowerBound].split(separator: " ")
        guard fields.count >= 6, let count = Int(fields[3], radix: 16), count > 0, fields.count >= 4 + 2 * count else { return nil }
        var lemmas: [String] = []
        for k in 0..<count {
            var w = String(fields[4 + 2 * k]).replacingOccurrences(of: "_", with: " ")
            if let paren = w.firstIndex(of: "("), w.hasSuffix(")") { w = String(w[..<paren]) }   // adjective markers "(a)"
            if !lemmas.contains(w) { lemmas.append(w) }
        }
        let gloss = line[bar.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !gloss.isEmpty else { return nil }
        return lemmas.joined(separator: ", ") + ": " + gloss
    }

    /// Every synset document of the four data files under `folder`, in file order.
    public static func documents(folder: URL) throws -> [(id: String, text: String)] {
        var out: [(id: String, text: String)] = []
        for pos in ["noun", "verb", "adj", "adv"] {
            let url = folder.appendingPathComponent("data.\(pos)")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw WorkbenchIOError.missingFile(path: url.path, what: "WordNet data file (UTF-8)")
            }
            for line in text.split(separator: "\n") {
                if let doc = document(fromLine: line) { out.append(("\(pos)/\(line.prefix(8))", doc)) }
            }
        }
        return out
    }
}
