import Foundation
import Sweeps

/// The plan as a table: one line per run, then totals, and a note on runs that will repeat
/// their data (they are L(D) points, not L(N) or frontier runs).
enum SweepPlanPrinter {
    /// What a printed plan adds up to, for a grand total over several sweeps.
    struct Totals { var runs = 0, pfDays = 0.0, seconds = 0.0, leftSeconds = 0.0, estimated = true }

    /// `dataKnown`: false when the dataset is not prepared yet, so D of full-data runs is unknown.
    @discardableResult
    static func print(_ plan: SweepPlan, states: [String: RunState], estimate: SweepEstimate?, parallel: Int, threads: Int,
                      folder: SweepFolder, dataKnown: Bool = true) -> Totals {
        let width = max(20, plan.runs.map(\.name.count).max() ?? 20)
        Swift.print("sweep \(plan.spec.name): \(plan.runs.count) runs → \(folder.url.path)")
        Swift.print("\("run".padding(toLength: width, withPad: " ", startingAt: 0))  \(pad("N", 8)) \(pad("D", 8)) \(pad("steps", 7)) \(pad("E", 8)) \(pad("E/D", 6)) \(pad("PF-days", 9)) \(pad("est.", 8))  status")
        var totalPF = 0.0, totalSeconds = 0.0, leftSeconds = 0.0
        for r in plan.runs {
            let st = states[r.name]
            let secs = estimate?.seconds(for: r)
            totalPF += r.computePFDays
            totalSeconds += secs ?? 0
            let frac = st.map { $0.status.isFinished ? 0 : 1 - Double($0.step) / Double(max(1, r.steps)) } ?? 1
            leftSeconds += (secs ?? 0) * frac
            let status = st.map { s -> String in
                s.status == .partial ? "partial (step \(s.step))" : s.status.rawValue
            } ?? "pending"
            let dKnown = dataKnown || r.config.data.maxTrainTokens > 0
            let d = dKnown ? Units.count(r.datasetTokens) : "?"
            let epochs = dKnown && r.datasetTokens > 0 ? String(format: "%.2g", Double(r.tokens) / Double(r.datasetTokens)) : "?"
            Swift.print("\(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(pad(Units.count(r.params), 8)) \(pad(d, 8)) \(pad("\(r.steps)", 7)) \(pad(Units.count(r.tokens), 8)) \(pad(epochs, 6)) \(pad(String(format: "%.2e", r.computePFDays), 9)) \(pad(secs.map(Units.duration) ?? "–", 8))  \(status)")
        }
        let wall = leftSeconds / Double(parallel)
        Swift.print("total: \(String(format: "%.3e", totalPF)) PF-days (6·N·E)"
            + (estimate == nil ? "" : "; estimated \(Units.duration(totalSeconds / Double(parallel))) of wall time for the whole sweep, \(Units.duration(wall)) for what is left (from solo timings; runs sharing the machine take up to ~1.5× longer)")
            + "; \(parallel) run\(parallel == 1 ? "" : "s") at a time × \(threads) thread\(threads == 1 ? "" : "s")")
        if !dataKnown {
            Swift.print("note: the dataset is not prepared yet, so D of the runs on all of it is unknown (\"?\"); so are E and the time of runs whose length is given in epochs")
        }
        // Runs on the largest D of their dataset that repeat it: meant for L(N) and the frontier, they become L(D) points.
        var largestD: [String: Int] = [:]
        for r in plan.runs { largestD[r.config.data.dataset] = max(largestD[r.config.data.dataset] ?? 0, r.datasetTokens) }
        let repeating = plan.runs.filter {
            (dataKnown || $0.config.data.maxTrainTokens > 0) && $0.datasetTokens == largestD[$0.config.data.dataset]
                && $0.tokens > $0.datasetTokens && $0.config.finetune.task.isEmpty
        }
        if !repeating.isEmpty {
            let e = repeating.map { Double($0.tokens) / Double($0.datasetTokens) }
            Swift.print("note: \(repeating.count) run\(repeating.count == 1 ? "" : "s") on the largest D of the sweep repeat \(repeating.count == 1 ? "its" : "their") data (E/D up to \(String(format: "%.2g", e.max()!)) epochs > 1): "
                + "reports count \(repeating.count == 1 ? "it" : "them") for L(D), not for L(N), L(C) or N_opt(C) (\(repeating.prefix(3).map(\.name).joined(separator: ", "))\(repeating.count > 3 ? ", …" : ""))")
        }
        // Runs that spend more than a quarter of their steps warming up barely train at the peak rate
        // (a 61-step IsoFLOP run with 200 warm-up steps never reaches it): a grid's warmup_share fixes that.
        let warming = plan.runs.filter { $0.steps > 0 && Double($0.config.schedule.warmupSteps) > 0.25 * Double($0.steps) }
        if !warming.isEmpty {
            Swift.print("note: \(warming.count) run\(warming.count == 1 ? "" : "s") warm\(warming.count == 1 ? "s" : "") up for more than a quarter of \(warming.count == 1 ? "its" : "their") steps "
                + "(\(warming.prefix(3).map { "\($0.name): \($0.config.schedule.warmupSteps) of \($0.steps)" }.joined(separator: ", "))\(warming.count > 3 ? ", …" : "")); "
                + "a grid's warmup_share = 0.2 would give each at most a fifth")
        }
        return Totals(runs: plan.runs.count, pfDays: totalPF, seconds: totalSeconds / Double(parallel), leftSeconds: wall, estimated: estimate != nil)
    }

