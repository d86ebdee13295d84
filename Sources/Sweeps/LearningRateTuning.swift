import Foundation
import RunFiles
import TOMLKit
import Training
import WorkbenchCore

/// A learning rate per model size, found on short runs before a sweep (`[lr_tune]` in a spec):
/// a badly tuned rate biases every exponent (issue 31, part 4).
///
///     [lr_tune]
///     grid = "size"            # whose sizes are tuned (default: the first grid)
///     factors = [0.5, 1, 2]    # rates tried, as multiples of optimizer.lr
///     tokens = 5e5             # length of each short run
///
/// The smallest, a middle and the largest transformer shape of that grid each train once per
/// factor (`lr-tune/` inside the sweep folder, a sweep of its own). While some size does best at
/// an end of the rates it tried, up to two more rounds (`lr-tune-2/`, `lr-tune-3/`) try, for
/// those sizes only, the next factor of 2 beyond that end. Each size's best rate is the
/// vertex of a parabola in ln(rate) through the three losses around the lowest (the lowest rate
/// tried when it lies at an end); other sizes interpolate ln(rate) linearly in ln N, held at the
/// ends. The result is written to `learning-rates.json` in the sweep folder, and the sweep's
/// transformer runs (those without an `optimizer.lr` axis) use it.
public struct LearningRateTuning: Equatable, Sendable {
    public var grid: String?
    public var factors: [Double] = [0.5, 1, 2]
    public var tokens: Double = 5e5

    public static let keys = ["grid", "factors", "tokens"]
    /// What follows the first round, as `--dry-run` says it beside the runs it lists.
    public static let laterRoundsNote = "up to 2 more rounds of one run for each size whose best rate lies at an end of the rates it tried"
    public static let folderName = "lr-tune"
    public static let resultFileName = "learning-rates.json"

    public init(grid: String? = nil, factors: [Double] = [0.5, 1, 2], tokens: Double = 5e5) {
        self.grid = grid; self.factors = factors; self.tokens = tokens
    }

    /// One tuned size: its N, the rates tried with their final losses, and the chosen rate.
    public struct TunedSize: Codable, Equatable, Sendable {
        public var params: Double
        public var rates: [Double]
        public var lossNats: [Double]
        public var bestRate: Double
        /// "vertex of the parabola in ln(rate)" or "lowest rate tried (at an end of the range)".
        public var how: String
    }

    /// The chosen rates by size, as written to `learning-rates.json`.
    public struct Result: Codable, Equatable, Sendable {
        public var baseRate: Double
        public var factors: [Double]
        public var tokens: Double
        public var sizes: [TunedSize]

        /// ln(rate) interpolated linearly in ln N between tuned sizes, held outside them.
        public func rate(forParams n: Double) -> Double {
            let s = sizes.sorted { $0.params < $1.params }
            guard let first = s.first, let last = s.last else { return baseRate }
            if n <= first.params { return first.bestRate }
            if n >= last.params { return last.bestRate }
            for k in 1..<s.count where n <= s[k].params {
                let t = (Foundation.log(n) - Foundation.log(s[k - 1].params)) / (Foundation.log(s[k].params) - Foundation.log(s[k - 1].params))
                return Foundation.exp(Foundation.log(s[k - 1].bestRate) + t * (Foundation.log(s[k].bestRate) - Foundation.log(s[k - 1].bestRate)))
            }
            return last.bestRate
        }

        /// Written with non-finite numbers as strings: a diverged run's loss is infinite ("inf").
        public func write(to folder: URL) throws {
            try JSONFile.write(self, to: folder.appendingPathComponent(LearningRateTuning.resultFileName), nonFinite: true)
        }

