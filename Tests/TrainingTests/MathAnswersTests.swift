import XCTest
import Datasets
import Tokenizers
import Training
import Transformer
import RunFiles
import TestSupport

final class MathAnswersTests: XCTestCase {
    let problems = [MathProblem(question: "1+1?", answer: "2", module: "add"),
                    MathProblem(question: "3*4?", answer: "12", module: "mul"),
                    MathProblem(question: "5+5?", answer: "10", module: "add"),
                    MathProblem(question: "2*2?", answer: "4", module: "mul")]

    func testProblemsAreFoundInTheirRecordsWithTheirModules() throws {
        let packed = try MathPacking.pack(problems, recordLength: 16)   // 7 + 8 tokens, then 8 + 7
        let found = MathAnswerProblem.extract(from: packed.split, recordLength: 16, modules: problems.map(\.module))
        XCTAssertEqual(found.map(\.question), problems.map(\.question))
        XCTAssertEqual(found.map(\.answer), problems.map(\.answer))
        XCTAssertEqual(found.map(\.module), ["add", "mul", "add", "mul"])
        XCTAssertEqual(found.map(\.index), [0, 1, 2, 3])
        for p in found {
            let rec = Array(packed.split.tokens[(p.record * 16)..<((p.record + 1) * 16)])
            XCTAssertEqual(rec[p.separator], MathTokenizer.separator)
            XCTAssertEqual(rec[p.end], MathTokenizer.end)
            XCTAssertEqual(MathTokenizer().decode(Array(rec[p.questionStart..<p.separator])), p.question)
        }
        XCTAssertEqual(found.map(\.record), [0, 0, 1, 1])
        // Without module names (or with a list that does not fit), every problem is module "all".
        XCTAssertEqual(Set(MathAnswerProblem.extract(from: packed.split, recordLength: 16, modules: ["x"]).map(\.module)), ["all"])
    }

    func testExactMatchCountingPerModule() throws {
        let packed = try MathPacking.pack(problems, recordLength: 16)
        let found = MathAnswerProblem.extract(from: packed.split, recordLength: 16, modules: problems.map(\.module))
        // A stub answering: right, a longer answer, right, a prefix of the answer.
        let given = ["2", "123", "10", ""]
        let r = MathAnswerEvaluation.evaluate(found, split: "interpolate", examples: 2) { given[$0.index] }
        XCTAssertEqual(r.total, MathAnswerCount(problems: 4, correct: 2))
        XCTAssertEqual(r.modules["add"], MathAnswerCount(problems: 2, correct: 2))
        XCTAssertEqual(r.modules["mul"], MathAnswerCount(problems: 2, correct: 0))
        XCTAssertEqual(r.modules["mul"]?.accuracy, 0)
        XCTAssertEqual(r.total.accuracy, 0.5)
        XCTAssertEqual(r.examples.map(\.predicted), ["2", "123"])
    }

    func testGreedyDecoderAnswersAsRerunningFromTheRecordContext() throws {
        // A random model with the math vocabulary; its answers (right or wrong) must be what greedy
        // rerunning from the same context gives, cut at the end token and at answer length + 1.
        let packed = try MathPacking.pack(problems, recordLength: 33)
        let found = MathAnswerProblem.extract(from: packed.split, recordLength: 33, modules: nil)
        XCTAssertEqual(found.map(\.record), [0, 0, 0, 0])
        let gpt = GPT(config: GPTConfig(nLayer: 1, dModel: 16, nHead: 2, nCtx: 32, vocabSize: MathTokenizer.vocabSize), seed: 4)
        for i in 0..<gpt.layout.total where i % 2 == 0 { gpt.parameters[i] *= 6 }
        let decoder = GreedyAnswerDecoder(model: gpt, split: packed.split, recordLength: 33)
        for p in found + [found[1]] {   // the last asks an earlier problem again: the cache starts over
            let context = packed.split.tokens[0...p.separator].map(Int32.init)
            var greedy = Sampler(temperature: 0)
            let limit = p.answer.count + 1
            let drawn = greedy.generateByRerunning(model: gpt, prompt: context, count: min(limit, 32 - context.count + 1))
            let expected = MathTokenizer().decode(Array(drawn.prefix { $0 != Int32(MathTokenizer.end) }.map { UInt16($0) }))
            XCTAssertEqual(try decoder.answer(p), expected, p.question)
        }
    }

    func testEvalAnswersFileOfATinyTrainedModel() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var split = MathSplitConfig(seed: 3)
        split.trainCharacters = 4000; split.testCharacters = 600; split.modules = [MathGenerator.modules[0].name, MathGenerator.modules[1].name]
        let generated = MathSplits.generate(split)
        let (ds, _) = try MathDataset.generated(split, name: "math-test")
        let data = dir.appendingPathComponent("math")
        try MathProblemModules.write(["interpolate": generated.interpolate, "test": generated.interpolate,
                                      "extrapolate": generated.extrapolate], to: data)
        try ds.write(to: data)
        var cfg = TrainConfig()
        cfg.model.nLayer = 1; cfg.model.dModel = 16; cfg.model.nHead = 2; cfg.model.nCtx = 512
        cfg.data.dataset = data.path
        cfg.train.steps = 3; cfg.train.batchSize = 2; cfg.train.evalEvery = 3; cfg.train.evalTokens = 1026
        cfg.train.threads = 2; cfg.train.runDir = dir.appendingPathComponent("run").path
        let trainer = try Trainer(config: cfg)
        try trainer.run()
        let results = try MathAnswerResults.evaluate(trainer, splits: ["interpolate", "extrapolate"], maxProblems: 12)
        let url = try results.write(to: trainer.run.url)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        XCTAssertEqual(json["module_source"] as? String, "problem_modules.json")
        let splits = try XCTUnwrap(json["splits"] as? [String: [String: Any]])
        XCTAssertEqual(Set(splits.keys), ["interpolate", "extrapolate"])
        for (_, s) in splits {
            let total = try XCTUnwrap(s["total"] as? [String: Any])
            let n = try XCTUnwrap(total["problems"] as? Int), c = try XCTUnwrap(total["correct"] as? Int)
            let acc = try XCTUnwrap(total["accuracy"] as? Double)
            XCTAssertEqual(n, 12)
            XCTAssertTrue((0...n).contains(c)); XCTAssertTrue((0...1).contains(acc))
            let modules = try XCTUnwrap(s["modules"] as? [String: [String: Any]])
            XCTAssertEqual(Set(modules.keys), Set(split.modules))
            XCTAssertEqual(modules.values.map { $0["problems"] as! Int }.reduce(0, +), n)
            XCTAssertEqual(modules.values.map { $0["correct"] as! Int }.reduce(0, +), c)
            XCTAssertFalse((s["examples"] as? [Any] ?? []).isEmpty)
        }
        XCTAssertEqual(MathAnswerResults.existing(in: trainer.run.url), results)
        // Answering one split again keeps the other from the same checkpoint, and only then.
        let again = try MathAnswerResults.evaluate(trainer, splits: ["extrapolate"], maxProblems: 3)
        XCTAssertEqual(Set(again.keepingOtherSplits(of: results).splits.keys), ["interpolate", "extrapolate"])
        XCTAssertEqual(again.keepingOtherSplits(of: results).splits["extrapolate"]?.total.problems, 3)
        var other = results; other.checkpointStep = 1
        XCTAssertEqual(Set(again.keepingOtherSplits(of: other).splits.keys), ["extrapolate"])
    }
}
