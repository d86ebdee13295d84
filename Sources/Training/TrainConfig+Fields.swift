import Foundation
import RunFiles
import TOMLKit

/// The single table of config keys: their TOML names, types and where they live in
/// `TrainConfig`. Parsing, `--set` overrides and the resolved `config.toml` all use it.
extension TrainConfig {
    enum FieldRef {
        case int(WritableKeyPath<TrainConfig, Int>)
        case double(WritableKeyPath<TrainConfig, Double>)
        case string(WritableKeyPath<TrainConfig, String>)
        case strings(WritableKeyPath<TrainConfig, [String]>)
        case doubles(WritableKeyPath<TrainConfig, [Double]>)

        var typeName: String {
            switch self {
            case .int: return "an integer"
            case .double: return "a number"
            case .string: return "a string"
            case .strings: return "an array of strings"
            case .doubles: return "an array of numbers"
            }
        }
    }

    static let sections = ["model", "data", "optimizer", "schedule", "train", "finetune"]
    /// Sections written to `config.toml` only when they differ from their defaults (so configs and
    /// config hashes of runs that do not use them stay as they were).
    static let optionalSections = ["finetune"]
    /// Keys written to `config.toml` only when they differ from their defaults, for the same reason
    /// (keys added after runs were made: their configs and hashes stay as they were; `model.kind`
    /// is written only for LSTMs, so transformer configs read as before there were other kinds).
    static let optionalKeys: Set<String> = ["model.kind", "schedule.cooldown_fraction", "schedule.cooldown_shape", "train.cooldown_at",
                                                   "train.compute_budget_flops", "train.compute_budget_measure"]

    static let fields: [(key: String, ref: FieldRef)] = [
        ("model.kind", .string(\.model.kind)),
        ("model.n_layer", .int(\.model.nLayer)), ("model.d_model", .int(\.model.dModel)),
        ("model.n_head", .int(\.model.nHead)), ("model.n_ctx", .int(\.model.nCtx)),
        ("model.vocab_size", .int(\.model.vocabSize)), ("model.mlp_width", .int(\.model.mlpWidth)),
        ("model.attn_width", .int(\.model.attnWidth)), ("model.dropout", .double(\.model.dropout)),
        ("data.dataset", .string(\.data.dataset)), ("data.max_train_tokens", .int(\.data.maxTrainTokens)),
        ("data.eval_split", .string(\.data.evalSplit)), ("data.extra_eval_splits", .strings(\.data.extraEvalSplits)),
        ("optimizer.lr", .double(\.optimizer.lr)), ("optimizer.beta1", .double(\.optimizer.beta1)),
        ("optimizer.beta2", .double(\.optimizer.beta2)), ("optimizer.eps", .double(\.optimizer.eps)),
        ("optimizer.weight_decay", .double(\.optimizer.weightDecay)),
        ("optimizer.grad_clip", .double(\.optimizer.gradClip)), ("optimizer.no_decay", .strings(\.optimizer.noDecay)),
        ("schedule.warmup_steps", .int(\.schedule.warmupSteps)), ("schedule.decay", .string(\.schedule.decay)),
        ("schedule.min_lr_ratio", .double(\.schedule.minLRRatio)),
        ("schedule.cooldown_fraction", .double(\.schedule.cooldownFraction)),
        ("schedule.cooldown_shape", .string(\.schedule.cooldownShape)),
        ("train.steps", .int(\.train.steps)), ("train.batch_size", .int(\.train.batchSize)),
        ("train.eval_every", .int(\.train.evalEvery)), ("train.eval_tokens", .int(\.train.evalTokens)),
        ("train.checkpoint_every", .int(\.train.checkpointEvery)), ("train.seed", .int(\.train.seed)),
        ("train.threads", .int(\.train.threads)), ("train.run_dir", .string(\.train.runDir)),
        ("train.cooldown_at", .doubles(\.train.cooldownAt)),
        ("train.compute_budget_flops", .double(\.train.computeBudgetFLOPs)),
        ("train.compute_budget_measure", .string(\.train.computeBudgetMeasure)),
        ("finetune.task", .string(\.finetune.task)), ("finetune.from", .string(\.finetune.from)),
        ("finetune.mode", .string(\.finetune.mode)),
    ]

    static func field(_ key: String) -> FieldRef? { fields.first { $0.key == key }?.ref }

