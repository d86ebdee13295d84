import Foundation
import XCTest
import Tensors
import Training

/// Warmup–stable–decay schedules and their cooldown branches: a branch ends exactly where a
/// separate run of its length ends.
final class CooldownBranchTests: XCTestCase {
    func testWSDScheduleHoldsThePeakThenCoolsDownOverItsLastFifth() {
        let s = LearningRateSchedule(peak: 1.0, warmupSteps: 10, totalSteps: 110, decay: .wsd, minRatio: 0.0)
        XCTAssertEqual(s.decayStart, 88)                        // 110 − round(0.2 · 110)
        XCTAssertEqual(s.rate(at: 4), 0.5, accuracy: 1e-12)     // warm-up
        XCTAssertEqual(s.rate(at: 50), 1.0)
        XCTAssertEqual(s.rate(at: 87), 1.0)
        XCTAssertEqual(s.rate(at: 88), 1.0)                     // the cooldown's first update
        XCTAssertEqual(s.rate(at: 109), 0.0, accuracy: 1e-12)   // the last update at the floor
        XCTAssertEqual(s.rate(at: 98), 1 - 10.0 / 21, accuracy: 1e-12)
        var sqrt = s
        sqrt.cooldownShape = .oneMinusSqrt
        XCTAssertEqual(sqrt.rate(at: 98), 1 - (10.0 / 21).squareRoot(), accuracy: 1e-12)
        // A shorter wsd schedule agrees with the longer one up to its own cooldown.
        let short = LearningRateSchedule(peak: 1.0, warmupSteps: 10, totalSteps: 50, decay: .wsd, minRatio: 0.0)
        for step in 0..<short.decayStart { XCTAssertEqual(short.rate(at: step), s.rate(at: step), "step \(step)") }
        XCTAssertLessThan(short.rate(at: short.decayStart + 1), s.rate(at: short.decayStart + 1))
    }

    func testBranchPlanForksWhereEachBranchStartsItsCooldown() throws {
        var cfg = TrainConfig()
        cfg.schedule.decay = "wsd"; cfg.schedule.warmupSteps = 10
        cfg.train.steps = 400; cfg.train.cooldownAt = [1.0, 0.5, 0.25]; cfg.train.runDir = "/tmp/x/run"
        let plan = try CooldownBranches.plan(for: cfg)
        XCTAssertEqual(plan.map(\.fraction), [0.25, 0.5])
        XCTAssertEqual(plan.map(\.config.train.steps), [100, 200])
        XCTAssertEqual(plan.map(\.forkStep), [80, 160])
        XCTAssertEqual(plan.map(\.config.train.runDir), ["/tmp/x/run/branches/cooldown-0.25", "/tmp/x/run/branches/cooldown-0.50"])
        XCTAssertEqual(plan[0].config.train.cooldownAt, [])
        cfg.train.cooldownAt = [0.02]   // ends at step 8, inside the warm-up
        XCTAssertThrowsError(try CooldownBranches.plan(for: cfg)) { e in
            XCTAssertTrue("\(e)".contains("train.cooldown_at") && "\(e)".contains("warm-up"), "\(e)")
        }
    }

    func testBranchesNeedWSDAndFractionsInRange() throws {
        var cfg = TrainConfig()
        cfg.train.cooldownAt = [0.5]
        XCTAssertThrowsError(try cfg.validate()) { e in XCTAssertTrue("\(e)".contains("wsd"), "\(e)") }
        cfg.schedule.decay = "wsd"
        XCTAssertNoThrow(try cfg.validate())
        cfg.train.cooldownAt = [1.5]
        XCTAssertThrowsError(try cfg.validate()) { e in XCTAssertTrue("\(e)".contains("1.5"), "\(e)") }
        // TOML and --set both read the fractions; config.toml writes them only when set.
        var parsed = try TrainConfig.parse("[schedule]\ndecay = \"wsd\"\ncooldown_shape = \"1-sqrt\"\n[train]\ncooldown_at = [0.25, 1]\n")
        XCTAssertEqual(parsed.train.cooldownAt, [0.25, 1.0])
        XCTAssertEqual(parsed.schedule.cooldownShape, "1-sqrt")
        try parsed.set("train.cooldown_at", to: "0.5,1.0")
        XCTAssertEqual(parsed.train.cooldownAt, [0.5, 1.0])
        XCTAssertEqual(try TrainConfig.parse(parsed.renderTOML()), parsed)
        XCTAssertFalse(TrainConfig().renderTOML().contains("cooldown"), "default configs render as before")
    }

