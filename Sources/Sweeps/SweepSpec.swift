import Foundation
import TOMLKit
import Training

/// A sweep as the user writes it (`configs/sweeps/*.toml`): a base run config, overrides for
/// every run, and one or more grids whose axes (model shapes or target sizes N, data sizes D,
/// seeds, any config key) multiply out into runs, each with a rule for its length.
///
///     name = "text-quick"
///     base = "../text-tiny.toml"          # relative to this file
///     [set]
///     "data.dataset" = "data/english"
///     [[grid]]
///     name = "size"
///     shapes = [[1, 32], [2, 64]]          # n_layer, d_model; or params = [1e4, 1e5] with aspect_ratio
///     data_tokens = [0]                    # data.max_train_tokens (0 = all)
///     seeds = [1]
///     tokens = 2e6                         # E per run; or epochs = 4 (E = 4·D), steps = 500,
///                                          # or compute_flops = 1e12 (E = C/6N); min_tokens, max_tokens bound E
///     evals = 20
///     [grid.axes]
///     "optimizer.lr" = [1e-3, 2e-3]
///
/// A fine-tuning grid (`"finetune.task" = "classify"` in `[set]`) names with `pretrained` the run
/// each size starts from; see `Grid.pretrained`.
///
/// Unknown keys and empty axes are errors that name the file and the key.
public struct SweepSpec: Equatable, Sendable {
    /// How long each run of a grid trains.
    public enum LengthRule: Equatable, Sendable {
        /// E = this many tokens per run (a fixed token budget).
        case tokens(Double)
        /// E = k·D, D the run's unique training tokens.
        case epochs(Double)
        /// A fixed number of optimizer steps.
        case steps(Int)
        /// The same training compute C = 6·N·E for every size (E = C / 6N): the design whose
        /// learning curves cross, so that the compute frontier changes size along its length.
        case computeFLOPs(Double)
        /// E = k·N tokens (N non-embedding parameters): each size gets data in proportion to its
        /// size, the converged-L(N) design (Hoffmann et al. 2022 find ≈ 20 compute-optimal);
        /// `min_tokens` / `max_tokens` bound it (e.g. to one epoch of the corpus).
        case tokensPerParam(Double)
        /// The base config's `train.steps`.
        case base
    }

    /// Model shapes of a grid: explicit `n_layer × d_model` pairs, or target sizes N that become
    /// shapes with a fixed aspect ratio d_model / n_layer.
    public enum Shapes: Equatable, Sendable {
        case pairs([[Int]])
        case targetParams([Double], aspectRatio: Double)
        /// The base config's shape.
        case base
    }

    /// One block of runs: the product of its axes.
    public struct Grid: Equatable, Sendable {
        public var name: String
        public var shapes: Shapes = .base
        /// Width of one attention head: n_head = attn_width / head_dim (0 = keep the base's n_head
        /// when it divides, else max(2, d_model/64)).
        public var headDim = 0
        /// MLP and attention widths as multiples of d_model (nil = the base's ratio).
        public var mlpRatio: Double?
        public var attnRatio: Double?
        /// Values of `data.max_train_tokens` (D; 0 = the whole train split).
        public var dataTokens: [Int] = []
        public var seeds: [Int] = []
        public var length: LengthRule = .base
        /// Evaluations per run (sets `train.eval_every`; 0 = the base's eval_every).
        public var evals = 0
        /// Limits on E from any rule (0 = none): with `compute_flops`, a floor lets every size
        /// train long enough for L(N) while smaller sizes run on to the common compute.
        public var minTokens = 0.0
        public var maxTokens = 0.0
        /// Further axes over any config key, values as `--set` text.
        public var axes: [(key: String, values: [String])] = []
        /// Fine-tuning grids: the run directory each run starts from (`finetune.from`), with
        /// `{n_layer}` and `{d_model}` replaced by the run's shape; a relative path is taken from
        /// the sweep folder (e.g. `../image/runs/size-L{n_layer}-d{d_model}-Dall-s1`, the same
        /// size in the study's image sweep). Empty: runs start from scratch.
        public var pretrained = ""
        /// IsoFLOP profiles: sizes around the expected optimum at each budget, each run ending
        /// where its budget is spent (replaces shapes/params and the length rule).
        public var isoflop: IsoFLOPGrid? = nil
        /// `train.cooldown_at` for this grid's runs (nil: the spec's `[set]` or base decides), so
        /// that one grid branches while the others do not, without an axis in the run names.
        public var cooldownAt: [Double]? = nil
        /// The largest share of a run's steps spent warming up (nil: `schedule.warmup_steps` as
        /// set). A run shorter than warmup_steps / share warms up for round(share · steps), so
        /// every size of the grid warms up for the same share of its run, short IsoFLOP runs
        /// still reach the peak rate, and early cooldown branches start after the warm-up.
        public var warmupShare: Double? = nil