        public static func read(from folder: URL) -> Result? {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(LearningRateTuning.resultFileName)) else { return nil }
            return try? JSONFile.decode(Result.self, from: data, nonFinite: true)
        }
    }

    /// Reads `[lr_tune]`; errors name the key.
    static func parse(_ v: TOMLValueConvertible, fail: (String?, String) -> SweepSpecError) throws -> LearningRateTuning {
        guard let t = v.table else { throw fail("lr_tune", "must be a table such as { factors = [0.5, 1, 2], tokens = 5e5 }") }
        for k in t.keys where !keys.contains(k) { throw fail("lr_tune.\(k)", "unknown key (known: \(keys.joined(separator: ", ")))") }
        var tuning = LearningRateTuning()
        if let g = t["grid"] {
            guard let s = g.string, !s.isEmpty else { throw fail("lr_tune.grid", "must be a grid's name") }
            tuning.grid = s
        }
        if let f = t["factors"] {
            guard let arr = f.array, arr.count >= 3 else { throw fail("lr_tune.factors", "must be an array of at least 3 numbers > 0") }
            tuning.factors = try arr.map { e in
                guard let x = e.double ?? e.int.map(Double.init), x > 0 else { throw fail("lr_tune.factors", "must hold numbers > 0") }
                return x
            }.sorted()
            if Set(tuning.factors).count != tuning.factors.count { throw fail("lr_tune.factors", "has a factor twice") }
        }
        if let x = t["tokens"] {
            guard let e = x.double ?? x.int.map(Double.init), e > 0 else { throw fail("lr_tune.tokens", "must be a number of tokens > 0") }
            tuning.tokens = e
        }
        return tuning
    }

    /// The short runs: the tuned grid's smallest, middle and largest transformer shapes, one run
    /// per factor, without cooldown branches. With `factorsByParams` (a later round), only the
    /// shapes it names, each with its own factors (one grid per set of factors: `lr`, `lr-2`, …).
    public func spec(for spec: SweepSpec, plan: SweepPlan, factorsByParams: [Int: [Double]]? = nil) throws -> SweepSpec {
        let gridName = grid ?? spec.grids.first!.name
        guard spec.grids.contains(where: { $0.name == gridName }) else {
            throw SweepSpecError(file: spec.file, key: "lr_tune.grid", reason: "no grid named '\(gridName)'")
        }
        var shapes: [PlannedRun] = []
        for r in plan.runs where r.grid == gridName && r.config.model.kind == "transformer"
            && !shapes.contains(where: { $0.params == r.params }) { shapes.append(r) }
        shapes.sort { $0.params < $1.params }
        guard !shapes.isEmpty else {
            throw SweepSpecError(file: spec.file, key: "lr_tune.grid", reason: "grid '\(gridName)' has no transformer runs to tune")
        }
        let picked = shapes.count <= 3 ? shapes : [shapes[0], shapes[shapes.count / 2], shapes[shapes.count - 1]]
        var tune = SweepSpec(name: spec.name + "-lr-tune", file: spec.file, base: spec.base)
        tune.overrides = spec.overrides.filter { $0.key != "train.cooldown_at" } + [("train.cooldown_at", "[]")]
        if let warmup = Self.shortRunWarmupSteps(picked, tokens: tokens) {
            tune.overrides = tune.overrides.filter { $0.key != "schedule.warmup_steps" } + [("schedule.warmup_steps", "\(warmup)")]
        }
        let source = spec.grids.first { $0.name == gridName }!
        let baseRate = picked[0].config.optimizer.lr
        // Shapes that share their factors share a grid.
        var groups: [(factors: [Double], shapes: [PlannedRun])] = []
        for r in picked {
            let f = factorsByParams.map { $0[r.params] ?? [] } ?? factors
            guard !f.isEmpty else { continue }
            if let k = groups.firstIndex(where: { $0.factors == f }) { groups[k].shapes.append(r) } else { groups.append((f, [r])) }
        }
        tune.grids = groups.enumerated().map { k, group in
            var g = SweepSpec.Grid(name: k == 0 ? "lr" : "lr-\(k + 1)")
            g.shapes = .pairs(group.shapes.map { [$0.config.model.nLayer, $0.config.model.dModel] })
            g.headDim = source.headDim; g.mlpRatio = source.mlpRatio; g.attnRatio = source.attnRatio
            g.dataTokens = [picked[0].config.data.maxTrainTokens]
            g.seeds = [picked[0].config.train.seed]
            g.length = .tokens(tokens)
            g.evals = 4
            g.axes = [("optimizer.lr", group.factors.map { NumberFormat.sig(baseRate * $0, 4) })]
            return g
        }
        return tune
    }

    /// The short runs' warm-up: the same share of a short run as the sweep's warm-up is of the
    /// tuned sizes' own runs (their median length), so that a short run spends as much of itself
    /// at its peak rate as the runs it tunes for. With the sweep's warm-up unchanged, a 1e6-token
    /// run of 245 steps would spend 200 of them warming up and the tuning would favour rates that
    /// are too high. Nil when the short runs are not shorter, or there is no warm-up.
    static func shortRunWarmupSteps(_ picked: [PlannedRun], tokens: Double) -> Int? {
        guard let first = picked.first, first.config.schedule.warmupSteps > 0, first.steps > 0 else { return nil }
        let tokensPerStep = Double(first.tokens) / Double(first.steps)
        let shortSteps = max(1, Int((tokens / tokensPerStep).rounded(.up)))
        // The median-length run's own share (a grid's warmup_share gives shorter runs less warm-up).
        let median = picked.sorted { $0.steps < $1.steps }[picked.count / 2]
        guard shortSteps < median.steps, median.config.schedule.warmupSteps > 0 else { return nil }
        return max(1, Int((Double(median.config.schedule.warmupSteps) * Double(shortSteps) / Double(median.steps)).rounded()))
    }

    /// Each tuned size's best rate from the finished short runs of one or more rounds (nil: some
    /// have not finished). A run that diverged (a rate too high) counts as an infinite loss.
    public func result(rounds: [(plan: SweepPlan, runsDirectory: URL)], baseRate: Double) -> Result? {
        var bySize: [Int: [(rate: Double, loss: Double)]] = [:]
        for (plan, runsDirectory) in rounds {
            for r in plan.runs {
                guard let s = try? RunSummary.decode(Data(contentsOf: runsDirectory.appendingPathComponent(r.name).appendingPathComponent("summary.json"))),
                      s.status == "completed" || s.status == "diverged" else { return nil }
                let loss = s.status == "completed" ? s.finalTestLoss.flatMap { $0.isFinite ? $0 : nil } ?? .infinity : .infinity
                bySize[r.params, default: []].append((r.config.optimizer.lr, loss))
            }
        }
        let sizes = bySize.keys.sorted().map { n -> TunedSize in
            let tried = bySize[n]!.sorted { $0.rate < $1.rate }
            let (best, how) = Self.bestRate(tried.map(\.rate), tried.map(\.loss))
            return TunedSize(params: Double(n), rates: tried.map(\.rate), lossNats: tried.map(\.loss), bestRate: best, how: how)
        }
        let all = Set(rounds.flatMap { $0.plan.runs.map { $0.config.optimizer.lr / baseRate } }).sorted()
        return Result(baseRate: baseRate, factors: all.map { Double(NumberFormat.sig($0, 4)) ?? $0 }, tokens: tokens, sizes: sizes)
    }

    /// The vertex of the parabola in ln(rate) through the lowest loss and its two neighbours,
    /// kept within them; the lowest rate tried when the lowest loss is at an end.
    static func bestRate(_ rates: [Double], _ losses: [Double]) -> (Double, String) {
        let k = losses.indices.min { losses[$0] < losses[$1] }!
        guard k > 0, k < rates.count - 1 else { return (rates[k], "lowest loss tried (at an end of the range: widen the factors)") }
        guard losses[k - 1].isFinite, losses[k + 1].isFinite else { return (rates[k], "lowest loss tried (a neighbouring rate diverged)") }
        let x = [k - 1, k, k + 1].map { Foundation.log(rates[$0]) }, y = [k - 1, k, k + 1].map { losses[$0] }
        // Parabola through three points: vertex at x₁ − ½·[(x₁−x₀)²(y₁−y₂) − (x₁−x₂)²(y₁−y₀)] / [(x₁−x₀)(y₁−y₂) − (x₁−x₂)(y₁−y₀)].
        let num = (x[1] - x[0]) * (x[1] - x[0]) * (y[1] - y[2]) - (x[1] - x[2]) * (x[1] - x[2]) * (y[1] - y[0])
        let den = (x[1] - x[0]) * (y[1] - y[2]) - (x[1] - x[2]) * (y[1] - y[0])
        guard den != 0 else { return (rates[k], "lowest loss tried") }
        let vertex = min(max(x[1] - 0.5 * num / den, x[0]), x[2])
        return (Foundation.exp(vertex), "vertex of the parabola in ln(rate)")
    }
}

