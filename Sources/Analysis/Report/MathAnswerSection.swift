import Foundation
import RunFiles

/// One math run's answers on one split, by greedy decoding and exact match
/// (`workbench eval --answers` writes them to the run's `eval_answers.json`).
public struct MathAnswerRow: Codable, Sendable, Equatable {
    public var run: String
    public var params: Double
    public var split: String
    public var problems: Int
    public var correct: Int
    public var accuracy: Double
}

/// The report's "Math answers by exact match" section: accuracy per run and split, and per
/// module for the largest run. Reads `eval_answers.json` of any run that has one; the fits are
/// not affected.
enum MathAnswerSection {
    typealias File = MathAnswerResults

    static func load(_ runs: [RunRecord]) throws -> [(RunRecord, File)] {
        try runs.compactMap { r in
            let url = r.url.appendingPathComponent(MathAnswerResults.fileName)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            do { return (r, try JSONDecoder().decode(File.self, from: Data(contentsOf: url))) } catch {
                throw AnalysisInputError.malformedInput(path: url.path, reason: "not an eval_answers.json file: \(error)")
            }
        }
    }

    static func write(_ runs: [RunRecord], _ sink: ReportSink) throws {
        let found = try load(runs)
        guard !found.isEmpty else { return }
        func accuracy(_ c: MathAnswerCount) -> Double { c.accuracy }
        func percent(_ c: MathAnswerCount) -> String { String(format: "%.1f %% (%d of %d)", 100 * accuracy(c), c.correct, c.problems) }
        let rows = found.flatMap { r, f in
            f.splits.map { name, s in
                MathAnswerRow(run: r.name, params: r.summary.params, split: name, problems: s.total.problems,
                              correct: s.total.correct, accuracy: accuracy(s.total))
            }
        }.sorted { ($0.split, $0.params, $0.run) < ($1.split, $1.params, $1.run) }
        sink.data.mathAnswers = rows
        sink.doc.blocks.append(.heading(2, "Math answers by exact match"))
        sink.doc.blocks.append(.paragraph("Each test question is fed after the problems packed before it in its record (as in training), "
            + "the answer is decoded greedily up to the end token, and it counts when it equals the true answer exactly "
            + "(`workbench eval --answers`). interpolate: the training difficulties; extrapolate: beyond them."))
        sink.doc.blocks.append(.table(header: ["run", "N", "split", "exact-match accuracy"], rows: rows.map {
            [$0.run, Format.sig($0.params, 3), $0.split, percent(MathAnswerCount(problems: $0.problems, correct: $0.correct))]
        }))
        guard let (largest, file) = found.max(by: { ($0.0.summary.params, $0.0.name) < ($1.0.summary.params, $1.0.name) }) else { return }
        let splits = file.splits.keys.sorted()
        let modules = Set(file.splits.values.flatMap { $0.modules.keys }).sorted()
        guard modules.count > 1 else { return }
        sink.doc.blocks.append(.paragraph("By module, run \(largest.name) (N = \(Format.sig(largest.summary.params, 3))):"))
        sink.doc.blocks.append(.table(header: ["module"] + splits, rows: modules.map { m in
            [m] + splits.map { s in file.splits[s]?.modules[m].map(percent) ?? "–" }
        }))
    }
}