        public static func == (a: Grid, b: Grid) -> Bool {
            a.name == b.name && a.shapes == b.shapes && a.headDim == b.headDim && a.mlpRatio == b.mlpRatio
                && a.attnRatio == b.attnRatio && a.dataTokens == b.dataTokens && a.seeds == b.seeds
                && a.length == b.length && a.evals == b.evals && a.minTokens == b.minTokens && a.maxTokens == b.maxTokens
                && a.axes.map(\.key) == b.axes.map(\.key) && a.axes.map(\.values) == b.axes.map(\.values)
                && a.pretrained == b.pretrained && a.isoflop == b.isoflop && a.cooldownAt == b.cooldownAt
                && a.warmupShare == b.warmupShare
        }
    }

    public var name: String
    /// Path of the spec file itself (errors name it).
    public var file: String
    public var base: TrainConfig
    /// Overrides applied to every run, in file order, as `--set` text.
    public var overrides: [(key: String, value: String)] = []
    public var grids: [Grid] = []
    /// Runs at a time (0 = decide from the machine).
    public var parallel = 0
    /// `[lr_tune]`: tune the learning rate per size on short runs before the sweep.
    public var learningRateTuning: LearningRateTuning? = nil
    /// The tuned rates (`learning-rates.json`), applied by `SweepPlan` to transformer runs of
    /// grids without an `optimizer.lr` axis; nil: every run keeps `optimizer.lr`.
    public var learningRates: LearningRateTuning.Result? = nil

    public init(name: String, file: String, base: TrainConfig) {
        self.name = name; self.file = file; self.base = base
    }

    public static func == (a: SweepSpec, b: SweepSpec) -> Bool {
        a.name == b.name && a.base == b.base && a.grids == b.grids && a.parallel == b.parallel
            && a.learningRateTuning == b.learningRateTuning && a.learningRates == b.learningRates
            && a.overrides.map(\.key) == b.overrides.map(\.key) && a.overrides.map(\.value) == b.overrides.map(\.value)
    }

    static let topKeys = ["name", "base", "set", "grid", "parallel", "lr_tune"]
    static let gridKeys = ["name", "shapes", "params", "aspect_ratio", "head_dim", "mlp_ratio", "attn_ratio",
                           "data_tokens", "seeds", "tokens", "epochs", "steps", "compute_flops", "tokens_per_param", "min_tokens", "max_tokens", "evals", "axes", "pretrained", "isoflop", "cooldown_at", "warmup_share"]

