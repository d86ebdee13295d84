import Foundation
import XCTest
import Sweeps
import Training

/// IsoFLOP grids: sizes around the expected optimum at each budget, each run ending where its
/// budget is spent, in the measure the grid names.
final class IsoFLOPGridTests: XCTestCase {
    func spec(_ text: String) throws -> SweepSpec {
        try SweepSpec.parse(text, file: "/tmp/s.toml", baseDirectory: URL(fileURLWithPath: "/tmp"))
    }

    func testEachRunSpendsItsBudgetAsSpent() throws {
        let s = try spec("""
            name = "iso"
            [set]
            "train.batch_size" = 4
            "model.n_ctx" = 64
            "schedule.decay" = "wsd"
            [[grid]]
            name = "iso"
            aspect_ratio = 16
            head_dim = 16
            isoflop = { budgets = [1e12, 1e13], sizes = 5, spread = 2, tokens_per_param = 20 }
            """)
        let plan = try SweepPlan(spec: s, datasetTokens: { _ in 10_000_000 }, datasetVocab: { _ in 512 })
        XCTAssertEqual(plan.runs.count, 10)
        XCTAssertTrue(plan.runs.allSatisfy { $0.name.hasPrefix("iso-C1e12-") || $0.name.hasPrefix("iso-C1e13-") })
        for budget in [1e12, 1e13] {
            let runs = plan.runs.filter { $0.name.hasPrefix("iso-C\(budget == 1e12 ? "1e12" : "1e13")-") }
            XCTAssertEqual(runs.count, 5)
            // Sizes around √(C / 120), a factor 2 apart (shapes round them).
            let centre = (budget / 120).squareRoot()
            XCTAssertEqual(log(Double(runs[2].params) / centre), 0, accuracy: 0.5, "middle size near the centre")
            XCTAssertEqual(Set(runs.map(\.params)).count, 5)
            for r in runs {
                let model = r.config.gptConfig(datasetVocab: 512)
                let spent = model.trainingFLOPsPerToken * Double(r.tokens)
                XCTAssertEqual(spent / budget, 1, accuracy: 0.5 * Double(4 * 64) * model.trainingFLOPsPerToken / budget + 1e-9,
                               "\(r.name): spends its budget to the nearest step")
                XCTAssertGreaterThan(model.trainingFLOPsPerToken, 6 * Double(r.params), "total counts output layer and attention")
            }
        }
    }

    func testKaplanMeasureGivesMoreTokensThanComputeAsSpent() throws {
        func plan(_ compute: String) throws -> SweepPlan {
            try SweepPlan(spec: try spec("""
                name = "iso"
                [set]
                "model.n_ctx" = 64
                [[grid]]
                name = "iso"
                head_dim = 16
                isoflop = { budgets = [1e12], sizes = 3, compute = "\(compute)" }
                """), datasetTokens: { _ in 10_000_000 }, datasetVocab: { _ in 4096 })
        }
        let kaplan = try plan("6ne"), total = try plan("total")
        for (k, t) in zip(kaplan.runs, total.runs) {
            XCTAssertEqual(Double(k.steps * k.config.train.batchSize * 64) * 6 * Double(k.params), 1e12,
                           accuracy: 0.5 * Double(k.config.train.batchSize * 64) * 6 * Double(k.params) + 1)
            XCTAssertGreaterThan(k.steps, t.steps)
        }
    }

    func testBadIsoFLOPTablesAreNamed() {
        for (text, needle) in [("isoflop = { budgets = [] }", "budgets"),
                               ("isoflop = { budgets = [1e12], sizes = 2 }", "sizes"),
                               ("isoflop = { budgets = [1e12], spread = 1 }", "spread"),
                               ("isoflop = { budgets = [1e12], compute = \"flops\" }", "compute"),
                               ("isoflop = { budgets = [1e12], size = 5 }", "size"),
                               ("isoflop = { budgets = [1e12] }\ntokens = 1e6", "tokens")] {
            XCTAssertThrowsError(try spec("name = \"x\"\n[[grid]]\nname = \"g\"\n" + text)) { e in
                XCTAssertTrue("\(e)".contains(needle) && "\(e)".contains("isoflop") || "\(e)".contains("grid[1].tokens"), "\(text): \(e)")
            }
        }
    }
}