    /// The known key closest to a mistyped one (edit distance ≤ 3), for the error message.
    static func suggestion(for key: String) -> String? {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var prev = row[0]; row[0] = i
                for j in 1...max(1, b.count) where !b.isEmpty {
                    let cur = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                    prev = cur
                }
            }
            return row[b.count]
        }
        let best = fields.map { ($0.key, distance($0.key, key)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 3 ? $0.0 : nil }
    }

    /// Reads a TOML file over the defaults.
    public static func load(from url: URL) throws -> TrainConfig {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError.unreadable(file: url.path, reason: "no such file")
        }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError.unreadable(file: url.path, reason: "not UTF-8 text")
        }
        return try parse(text, file: url.path)
    }

    /// Parses TOML text over the defaults; `file` only names the source in errors.
    public static func parse(_ text: String, file: String? = nil) throws -> TrainConfig {
        if let bad = TOMLAbortCheck.firstProblem(in: text) {   // TOMLKit would abort on it
            throw ConfigError.unreadable(file: file ?? "<text>", reason: "\(bad.reason) at line \(bad.line)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError.unreadable(file: file ?? "<text>",
                                         reason: "\(e.description) at line \(e.source.begin.line), column \(e.source.begin.column)")
        }
        var cfg = TrainConfig()
        for section in table.keys {
            guard sections.contains(section), let sub = table[section]?.table else {
                let isTable = table[section]?.table != nil
                throw ConfigError.unknownKey(key: section, file: file,
                                             suggestion: isTable ? suggestion(for: section + ".x").map { String($0.split(separator: ".")[0]) } : suggestion(for: section))
            }
            for key in sub.keys {
                let full = "\(section).\(key)"
                guard let ref = field(full) else {
                    throw ConfigError.unknownKey(key: full, file: file, suggestion: suggestion(for: full))
                }
                guard let value = sub[key] else { continue }
                try cfg.assign(ref, key: full, file: file, int: value.int, double: value.double,
                               string: value.string, strings: value.array.map { arr in arr.map { $0.string } },
                               doubles: value.array.map { arr in arr.map { $0.double ?? $0.int.map(Double.init) } })
            }
        }
        return cfg
    }

    mutating func assign(_ ref: FieldRef, key: String, file: String?, int: Int?, double: Double?,
                         string: String?, strings: [String?]?, doubles: [Double?]? = nil) throws {
        let wrong = ConfigError.wrongType(key: key, expected: ref.typeName, file: file)
        switch ref {
        case .int(let kp): guard let v = int else { throw wrong }; self[keyPath: kp] = v
        case .double(let kp): guard let v = double ?? int.map(Double.init) else { throw wrong }; self[keyPath: kp] = v
        case .string(let kp): guard let v = string else { throw wrong }; self[keyPath: kp] = v
        case .strings(let kp):
            guard let arr = strings, arr.allSatisfy({ $0 != nil }) else { throw wrong }
            self[keyPath: kp] = arr.map { $0! }
        case .doubles(let kp):
            guard let arr = doubles, arr.allSatisfy({ $0 != nil }) else { throw wrong }
            self[keyPath: kp] = arr.map { $0! }
        }
    }

    /// Applies a command-line override `section.key=value`; the value must parse as the key's type.
    public mutating func set(_ key: String, to value: String) throws {
        guard let ref = Self.field(key) else {
            throw ConfigError.unknownKey(key: key, file: "--set", suggestion: Self.suggestion(for: key))
        }
        let list = value.split(separator: ",", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let bare = value.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        let numbers = bare.isEmpty ? [] : bare.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        try assign(ref, key: key, file: "--set", int: Int(value), double: Double(value),
                   string: value, strings: value.isEmpty ? [] : list, doubles: numbers)
    }

    /// The fully resolved config as TOML, every key written, in the table's order.
    public func renderTOML() -> String {
        savedConfig().rendered()
    }

    /// The fully resolved config as `config.toml`'s data: every key in the table's order; an
    /// optional table (`[finetune]`) or key (`optionalKeys`) only when it differs from the defaults.
    public func savedConfig() -> SavedRunConfig {
        let defaults = TrainConfig()
        let values: [(key: String, value: String)] = Self.fields.compactMap { key, _ in
            let section = String(key.split(separator: ".", maxSplits: 1)[0])
            if Self.optionalSections.contains(section),
               Self.fields.allSatisfy({ !$0.key.hasPrefix(section + ".") || renderValue($0.key) == defaults.renderValue($0.key) }) {
                return nil
            }
            if Self.optionalKeys.contains(key), renderValue(key) == defaults.renderValue(key) { return nil }
            return (key, renderValue(key)!)
        }
        return SavedRunConfig(values: values)
    }

    /// One key's value as TOML text (nil for an unknown key).
    public func renderValue(_ key: String) -> String? {
        let quote = SavedRunConfig.quote
        switch Self.field(key) {
        case nil: return nil
        case .int(let kp): return String(self[keyPath: kp])
        case .double(let kp): return "\(self[keyPath: kp])"
        case .string(let kp): return quote(self[keyPath: kp])
        case .strings(let kp): return "[" + self[keyPath: kp].map(quote).joined(separator: ", ") + "]"
        case .doubles(let kp): return "[" + self[keyPath: kp].map { "\($0)" }.joined(separator: ", ") + "]"
        }
    }
}
