import Foundation
import Datasets
import Training
import TestSupport

/// Writes a byte-level text dataset (train and test) as token shards and returns its folder.
func writeTextDataset(train: String, test: String, in dir: URL) throws -> URL {
    let ds = TokenDataset.bytes(name: "text", train: Array(train.utf8), test: Array(test.utf8), source: "test")
    let url = dir.appendingPathComponent("data")
    try ds.write(to: url)
    return url
}

/// A tiny config for fast tests.
func tinyConfig(dataset: URL, runDir: URL) -> TrainConfig {
    var c = TrainConfig()
    c.model.nLayer = 1; c.model.dModel = 16; c.model.nHead = 2; c.model.nCtx = 16
    c.data.dataset = dataset.path
    c.optimizer.lr = 3e-3
    c.schedule.warmupSteps = 2
    c.train.steps = 12; c.train.batchSize = 4; c.train.evalEvery = 4; c.train.evalTokens = 256
    c.train.threads = 2
    c.train.runDir = runDir.path
    return c
}

let sampleText = String(repeating: "the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ", count: 20)

/// metrics.jsonl lines with the wall-clock field removed (everything else must match exactly).
func metricsWithoutWallClock(_ run: URL) throws -> [String] {
    try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        .split(separator: "\n").map { line in
            line.split(separator: ",").filter { !$0.contains("wall_seconds") }.joined(separator: ",")
        }
}

/// A tiny run on the sample text in a fresh folder, stopped ("killed") after `stopAfter` steps.
func stoppedTinyRun(stopAfter: Int, in dir: URL = temporaryDirectory(), name: String = "run",
                    _ adjust: (inout TrainConfig) -> Void = { _ in }) throws -> TrainConfig {
    let data = try writeTextDataset(train: sampleText, test: String(sampleText.prefix(400)), in: dir)
    var cfg = tinyConfig(dataset: data, runDir: dir.appendingPathComponent(name))
    adjust(&cfg)
    let t = try Trainer(config: cfg)
    t.stopAfterSteps = stopAfter
    try t.run()
    return cfg
}
