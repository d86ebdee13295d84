import Foundation
import XCTest
import Sweeps
import Training
import RunFiles
import TestSupport

/// Against a real Slurm (tools/slurm/start.sh; .ci/run sets WORKBENCH_SLURM_TEST=1): a tiny
/// sweep submitted as one job array finishes every run with exactly the curves and weights of
/// the local executor; one array task cancelled with `scancel` mid-run and requeued, and one
/// requeued by Slurm while running (as preemption does), resume from their checkpoints; `workbench runs` shows the Slurm states and the index says what the
/// run directories say; a submission Slurm rejects is reported in Slurm's words.
final class SlurmIntegrationTests: XCTestCase {
    override func setUpWithError() throws {
        guard SlurmTestSupport.requested else {
            throw XCTSkip("set WORKBENCH_SLURM_TEST=1 after tools/slurm/start.sh to run the tests against Slurm")
        }
        if let why = SlurmTestSupport.unavailableReason() {
            XCTFail("WORKBENCH_SLURM_TEST=1 but Slurm cannot take jobs here: \(why)")
            throw CocoaError(.featureUnsupported)
        }
    }

    func testJobArrayMatchesLocalSweepAndARequeuedTaskResumes() throws {
        let exe = try workbenchExecutable()
        let dir = temporaryDirectory()
        let specURL = dir.appendingPathComponent("tiny.toml")
        try tinySweepSpec(steps: 4000, evals: 20).write(to: specURL, atomically: true, encoding: .utf8)
        let began = Date()

        // Reference: the local executor.
        let ref = try runWorkbench(exe, ["sweep", specURL.path, "--out", "ref", "--no-estimate", "--max-parallel", "2"], cwd: dir)
        XCTAssertEqual(ref.status, 0, ref.output)

        // The same spec as a job array.
        let sweep = dir.appendingPathComponent("slurm-sweep")
        let sub = try runWorkbench(exe, ["sweep", specURL.path, "--out", sweep.path, "--backend", "slurm",
                                         "--cpus-per-task", "1", "--time", "00:10:00"], cwd: dir)
        XCTAssertEqual(sub.status, 0, sub.output)
        XCTAssertTrue(sub.output.contains("submitted job array"), sub.output)
        let ledger = try SlurmJobLedger.read(SweepFolder(sweep))
        let submission = try XCTUnwrap(ledger.submissions.first, "slurm/jobs.json records the job")
        XCTAssertEqual(ledger.submissions.count, 1)
        XCTAssertEqual(submission.runs.count, 4)
        let job = submission.jobID
        let script = try String(contentsOfFile: submission.script, encoding: .utf8)
        for line in ["#SBATCH --array=0-3", "#SBATCH --requeue", "#SBATCH --open-mode=append", "#SBATCH --cpus-per-task=1"] {
            XCTAssertTrue(script.contains(line), "script lacks \(line)")
        }
        XCTAssertFalse(script.contains("--exit-with-parent"), "a Slurm task must not die with a parent")

        // Cancel task 0 once it has a checkpoint past step 0, before it finishes.
        let victim = submission.runs[0], victimTask = "\(job)_0"
        let victimDir = sweep.appendingPathComponent("runs/\(victim)")
        let seen = try SlurmTestSupport.waitFor("task \(victimTask) to checkpoint past step 0", seconds: 120) { () -> Int? in
            let st = RunState.read(victimDir)
            if st.status.isFinished { XCTFail("\(victim) finished before it could be cancelled; make the runs longer"); throw CocoaError(.userCancelled) }
            return st.status == .partial && st.step > 0 ? st.step : nil
        }
        try SlurmTestSupport.must("scancel", [victimTask])
        // Task 1 is preempted instead: requeued by Slurm while it runs (SIGTERM at any moment, even mid-save).
        let preempted = submission.runs[1], preemptedTask = "\(job)_1"
        let preemptedDir = sweep.appendingPathComponent("runs/\(preempted)")
        _ = try SlurmTestSupport.waitFor("task \(preemptedTask) to checkpoint past step 0", seconds: 120) { () -> Int? in
            let st = RunState.read(preemptedDir)
            if st.status.isFinished { XCTFail("\(preempted) finished before it could be requeued; make the runs longer"); throw CocoaError(.userCancelled) }
            return st.status == .partial && st.step > 0 ? st.step : nil
        }
        try SlurmTestSupport.must("scontrol", ["requeue", preemptedTask])
        _ = try SlurmTestSupport.waitFor("\(victimTask) to leave the queue", seconds: 60) {
            try SlurmTestSupport.queued(job: job)[victimTask] == nil ? true : nil
        }
        _ = try SlurmTestSupport.waitFor("the stopped tasks' training processes to end", seconds: 30) {
            processIDs(commandLineContaining: ["train", victimDir.path]).isEmpty
                && processIDs(commandLineContaining: ["train", preemptedDir.path]).isEmpty ? true : nil
        }
        let preemptedAt = RunState.read(preemptedDir)
        XCTAssertEqual(preemptedAt.status, .partial)
        let cancelled = RunState.read(victimDir)
        XCTAssertEqual(cancelled.status, .partial, "the cancelled run should be unfinished")
        XCTAssertGreaterThanOrEqual(cancelled.step, seen)
        let during = try runWorkbench(exe, ["runs", sweep.path], cwd: dir)
        XCTAssertEqual(during.status, 0, during.output)
        XCTAssertTrue(during.output.contains("failed (\(victimTask)"), "runs shows the cancelled task as failed:\n\(during.output)")
        XCTAssertTrue(during.output.contains("CANCELLED"), "runs quotes the task's log:\n\(during.output)")

        // Requeue the cancelled one. Slurm holds a requeued task ~2 minutes (reason BeginTime)
        // unless told, once it is pending again, to start now.
        try SlurmTestSupport.must("scontrol", ["requeue", victimTask])
        for task in [victimTask, preemptedTask] {
            _ = try SlurmTestSupport.waitFor("\(task) to be pending again", seconds: 60) {
                try SlurmTestSupport.queued(job: job)[task] == "PENDING" ? true : nil
            }
            try SlurmTestSupport.must("scontrol", ["update", "JobId=\(task)", "StartTime=now"])
        }

        // Everything finishes.
        let names = submission.runs
        _ = try SlurmTestSupport.waitFor("all runs to finish and the array to leave the queue", seconds: 240) { () -> Bool? in
            let done = names.allSatisfy { RunState.read(sweep.appendingPathComponent("runs/\($0)")).status == .completed }
            let queue = try SlurmTestSupport.queued(job: job)
            return done && queue.isEmpty ? true : nil
        }
        // Each stopped task resumed once, from the checkpoint it left (or from the one it was saving
        // when stopped, which the resume finishes), and its task log shows the second attempt.
        for (run, dir, index, leftAt) in [(victim, victimDir, 0, cancelled.step), (preempted, preemptedDir, 1, preemptedAt.step)] {
            let trainLog = try String(contentsOf: dir.appendingPathComponent("train.log"), encoding: .utf8)
            let resumedAt = trainLog.components(separatedBy: "resuming at step ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            XCTAssertEqual(resumedAt.count, 1, "one resume in \(run)'s train.log:\n\(trainLog)")
            XCTAssertGreaterThan(leftAt, 0, run)
            XCTAssertGreaterThanOrEqual(resumedAt.first ?? -1, leftAt, "\(run) resumes from its checkpoint, not from the start")
            let taskLog = try String(contentsOf: SlurmArrayScript.logURL(sweep, jobID: job, index: index), encoding: .utf8)
            XCTAssertTrue(taskLog.contains("attempt 2"), taskLog)
        }

        // Same curves and weights as the local executor.
        for n in names {
            let a = dir.appendingPathComponent("ref/runs/\(n)"), b = sweep.appendingPathComponent("runs/\(n)")
            XCTAssertEqual(try metricsWithoutWallClock(a), try metricsWithoutWallClock(b), n)
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("checkpoint.safetensors")),
                           try Data(contentsOf: b.appendingPathComponent("checkpoint.safetensors")), n)
        }