extension LearningRateTuning {
    /// The first round of short runs a plan with `[lr_tune]` trains before the sweep (nil: no
    /// tuning, or its rates are already known), for `--dry-run` to list and time them.
    public static func firstRoundPlan(_ plan: SweepPlan, folder: SweepFolder,
                                      datasetTokens: (TrainConfig) throws -> Int = DatasetSize.trainingTokens) throws -> SweepPlan? {
        guard let tuning = plan.spec.learningRateTuning, plan.spec.learningRates == nil,
              Result.read(from: folder.url) == nil else { return nil }
        return try SweepPlan(spec: try tuning.spec(for: plan.spec, plan: plan), datasetTokens: datasetTokens)
    }

    /// The plan with the rates the sweep folder's `learning-rates.json` holds, if it holds them
    /// (what `--dry-run` shows of a sweep whose tuning is done); otherwise the plan as it is.
    public static func savedRatesPlan(_ plan: SweepPlan, folder: SweepFolder,
                                      datasetTokens: (TrainConfig) throws -> Int = DatasetSize.trainingTokens) throws -> SweepPlan {
        guard plan.spec.learningRateTuning != nil, plan.spec.learningRates == nil, Result.read(from: folder.url) != nil else { return plan }
        return try tunedPlan(plan, folder: folder, datasetTokens: datasetTokens) { _, _ in }
    }

