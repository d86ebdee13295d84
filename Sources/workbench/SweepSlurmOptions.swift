import ArgumentParser
import Foundation
import Sweeps

/// Where `workbench sweep` trains its runs.
enum SweepBackend: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}

/// `workbench sweep`'s options for Slurm (`--backend slurm --partition P --time T
/// --cpus-per-task N --mem M --no-submit`) and the submission step itself.
struct SweepSlurmOptions: ParsableArguments {
    @Option(help: "Where runs train: local (child processes here) or slurm (one sbatch job array).") var backend: SweepBackend = .local
    @Option(help: "Slurm partition (default: the cluster's default).") var partition: String?
    @Option(help: "Slurm time limit per run, HH:MM:SS (or MM, D-HH:MM:SS).") var time: String?
    @Option(help: "CPUs per array task; the run trains with that many threads (default 1).") var cpusPerTask: Int?
    @Option(help: "Memory per array task in Slurm's format (e.g. 4G).") var mem: String?
    @Flag(help: "Write the job-array script but do not submit it.") var noSubmit = false

    var options: SlurmOptions { SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask, mem: mem) }

    func validate() throws {
        if backend == .local {
            let given = [("--partition", partition != nil), ("--time", time != nil), ("--cpus-per-task", cpusPerTask != nil),
                         ("--mem", mem != nil), ("--no-submit", noSubmit)].filter(\.1).map(\.0)
            if !given.isEmpty { throw ValidationError("\(given.joined(separator: ", ")) only apply with --backend slurm") }
        }
        do { try options.validate() } catch { throw ValidationError("\(error)") }
    }

    /// Fails early (before the sweep folder is touched) when jobs could not be submitted.
    func checkBeforeAdopting() throws {
        if !noSubmit, !SlurmCommand.available("sbatch") { throw SlurmError.commandMissing("sbatch") }
    }

    /// Writes the job array for `todo` and submits it (unless --no-submit), then says how to follow it.
    func submit(_ plan: SweepPlan, folder: SweepFolder, todo: [String], finished: Int, executable: URL) throws {
        let shared = SweepFolder(URL(fileURLWithPath: folder.url.path).standardizedFileURL)
        let backend = SlurmBackend(executable: executable, options: options)
        let sub = try backend.submit(plan, folder: shared, names: todo, submit: !noSubmit)
        for n in sub.notes { print("note: \(n)") }
        for q in sub.alreadyQueued { print("still queued: \(q.run) (task \(q.task)); left out") }
        guard !sub.runs.isEmpty else {
            print("nothing to submit: every unfinished run already has a queued or running task. `workbench runs \(shared.url.path)` follows them.")
            return
        }
        let what = "\(sub.runs.count) run\(sub.runs.count == 1 ? "" : "s") (\(finished) already finished, left out)"
        if let job = sub.jobID {
            print("submitted job array \(job) (tasks \(job)_0…\(job)_\(sub.runs.count - 1)) for \(what)")
            print("script: \(sub.script.path); task logs: \(shared.url.path)/slurm/logs/\(job)_<task>.log")
            print("follow it with `workbench runs \(shared.url.path)`; a cancelled or preempted task that Slurm requeues resumes from its checkpoint")
        } else {
            print("wrote \(sub.script.path) for \(what); not submitted (--no-submit)")
            print("submit it with `sbatch \(sub.script.path)`; `workbench runs` shows Slurm states only for arrays submitted by `workbench sweep`")
        }
    }
}
