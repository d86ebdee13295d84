import Foundation
import XCTest
import Sweeps
import Training
import TestSupport

/// Parsing sweep specs and multiplying them out into runs.
final class SweepSpecTests: XCTestCase {
    func spec(_ text: String) throws -> SweepSpec {
        try SweepSpec.parse(text, file: "/tmp/s.toml", baseDirectory: URL(fileURLWithPath: "/tmp"))
    }

    func testFinetuneGridStartsEachSizeFromThePretrainedRunOfTheSameShape() throws {
        let s = try spec("""
            name = "ft"
            [set]
            "model.n_ctx" = 16
            "finetune.task" = "classify"
            [[grid]]
            name = "pre"
            shapes = [[1, 32], [2, 64]]
            steps = 10
            pretrained = "../image/runs/size-L{n_layer}-d{d_model}-Dall-s1"
            [[grid]]
            name = "scratch"
            shapes = [[1, 32]]
            steps = 10
            """)
        let plan = try SweepPlan(spec: s) { _ in 10_000 }
        XCTAssertEqual(plan.runs.map(\.name), ["pre-L1-d32-Dall-s1", "pre-L2-d64-Dall-s1", "scratch-L1-d32-Dall-s1"])
        XCTAssertEqual(plan.runs.map(\.config.finetune.from),
                       ["../image/runs/size-L1-d32-Dall-s1", "../image/runs/size-L2-d64-Dall-s1", ""])
        XCTAssertTrue(plan.runs.allSatisfy { $0.config.finetune.task == "classify" })
        // The trainer reads the path from the sweep folder; the plan (and its hash) keeps it relative.
        let folder = SweepFolder(URL(fileURLWithPath: "/studies/q/finetune"))
        XCTAssertEqual(folder.resolved(plan.runs[1].config).finetune.from, "/studies/q/image/runs/size-L2-d64-Dall-s1")
        XCTAssertEqual(folder.resolved(plan.runs[2].config).finetune.from, "")
        XCTAssertThrowsError(try spec("name = \"x\"\n[[grid]]\nname = \"g\"\npretrained = 3\n")) { error in
            XCTAssertTrue("\(error)".contains("grid[0].pretrained") || "\(error)".contains("pretrained"), "\(error)")
        }
    }