    /// The plan with tuned rates: read from the sweep folder's `learning-rates.json`, or found by
    /// running the short runs first with `runSweep` (which trains a plan in a folder and throws
    /// when runs fail). A plan without `[lr_tune]`, or one whose spec already has rates, is returned as it is.
    public static func tunedPlan(_ plan: SweepPlan, folder: SweepFolder,
                                 datasetTokens: (TrainConfig) throws -> Int = DatasetSize.trainingTokens,
                                 runSweep: (SweepPlan, SweepFolder) throws -> Void) throws -> SweepPlan {
        guard let tuning = plan.spec.learningRateTuning, plan.spec.learningRates == nil else { return plan }
        var spec = plan.spec
        if let saved = Result.read(from: folder.url) {
            spec.learningRates = saved
        } else {
            // Round 1 tries the factors; while some size's lowest loss lies at an end of the rates
            // it tried, a further round (at most 2) tries, for those sizes only, the next factor
            // of 2 beyond that end.
            let gridName = tuning.grid ?? plan.spec.grids.first!.name
            let baseRate = (plan.runs.first { $0.grid == gridName } ?? plan.runs[0]).config.optimizer.lr
            var next: [Int: [Double]]? = nil
            var rounds: [(plan: SweepPlan, runsDirectory: URL)] = []
            var result: Result? = nil
            for k in 0..<3 {
                let tunePlan = try SweepPlan(spec: try tuning.spec(for: plan.spec, plan: plan, factorsByParams: next), datasetTokens: datasetTokens)
                let tuneFolder = SweepFolder(folder.url.appendingPathComponent(k == 0 ? folderName : "\(folderName)-\(k + 1)"))
                try runSweep(tunePlan, tuneFolder)
                rounds.append((tunePlan, tuneFolder.runsURL))
                guard let r = tuning.result(rounds: rounds, baseRate: baseRate) else {
                    throw SweepSpecError(file: plan.spec.file, key: "lr_tune",
                                         reason: "the learning-rate runs in '\(tuneFolder.url.path)' did not all complete; run the same command again to resume them")
                }
                result = r
                next = Self.nextFactors(r)
                guard !next!.isEmpty, k < 2 else { break }
            }
            try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
            try result!.write(to: folder.url)
            spec.learningRates = result
        }
        return try SweepPlan(spec: spec, datasetTokens: datasetTokens)
    }

    /// The next round's factors by size: half the lowest rate a size tried when its lowest loss
    /// lies there, twice the highest when it lies there; sizes whose best lies inside are done.
    static func nextFactors(_ r: Result) -> [Int: [Double]] {
        var next: [Int: [Double]] = [:]
        for s in r.sizes where s.rates.count > 1 {
            if s.bestRate == s.rates.first { next[Int(s.params), default: []].append(s.rates.first! / 2 / r.baseRate) }
            if s.bestRate == s.rates.last { next[Int(s.params), default: []].append(s.rates.last! * 2 / r.baseRate) }
        }
        return next
    }

    /// One line per tuned size, for the console and the report.
    public static func describe(_ r: Result) -> [String] {
        r.sizes.map { s in
            "N = \(NumberFormat.sig(s.params, 3)): rates " + zip(s.rates, s.lossNats).map { "\(NumberFormat.sig($0, 3)) → \(NumberFormat.sig($1, 4))" }
                .joined(separator: ", ") + "; chosen \(NumberFormat.sig(s.bestRate, 3)) (\(s.how))"
        }
    }
}
