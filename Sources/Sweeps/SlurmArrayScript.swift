import Foundation

/// What a sweep asks of Slurm for each array task: partition, time limit, CPUs and memory
/// (each left to the cluster's defaults when nil).
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    /// Slurm's time format: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`.
    public var time: String?
    public var cpusPerTask: Int?
    /// Slurm's memory format: a number with an optional K, M, G or T suffix (`4G`, `500M`).
    public var mem: String?

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int? = nil, mem: String? = nil) {
        self.partition = partition; self.time = time; self.cpusPerTask = cpusPerTask; self.mem = mem
    }

    /// Checks the values before anything is written, so a typo is not found by sbatch.
    public func validate() throws {
        if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace || $0 == "#" }) {
            throw SlurmError.badOption("--partition '\(partition)' is not a partition name")
        }
        if let time, time.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$"#, options: .regularExpression) == nil {
            throw SlurmError.badOption("--time '\(time)' is not a Slurm time limit (use HH:MM:SS, MM, MM:SS or D-HH:MM:SS)")
        }
        if let cpusPerTask, cpusPerTask < 1 {
            throw SlurmError.badOption("--cpus-per-task must be at least 1, got \(cpusPerTask)")
        }
        if let mem, mem.range(of: #"^[0-9]+[KMGTkmgt]?$"#, options: .regularExpression) == nil {
            throw SlurmError.badOption("--mem '\(mem)' is not a Slurm memory size (a number with an optional K, M, G or T, e.g. 4G)")
        }
    }
}

/// The text of one `sbatch` job-array script: one array task per run, each running
/// `workbench train --config <sweep>/configs/<run>.toml --run-dir <sweep>/runs/<run> --resume`
/// with as many threads as Slurm gave it CPUs. The run names are written into the script, so
/// the submitted copy that Slurm keeps is complete; `--requeue` and `--open-mode=append` let a
/// preempted or requeued task start again on the same run directory and resume from its
/// checkpoint. Task output (the script's own lines and Slurm's) goes to
/// `<sweep>/slurm/logs/<job>_<index>.log`; training output to the run's `train.log`.
public struct SlurmArrayScript: Sendable {
    public var sweepName: String
    /// Absolute path of the sweep folder (as every node sees it).
    public var folder: URL
    /// Absolute path of the workbench executable (as every node sees it).
    public var executable: URL
    /// Array index i runs `runs[i]`.
    public var runs: [String]
    public var options: SlurmOptions

    public init(sweepName: String, folder: URL, executable: URL, runs: [String], options: SlurmOptions) {
        self.sweepName = sweepName; self.folder = folder; self.executable = executable; self.runs = runs; self.options = options
    }

    /// Where task logs go: `%A` is the array's job id, `%a` the task's index.
    public static func logPattern(_ folder: URL) -> String { folder.path + "/slurm/logs/%A_%a.log" }

    /// The log of one array task.
    public static func logURL(_ folder: URL, jobID: String, index: Int) -> URL {
        folder.appendingPathComponent("slurm/logs/\(jobID)_\(index).log")
    }

    public func render() -> String {
        var lines = [
            "#!/bin/bash",
            "# Sweep '\(sweepName)': \(runs.count) run\(runs.count == 1 ? "" : "s"), one array task each. Written by `workbench sweep --backend slurm`;",
            "# each task trains its run with --resume, so a requeued task continues from the run's checkpoint.",
            "#SBATCH --job-name=\(Self.jobName(sweepName))",
            "#SBATCH --array=0-\(runs.count - 1)",
            "#SBATCH --requeue",
            "#SBATCH --open-mode=append",
            "#SBATCH --output=\(Self.logPattern(folder))",
            "#SBATCH --chdir=\(folder.path)",
        ]
        if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = options.time { lines.append("#SBATCH --time=\(t)") }
        if let c = options.cpusPerTask { lines.append("#SBATCH --cpus-per-task=\(c)") }
        if let m = options.mem { lines.append("#SBATCH --mem=\(m)") }
        lines += [
            "set -u",
            "SWEEP=\(Self.quote(folder.path))",
            "WORKBENCH=\(Self.quote(executable.path))",
            "RUNS=(" + runs.map(Self.quote).joined(separator: " ") + ")",
            "TASK=${SLURM_ARRAY_TASK_ID:?not started by Slurm as an array task}",
            "RUN=${RUNS[$TASK]:-}",
            "NODE=$(hostname)",
            #"say() { echo "--- $(date -u +%Y-%m-%dT%H:%M:%SZ) slurm job ${SLURM_ARRAY_JOB_ID:-?}_${TASK} on ${NODE}: $*"; }"#,
            #"if [ -z "$RUN" ]; then say "no run for array index $TASK (this script has ${#RUNS[@]})"; exit 2; fi"#,
            #"RUN_DIR="$SWEEP/runs/$RUN"; CONFIG="$SWEEP/configs/$RUN.toml""#,
            #"say "run $RUN, attempt $(( ${SLURM_RESTART_COUNT:-0} + 1 ))""#,
            #"if [ ! -r "$CONFIG" ]; then"#,
            #"  say "cannot read $CONFIG on this node: the sweep folder must be on a filesystem every node sees (not /tmp or another node-local disk)"; exit 2"#,
            "fi",
            #"if [ ! -x "$WORKBENCH" ]; then"#,
            #"  say "the workbench executable $WORKBENCH is missing on this node: build it on a filesystem every node sees"; exit 2"#,
            "fi",
            #"if [ -f "$RUN_DIR/summary.json" ] && grep -Eq '"status" *: *"(completed|diverged)"' "$RUN_DIR/summary.json"; then"#,
            #"  say "run $RUN is already finished; nothing to do"; exit 0"#,
            "fi",
            #"mkdir -p "$RUN_DIR" || { say "cannot create $RUN_DIR"; exit 2; }"#,
            #"say "start" >> "$RUN_DIR/train.log""#,
            TrainChildCommand(config: "$CONFIG", runDir: "$RUN_DIR", threads: "${SLURM_CPUS_PER_TASK:-1}")
                .shellLine(executable: "$WORKBENCH") + #" >> "$RUN_DIR/train.log" 2>&1"#,
            "status=$?",
            #"say "workbench train exited with status $status (log: $RUN_DIR/train.log)""#,
            "exit $status",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A job name Slurm shows in `squeue`: `wb-<sweep>`, letters, digits, `-`, `_` and `.` only.
    public static func jobName(_ sweep: String) -> String {
        "wb-" + String(sweep.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }.prefix(40))
    }

    /// `s` as one single-quoted shell word.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
}
