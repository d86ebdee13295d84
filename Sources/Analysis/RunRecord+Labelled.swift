import Foundation

extension RunRecord {
    /// The runs at these directories, each named as given (a report names runs of several sweeps
    /// `<sweep>-<run>`, so equal run names stay apart), sorted by name.
    ///
    ///     let runs = try RunRecord.load(labelled: [(url: dir, name: "text-size-L1-d32-Dall-s1")])
    public static func load(labelled dirs: [(url: URL, name: String)]) throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for d in dirs {
            var r = try load(from: d.url)
            r.name = d.name
            runs.append(r)
        }
        if runs.isEmpty { throw AnalysisInputError.noRuns(paths: dirs.map(\.url.path)) }
        return runs.sorted { $0.name < $1.name }
    }
}