    static func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}

/// Short numbers (1.2k, 3.4M) and durations (5m02s) for tables and progress lines.
enum Units {
    static func count(_ x: Int) -> String {
        let v = Double(x)
        switch v {
        case 1e9...: return String(format: "%.2fG", v / 1e9)
        case 1e6...: return String(format: "%.2fM", v / 1e6)
        case 1e3...: return String(format: "%.1fk", v / 1e3)
        default: return "\(x)"
        }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, t % 3600 / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}

/// Sweep progress: a line per run started and finished, and an overall bar with ETA (redrawn
/// on a terminal, a line every 30 s otherwise).
struct SweepProgressDisplay {
    let interactive = isatty(STDOUT_FILENO) != 0
    var lastLine = Date.distantPast
    var barShown = false

    mutating func handle(_ e: LocalExecutor.Event) {
        switch e {
        case let .started(run, resuming):
            clearBar()
            print("start  \(run)" + (resuming.map { " (resuming at step \($0))" } ?? ""))
        case let .finished(run, status, summary, message):
            clearBar()
            var line = "\(status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(run)"
            if let s = summary, status == .completed {
                line += String(format: ": best test loss %.4f, final %.4f, %.0f tok/s, %@", s.bestTestLoss ?? .nan,
                               s.finalTestLoss ?? .nan, s.tokensPerSecond ?? .nan, Units.duration(s.wallSeconds ?? 0))
            } else if let message { line += ": \(message)" }
            print(line)
        case let .progress(p):
            let frac = p.costTotal > 0 ? p.costDone / p.costTotal : 1
            let width = 30, done = min(width, Int(Double(width) * frac))
            let bar = String(repeating: "█", count: done) + String(repeating: "·", count: width - done)
            let running = p.running.map { "\($0.run) \($0.step)/\($0.steps)" }.joined(separator: ", ")
            let text = "\(bar) \(String(format: "%5.1f", 100 * frac)) %  runs \(p.runsDone)/\(p.runsTotal)  ETA \(p.etaSeconds.map(Units.duration) ?? "–")"
                + (running.isEmpty ? "" : "  [\(running)]")
            if interactive {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8)); barShown = true
            } else if Date().timeIntervalSince(lastLine) >= 30 {
                print(text); lastLine = Date()
            }
        }
        fflush(stdout)
    }

    mutating func clearBar() {
        if barShown { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)); barShown = false }
    }

    mutating func finish() { clearBar() }
}