    /// Reads a spec file; `base` is resolved relative to the spec's folder.
    public static func load(from url: URL) throws -> SweepSpec {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw SweepSpecError(file: url.path, key: nil, reason: FileManager.default.fileExists(atPath: url.path) ? "not UTF-8 text" : "no such file")
        }
        return try parse(text, file: url.path, baseDirectory: url.deletingLastPathComponent())
    }

    public static func parse(_ text: String, file: String, baseDirectory: URL) throws -> SweepSpec {
        func fail(_ key: String?, _ reason: String) -> SweepSpecError { SweepSpecError(file: file, key: key, reason: reason) }
        if let bad = TOMLAbortCheck.firstProblem(in: text) {   // TOMLKit would abort on it
            throw fail(nil, "\(bad.reason) at line \(bad.line)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw fail(nil, "\(e.description) at line \(e.source.begin.line), column \(e.source.begin.column)")
        }
        for k in table.keys where !topKeys.contains(k) {
            throw fail(k, "unknown key (known: \(topKeys.joined(separator: ", ")))")
        }
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let name = try table["name"].map { v -> String in
            guard let s = v.string, !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw fail("name", "must be a non-empty string of letters, digits, '-', '_' or '.'")
            }
            return s
        } ?? stem

        var base = TrainConfig()
        if let b = table["base"] {
            guard let path = b.string else { throw fail("base", "must be a string (a run config file)") }
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
            do { base = try TrainConfig.load(from: url.standardizedFileURL) } catch {
                throw fail("base", "\(error)")
            }
        }
        var spec = SweepSpec(name: name, file: file, base: base)
        if let p = table["parallel"] {
            guard let n = p.int, n >= 0 else { throw fail("parallel", "must be an integer ≥ 0 (0 = decide from the machine)") }
            spec.parallel = n
        }
        if let s = table["set"] {
            guard let t = s.table else { throw fail("set", "must be a table of \"section.key\" = value") }
            for k in t.keys.sorted() {
                let v = try settingText(t[k]!, key: "set.\(k)", fail)
                try checkSetting(k, [v], on: base, at: "set.\(k)", fail)
                spec.overrides.append((k, v))
            }
        }
        guard let grids = table["grid"]?.array, !grids.isEmpty else {
            throw fail("grid", table["grid"] == nil ? "the spec has no [[grid]] of runs" : "must be a non-empty array of tables ([[grid]])")
        }
        for (i, g) in grids.enumerated() {
            guard let t = g.table else { throw fail("grid", "entry \(i + 1) is not a table") }
            spec.grids.append(try parseGrid(t, index: i, base: base, fail))
        }
        let names = spec.grids.map(\.name)
        if Set(names).count != names.count { throw fail("grid.name", "two grids share a name (\(names.joined(separator: ", ")))") }
        if let t = table["lr_tune"] {
            spec.learningRateTuning = try LearningRateTuning.parse(t, fail: fail)
            if let g = spec.learningRateTuning?.grid, !names.contains(g) {
                throw fail("lr_tune.grid", "no grid named '\(g)' (have \(names.joined(separator: ", ")))")
            }
        }
        return spec
    }

    static func parseGrid(_ t: TOMLTable, index: Int, base: TrainConfig,
                          _ fail: (String?, String) -> SweepSpecError) throws -> Grid {
        let at = "grid[\(index + 1)]"
        for k in t.keys where !gridKeys.contains(k) {
            throw fail("\(at).\(k)", "unknown key (known: \(gridKeys.joined(separator: ", ")))")
        }
        var g = Grid(name: t["name"]?.string ?? "g\(index + 1)")
        if !g.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || g.name.isEmpty {
            throw fail("\(at).name", "must be letters, digits or '_' (it prefixes run names)")
        }
        func numbers(_ key: String) throws -> [Double]? {
            guard let v = t[key] else { return nil }
            guard let arr = v.array else { throw fail("\(at).\(key)", "must be an array of numbers") }
            if arr.isEmpty { throw fail("\(at).\(key)", "is empty: an axis needs at least one value") }
            return try arr.map { e in
                guard let x = e.double ?? e.int.map(Double.init) else { throw fail("\(at).\(key)", "must be an array of numbers") }
                return x
            }
        }
        func integers(_ key: String, minimum: Int) throws -> [Int]? {
            try numbers(key).map { xs in
                try xs.map { x in
                    guard x == x.rounded(), x >= Double(minimum), x < 1e15 else {
                        throw fail("\(at).\(key)", "values must be whole numbers ≥ \(minimum) (got \(x))")
                    }
                    return Int(x)
                }
            }
        }
        func scalar(_ key: String) throws -> Double? {
            guard let v = t[key] else { return nil }
            guard let x = v.double ?? v.int.map(Double.init), x > 0 else { throw fail("\(at).\(key)", "must be a number > 0") }
            return x
        }
        if t["shapes"] != nil && t["params"] != nil { throw fail("\(at).params", "give either shapes or params, not both") }
        if let s = t["shapes"] {
            guard let arr = s.array else { throw fail("\(at).shapes", "must be an array of [n_layer, d_model] pairs") }
            if arr.isEmpty { throw fail("\(at).shapes", "is empty: an axis needs at least one value") }
            let pairs = try arr.map { e -> [Int] in
                guard let p = e.array, p.count == 2, let l = p[0].int, let d = p[1].int, l >= 1, d >= 1 else {
                    throw fail("\(at).shapes", "each entry must be [n_layer, d_model] with positive integers")
                }
                return [l, d]
            }
            g.shapes = .pairs(pairs)
        } else if let ps = try numbers("params") {
            guard ps.allSatisfy({ $0 >= 100 }) else { throw fail("\(at).params", "target sizes must be ≥ 100 parameters") }
            g.shapes = .targetParams(ps, aspectRatio: try scalar("aspect_ratio") ?? 32)
        } else if t["aspect_ratio"] != nil && t["isoflop"] == nil {
            throw fail("\(at).aspect_ratio", "only applies with params or isoflop")
        }
        if let h = t["head_dim"] {
            guard let n = h.int, n >= 1 else { throw fail("\(at).head_dim", "must be a positive integer") }
            g.headDim = n
        }
        g.mlpRatio = try scalar("mlp_ratio")
        g.attnRatio = try scalar("attn_ratio")
        g.dataTokens = try integers("data_tokens", minimum: 0) ?? [base.data.maxTrainTokens]
        g.seeds = try integers("seeds", minimum: 0) ?? [base.train.seed]
        if t["cooldown_at"] != nil {
            if let arr = t["cooldown_at"]?.array, arr.isEmpty { g.cooldownAt = [] } else {
                let fractions = try numbers("cooldown_at") ?? []
                guard fractions.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
                    throw fail("\(at).cooldown_at", "must hold fractions of the run's tokens in (0, 1]")
                }
                g.cooldownAt = fractions
            }
        }
        if let w = t["warmup_share"] {
            guard let x = w.double ?? w.int.map(Double.init), x > 0, x < 1 else {
                throw fail("\(at).warmup_share", "must be a share of the run's steps in (0, 1)")
            }
            g.warmupShare = x
        }
        let rules = ["tokens", "epochs", "steps", "compute_flops", "tokens_per_param"].filter { t[$0] != nil }
        if rules.count > 1 { throw fail("\(at).\(rules[1])", "give one length rule: tokens, epochs, steps, compute_flops or tokens_per_param") }
        if let x = try scalar("compute_flops") { g.length = .computeFLOPs(x) }
        if let x = try scalar("tokens_per_param") {
            guard x > 0 else { throw fail("\(at).tokens_per_param", "must be a number > 0") }
            g.length = .tokensPerParam(x)
        }
        if let x = try scalar("max_tokens") { g.maxTokens = x }
        if let x = try scalar("min_tokens") { g.minTokens = x }
        if g.maxTokens > 0, g.minTokens > g.maxTokens { throw fail("\(at).min_tokens", "is above max_tokens") }
        if let x = try scalar("tokens") { g.length = .tokens(x) }
        if let x = try scalar("epochs") { g.length = .epochs(x) }
        if let x = try scalar("steps") {
            guard x == x.rounded() else { throw fail("\(at).steps", "must be a whole number") }
            g.length = .steps(Int(x))
        }
        if let iso = t["isoflop"] {
            g.isoflop = try parseIsoFLOP(iso, at: "\(at).isoflop", fail)
            for k in ["shapes", "params", "tokens", "epochs", "steps", "compute_flops", "tokens_per_param"] where t[k] != nil {
                throw fail("\(at).\(k)", "an isoflop grid chooses its sizes and lengths itself; remove '\(k)'")
            }
            g.shapes = .targetParams([], aspectRatio: try scalar("aspect_ratio") ?? 32)
        }
        if let p = t["pretrained"] {
            guard let text = p.string, !text.isEmpty else { throw fail("\(at).pretrained", "must be a run-directory path (a string)") }
            g.pretrained = text
        }
        if let e = t["evals"] {
            guard let n = e.int, n >= 1 else { throw fail("\(at).evals", "must be an integer ≥ 1") }
            g.evals = n
        }
        if let a = t["axes"] {
            guard let at2 = a.table else { throw fail("\(at).axes", "must be a table of \"section.key\" = [values]") }
            for k in at2.keys.sorted() {
                guard let arr = at2[k]!.array else { throw fail("\(at).axes.\(k)", "must be an array of values") }
                if arr.isEmpty { throw fail("\(at).axes.\(k)", "is empty: an axis needs at least one value") }
                let values = try arr.map { try settingText($0, key: "\(at).axes.\(k)", fail) }
                try checkSetting(k, values, on: base, at: "\(at).axes.\(k)", fail)
                g.axes.append((k, values))
            }
        }
        return g
    }

    /// Reads `isoflop = { budgets = [...], sizes = 5, spread = 2, tokens_per_param = 20, compute = "total" }`.
    static func parseIsoFLOP(_ v: TOMLValueConvertible, at: String, _ fail: (String?, String) -> SweepSpecError) throws -> IsoFLOPGrid {
        guard let t = v.table else { throw fail(at, "must be a table such as { budgets = [1e13, 1e14], sizes = 5 }") }
        for k in t.keys where !IsoFLOPGrid.keys.contains(k) {
            throw fail("\(at).\(k)", "unknown key (known: \(IsoFLOPGrid.keys.joined(separator: ", ")))")
        }
        guard let arr = t["budgets"]?.array, !arr.isEmpty else { throw fail("\(at).budgets", "must be a non-empty array of FLOP budgets") }
        let budgets = try arr.map { e -> Double in
            guard let x = e.double ?? e.int.map(Double.init), x > 0 else { throw fail("\(at).budgets", "must hold numbers > 0 (FLOPs)") }
            return x
        }
        var grid = IsoFLOPGrid(budgetsFLOPs: budgets)
        if let s = t["sizes"] {
            guard let n = s.int, n >= 3 else { throw fail("\(at).sizes", "must be an integer ≥ 3 (a parabola needs three sizes)") }
            grid.sizes = n
        }
        for (key, path) in [("spread", \IsoFLOPGrid.spread), ("tokens_per_param", \IsoFLOPGrid.tokensPerParam)] {
            guard let s = t[key] else { continue }
            guard let x = s.double ?? s.int.map(Double.init), x > (key == "spread" ? 1 : 0) else {
                throw fail("\(at).\(key)", key == "spread" ? "must be a number > 1 (the factor between sizes)" : "must be a number > 0")
            }
            grid[keyPath: path] = x
        }
        if let c = t["compute"] {
            guard let text = c.string, ["total", "6ne"].contains(text) else {
                throw fail("\(at).compute", "must be \"total\" (compute as spent) or \"6ne\" (Kaplan's 6·N·E)")
            }
            grid.compute = text
        }
        return grid
    }

    /// Checks that every value is one `--set` would accept for `key` (known key, right type),
    /// reporting a failure at `at` in the spec.
    static func checkSetting(_ key: String, _ values: [String], on base: TrainConfig, at: String,
                             _ fail: (String?, String) -> SweepSpecError) throws {
        var probe = base
        for v in values {
            do { try probe.set(key, to: v) } catch { throw fail(at, "\(error)") }
        }
    }

    /// A TOML value as the text `TrainConfig.set` parses.
    static func settingText(_ v: TOMLValueConvertible, key: String, _ fail: (String?, String) -> SweepSpecError) throws -> String {
        if let i = v.int { return String(i) }
        if let d = v.double { return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)" }
        if let s = v.string { return s }
        if let b = v.bool { return b ? "1" : "0" }
        if let arr = v.array {
            return try arr.map { e -> String in
                if let x = e.double ?? e.int.map(Double.init) { return "\(x)" }
                guard let s = e.string else { throw fail(key, "arrays must hold strings or numbers") }
                return s
            }.joined(separator: ",")
        }
        throw fail(key, "unsupported value")
    }
}

/// A sweep spec that cannot be used, naming the file and the key.
public struct SweepSpecError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var reason: String
    public var description: String {
        "sweep spec '\(file)'" + (key.map { ", key '\($0)'" } ?? "") + ": \(reason)"
    }
}
