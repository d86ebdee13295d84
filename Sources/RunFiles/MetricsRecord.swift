import Foundation
import WorkbenchCore

/// One evaluation's line of a run's `metrics.jsonl`, the learning curve that `train` writes and
/// `report`, `fit`, `runs` and sweeps read:
///
///     {"step": 100, "tokens": 819200, "params": 85120, "compute_flops": 4.18e11, "compute_pfdays": 4.8e-09,
///      "train_loss": 2.61, "test_loss": 2.58, "lr": 0.001, "wall_seconds": 12.5, "test_loss_book": 2.7}
///
/// `step`, `tokens` (E), `params` (N, non-embedding), `compute_flops` (6·N·E) and
/// `compute_pfdays` are required numbers; `train_loss` is null before the first step and
/// `test_loss` null when the evaluation diverged; `lr` and `wall_seconds` are optional for files
/// not written by the trainer. Any other numeric key (`test_loss_<split>`, `test_accuracy`) is
/// kept in `extra`. Tokens and parameters are JSON numbers (synthetic runs write `1280.0`).
///
///     let record = try MetricsRecord.parse(line: line)     // RunFileFormatError on a bad line
///     text += record.jsonLine() + "\n"
public struct MetricsRecord: Codable, Equatable, Sendable {
    public var step: Int
    /// E, tokens processed so far.
    public var tokens: Double
    /// N, non-embedding parameters.
    public var params: Double
    public var computeFLOPs: Double
    public var computePFDays: Double
    /// Compute as spent (output layer and attention included), when the writer knows it.
    public var computeFLOPsTotal: Double?
    public var trainLoss: Double?
    /// Nil when the evaluation gave no finite loss (written as null).
    public var testLoss: Double?
    public var lr: Double?
    public var wallSeconds: Double?
    /// `test_loss_<split>` for extra evaluation splits, `test_accuracy`, and other figures.
    public var extra: [String: Double]

    /// The keys with a field of their own, in the order `jsonLine` writes them.
    public static let standardKeys = ["step", "tokens", "params", "compute_flops", "compute_pfdays", "compute_flops_total",
                                      "train_loss", "test_loss", "lr", "wall_seconds"]
    /// Keys every line must have as numbers (`test_loss` may also be null).
    public static let requiredKeys = ["step", "tokens", "params", "compute_flops", "compute_pfdays"]

    public init(step: Int, tokens: Double, params: Double, computeFLOPs: Double, computePFDays: Double,
                computeFLOPsTotal: Double? = nil, trainLoss: Double?, testLoss: Double?, lr: Double? = nil,
                wallSeconds: Double? = nil, extra: [String: Double] = [:]) {
        self.step = step; self.tokens = tokens; self.params = params
        self.computeFLOPs = computeFLOPs; self.computePFDays = computePFDays; self.computeFLOPsTotal = computeFLOPsTotal
        self.trainLoss = trainLoss; self.testLoss = testLoss; self.lr = lr; self.wallSeconds = wallSeconds
        self.extra = extra
    }

