import Foundation
import WorkbenchCore

/// Where a report goes and how it gets there whole: it is built in a hidden folder beside its
/// target (`.NAME.building-PID`) and renamed into place only when every file is written, so a
/// killed report leaves either the previous report or the new one, never a mix, and plots of an
/// earlier report never stay beside a newer one. The report records what it was made from
/// (`report-inputs.json`); a report made from other inputs is replaced only when forced.
///
///     let record = ReportFolder.Inputs(inputs: ["sweeps/example"], runs: names)
///     try ReportFolder.replace(URL(fileURLWithPath: "sweeps/example/report"), with: record, force: false) { dir in
///         _ = try ScalingReport.write(runs: runs, to: dir)
///     }
public enum ReportFolder {
    /// What a report was made from: the inputs as given (standardized paths) and the runs read.
    public struct Inputs: Codable, Equatable, Sendable {
        public var inputs: [String]
        public var runs: [String]
        public init(inputs: [String], runs: [String]) { self.inputs = inputs; self.runs = runs }
    }

    public static let recordName = "report-inputs.json"

    /// A report folder that may not be replaced without `--force`.
    public struct Refused: Error, CustomStringConvertible {
        public var folder: String
        public var reason: String
        public var description: String { "'\(folder)' \(reason); refusing to replace it: give another --out, or --force to replace it" }
    }

    /// Builds the report with `build` in a fresh hidden folder, then puts it at `target` in one
    /// rename (an existing report is moved aside first and removed after). Leftovers of killed
    /// reports beside `target` are removed (the previous report restored if the kill fell between
    /// the two renames).
    public static func replace(_ target: URL, with record: Inputs, force: Bool, build: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = target.deletingLastPathComponent(), name = target.lastPathComponent
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        cleanLeftovers(parent: parent, name: name)
        if !force, let why = conflict(target, record) { throw Refused(folder: target.path, reason: why) }
        let pid = getpid()
        let building = parent.appendingPathComponent(".\(name).building-\(pid)")
        let old = parent.appendingPathComponent(".\(name).old-\(pid)")
        try? fm.removeItem(at: building)
        try fm.createDirectory(at: building, withIntermediateDirectories: true)
        do {
            try build(building)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try enc.encode(record), to: building.appendingPathComponent(recordName))
        } catch {
            try? fm.removeItem(at: building)
            throw error
        }
        if fm.fileExists(atPath: target.path) { try fm.moveItem(at: target, to: old) }
        try fm.moveItem(at: building, to: target)
        try? fm.removeItem(at: old)
    }

    /// Why `target` may not be replaced by a report of `record`, or nil when it may: it does not
    /// exist, is empty, or is a report of the same inputs.
    public static func conflict(_ target: URL, _ record: Inputs) -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: target.path, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else { return "is a file, not a report folder" }
        let contents = ((try? fm.contentsOfDirectory(atPath: target.path)) ?? []).filter { !$0.hasPrefix(".") }
        if contents.isEmpty { return nil }
        guard let data = try? Data(contentsOf: target.appendingPathComponent(recordName)),
              let old = try? JSONDecoder().decode(Inputs.self, from: data) else {
            return "already holds files (\(contents.sorted().prefix(3).joined(separator: ", "))) but no \(recordName), so it is not a report this command made"
        }
        if old.inputs == record.inputs { return nil }
        return "holds a report made from other inputs (\(old.inputs.joined(separator: ", "))), not from \(record.inputs.joined(separator: ", "))"
    }

    /// Removes `.NAME.building-PID` folders of dead processes; restores `.NAME.old-PID` when the
    /// target is missing (a kill between the two renames), else removes it.
    static func cleanLeftovers(parent: URL, name: String) {
        let fm = FileManager.default
        for n in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            for kind in ["building", "old"] {
                let prefix = ".\(name).\(kind)-"
                guard n.hasPrefix(prefix), let pid = Int32(n.dropFirst(prefix.count)), pid != getpid(),
                      kill(pid, 0) != 0, errno == ESRCH else { continue }
                let u = parent.appendingPathComponent(n), target = parent.appendingPathComponent(name)
                if kind == "old" && !fm.fileExists(atPath: target.path) { try? fm.moveItem(at: u, to: target) }
                else { try? fm.removeItem(at: u) }
            }
        }
    }
}