        // `workbench runs` shows every task finished and rebuilds the index from the run directories.
        let after = try runWorkbench(exe, ["runs", sweep.path], cwd: dir)
        XCTAssertEqual(after.status, 0, after.output)
        for i in 0..<4 { XCTAssertTrue(after.output.contains("finished (\(job)_\(i))"), after.output) }
        let index = try ResultsIndex.open(at: sweep.appendingPathComponent("index.sqlite"))
        XCTAssertNil(index.recovery)
        let rows = try index.runs()
        XCTAssertEqual(rows.map(\.name).sorted(), names.sorted())
        for r in rows {
            let run = sweep.appendingPathComponent("runs/\(r.name)")
            let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: run.appendingPathComponent("summary.json")))
            XCTAssertEqual(r.status, "completed", r.name)
            XCTAssertEqual(r.steps, 4000)
            XCTAssertEqual(r.plannedSteps, 4000)
            XCTAssertEqual(r.bestTestLoss, summary.bestTestLoss)
            XCTAssertEqual(r.finalTestLoss, summary.finalTestLoss)
            XCTAssertEqual(r.evaluations, try metricsWithoutWallClock(run).count)
            XCTAssertNil(r.message, r.name)
        }

        // Submitting again leaves the finished runs alone.
        let again = try runWorkbench(exe, ["sweep", specURL.path, "--out", sweep.path, "--backend", "slurm"], cwd: dir)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("every selected run is finished (4)"), again.output)
        XCTAssertEqual(try SlurmJobLedger.read(SweepFolder(sweep)).submissions.count, 1)
        print("slurm integration: \(String(format: "%.1f", Date().timeIntervalSince(began))) s; cancelled \(victimTask) at step \(cancelled.step), requeued \(preemptedTask) at step \(preemptedAt.step)")
    }

    func testRejectedSubmissionQuotesSlurmAndLosesNothing() throws {
        let exe = try workbenchExecutable()
        let dir = temporaryDirectory()
        let specURL = dir.appendingPathComponent("tiny.toml")
        try tinySweepSpec(steps: 50, evals: 2).write(to: specURL, atomically: true, encoding: .utf8)
        // Two runs finished locally first.
        let sweep = dir.appendingPathComponent("s")
        let local = try runWorkbench(exe, ["sweep", specURL.path, "--out", sweep.path, "--no-estimate", "--only",
                                           "g-L1-d16-Dall-s1", "g-L1-d16-D4e3-s1"], cwd: dir)
        XCTAssertEqual(local.status, 0, local.output)
        let before = try Data(contentsOf: sweep.appendingPathComponent("runs/g-L1-d16-Dall-s1/checkpoint.safetensors"))

        let r = try runWorkbench(exe, ["sweep", specURL.path, "--out", sweep.path, "--backend", "slurm",
                                       "--partition", "no-such-partition"], cwd: dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("Slurm rejected the job array"), r.output)
        XCTAssertTrue(r.output.lowercased().contains("invalid partition"), "Slurm's own words are quoted:\n\(r.output)")
        XCTAssertEqual(try SlurmJobLedger.read(SweepFolder(sweep)).submissions.count, 0)
        XCTAssertEqual(try Data(contentsOf: sweep.appendingPathComponent("runs/g-L1-d16-Dall-s1/checkpoint.safetensors")), before)
        XCTAssertEqual(RunState.read(sweep.appendingPathComponent("runs/g-L1-d16-D4e3-s1")).status, .completed)
    }
}