    /// The full text preset's short sizes once failed mid-study: a branch at 25 % of 855 steps
    /// cooled down inside the 200 warm-up steps. Planning now refuses that before anything
    /// trains, naming the run, and `warmup_share` gives every run the same share of warm-up.
    func testWarmupShareShortensTheWarmUpOfShortRunsAndPlanningRefusesBranchesInsideIt() throws {
        let text = """
            name = "w"
            [set]
            "model.n_ctx" = 16
            "train.batch_size" = 1
            "schedule.warmup_steps" = 200
            "schedule.decay" = "wsd"
            [[grid]]
            name = "size"
            shapes = [[1, 32]]
            steps = 855
            cooldown_at = [0.25, 0.5, 1.0]
            [[grid]]
            name = "long"
            shapes = [[1, 32]]
            steps = 1221
            cooldown_at = [0.25, 1.0]
            """
        XCTAssertThrowsError(try SweepPlan(spec: try spec(text)) { _ in 100_000 }) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("run 'size-L1-d32-Dall-s1' of grid 'size'"), message)
            XCTAssertTrue(message.contains("inside the 200 warm-up steps"), message)
        }
        let shared = text.replacingOccurrences(of: "cooldown_at = [0.25, 0.5, 1.0]", with: "cooldown_at = [0.25, 0.5, 1.0]\nwarmup_share = 0.17")
            .replacingOccurrences(of: "cooldown_at = [0.25, 1.0]", with: "cooldown_at = [0.25, 1.0]\nwarmup_share = 0.17")
        let plan = try SweepPlan(spec: try spec(shared)) { _ in 100_000 }
        // 0.17 · 855 = 145 steps; 0.17 · 1221 = 208 > 200 keeps the set value.
        XCTAssertEqual(plan.runs.map(\.config.schedule.warmupSteps), [145, 200])
        let branches = try CooldownBranches.plan(for: plan.runs[0].config)
        XCTAssertEqual(branches.map(\.forkStep), [171, 342], "the 25 % branch cools down from step 171, after the warm-up")
        for bad in ["0", "1", "1.5", "\"x\""] {
            XCTAssertThrowsError(try spec(text.replacingOccurrences(of: "steps = 1221", with: "steps = 1221\nwarmup_share = \(bad)"))) { error in
                XCTAssertTrue("\(error)".contains("warmup_share"), "\(error)")
            }
        }
    }

    func testGridMultipliesShapesDataSizesSeedsAndAxes() throws {
        let s = try spec("""
            name = "t"
            [set]
            "train.batch_size" = 4
            "model.n_ctx" = 16
            [[grid]]
            name = "g"
            shapes = [[1, 32], [2, 64]]
            data_tokens = [0, 1000]
            seeds = [1, 2]
            tokens = 6400
            evals = 4
            [grid.axes]
            "optimizer.lr" = [1e-3, 2e-3]
            """)
        let plan = try SweepPlan(spec: s) { cfg in cfg.data.maxTrainTokens == 0 ? 50_000 : cfg.data.maxTrainTokens }
        XCTAssertEqual(plan.runs.count, 2 * 2 * 2 * 2)
        let r = plan.runs[0]
        XCTAssertEqual(r.name, "g-L1-d32-Dall-s1-lr0.001")
        XCTAssertEqual(r.steps, 100)                     // 6400 tokens / (4 · 16)
        XCTAssertEqual(r.tokens, 6400)
        XCTAssertEqual(r.config.train.evalEvery, 25)
        XCTAssertEqual(r.datasetTokens, 50_000)
        XCTAssertEqual(r.params, 12 * 32 * 32 + 15 * 32)  // 12·d² weights + 13·d biases and layer norms per layer + 2·d final (d = 32)
        XCTAssertEqual(plan.runs.map(\.name).filter { $0.contains("D1e3-s2-lr0.002") }.count, 2)
        XCTAssertEqual(Set(plan.runs.map(\.configHash)).count, 16)
    }

    func testEpochRuleTrainsForKPassesOverD() throws {
        let s = try spec("""
            [set]
            "train.batch_size" = 2
            "model.n_ctx" = 10
            [[grid]]
            data_tokens = [1000, 4000]
            epochs = 3
            """)
        let plan = try SweepPlan(spec: s) { $0.data.maxTrainTokens }
        XCTAssertEqual(plan.runs.map(\.steps), [150, 600])   // 3·D / 20
    }

    func testComputeRuleGivesEverySizeTheSameComputeUpToTheCap() throws {
        let s = try spec("""
            [set]
            "train.batch_size" = 1
            "model.n_ctx" = 10
            [[grid]]
            shapes = [[1, 16], [1, 32], [2, 64]]
            compute_flops = 1e9
            max_tokens = 2e4
            """)
        let plan = try SweepPlan(spec: s) { _ in 1_000_000 }
        let small = plan.runs[0], mid = plan.runs[1], large = plan.runs[2]
        XCTAssertEqual(small.tokens, 20_000, "capped: 1e9 / (6 · 3.3k) would be 50k tokens")
        XCTAssertEqual(6 * Double(mid.params * mid.tokens), 1e9, accuracy: 6 * Double(mid.params) * 10)
        XCTAssertEqual(6 * Double(large.params * large.tokens), 1e9, accuracy: 6 * Double(large.params) * 10)
        XCTAssertGreaterThan(mid.tokens, large.tokens)

        let floored = try SweepPlan(spec: try spec("""
            [set]
            "train.batch_size" = 1
            "model.n_ctx" = 10
            [[grid]]
            shapes = [[1, 16], [2, 64]]
            compute_flops = 1e9
            min_tokens = 5e3
            """)) { _ in 1_000_000 }
        XCTAssertEqual(floored.runs[1].tokens, 5_000, "the floor lifts the large model above C / 6N")
        XCTAssertGreaterThan(floored.runs[0].tokens, 40_000)
    }

    func testTargetSizesBecomeShapesNearTheTarget() throws {
        let s = try spec("""
            [[grid]]
            params = [2e4, 2e5, 2e6]
            aspect_ratio = 32
            steps = 10
            """)
        let plan = try SweepPlan(spec: s) { _ in 1000 }
        for (r, target) in zip(plan.runs, [2e4, 2e5, 2e6]) {
            XCTAssertLessThan(abs(log(Double(r.params) / target)), log(2.0), "\(r.name): N = \(r.params) for target \(target)")
            XCTAssertEqual(r.config.model.dModel % 16, 0)
            XCTAssertEqual(r.config.model.attnWidth % r.config.model.nHead, 0)
        }
        XCTAssertLessThan(plan.runs[0].config.model.nLayer, plan.runs[2].config.model.nLayer)
    }

    func testUnknownKeysAndEmptyAxesNameFileAndKey() {
        let cases: [(String, String)] = [
            ("bogus = 1\n[[grid]]\nsteps = 1", "'bogus'"),
            ("[[grid]]\nshapez = [[1, 8]]", "'grid[1].shapez'"),
            ("[[grid]]\nseeds = []", "'grid[1].seeds'"),
            ("[[grid]]\nshapes = []", "'grid[1].shapes'"),
            ("[[grid]]\n[grid.axes]\n\"optimizer.lr\" = []", "'grid[1].axes.optimizer.lr'"),
            ("[[grid]]\n[grid.axes]\n\"optimizer.lrr\" = [1]", "'grid[1].axes.optimizer.lrr'"),
            ("[set]\n\"train.stepz\" = 3\n[[grid]]", "'set.train.stepz'"),
            ("[[grid]]\ntokens = 10\nepochs = 2", "'grid[1].epochs'"),
            ("name = \"x\"", "'grid'"),
        ]
        for (text, key) in cases {
            XCTAssertThrowsError(try spec(text), text) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.contains("/tmp/s.toml") && msg.contains(key), "\(text) → \(msg)")
            }
        }
    }

    func testBaseConfigIsReadRelativeToTheSpec() throws {
        let dir = temporaryDirectory("spec")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sweeps"), withIntermediateDirectories: true)
        try "[model]\nn_layer = 3\nd_model = 48\nn_head = 3\n[train]\nsteps = 7\n".write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try "base = \"../base.toml\"\n[[grid]]\n".write(to: dir.appendingPathComponent("sweeps/x.toml"), atomically: true, encoding: .utf8)
        let s = try SweepSpec.load(from: dir.appendingPathComponent("sweeps/x.toml"))
        XCTAssertEqual(s.name, "x")
        let plan = try SweepPlan(spec: s) { _ in 100 }
        XCTAssertEqual(plan.runs.map(\.name), ["g1-L3-d48-Dall-s1"])
        XCTAssertEqual(plan.runs[0].steps, 7)
        XCTAssertEqual(plan.runs[0].config.model.nHead, 3)
    }
}

/// The executor follows a running run's progress through the lines its training process logs.
final class LoggedStepTests: XCTestCase {
    func testLastProgressLineOfTheLogGivesTheStep() throws {
        let dir = temporaryDirectory()
        let log = dir.appendingPathComponent("train.log")
        XCTAssertNil(LocalExecutor.lastLoggedStep(dir), "no log yet")
        try "model: 12.8k non-embedding parameters\neval step      0  tokens 0  train   —    test 5.5 nats/token\nstep 40/400  loss 3.1  100k tok/s  ETA 0m10s\n"
            .write(to: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(LocalExecutor.lastLoggedStep(dir), 40)
        try ("step 40/400  loss 3.1  100k tok/s  ETA 0m10s\neval step     50  tokens 25.6k  train 3.0  test 3.1 nats/token\n"
            + "Error: something unrelated\n").write(to: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(LocalExecutor.lastLoggedStep(dir), 50, "the last progress line wins, other lines are skipped")
    }
}
