import Foundation
import WorkbenchCore
import Tensors

/// Training a run further: `workbench train --resume` with a larger `train.steps` than the run
/// was made with. The run continues from its last checkpoint with the same data order, optimizer
/// state and seed; only the schedule's length changes, and what that does to the learning rate
/// is said and recorded (`extensions.jsonl` in the run directory, one line per extension):
///
/// - `constant`: the rate is the same as before; the extended run equals one trained with the
///   larger `train.steps` from the start.
/// - `wsd`: before its cooldown the run is extended exactly (the cooldown moves to the new end);
///   a run that has cooled down goes back to the constant rate and cools down again at the end.
/// - `cosine` or `linear`: the decay is stretched over the new total, so at the checkpoint's step
///   the rate rises again (from the end of the old decay to the new schedule's value there) and
///   then decays to `min_lr_ratio · lr` at the new last step. The run is not the same as one
///   planned for the larger total from the start.
///
///     if let note = try RunExtension.prepare(config: cfg, runDirectory: dir) { print(note) }
public enum RunExtension {
    /// One extension, as recorded in `extensions.jsonl`.
    public struct Record: Codable, Equatable, Sendable {
        public var atStep: Int
        public var fromSteps: Int
        public var toSteps: Int
        public var decay: String
        public var lrBefore: Double
        public var lrAfter: Double
        public var previousStatus: String?
        public var date: String
        enum CodingKeys: String, CodingKey {
            case atStep = "at_step", fromSteps = "from_steps", toSteps = "to_steps", decay
            case lrBefore = "lr_before", lrAfter = "lr_after", previousStatus = "previous_status", date
        }
    }

    public static let recordName = "extensions.jsonl"

    /// When `config` differs from the run's saved config only in `train.steps` (and the thread
    /// count) and asks for at least as many steps as the checkpoint has, makes the run this
    /// longer one: records the extension, rewrites the saved config with the new length and
    /// sets aside the finished run's `summary.json` (as `summary-<steps>.json`), so the trainer
    /// resumes it. Returns a note saying what happens to the learning rate, or nil when there
    /// is nothing to extend (no checkpoint, same length, or other keys differ: the trainer then
    /// reports those).
    public static func prepare(config: TrainConfig, runDirectory dir: URL) throws -> String? {
        let run = RunDirectory(dir)
        guard Checkpoint.exists(in: dir), let text = try? String(contentsOf: run.configURL, encoding: .utf8) else { return nil }
        let saved = try TrainConfig.parse(text, file: run.configURL.path)
        guard saved.train.steps != config.train.steps else { return nil }
        let others = TrainConfig.fields.map(\.key).filter {
            $0 != "train.threads" && $0 != "train.steps" && saved.renderValue($0) != config.renderValue($0)
        }
        guard others.isEmpty else { return nil }
        // Hold the run's lock while changing its files (released before the trainer takes it).
        let lock = try run.acquireLock()
        defer { withExtendedLifetime(lock) {} }
        let at = try Checkpoint.loadState(from: dir).step
        guard config.train.steps >= at else {
            throw TrainingError.cannotShorten(path: dir.path, checkpointStep: at, steps: config.train.steps)
        }
        let old = schedule(saved), new = schedule(config)
        let before = old.rate(at: max(0, min(at, saved.train.steps) - 1)), after = new.rate(at: at)
        let summaryURL = dir.appendingPathComponent("summary.json")
        var status: String? = nil
        if let data = try? Data(contentsOf: summaryURL),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { status = obj["status"] as? String }
        let record = Record(atStep: at, fromSteps: saved.train.steps, toSteps: config.train.steps, decay: config.schedule.decay,
                            lrBefore: before, lrAfter: after, previousStatus: status,
                            date: ISO8601DateFormatter().string(from: Date()))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let line = String(decoding: try enc.encode(record), as: UTF8.self) + "\n"
        let recordURL = dir.appendingPathComponent(recordName)
        let earlier = (try? String(contentsOf: recordURL, encoding: .utf8)) ?? ""
        try AtomicFile.write(earlier + line, to: recordURL)
        if FileManager.default.fileExists(atPath: summaryURL.path) {
            let kept = dir.appendingPathComponent("summary-\(saved.train.steps).json")
            try? FileManager.default.removeItem(at: kept)
            try FileManager.default.moveItem(at: summaryURL, to: kept)
        }
        try run.writeConfig(config)
        return note(record)
    }

    /// What the extension does to the learning rate, in words.
    public static func note(_ r: Record) -> String {
        let head = "extending the run from \(r.fromSteps) to \(r.toSteps) steps at step \(r.atStep) (recorded in \(recordName))"
        func lr(_ x: Double) -> String { String(format: "%.3g", x) }
        switch r.decay {
        case "constant":
            return "\(head); constant schedule: the learning rate stays \(lr(r.lrAfter))"
        case "wsd" where r.lrBefore == r.lrAfter:
            return "\(head); wsd schedule, still before its cooldown: the cooldown moves to the end of the new total "
                + "(the same run as one planned for \(r.toSteps) steps from the start)"
        case "wsd":
            return "\(head); wsd schedule: the run had cooled down, so the learning rate goes back from \(lr(r.lrBefore)) "
                + "to \(lr(r.lrAfter)) at step \(r.atStep) and a new cooldown ends the new total (for an exact longer run, "
                + "extend before the cooldown starts, or branch from the constant phase with train.cooldown_at)"
        default:
            return "\(head); \(r.decay) schedule: the decay is stretched over the new total, so the learning rate rises "
                + "from \(lr(r.lrBefore)) to \(lr(r.lrAfter)) at step \(r.atStep) and decays again to the floor at step \(r.toSteps) "
                + "(not the same run as one planned for \(r.toSteps) steps from the start; a constant schedule extends exactly)"
        }
    }

    static func schedule(_ c: TrainConfig) -> LearningRateSchedule { CooldownBranches.schedule(c) }
}
