import Foundation

/// Reads a series for `workbench fit` from CSV: two numeric columns x, loss; an optional
/// header line; `#` comments and blank lines ignored. Errors name the file and the line.
///
///     x,loss
///     1e5,3.12
///     1e6,2.87
///
///     let s = try SeriesCSV.read(URL(fileURLWithPath: "ln.csv"))
public enum SeriesCSV {
    public static func read(_ url: URL) throws -> ScalingSeries {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw AnalysisInputError.malformedInput(path: url.path, reason: "cannot be read as UTF-8 text")
        }
        return try parse(text, path: url.path)
    }

    public static func parse(_ text: String, path: String) throws -> ScalingSeries {
        var x: [Double] = [], y: [Double] = []
        var header: [String]? = nil
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else {
                throw AnalysisInputError.malformedInput(path: path, reason: "line \(k + 1): expected two columns 'x,loss', got '\(line)'")
            }
            guard let a = Double(cells[0]), let b = Double(cells[1]) else {
                if x.isEmpty && header == nil { header = cells; continue }
                throw AnalysisInputError.malformedInput(path: path, reason: "line \(k + 1): '\(line)' is not two numbers")
            }
            x.append(a); y.append(b)
        }
        if x.isEmpty { throw AnalysisInputError.malformedInput(path: path, reason: "no data lines") }
        let variable = header?.first ?? "x"
        return ScalingSeries(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, variable: variable,
                             x: x, lossNats: y, runs: [])
    }
}