    func testBranchEndsBitForBitWhereASeparateRunOfItsLengthEnds() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        var cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("parent"))
        cfg.schedule.decay = "wsd"; cfg.schedule.minLRRatio = 0
        cfg.train.steps = 40; cfg.train.evalEvery = 4; cfg.train.cooldownAt = [0.5, 1.0]
        let parent = try Trainer(config: cfg).run()
        XCTAssertEqual(parent.annealed, true)
        let branchDir = dir.appendingPathComponent("parent/branches/cooldown-0.50")
        var alone = cfg
        alone.train.steps = 20; alone.train.cooldownAt = []; alone.train.runDir = dir.appendingPathComponent("alone").path
        let separate = try Trainer(config: alone).run()
        XCTAssertEqual(try metricsWithoutWallClock(branchDir), try metricsWithoutWallClock(URL(fileURLWithPath: alone.train.runDir)))
        XCTAssertEqual(try Data(contentsOf: branchDir.appendingPathComponent("checkpoint.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: alone.train.runDir).appendingPathComponent("checkpoint.safetensors")))
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: branchDir.appendingPathComponent("summary.json")))
        XCTAssertEqual(summary.finalTestLoss, separate.finalTestLoss)
        XCTAssertEqual(summary.tokens, 20 * 4 * 16)
        XCTAssertEqual(summary.branchOf, "parent")
        XCTAssertEqual(summary.cooldownFraction, 0.5)
        XCTAssertEqual(summary.annealed, true)
        // Compute as spent: 6·N plus attention (6·n_layer·n_ctx·attn_width) and output layer (6·d·V).
        let g = cfg.gptConfig(datasetVocab: 256)
        let perToken = 6.0 * Double(g.nonEmbeddingParameters) + 6 * 1 * 16 * 16 + 6 * 16 * 256
        XCTAssertEqual(summary.computeFLOPsTotal!, perToken * 20 * 4 * 16, accuracy: 1)
        let lastRow = try JSONSerialization.jsonObject(with: Data(try String(contentsOf: branchDir.appendingPathComponent("metrics.jsonl"),
            encoding: .utf8).split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertEqual(lastRow["compute_flops_total"] as! Double, perToken * 20 * 4 * 16, accuracy: 1)
        XCTAssertGreaterThan(perToken, 6.0 * Double(g.nonEmbeddingParameters) * 2, "for this tiny model the output layer dominates")
        // At step 20 the branch has cooled down to the floor; the parent still trains at the peak.
        XCTAssertEqual(try value("lr", atStep: 20, of: branchDir), 0, accuracy: 1e-12)
        XCTAssertEqual(try value("lr", atStep: 20, of: URL(fileURLWithPath: cfg.train.runDir)), cfg.optimizer.lr)
        XCTAssertEqual(try value("lr", atStep: 16, of: branchDir), cfg.optimizer.lr, "the fork happens at the peak rate")
        // Resuming the finished parent neither re-seeds nor retrains the branch.
        let before = try Data(contentsOf: branchDir.appendingPathComponent("metrics.jsonl"))
        try Trainer(config: cfg, resume: true).run()
        XCTAssertEqual(try Data(contentsOf: branchDir.appendingPathComponent("metrics.jsonl")), before)
    }

    func testAKilledParentResumesAndStillGivesTheSameBranch() throws {
        let dir = temporaryDirectory()
        let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
        var cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent("killed"))
        cfg.schedule.decay = "wsd"
        cfg.train.steps = 40; cfg.train.evalEvery = 4; cfg.train.cooldownAt = [0.5]
        let stopped = try Trainer(config: cfg)
        stopped.stopAfterSteps = 18   // past the fork at 16, before the end
        try stopped.run()
        try Trainer(config: cfg, resume: true).run()
        var whole = cfg
        whole.train.runDir = dir.appendingPathComponent("whole").path
        try Trainer(config: whole).run()
        let branch = "branches/cooldown-0.50"
        XCTAssertEqual(try metricsWithoutWallClock(dir.appendingPathComponent("killed/\(branch)")),
                       try metricsWithoutWallClock(dir.appendingPathComponent("whole/\(branch)")))
    }

    func value(_ key: String, atStep step: Int, of run: URL) throws -> Double {
        for line in try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n") {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if obj["step"] as? Int == step { return obj[key] as! Double }
        }
        throw XCTSkip("no evaluation at step \(step)")
    }
}
