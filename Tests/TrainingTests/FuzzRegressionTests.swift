import Foundation
import Training
import XCTest

/// Inputs that crashed `tools/fuzz` (target `toml-config`): TOMLKit aborts the process on a
/// table header whose `[` is not followed by a key, and on an array element that starts with
/// `}` or a Unicode line separator. They must come back as errors naming the file and the line,
/// and valid TOML that merely looks similar must still parse.
final class TOMLFuzzRegressionTests: XCTestCase {
    /// The minimized crash (`[{chedule]` from a mutated configs/image-tiny.toml), and its kin.
    func testHeadersThatAbortedTOMLKitAreErrorsWithFileAndLine() {
        let cases: [(text: String, line: Int)] = [
            ("[optimizer]\nlr = 3e-3\n\n[{chedule]\nwarmup_steps = 50\n", 4),
            ("[=", 1),
            ("[\n", 1),
            ("[model]\nn_layer = 2\n  [ #\n", 3),
            ("[[=]]\n", 1),
            ("[[ \n", 1),
            ("a = [1,\n 2]\n[.x]\n", 3),
            ("\u{FEFF}[=", 1),
        ]
        for c in cases {
            XCTAssertThrowsError(try TrainConfig.parse(c.text, file: "fuzz.toml"), c.text) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.contains("'fuzz.toml'") && msg.contains("table header") && msg.contains("line \(c.line)"),
                              "\(c.text.debugDescription) → \(msg)")
            }
        }
    }

    /// The minimized crash `_ad =[}v}n` (from a mutated comment line), and its kin.
    func testArrayElementsThatAbortedTOMLKitAreErrorsWithFileAndLine() {
        let cases: [(text: String, line: Int, says: String)] = [
            ("# ad =\n_ad =[}v}n", 2, "'}' where no inline table is open"),
            ("[train]\nsteps = 1\nx = [1, }", 3, "'}' where no inline table"),
            ("x = [\n  1,\n  }\n]", 3, "'}' where no inline table"),
            ("x = [\u{2028}1]", 1, "U+2028"),
            ("x = [1,\u{85}]", 1, "U+85"),
            // The minimized third crash (a mutated configs/image-tiny.toml had `ee= 5022-02-02 8`).
            ("[train]\nee= 5022-02-02 8\neval_every = 25\n", 2, "a date followed by a single digit"),
            ("x = [1979-05-27 7]", 1, "a date followed by a single digit"),
            ("x = 1979_-05-27 7 # c", 1, "a date followed by a single digit"),
            // Two more crashes of the same kind: any characters that set no date-time traits.
            ("[train]\nee= 502\u{12}-02-02 8\neva_ 25\n\t\0", 2, "a date followed by a single digit"),
            ("# \nxe=32=6-25-2A 4\nA", 2, "a date followed by a single digit"),
            // The fourth kind: a date and 'T' with no hour (`re=6464-10-14t_qset…` from the fuzzer).
            ("#ye+ = 6\nre=6464-10-14t_qset2eil4in:e\"\u{7f}tin", 2, "a date and 'T' without an hour"),
            ("x = [1979-05-27T_07:00:00]", 1, "a date and 'T' without an hour"),
        ]
        for c in cases {
            XCTAssertThrowsError(try TrainConfig.parse(c.text, file: "fuzz.toml"), c.text) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.contains("'fuzz.toml'") && msg.contains(c.says) && msg.contains("line \(c.line)"),
                              "\(c.text.debugDescription) → \(msg)")
            }
        }
    }

    func testBracketsInsideValuesStringsAndCommentsAreNotHeaders() throws {
        let text = """
        # [= a comment is not a header, } nor a brace, \u{2028} nor a separator
        [optimizer]
        no_decay = [
          "bias", # [= nor is a comment inside an array
          "layernorm",
        ]
        [data]
        dataset = "[=not a header }"
        extra_eval_splits = ['''
        [{ inside a multi-line literal''', \"\"\"
        [= inside a multi-line basic string, with a \\\"\"\" escaped quote
        \"\"\"]
        [ "train" ]
        steps = 7
        """
        XCTAssertNil(TOMLAbortCheck.firstProblem(in: text))
        let dates = "d = 1979-05-27 07:32:00\nd2 = 1979-05-27T07:32:00Z\ne = 1979-05-27\nf = [1979-05-27, 2]\ng = 1979-05-27 # 7\nh = 1234-56-7890 1\n"
        XCTAssertNil(TOMLAbortCheck.firstProblem(in: dates))
        let cfg = try TrainConfig.parse(text)
        XCTAssertEqual(cfg.optimizer.noDecay, ["bias", "layernorm"])
        XCTAssertEqual(cfg.data.dataset, "[=not a header }")
        XCTAssertEqual(cfg.data.extraEvalSplits.count, 2)
        XCTAssertEqual(cfg.train.steps, 7)
    }

    func testShippedConfigsPassTheCheck() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        // Run configs and the sweep specs under configs/sweeps/.
        let names = (FileManager.default.subpaths(atPath: configs.path) ?? []).filter { $0.hasSuffix(".toml") }
        XCTAssertGreaterThan(names.count, 5)
        for name in names {
            let text = try String(contentsOf: configs.appendingPathComponent(name), encoding: .utf8)
            XCTAssertNil(TOMLAbortCheck.firstProblem(in: text), name)
        }
    }
}
