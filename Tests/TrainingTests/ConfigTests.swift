import Foundation
import XCTest
import Training
import TestSupport

/// TOML configs: defaults, overrides, round trip, and errors that name the key and the file.
final class ConfigTests: XCTestCase {
    func testUnknownKeyNamesKeyFileAndSuggestion() throws {
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("bad.toml")
        try "[model]\nn_layr = 3\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainConfig.load(from: file)) { error in
            XCTAssertEqual(error as? ConfigError, .unknownKey(key: "model.n_layr", file: file.path, suggestion: "model.n_layer"))
            XCTAssertTrue("\(error)".contains("bad.toml"))
        }
    }

    func testUnknownSectionAndWrongTypeAreRejected() {
        XCTAssertThrowsError(try TrainConfig.parse("[modle]\nn_layer = 3\n", file: "c.toml")) { error in
            XCTAssertTrue("\(error)".contains("'modle'") && "\(error)".contains("c.toml"), "\(error)")
        }
        XCTAssertThrowsError(try TrainConfig.parse("[train]\nsteps = \"many\"\n", file: "c.toml")) { error in
            XCTAssertEqual(error as? ConfigError, .wrongType(key: "train.steps", expected: "an integer", file: "c.toml"))
        }
        XCTAssertThrowsError(try TrainConfig.parse("[train\nsteps = 1\n", file: "c.toml")) { error in
            XCTAssertTrue("\(error)".contains("line 1"), "\(error)")
        }
        var c = TrainConfig()
        XCTAssertThrowsError(try c.set("train.stepz", to: "3"))
        XCTAssertThrowsError(try c.set("train.steps", to: "3.5"))
        c.schedule.decay = "exponential"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("schedule.decay")) }
    }

    func testRenderedConfigParsesBackIdentically() throws {
        var c = TrainConfig()
        try c.set("model.d_model", to: "96")
        try c.set("optimizer.lr", to: "2e-4")
        try c.set("data.extra_eval_splits", to: "interpolate,extrapolate")
        try c.set("train.run_dir", to: "runs/a \"quoted\" name")
        XCTAssertEqual(c.model.dModel, 96)
        XCTAssertEqual(c.data.extraEvalSplits, ["interpolate", "extrapolate"])
        XCTAssertEqual(try TrainConfig.parse(c.renderTOML()), c)
        // Integers are accepted for float keys.
        XCTAssertEqual(try TrainConfig.parse("[optimizer]\nlr = 1\n").optimizer.lr, 1)
    }

    func testShippedConfigsParse() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: configs.path).filter { $0.hasSuffix(".toml") }
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let c = try TrainConfig.load(from: configs.appendingPathComponent(f))
            XCTAssertNoThrow(try c.validate(), f)
        }
    }

    func testLearningRateScheduleShapes() {
        let s = LearningRateSchedule(peak: 1.0, warmupSteps: 10, totalSteps: 110, decay: .cosine, minRatio: 0.1)
        XCTAssertEqual(s.rate(at: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(s.rate(at: 9), 1.0, accuracy: 1e-12)
        XCTAssertEqual(s.rate(at: 60), 0.55, accuracy: 1e-12)     // halfway down the cosine
        XCTAssertEqual(s.rate(at: 110), 0.1, accuracy: 1e-12)
        let l = LearningRateSchedule(peak: 1.0, warmupSteps: 0, totalSteps: 100, decay: .linear, minRatio: 0.1)
        XCTAssertEqual(l.rate(at: 50), 0.55, accuracy: 1e-12)
    }
}
