import Foundation

/// Where each run's Slurm array task stands, from `squeue` (tasks still queued or running),
/// `sacct` when the cluster keeps accounting, and the run directories (the source of truth for
/// what finished).
///
///     let states = SlurmQueue.states(ledger: try SlurmJobLedger.read(folder), folder: folder, plan: plan)
public enum SlurmQueue {
    /// One run's task.
    public struct TaskState: Equatable, Sendable {
        public enum Phase: String, Sendable { case pending, running, finished, failed, unknown }
        public var phase: Phase
        /// `<job>_<index>`.
        public var task: String
        /// Slurm's state and reason (`PENDING (Resources)`, `CANCELLED`, …) or why the phase is what it is.
        public var detail: String?
        /// For failed tasks: the last lines of the task's Slurm log and the run's error line.
        public var logTail: [String] = []
        /// The task log's path.
        public var log: String
    }

    /// The runs' tasks in the ledger, by run name. Queries `squeue` first, then reads the run
    /// directories, so a task that ends in between reads as finished, not failed.
    public static func states(ledger: SlurmJobLedger, folder: SweepFolder, plan: SweepPlan) -> [String: TaskState] {
        let tasks = ledger.latestTasks()
        guard !tasks.isEmpty else { return [:] }
        let jobIDs = Set(tasks.values.map(\.jobID))
        let queue = queued(jobIDs: jobIDs, name: SlurmArrayScript.jobName(plan.spec.name))
        let accounting = queue.ok ? accounted(jobIDs: jobIDs) : nil
        let steps = Dictionary(plan.runs.map { ($0.name, $0.steps) }, uniquingKeysWith: { a, _ in a })
        var out: [String: TaskState] = [:]
        for (run, t) in tasks {
            let id = "\(t.jobID)_\(t.index)"
            let log = SlurmArrayScript.logURL(folder.url, jobID: t.jobID, index: t.index)
            var s = TaskState(phase: .unknown, task: id, detail: nil, log: log.path)
            let dir = RunState.read(folder.runURL(run))
            if let q = queue.tasks[id] {
                switch q.state {
                case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING", "RESV_DEL_HOLD":
                    s.phase = .pending
                case "RUNNING", "COMPLETING", "STAGE_OUT", "SUSPENDED", "STOPPED", "SIGNALING":
                    s.phase = .running
                default:
                    s.phase = dir.status.isFinished ? .finished : .failed
                }
                s.detail = q.state + (q.reason.isEmpty || q.reason == "None" ? "" : " (\(q.reason))")
            } else if !queue.ok {
                s.phase = dir.status.isFinished ? .finished : .unknown
                s.detail = dir.status.isFinished ? nil : queue.problem
            } else if dir.status.isFinished {
                s.phase = .finished
            } else {
                s.phase = .failed
                let at = "the run is at step \(dir.step) of \(steps[run] ?? 0)"
                if let a = accounting?[id] {
                    s.detail = "\(a.state), exit code \(a.exitCode); \(at)"
                } else {
                    s.detail = "no longer queued; \(at)"
                }
            }
            if s.phase == .failed {
                s.logTail = tail(of: log, lines: 4)
                if s.logTail.isEmpty {
                    s.logTail = ["(no task log at \(log.path): the task never started, or the sweep folder is not on a filesystem its node sees)"]
                }
                if let e = LocalExecutor.errorLine(folder.runURL(run)) { s.logTail.append("train.log: \(e)") }
            }
            out[run] = s
        }
        return out
    }

    /// `squeue` rows of the given arrays, by `<job>_<index>` (only jobs named `name`, so a job id
    /// that a reset controller gave to another job is not taken for ours); `ok` is false (with
    /// the problem) when squeue is missing or fails.
    static func queued(jobIDs: Set<String>, name: String) -> (ok: Bool, problem: String?, tasks: [String: (state: String, reason: String)]) {
        let reply: SlurmCommand.Reply
        do { reply = try SlurmCommand.run("squeue", ["--noheader", "--array", "--format=%i|%T|%r|%j"]) } catch SlurmError.commandMissing {
            return (false, "squeue is not on the PATH", [:])
        } catch {
            return (false, "squeue could not be started: \(error)", [:])
        }
        guard reply.status == 0 else {
            return (false, "squeue failed: \(reply.message.split(separator: "\n").last.map(String.init) ?? "exit status \(reply.status)")", [:])
        }
        var tasks: [String: (state: String, reason: String)] = [:]
        for line in reply.output.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard f.count >= 4, f[3] == name, let job = f[0].split(separator: "_").first, jobIDs.contains(String(job)) else { continue }
            tasks[f[0]] = (f[1], f[2])
        }
        return (true, nil, tasks)
    }

    /// `sacct` states of the given arrays' tasks, or nil when the cluster keeps no accounting.
    static func accounted(jobIDs: Set<String>) -> [String: (state: String, exitCode: String)]? {
        guard SlurmCommand.available("sacct"),
              let reply = try? SlurmCommand.run("sacct", ["--noheader", "--allocations", "--parsable2",
                                                          "--jobs=\(jobIDs.sorted().joined(separator: ","))",
                                                          "--format=JobID,State,ExitCode"]),
              reply.status == 0 else { return nil }
        var out: [String: (state: String, exitCode: String)] = [:]
        for line in reply.output.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3 else { continue }
            out[f[0]] = (f[1], f[2])
        }
        return out
    }

    /// The last `lines` non-empty lines of a text file.
    static func tail(of url: URL, lines: Int) -> [String] {
        guard let text = LogTail.text(of: url, bytes: 4096) else { return [] }
        return Array(text.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(lines))
    }
}