    /// A trainer's row: compute follows from N and E (`ComputeCost`, 6·N·E) unless the model's
    /// architecture costs another `flopsPerToken` (the LSTM's), and compute as spent from the
    /// FLOPs per token when given (nil leaves `compute_flops_total` out).
    public init(step: Int, tokens: Int, params: Int, trainLoss: Double?, testLoss: Double, lr: Double,
                wallSeconds: Double, flopsPerTokenTotal: Double? = nil, extra: [String: Double] = [:],
                flopsPerToken: Double? = nil) {
        let flops = flopsPerToken.map { $0 * Double(tokens) } ?? ComputeCost.flops(params: Double(params), tokens: Double(tokens))
        self.init(step: step, tokens: Double(tokens), params: Double(params), computeFLOPs: flops,
                  computePFDays: ComputeCost.pfDays(flops: flops),
                  computeFLOPsTotal: flopsPerTokenTotal.map { $0 * Double(tokens) }, trainLoss: trainLoss, testLoss: testLoss,
                  lr: lr, wallSeconds: wallSeconds, extra: extra)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in Self.requiredKeys + ["test_loss"] where c.number(AnyCodingKey(key)) == nil {
            if key == "test_loss", (try? c.decodeNil(forKey: AnyCodingKey(key))) == true { continue }
            throw RunFileFormatError("missing numeric key '\(key)'")
        }
        step = try c.wholeNumber(AnyCodingKey("step"))!
        tokens = c.number(AnyCodingKey("tokens"))!
        params = c.number(AnyCodingKey("params"))!
        computeFLOPs = c.number(AnyCodingKey("compute_flops"))!
        computePFDays = c.number(AnyCodingKey("compute_pfdays"))!
        computeFLOPsTotal = c.number(AnyCodingKey("compute_flops_total"))
        trainLoss = c.number(AnyCodingKey("train_loss"))
        testLoss = c.number(AnyCodingKey("test_loss"))
        lr = c.number(AnyCodingKey("lr"))
        wallSeconds = c.number(AnyCodingKey("wall_seconds"))
        extra = [:]
        for key in c.allKeys where !Self.standardKeys.contains(key.stringValue) {
            if let x = c.number(key) { extra[key.stringValue] = x }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(step, forKey: AnyCodingKey("step"))
        try c.encode(tokens, forKey: AnyCodingKey("tokens"))
        try c.encode(params, forKey: AnyCodingKey("params"))
        try c.encode(computeFLOPs, forKey: AnyCodingKey("compute_flops"))
        try c.encode(computePFDays, forKey: AnyCodingKey("compute_pfdays"))
        try c.encodeIfPresent(computeFLOPsTotal, forKey: AnyCodingKey("compute_flops_total"))
        try c.encode(trainLoss, forKey: AnyCodingKey("train_loss"))
        try c.encode(testLoss, forKey: AnyCodingKey("test_loss"))
        try c.encodeIfPresent(lr, forKey: AnyCodingKey("lr"))
        try c.encodeIfPresent(wallSeconds, forKey: AnyCodingKey("wall_seconds"))
        for (k, v) in extra { try c.encode(v, forKey: AnyCodingKey(k)) }
    }

    /// Parses one line; a line that is not a JSON object, lacks a required number or has a step
    /// that is not whole throws `RunFileFormatError` saying which.
    public static func parse(line: some StringProtocol) throws -> MetricsRecord {
        do {
            return try JSONDecoder().decode(MetricsRecord.self, from: Data(line.utf8))
        } catch let e as RunFileFormatError {
            throw e
        } catch {
            throw RunFileFormatError("not a JSON object: \(line.prefix(60))")
        }
    }

    /// One JSON object on one line, keys in a fixed order (`standardKeys`, then the extra keys
    /// sorted); whole numbers of steps, tokens and parameters without a decimal point, and
    /// non-finite numbers as null.
    public func jsonLine() -> String {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        func count(_ x: Double) -> String { Int(exactly: x).map { "\($0)" } ?? num(x) }
        var parts = ["\"step\": \(step)", "\"tokens\": \(count(tokens))", "\"params\": \(count(params))",
                     "\"compute_flops\": \(num(computeFLOPs))", "\"compute_pfdays\": \(num(computePFDays))"]
        if let total = computeFLOPsTotal { parts.append("\"compute_flops_total\": \(num(total))") }
        parts += ["\"train_loss\": \(trainLoss.map(num) ?? "null")", "\"test_loss\": \(testLoss.map(num) ?? "null")"]
        if let lr { parts.append("\"lr\": \(num(lr))") }
        if let wallSeconds { parts.append("\"wall_seconds\": \(num(wallSeconds))") }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { parts.append("\"\(k)\": \(num(v))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// The whole of a run's `metrics.jsonl`: one `MetricsRecord` per line.
public enum MetricsFile {
    public static let name = "metrics.jsonl"

    /// The non-empty lines of `text` with their line numbers (from 1), blanks trimmed.
    public static func lines(of text: String) -> [(number: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { k, line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : (k + 1, trimmed)
        }
    }

    /// The lines whose step is at most `step`, as they are on disk (what a resume keeps); lines
    /// that do not parse are dropped.
    public static func lines(of text: String, upToStep step: Int) -> [String] {
        lines(of: text).map(\.text).filter { line in
            guard let r = try? MetricsRecord.parse(line: line) else { return false }
            return r.step <= step
        }
    }

    /// The records of every line that parses, in file order (lenient: for progress and state).
    public static func records(of text: String) -> [MetricsRecord] {
        lines(of: text).compactMap { try? MetricsRecord.parse(line: $0.text) }
    }

    /// Replaces the file with `lines`, each ending in a newline (atomically).
    public static func write(_ lines: [String], to url: URL) throws {
        try AtomicFile.write(lines.map { $0 + "\n" }.joined(), to: url)
    }
}
